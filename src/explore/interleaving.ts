// A schedule drawn the way a kernel developer draws a race on a
// whiteboard: one column per CPU, time going down, and in each stretch a
// CPU runs alone, the kasm lines that matter to the other CPUs — the
// syscall it enters, the conditions it tests, the shared state it writes,
// the locks another CPU also takes — and the line where the finding was made.
import * as A from '../../assembly/abi.js';
import type { Machine } from '../machine/machine.js';
import { decodeInsn } from '../kasm/insn.js';
import { actionName } from '../report/names.js';
import { runSchedule, type StepObserver } from './execution.js';
import { DepartureReplay, type Departures } from './schedule.js';

export interface InterleavingRow { cpu: number; text: string; at?: string; finding?: string }
export interface Interleaving { cpus: number; rows: InterleavingRow[] }

const LINES_PER_STRETCH = 8;

type Op = { cpu: number; pc: number; access: number; entered?: string; found?: string };

/** Watches a schedule run for what its interleaving is drawn from: each
 *  micro-op's CPU, instruction and access, the syscalls entered, the
 *  findings made. */
export class InterleavingRecorder implements StepObserver {
  private readonly ops: Op[] = [];
  private findings = 0;
  constructor(private readonly m: Machine) {}
  before(cpu: number): void {
    const c = this.m.cpu(cpu);
    this.ops.push({ cpu, pc: c.busy ? c.pc : -1, access: this.m.core.nextAccess(cpu) });
    this.findings = this.m.nrFindings();
  }
  after(cpu: number): void {
    const op = this.ops[this.ops.length - 1];
    const c = this.m.cpu(cpu);
    if (op.pc < 0 && c.busy) op.entered = actionName(this.m.program, c.action) ?? `action ${c.action}`;
    if (this.m.nrFindings() > this.findings) op.found = this.m.findings().records.slice(this.findings).map((f) => f.kind).join(', ');
  }
  draw(): Interleaving { return draw(this.m, this.ops); }
}

/** Replay `departures` and draw it. */
export function interleaving(m: Machine, departures: Departures, maxPoints: number): Interleaving {
  const r = new InterleavingRecorder(m);
  runSchedule(m, new DepartureReplay(departures), maxPoints, r);
  return r.draw();
}

function draw(m: Machine, ops: Op[]): Interleaving {
  const p = m.program;
  // What matters: a lock more than one CPU takes, a global variable a CPU
  // writes, and a test of a global variable another CPU writes.
  const touchedBy = new Map<number, Set<number>>();
  const writers = new Map<string, Set<number>>(); // global variable -> CPUs writing it
  for (const o of ops) {
    const obj = o.access & ~A.ACC_KIND_MASK;
    if (o.pc < 0 || (o.access & A.ACC_KIND_MASK) === A.ACC_LOCAL) continue;
    const insn = decodeInsn(p.code, o.pc);
    const v = insn.op === A.OP_STATE ? p.vocab.varList[insn.arg] : undefined;
    if (v?.scope === 'global') writers.set(v.name, (writers.get(v.name) ?? new Set()).add(o.cpu));
    if (obj !== A.OBJ_MACHINE) touchedBy.set(obj, (touchedBy.get(obj) ?? new Set()).add(o.cpu));
  }
  const testsShared = (text: string, cpu: number): boolean =>
    [...writers].some(([name, by]) => [...by].some((c) => c !== cpu) && new RegExp(`\\b${name}\\b`).test(text));
  const matters = (o: Op): boolean => {
    if (o.entered || o.found) return true;
    if (o.pc < 0 || (o.access & A.ACC_KIND_MASK) === A.ACC_LOCAL) return false;
    const insn = decodeInsn(p.code, o.pc);
    if (insn.op === A.OP_STATE) return p.vocab.varList[insn.arg]?.scope === 'global';
    if (insn.op === A.OP_IF || insn.op === A.OP_REQUIRE || insn.op === A.OP_WARN) return testsShared(p.src[o.pc]?.text ?? '', o.cpu);
    return (insn.op === A.OP_LOCK || insn.op === A.OP_UNLOCK) && (touchedBy.get(o.access & ~A.ACC_KIND_MASK)?.size ?? 0) > 1;
  };
  const rows: InterleavingRow[] = [];
  for (let i = 0; i < ops.length;) {
    let j = i;
    while (j < ops.length && ops[j].cpu === ops[i].cpu) j++;
    const shown = ops.slice(i, j).filter(matters);
    const keep = shown.length <= LINES_PER_STRETCH ? shown : [...shown.slice(0, 3), null, ...shown.slice(-(LINES_PER_STRETCH - 4))];
    for (const o of keep) {
      if (!o) { rows.push({ cpu: ops[i].cpu, text: '…' }); continue; }
      const src = o.pc >= 0 ? p.src[o.pc] : undefined;
      const text = o.entered ? `${o.entered}()` : `${src?.routine ?? '?'}: ${src?.text.trim() ?? '?'}`;
      rows.push({ cpu: o.cpu, text, at: src ? `${src.file}:${src.line}` : undefined, finding: o.found });
    }
    i = j;
  }
  return { cpus: m.scenario.cpus, rows };
}

/** The columns as text: one per CPU, each row in its CPU's column. */
export function formatInterleaving(il: Interleaving, width = 46): string[] {
  const cell = (s: string): string => (s.length > width ? `${s.slice(0, width - 1)}…` : s.padEnd(width));
  const out = [Array.from({ length: il.cpus }, (_, c) => cell(`CPU ${c}`)).join(' │ ').trimEnd()];
  out.push(Array.from({ length: il.cpus }, () => '─'.repeat(width)).join('─┼─'));
  let last = -1;
  for (const r of il.rows) {
    if (last >= 0 && r.cpu !== last) out.push(Array.from({ length: il.cpus }, () => ' '.repeat(width)).join(' │ ').trimEnd());
    last = r.cpu;
    const text = r.finding ? `${r.text}  ← ${r.finding}` : r.text;
    out.push(Array.from({ length: il.cpus }, (_, c) => cell(c === r.cpu ? text : '')).join(' │ ').trimEnd());
  }
  return out;
}
