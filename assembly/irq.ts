// Interrupts and preemption: a CPU's hardirq flag and preempt_count, the
// interrupt handlers a model declares, and the two places the kernel may
// switch tasks inside kernel code (--preempt full): the exit of an
// interrupt, and a preempt_count that drops to zero (preempt_enable(),
// spin_unlock()), each with TIF_NEED_RESCHED set. Softirqs are not
// modelled: `_bh` forms are the plain ones.
import { timeKick } from './sched/time';
import { cpuAddr, hget, irqSaveAddr, ctxFlags, flags as machineFlags } from './machine';
import {
  H_PREEMPT, H_IRQ_ENTRIES, C_IRQ_PENDING, C_CPU_FLAGS, C_IRQS_OFF, C_PREEMPT, C_IRQ_STACK, C_IRQ_SAVES,
  C_DEPTH, C_ACTION, C_LOCALS, C_HELD_DEPTH, C_HELD, HELD_SIZE, HL_PC, HL_INFO, C_SPIN_LOCK, CPUF_RESCHED,
  CTXF_CAN_BLOCK, FLAG_LOCKDEP, K_IRQS, K_PREEMPTS, K_NO_KCTX, FD_A, FD_B, FD_C, FD_D, C_PC,
} from './layout';
import * as A from './abi';
import { NO_TASK } from './abi';
import { cget, cset, curr, setPc, count } from './cpu';
import { taskState } from './task';
import { saveContext, loadContext, clearContext, parkContext, taskKctx, interruptedCtx } from './context';
import { markHeldEnabled } from './usage';
import { begin, publish, heldList } from './findings';
import { heldIndexIn } from './lock';
import { infoMode } from './insn';

// @ts-ignore: decorator
@inline export function irqsOff(cpu: i32): bool { return cget(cpu, C_IRQS_OFF) != 0; }
// @ts-ignore: decorator
@inline export function inHardirq(cpu: i32): bool { return (cget(cpu, C_PREEMPT) & A.HARDIRQ_MASK) != 0; }

/** Raise interrupt `h` on `cpu` (from any thread: an IPI, a timer). A
 *  raised interrupt is latched until the CPU takes it, as a line is. */
export function raiseIrq(cpu: i32, h: i32): void {
  atomic.or<i32>(cpuAddr(cpu) + C_IRQ_PENDING, 1 << h);
  timeKick(cpu); // the time policy: a CPU parked on a lock takes it
}

// @ts-ignore: decorator
@inline export function needResched(cpu: i32): bool { return (atomic.load<i32>(cpuAddr(cpu) + C_CPU_FLAGS) & CPUF_RESCHED) != 0; }
export function setNeedResched(cpu: i32, on: bool): void {
  if (on) atomic.or<i32>(cpuAddr(cpu) + C_CPU_FLAGS, CPUF_RESCHED);
  else atomic.and<i32>(cpuAddr(cpu) + C_CPU_FLAGS, ~CPUF_RESCHED);
}

// ── The hardirq flag ─────────────────────────────────────────────────────
export function irqDisable(cpu: i32): void { cset(cpu, C_IRQS_OFF, 1); }
/** Interrupts on: each lock still held becomes hardirq-unsafe (lockdep's
 *  mark_held_locks() from trace_hardirqs_on()). */
export function irqEnable(cpu: i32, at: i32): void {
  if (cget(cpu, C_IRQS_OFF) == 0) return;
  cset(cpu, C_IRQS_OFF, 0);
  if ((machineFlags() & FLAG_LOCKDEP) != 0 && cget(cpu, C_HELD_DEPTH) > 0) markHeldEnabled(cpu, at);
}
/** local_irq_save(flags): the state goes on the context's save stack. */
export function irqSave(cpu: i32): void {
  const n = cget(cpu, C_IRQ_SAVES);
  if (n < 31) {
    cset(cpu, C_IRQ_STACK, (cget(cpu, C_IRQ_STACK) << 1) | (irqsOff(cpu) ? 0 : 1));
    cset(cpu, C_IRQ_SAVES, n + 1);
  }
  irqDisable(cpu);
}
/** local_irq_restore(flags): back to the state the matching save found
 *  (a restore with nothing saved leaves interrupts as they are). */
export function irqRestore(cpu: i32, at: i32): void {
  const n = cget(cpu, C_IRQ_SAVES);
  if (n == 0) return;
  const s = cget(cpu, C_IRQ_STACK);
  cset(cpu, C_IRQ_STACK, s >>> 1);
  cset(cpu, C_IRQ_SAVES, n - 1);
  if ((s & 1) != 0) irqEnable(cpu, at);
  else irqDisable(cpu);
}

// ── preempt_count ────────────────────────────────────────────────────────
export function preemptDisable(cpu: i32): void { cset(cpu, C_PREEMPT, cget(cpu, C_PREEMPT) + 1); }
/** preempt_enable(): true when the task was preempted here (the caller
 *  has already moved past the instruction). */
export function preemptEnable(cpu: i32): bool {
  const n = cget(cpu, C_PREEMPT);
  if ((n & A.PREEMPT_MASK) == 0) return false; // unbalanced: left alone
  cset(cpu, C_PREEMPT, n - 1);
  return n - 1 == 0 && hget(H_PREEMPT) == A.PREEMPT_FULL && maybePreempt(cpu); // (the model's test first: a call saved per unlock)
}

/** The kernel may switch tasks here: --preempt full, TIF_NEED_RESCHED set,
 *  a task in the kernel at preempt_count 0 with interrupts on. Its context
 *  is parked where it stands (the pc is past what it finished); the CPU
 *  then runs the schedule routine, whose put_prev_task queues it again. */
