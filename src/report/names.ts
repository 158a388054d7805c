// Names of the core's numbers, for reports: kernel names for kernel things
// (lock classes and instances, resources, errnos, syscalls), and where an
// instruction is in the kasm source.
import * as A from '../../assembly/abi.js';
import { errnoName, type Program, type Vocabulary } from '../kasm/index.js';
import type { Machine } from '../machine/machine.js';
import type { LockId } from '../machine/views.js';
import { nodeClass, nodeSubclass } from '../analysis/lockdep.js';

export const INVARIANTS: Record<number, string> = {
  [A.INV_NR_RUNNING]: 'rq->nr_running equals the tasks queued on it',
  [A.INV_NR_THREADS]: 'nr_threads equals the tasks with an attached pid',
  [A.INV_LEDGER]: 'the ledger: resources booked equal resources owned by live tasks',
  [A.INV_PID_COUNT]: 'pids allocated equal tasks owning a pid',
  [A.INV_IDLE_HOLDS_LOCK]: 'no CPU outside a syscall holds a lock',
  [A.INV_TASK_STATE]: 'every task in exactly one state and one place',
  [A.INV_LOCK_FREE]: 'every lock is free at a quiescent point',
  [A.INV_TASK_REF]: "a task's task references point at tasks that exist, a live one (real_parent) at a running task",
  [A.INV_STRUCT_COUNT]: "a struct's count equals the running and zombie tasks that share it (sig->nr_threads, sighand->count)",
};

export const MODES = ['write', 'read', 'any'];
/** A workload action by its name (the built-in ones' and the model's). */
export const actionName = (p: Program, act: number): string | undefined =>
  act >= A.NR_ACTIONS ? `${p.irqs[act - A.NR_ACTIONS]?.name ?? 'an'} interrupt handler` : p.actions.find((a) => a.action === act)?.name.replace(/_/g, ' ');

/** lockdep's names of the hardirq usage bits (kernel/locking/lockdep_states.h, usage_str[]). */
export const USAGE_NAMES: Record<number, string> = {
  [A.USED_IN_IRQ_W]: 'IN-HARDIRQ-W', [A.USED_IN_IRQ_R]: 'IN-HARDIRQ-R', [A.ENABLED_IRQ_W]: 'HARDIRQ-ON-W', [A.ENABLED_IRQ_R]: 'HARDIRQ-ON-R',
};
/** lockdep's wait types by number (include/linux/lockdep_types.h). */
export const WAIT_NAMES: Record<number, string> = { [A.WAIT_SPIN]: 'LD_WAIT_SPIN', [A.WAIT_CONFIG]: 'LD_WAIT_CONFIG', [A.WAIT_SLEEP]: 'LD_WAIT_SLEEP', [A.WAIT_MAX]: 'LD_WAIT_MAX' };
export const HOLDER_STATES: Record<number, string> = {
  [A.HOLDER_RUNNING]: 'running in the kernel', [A.HOLDER_SPINNING]: 'spinning', [A.HOLDER_SLEEPING]: 'asleep',
  [A.HOLDER_PREEMPTED]: 'preempted in the kernel', [A.HOLDER_USER]: 'returned to user space holding it',
};

/** A lockdep graph node: its class, and `/N` for a nesting subclass. */
export const nodeName = (v: Vocabulary, node: number): string => `${v.className(nodeClass(node))}${nodeSubclass(node) ? `/${nodeSubclass(node)}` : ''}`;
export { errnoName };

/** Which lock an address is, as a kernel developer names it. */
export function lockIdName(v: Vocabulary, id: LockId): string {
  switch (id.where) {
    case 'none': return '(an empty register)';
    case 'global': return v.className(id.cls);
    case 'rq': return `${v.className(id.cls)} (cpu ${id.cpu})`;
    case 'task': return `${v.className(id.cls)} (pid ${id.pid})`;
    case 'unknown': return `lock @${id.addr}`;
  }
}
export const lockName = (m: Machine, addr: number): string => lockIdName(m.program.vocab, m.identifyLock(addr));

// ── Where an instruction is ──────────────────────────────────────────────
export interface SourceRef { file: string; line: number; col: number; routine: string; text: string }

export function sourceRef(p: Program, pc: number): SourceRef | undefined {
  const s = p.src[pc];
  return s && { file: s.file, line: s.line, col: s.col, routine: s.routine, text: s.text };
}
export const fmtRef = (r?: SourceRef): string => (r ? `${r.routine}() ${r.file}:${r.line}` : '?');
export const fmtPc = (p: Program, pc: number): string => fmtRef(sourceRef(p, pc));
