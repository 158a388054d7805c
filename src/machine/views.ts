// Typed, read-only views of what lives in shared memory: a CPU (its task,
// call frames, held locks, what it spins on), a lock word, a fault site's
// counters, a lockdep edge, a lock_stat record, and which lock an address
// is. Each is a plain object copied out of memory at the time of the call,
// so a driver can hand one to the analysis layer as a snapshot.
import { decodeHeldInfo } from '../kasm/insn.js';

export interface HeldLock { lock: number; cls: number; subclass: number; mode: number; pc: number; step: number }

export interface CpuState {
  cpu: number;
  task: number; // current task slot (-1: idle)
  pid: number; // its pid (0: idle)
  busy: boolean; // inside a syscall
  pc: number;
  callPcs: number[]; // the call instruction of each frame below the current one, outermost first
  spinLock: number; // the lock address it waits for (0: none)
  spinPc: number; // the lock instruction it waits at
  spinMode: number;
  held: HeldLock[];
  action: number; // the syscall it runs or last ran (ACT_*)
  syscalls: number; // syscalls entered so far
}

/** A snapshot for hang reports: every CPU, and the lock words the busy ones wait for. */
export interface WaitState { cpus: CpuState[]; locks: LockWord[] }

/** A lock word as it is now, and which lock it is (so a snapshot names it
 *  correctly after the machine has moved on). */
export interface LockWord { addr: number; id: LockId; word: number; serving: number; owner: number }

/** Which lock an address is. */
export type LockId =
  | { where: 'global'; cls: number }
  | { where: 'rq'; cpu: number; cls: number }
  | { where: 'task'; task: number; pid: number; cls: number }
  | { where: 'unknown'; addr: number }
  | { where: 'none' }; // address 0: an empty register

/** returned: what the last syscall whose first failure was here returned (null: none yet). */
export interface SiteCounters { passes: number; injected: number; forkFails: number; natural: number; naturalAfterLedgerBroke: number; errno: number; returned: number | null }

export interface EdgeRecord { fromPc: number; toPc: number; cpu: number; pid: number; fromMode: number; toMode: number }

export interface LockStatRecord {
  contentions: number; conBounces: number; waitTotal: number; waitMin: number; waitMax: number;
  acquisitions: number; acqBounces: number; holdTotal: number; holdMin: number; holdMax: number;
}

/** Held-lock entries from raw (lock, info, pc, step) words. */
export function heldLock(lock: number, info: number, pc: number, step: number): HeldLock {
  const { cls, subclass, mode } = decodeHeldInfo(info);
  return { lock, cls, subclass, mode, pc, step };
}

