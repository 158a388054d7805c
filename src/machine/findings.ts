// Findings as records: the core's finding ring decoded, in this one place,
// into a discriminated union of numbers and ids (lock address, class, mode,
// errno, label ids, CPU, pid, step). Nothing here is text: names and
// messages are rendered at the edge (src/report/).
import * as A from '../../assembly/abi.js';
import * as L from '../../assembly/layout.js';

export const FINDING_KINDS = {
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
  [A.FIND_LIVELOCK]: 'livelock',
  [A.FIND_GUARDED]: 'guarded-state',
  [A.FIND_REFCOUNT]: 'refcount',
  [A.FIND_WARN]: 'warning',
  [A.FIND_IRQ_INCONSISTENT]: 'inconsistent-lock-state',
  [A.FIND_IRQ_INVERSION]: 'irq-lock-inversion',
  [A.FIND_MIGHT_SLEEP]: 'sleeping-in-atomic',
  [A.FIND_WAIT_CONTEXT]: 'invalid-wait-context',
  [A.FIND_HUNG_TASK]: 'hung-task',
  [A.FIND_IRQ_DEADLOCK]: 'irq-deadlock',
} as const;
export type FindingKind = (typeof FINDING_KINDS)[keyof typeof FINDING_KINDS];

/** What every record has: where and when it was found, and the syscall's
 *  first failure (failPc -1: none) with the ladder labels passed since. */
export interface FindingHead {
  cpu: number; // -1: found at a quiescent point or by the driver
  task: number; // task slot (-1: none)
  pid: number;
  pc: number; // the instruction that found it (-1: none)
  failPc: number;
  errno: number;
  step: number; // the CPU's step count
  labels: number[]; // label ids (ladder); empty for lockdep cycles
}

export type FindingRecord = FindingHead & (
  | { kind: 'leak' | 'double-release' | 'double-acquire' | 'freed-while-owning'; resources: bigint }
  | { kind: 'bad-unlock-balance'; lock: number; lockClass: number; mode: number; heldMode: number } // heldMode -1: not held
  | { kind: 'recursive-locking'; lock: number; lockClass: number; mode: number; byClass: boolean }
  | { kind: 'lock-held-returning-to-user'; lock: number; lockClass: number; mode: number; action: number }
  | { kind: 'lockdep-assert-held'; lock: number; lockClass: number; mode: number } // lock 0: an empty register
  | { kind: 'held-lock-overflow'; lock: number; lockClass: number; max: number }
  | { kind: 'lock-instance-order'; lock: number; lockClass: number; heldLock: number; heldPc: number }
  | { kind: 'circular-locking-dependency'; lock: number; lockClass: number; from: number; to: number; held: { node: number; pc: number }[] }
  | { kind: 'call-stack-overflow'; depth: number }
  | { kind: 'deadlock'; spinning: number }
  | { kind: 'hung-cpu'; lock: number } // 0: looping, not waiting for a lock
  | { kind: 'worker-died'; held: number }
  | { kind: 'livelock'; syscalls: number } // syscalls completed while no fork attempt did
  | { kind: 'warning'; cond: number } // the WARN_ON's condition row
  | { kind: 'guarded-state'; lock: number; lockClass: number; variable: number; write: boolean } // lock 0: an empty register
  | { kind: 'refcount'; variable: number; before: number; zeroPc: number; underflow: boolean } // zeroPc -1: never reached 0
  | { kind: 'invariant'; invariant: number; value: number; subject: number; lockClass: number; resources: bigint }
  // lockdep's hardirq usage: `usage` was just set on `node` (for an inversion
  // found backwards, the safe side); `other` is the conflicting side. how:
  // 0 forwards at marking, 1 backwards at marking, 2 at a new dependency.
  | { kind: 'inconsistent-lock-state' | 'irq-lock-inversion'; lock: number; node: number; usage: number; otherNode: number; otherUsage: number;
    how: number; sitePc: number; otherPc: number; held: { node: number; pc: number }[] }
  | { kind: 'sleeping-in-atomic'; preemptCount: number; irqsDisabled: boolean; inHardirq: boolean; disabledAt: number; held: { node: number; pc: number }[] }
  | { kind: 'invalid-wait-context'; lock: number; lockClass: number; heldNode: number; waitType: number; contextWait: number; held: { node: number; pc: number }[] }
  | { kind: 'hung-task'; lock: number; lockClass: number; mode: number; blockedFor: number; holders: { pid: number; state: number; waitPc: number }[] }
  | { kind: 'irq-deadlock'; lock: number; lockClass: number; heldAt: number; irq: number }
);