export function maybePreempt(cpu: i32): bool {
  if (hget(H_PREEMPT) != A.PREEMPT_FULL || !needResched(cpu) || (ctxFlags() & CTXF_CAN_BLOCK) == 0) return false;
  const t = curr(cpu);
  if (t == NO_TASK || cget(cpu, C_DEPTH) == 0 || cget(cpu, C_PREEMPT) != 0 || irqsOff(cpu) || taskState(t) != A.TASK_RUNNING) return false;
  if (taskKctx(t) >= 0) return false; // its own context is parked: the CPU is scheduling on its behalf
  if (parkContext(cpu, t) < 0) { count(cpu, K_NO_KCTX); return false; }
  clearContext(cpu);
  count(cpu, K_PREEMPTS);
  return true; // need_resched stays set: the CPU's next step schedules
}

// ── might_sleep() ────────────────────────────────────────────────────────
/** __might_resched() (kernel/sched/core.c, v6.12.117 lines 8685-8730):
 *  sleeping is a bug with preempt_count raised (a spinlock held, in
 *  hardirq) or interrupts off. The report carries preempt_count,
 *  irqs_disabled(), in_hardirq, where preemption was first disabled (the
 *  outermost atomic lock held, -1: none) and the held locks. */
export function mightSleep(cpu: i32, at: i32): void {
  const pc = cget(cpu, C_PREEMPT);
  const off = irqsOff(cpu);
  if (pc == 0 && !off) return;
  if (curr(cpu) == NO_TASK && (pc & A.HARDIRQ_MASK) == 0) return; // the idle task: is_idle_task(current)
  const f = begin(cpu, curr(cpu), at);
  if (f == 0) return;
  store<i32>(f + FD_A, pc);
  store<i32>(f + FD_B, off ? 1 : 0);
  store<i32>(f + FD_C, (pc & A.HARDIRQ_MASK) != 0 ? 1 : 0);
  let disabledAt = -1;
  const c = cpuAddr(cpu);
  const depth = cget(cpu, C_HELD_DEPTH);
  for (let i = 0; i < depth && disabledAt < 0; i++) {
    const h = c + C_HELD + <usize>i * HELD_SIZE;
    if ((load<i32>(h + HL_INFO) & A.HELD_ATOMIC) != 0) disabledAt = load<i32>(h + HL_PC);
  }
  store<i32>(f + FD_D, disabledAt);
  heldList(cpu, f);
  publish(f, A.FIND_MIGHT_SLEEP);
}

// ── Interrupt entry and exit ─────────────────────────────────────────────
/** Take the lowest pending interrupt: the interrupted context is set
 *  aside, the handler runs in a fresh one (hardirq context, interrupts
 *  off, current unchanged) until it returns. */
export function irqEnter(cpu: i32, pending: i32): i32 {
  const h = ctz(pending);
  atomic.and<i32>(cpuAddr(cpu) + C_IRQ_PENDING, ~(1 << h));
  const entry = hget(H_IRQ_ENTRIES + (h << 2));
  if (entry < 0) return A.STEP_IRQ;
  saveContext(cpu, irqSaveAddr(cpu));
  clearContext(cpu);
  memory.fill(cpuAddr(cpu) + C_LOCALS, 0, A.MAX_LOCAL_VARS << 2);
  cset(cpu, C_DEPTH, 1);
  cset(cpu, C_ACTION, A.NR_ACTIONS + h);
  cset(cpu, C_IRQS_OFF, 1);
  cset(cpu, C_PREEMPT, A.HARDIRQ_OFFSET);
  setPc(cpu, entry);
  count(cpu, K_IRQS);
  return A.STEP_IRQ;
}

/** The handler returned (its held locks were reported): the interrupted
 *  context resumes, unless this is a point to preempt it. */
export function irqExit(cpu: i32): i32 {
  loadContext(cpu, irqSaveAddr(cpu));
  maybePreempt(cpu);
  return A.STEP_IRQ;
}

/** Does the context this handler interrupted hold `lock` so that the
 *  handler, wanting it in `mode`, waits for ever? A ticket lock it holds or
 *  waits in line for; a reader-writer lock it holds for write, or for read
 *  when the handler writes (readers in interrupt context pass waiting
 *  writers). The pc where the interrupted code took it (or waits), else -1. */
export function interruptedHolds(cpu: i32, lock: i32, kind: i32, mode: i32): i32 {
  const s = interruptedCtx(cpu);
  const rw = kind == A.KIND_RWLOCK || kind == A.KIND_RWSEM;
  if (!rw && load<i32>(s + C_SPIN_LOCK) == lock) return load<i32>(s + C_PC);
  const i = heldIndexIn(s, lock);
  if (i < 0) return -1;
  const h = s + C_HELD + <usize>i * HELD_SIZE;
  return !rw || infoMode(load<i32>(h + HL_INFO)) == A.MODE_EXCL || mode == A.MODE_EXCL ? load<i32>(h + HL_PC) : -1;
}

/** The one-CPU deadlock: a handler spins on `lock`, which the code it
 *  interrupted holds (taken at `heldAt`). a lock · b class · c the pc there
 *  · d the handler. */
export function reportIrqDeadlock(cpu: i32, at: i32, lock: i32, cls: i32, heldAt: i32): void {
  const f = begin(cpu, curr(cpu), at);
  if (f == 0) return;
  store<i32>(f + FD_A, lock);
  store<i32>(f + FD_B, cls);
  store<i32>(f + FD_C, heldAt);
  store<i32>(f + FD_D, cget(cpu, C_ACTION) - A.NR_ACTIONS);
  publish(f, A.FIND_IRQ_DEADLOCK);
}
