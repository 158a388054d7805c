// The static walk's execution-context rules, along every path: what the
// runs find as sleeping-in-atomic, invalid-wait-context and inconsistent
// lock state, said of the code. A path knows whether interrupts are off
// (the _irq/_irqsave lock forms, local_irq_*()), the spinning locks it
// holds and its preempt_disable() depth, and whether it is a handler's.
//  - might-sleep: a sleeping lock, a `sleeps` primitive or might_sleep()
//    reached in atomic context (a spinning lock held, interrupts off,
//    preemption off, a handler);
//  - wait-context: a lock whose wait type is wider than the narrowest held
//    (lockdep's check_wait_context(); without PREEMPT_RT, spinlock_t counts
//    as a raw spinlock: the runs check PREEMPT_RT under --preempt-rt);
//  - irq-unsafe: a class a declared handler takes (in hardirq context), taken
//    (or still held when interrupts come back on) elsewhere with interrupts
//    on, so that an interrupt there is lockdep's inconsistent lock state and
//    may deadlock its CPU. Checked once every entry point and handler is walked.
import * as A from '../../../assembly/abi.js';
import type { Program } from '../../kasm/index.js';
import { LOCK_KINDS } from '../../kasm/builtins.js';
import type { Held, State } from './state.js';

export type ContextIssue = { kind: 'might-sleep' | 'wait-context' | 'irq-unsafe'; pc: number; what: string; message: string };

const effectiveWait = (w: number): number => (w === A.WAIT_CONFIG ? A.WAIT_SPIN : w);
const USAGE: Record<number, string> = { [A.MODE_EXCL]: 'W', [A.MODE_READ]: 'R' };

export class ContextRules {
  /** Classes handlers take: class -> modes -> where. */
  private readonly inIrq = new Map<number, Map<number, { pc: number; irq: string }>>();
  /** Classes taken with interrupts on in task context: class -> modes -> first pc. */
  private readonly enabled = new Map<number, Map<number, number>>();
  handler = ''; // the handler being walked ('' for a task's entry point)

  constructor(private readonly p: Program, private readonly report: (s: State, issue: ContextIssue) => void) {}

  /** Where a path starts: a handler has interrupts off. */
  start(s: State): void { s.irqOff = this.handler !== ''; }

  private atomic(s: State): boolean { return this.handler !== '' || s.irqOff || s.preempt > 0 || s.held.some((h) => h.atomic); }

  private mightSleep(s: State, pc: number, what: string): void {
    if (!this.atomic(s)) return;
    const why = this.handler ? `in the ${this.handler} handler (hardirq context)` : s.held.some((h) => h.atomic)
      ? `holding ${s.held.filter((h) => h.atomic).map((h) => this.p.vocab.className(h.cls)).join(', ')}` : s.irqOff ? 'with interrupts off' : 'with preemption off';
    this.report(s, { kind: 'might-sleep', pc, what, message: `sleeping function called from invalid context: ${what} may sleep, ${why}` });
  }

  private use(s: State, cls: number, mode: number, pc: number): void {
    if (this.handler) {
      let m = this.inIrq.get(cls);
      if (!m) this.inIrq.set(cls, (m = new Map()));
      if (!m.has(mode)) m.set(mode, { pc, irq: this.handler });
    } else if (!s.irqOff) {
      let m = this.enabled.get(cls);
      if (!m) this.enabled.set(cls, (m = new Map()));
      if (!m.has(mode)) m.set(mode, pc);
    }
  }