export type RecordOf<K extends FindingKind> = Extract<FindingRecord, { kind: K }>;

/** Kinds whose record path is the ladder's labels (the others keep other lists there). */
const PATH_IS_LABELS = new Set([A.FIND_LEAK, A.FIND_DOUBLE_RELEASE, A.FIND_DOUBLE_ACQUIRE, A.FIND_BAD_UNLOCK, A.FIND_RECURSIVE_LOCK, A.FIND_LOCK_HELD_RETURN,
  A.FIND_ASSERT_HELD, A.FIND_FREE_OWNED, A.FIND_DEADLOCK, A.FIND_HANG, A.FIND_INVARIANT, A.FIND_HELD_OVERFLOW, A.FIND_CALL_OVERFLOW,
  A.FIND_LOCK_ORDER_INSTANCE, A.FIND_WORKER_DIED, A.FIND_LIVELOCK, A.FIND_GUARDED, A.FIND_REFCOUNT, A.FIND_WARN, A.FIND_IRQ_DEADLOCK]);

/** Raw reads of one record; the machine supplies them. */
export interface RecordReader { i32(addr: number): number; u64(addr: number): bigint }

/** Decode the record at `f`; null while a worker is still writing it. */
export function decodeFinding(r: RecordReader, f: number): FindingRecord | null {
  const kindId = r.i32(f + L.FD_KIND);
  if (kindId === 0) return null;
  const word = (off: number): number => r.i32(f + off);
  const path: number[] = [];
  for (let k = 0; k < word(L.FD_PATH_LEN); k++) path.push(word(L.FD_PATH + 4 * k));
  const head: FindingHead = {
    cpu: word(L.FD_CPU), task: word(L.FD_TASK), pid: word(L.FD_PID), pc: word(L.FD_PC), failPc: word(L.FD_FAIL_PC),
    errno: word(L.FD_ERRNO), step: Number(r.u64(f + L.FD_STEP)), labels: PATH_IS_LABELS.has(kindId) ? path : [],
  };
  const held = (from: number): { node: number; pc: number }[] => path.slice(from).map((v) => ({ node: v >>> 16, pc: v & 0xffff }));
  const lock = { lock: word(L.FD_LOCK), lockClass: word(L.FD_CLASS) };
  const mask = r.u64(f + L.FD_MASK);
  switch (kindId) {
    case A.FIND_LEAK: case A.FIND_DOUBLE_RELEASE: case A.FIND_DOUBLE_ACQUIRE: case A.FIND_FREE_OWNED:
      return { ...head, kind: FINDING_KINDS[kindId], resources: mask };
    case A.FIND_BAD_UNLOCK: return { ...head, kind: 'bad-unlock-balance', ...lock, mode: word(L.FD_MODE), heldMode: word(L.FD_HELD_MODE) };
    case A.FIND_RECURSIVE_LOCK: return { ...head, kind: 'recursive-locking', ...lock, mode: word(L.FD_MODE), byClass: word(L.FD_LOCKDEP_CLASS) !== 0 };
    case A.FIND_LOCK_HELD_RETURN: return { ...head, kind: 'lock-held-returning-to-user', ...lock, mode: word(L.FD_MODE), action: word(L.FD_ACTION) };
    case A.FIND_ASSERT_HELD: return { ...head, kind: 'lockdep-assert-held', ...lock, mode: word(L.FD_MODE) };
    case A.FIND_HELD_OVERFLOW: return { ...head, kind: 'held-lock-overflow', ...lock, max: word(L.FD_COUNT) };
    case A.FIND_LOCK_ORDER_INSTANCE: return { ...head, kind: 'lock-instance-order', ...lock, heldLock: word(L.FD_HELD_LOCK), heldPc: word(L.FD_HELD_PC) };
    case A.FIND_LOCKDEP_CYCLE:
      return { ...head, kind: 'circular-locking-dependency', ...lock, from: word(L.FD_FROM_NODE), to: word(L.FD_TO_NODE), held: held(0) };
    case A.FIND_CALL_OVERFLOW: return { ...head, kind: 'call-stack-overflow', depth: word(L.FD_COUNT) };
    case A.FIND_DEADLOCK: return { ...head, kind: 'deadlock', spinning: word(L.FD_COUNT) };
    case A.FIND_HANG: return { ...head, kind: 'hung-cpu', lock: word(L.FD_LOCK) };
    case A.FIND_WORKER_DIED: return { ...head, kind: 'worker-died', held: word(L.FD_COUNT) };
    case A.FIND_LIVELOCK: return { ...head, kind: 'livelock', syscalls: word(L.FD_COUNT) };
    case A.FIND_WARN: return { ...head, kind: 'warning', cond: word(L.FD_COUNT) };
    case A.FIND_GUARDED: return { ...head, kind: 'guarded-state', ...lock, variable: word(L.FD_C), write: word(L.FD_D) !== 0 };
    case A.FIND_REFCOUNT: return { ...head, kind: 'refcount', variable: word(L.FD_A), before: word(L.FD_B), zeroPc: word(L.FD_C), underflow: word(L.FD_D) !== 0 };
    case A.FIND_IRQ_INCONSISTENT: case A.FIND_IRQ_INVERSION: {
      const a = word(L.FD_CLASS), c = word(L.FD_C);
      return {
        ...head, kind: FINDING_KINDS[kindId], lock: word(L.FD_LOCK), node: a >> 8, usage: a & 0xff, otherNode: c >> 8, otherUsage: c & 0xff,
        how: word(L.FD_D), sitePc: path[0] ?? -1, otherPc: path[1] ?? -1, held: held(2),
      };
    }
    case A.FIND_MIGHT_SLEEP:
      return { ...head, kind: 'sleeping-in-atomic', preemptCount: word(L.FD_A), irqsDisabled: word(L.FD_B) !== 0, inHardirq: word(L.FD_C) !== 0, disabledAt: word(L.FD_D), held: held(0) };
    case A.FIND_WAIT_CONTEXT: {
      const t = word(L.FD_TO_NODE);
      return { ...head, kind: 'invalid-wait-context', ...lock, heldNode: word(L.FD_FROM_NODE), waitType: t >> 8, contextWait: t & 0xff, held: held(0) };
    }
    case A.FIND_HUNG_TASK: {
      const holders = [];
      for (let k = 0; k + 1 < path.length; k += 2) holders.push({ pid: path[k] >>> 4, state: path[k] & 0xf, waitPc: path[k + 1] });
      return { ...head, kind: 'hung-task', lock: word(L.FD_A), lockClass: word(L.FD_B), mode: word(L.FD_C), blockedFor: word(L.FD_D), holders };
    }
    case A.FIND_IRQ_DEADLOCK: return { ...head, kind: 'irq-deadlock', lock: word(L.FD_A), lockClass: word(L.FD_B), heldAt: word(L.FD_C), irq: word(L.FD_D) };
    case A.FIND_INVARIANT:
      return { ...head, kind: 'invariant', invariant: word(L.FD_INVARIANT), value: word(L.FD_INV_VALUE), subject: word(L.FD_INV_SUBJECT), lockClass: word(L.FD_INV_CLASS), resources: mask };
  }
  throw new Error(`finding record with unknown kind ${kindId}`);
}
