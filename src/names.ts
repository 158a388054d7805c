// Names of the core's numbers, for reports.
import * as A from '../assembly/abi.js';
import { RESOURCE_NAMES, LOCK_CLASSES, errnoName } from './kasm/vocabulary.js';

export const FINDING_KINDS: Record<number, string> = {
  [A.FIND_LEAK]: 'leak',
  [A.FIND_DOUBLE_RELEASE]: 'double-release',
  [A.FIND_DOUBLE_ACQUIRE]: 'double-acquire',
  [A.FIND_BAD_UNLOCK]: 'bad-unlock-balance',
  [A.FIND_RECURSIVE_LOCK]: 'recursive-locking',
  [A.FIND_LOCK_HELD_RETURN]: 'lock-held-returning-to-user',
  [A.FIND_ASSERT_HELD]: 'lockdep-assert-held',
  [A.FIND_FREE_OWNED]: 'freed-while-owning',
  [A.FIND_DEADLOCK]: 'deadlock',
  [A.FIND_HANG]: 'hung-cpu',
  [A.FIND_INVARIANT]: 'invariant',
  [A.FIND_HELD_OVERFLOW]: 'held-lock-overflow',
  [A.FIND_CALL_OVERFLOW]: 'call-stack-overflow',
  [A.FIND_LOCKDEP_CYCLE]: 'circular-locking-dependency',
  [A.FIND_LOCK_ORDER_INSTANCE]: 'lock-instance-order',
  [A.FIND_WORKER_DIED]: 'worker-died',
};

export const INVARIANTS: Record<number, string> = {
  [A.INV_NR_RUNNING]: 'rq->nr_running equals the tasks queued on it',
  [A.INV_NR_THREADS]: 'nr_threads equals the tasks with an attached pid',
  [A.INV_LEDGER]: 'the ledger: resources booked equal resources owned by live tasks',
  [A.INV_PID_COUNT]: 'pids allocated equal tasks owning a pid',
  [A.INV_IDLE_HOLDS_LOCK]: 'no CPU outside a syscall holds a lock',
  [A.INV_TASK_STATE]: 'every task in exactly one state and one place',
  [A.INV_LOCK_FREE]: 'every lock is free at a quiescent point',
};

export const MODES = ['write', 'read', 'any'];
/** Reader-writer kinds: their holds have a mode worth printing. */
export const isRwKind = (kind: number | undefined): boolean => kind === A.KIND_RWLOCK || kind === A.KIND_RWSEM;
export const ACTIONS: Record<number, string> = {
  [A.ACT_FORK]: 'fork', [A.ACT_EXIT]: 'exit', [A.ACT_WAIT]: 'wait', [A.ACT_KILL]: 'kill', [A.ACT_YIELD]: 'yield',
  [A.ACT_SCX_ENABLE]: 'scx enable', [A.ACT_SCX_DISABLE]: 'scx disable', [A.ACT_LOAD_BALANCE]: 'load balance',
  [A.ACT_ZAP_PID_NS]: 'pid namespace teardown', [A.ACT_REOPEN_PID_NS]: 'new pid namespace', [A.ACT_SCHEDULE]: 'schedule',
};

export function resourceNames(mask: bigint): string[] {
  const out: string[] = [];
  for (let r = 0; r < RESOURCE_NAMES.length; r++) if ((mask >> BigInt(r)) & 1n) out.push(RESOURCE_NAMES[r]);
  return out;
}
export const className = (c: number): string => LOCK_CLASSES.find((k) => k.id === c)?.name ?? `class ${c}`;
export { errnoName };