  /** A lock op at `pc` is about to take `cls` in `mode` (lf: its form and wait type). */
  lock(s: State, pc: number, cls: number, mode: number, kind: number, lf: number): Held['atomic'] {
    const wait = (lf >> A.LF_WAIT_SHIFT) & A.LF_WAIT_MASK;
    const sleeping = kind === A.KIND_MUTEX || kind === A.KIND_RWSEM;
    if (!sleeping) {
      if (lf & (A.LF_IRQ | A.LF_IRQSAVE)) s.irqOff = true; // before the acquisition, as spin_lock_irqsave()
    } else this.mightSleep(s, pc, this.p.vocab.className(cls));
    const inner = s.held.reduce((w, h) => Math.min(w, effectiveWait(this.waitOf(h.cls))), this.handler ? A.WAIT_SPIN : A.WAIT_MAX);
    if (effectiveWait(wait) > inner) {
      const narrow = s.held.find((h) => effectiveWait(this.waitOf(h.cls)) === inner);
      this.report(s, { kind: 'wait-context', pc, what: this.p.vocab.className(cls), message: `invalid wait context: ${this.p.vocab.className(cls)} taken inside ${narrow ? this.p.vocab.className(narrow.cls) : 'hardirq context'}` });
    }
    this.use(s, cls, mode, pc);
    return !sleeping;
  }

  /** The hold `h` is released by a form with flags `lf`. */
  unlock(s: State, h: Held, lf: number, pc: number): void {
    if (!h.atomic) return;
    if (lf & A.LF_IRQSAVE) { if (h.irqOn) this.irqOn(s, pc); } else if (lf & A.LF_IRQ) this.irqOn(s, pc);
  }

  /** Interrupts back on: the locks still held are now taken with them on. */
  private irqOn(s: State, pc: number): void {
    if (!s.irqOff) return;
    s.irqOff = false;
    for (const h of s.held) this.use(s, h.cls, h.mode, pc);
  }

  /** OP_CTX. */
  ctx(s: State, op: number, pc: number): void {
    switch (op) {
      case A.CTX_IRQ_DISABLE: s.irqOff = true; break;
      case A.CTX_IRQ_ENABLE: this.irqOn(s, pc); break;
      case A.CTX_IRQ_SAVE: s.saves.push(s.irqOff); s.irqOff = true; break;
      case A.CTX_IRQ_RESTORE: { const off = s.saves.pop(); if (off === false) this.irqOn(s, pc); else if (off) s.irqOff = true; break; }
      case A.CTX_PREEMPT_DISABLE: s.preempt++; break;
      case A.CTX_PREEMPT_ENABLE: s.preempt = Math.max(0, s.preempt - 1); break;
      case A.CTX_MIGHT_SLEEP: this.mightSleep(s, pc, 'might_sleep()'); break;
    }
  }

  /** A primitive at `pc` declared `sleeps`. */
  sleeps(s: State, pc: number, name: string): void { this.mightSleep(s, pc, `${name} (it sleeps)`); }

  /** A class's wait type, as its kind declares it (LOCK_KINDS). */
  private waitOf(cls: number): number { return LOCK_KINDS[this.p.vocab.classes[cls].kind].wait; }

  /** Once everything is walked: each class a handler takes against its uses with interrupts on. */
  finish(): ContextIssue[] {
    const out: ContextIssue[] = [];
    for (const [cls, irqModes] of this.inIrq) {
      const on = this.enabled.get(cls);
      if (!on) continue;
      for (const [irqMode, where] of irqModes) {
        for (const [mode, pc] of on) {
          // {IN-HARDIRQ-W} conflicts with any use with interrupts on; {IN-HARDIRQ-R} with a write.
          if (irqMode === A.MODE_READ && mode === A.MODE_READ) continue;
          const name = this.p.vocab.className(cls), src = this.p.src[where.pc];
          out.push({
            kind: 'irq-unsafe', pc, what: name,
            message: `irq-unsafe: ${name} is taken for ${mode === A.MODE_READ ? 'read' : 'write'} here with interrupts on, and for ${irqMode === A.MODE_READ ? 'read' : 'write'} by the ${where.irq} handler (${src ? `${src.file}:${src.line}` : '?'}): {HARDIRQ-ON-${USAGE[mode]}} -> {IN-HARDIRQ-${USAGE[irqMode]}}`,
          });
        }
      }
    }
    return out;
  }
}
