// Who waits for whom: the wait-for graph of CPUs spinning on locks, built
// from a snapshot of the CPUs (their held-lock stacks and what they spin
// on), the lock words, and the findings of tasks that returned to user
// space holding a lock. Used for the step driver's deadlock report, the
// parallel driver's hung-CPU report and the replay of lockdep's cycles.
import * as A from '../../assembly/abi.js';
import type { Program } from '../kasm/index.js';
import { decodeInsn, objKind } from '../kasm/insn.js';
import type { FindingRecord } from '../machine/findings.js';
import type { WaitState } from '../machine/views.js';
import { isSharedKind } from '../kasm/index.js';
import { leakedHolders } from './findings.js';

export interface Holder { cpu: number; pid: number; mode: number }

/** What the lock word says beyond the CPUs holding it. */
export interface LockNote {
  leakedReaders: number; // read holds of tasks that returned to user space
  leakers: number[]; // their pids, from the findings
  lastReader: number; // the pid the word last recorded
  leakedWriter: number; // pid holding it for write (or, for a spinlock, holding it) having returned to user space (-1: none)
  writersWaiting: number;
}

export interface Waiter {
  cpu: number;
  pid: number;
  stack: number[]; // pcs: each frame's call, then where it spins (outermost first)
  at: number; // the lock instruction it spins at
  lock: number; // address
  shared: boolean; // a reader-writer kind: modes matter
  mode: number;
  holders: Holder[]; // CPUs whose held-lock stack has the lock
  note: LockNote;
}

export function waiters(program: Program, state: WaitState, records: FindingRecord[]): Waiter[] {
  const out: Waiter[] = [];
  const words = new Map(state.locks.map((l) => [l.addr, l]));
  for (const c of state.cpus) {
    const lock = c.spinLock;
    if (!lock || !c.busy) continue;
    const shared = isSharedKind(objKind(decodeInsn(program.code, c.spinPc).obj));
    const holders: Holder[] = [];
    for (const h of state.cpus) for (const e of h.held) if (e.lock === lock) holders.push({ cpu: h.cpu, pid: h.pid, mode: e.mode });
    const w = words.get(lock)!;
    const note: LockNote = { leakedReaders: 0, leakers: [], lastReader: w.owner, leakedWriter: -1, writersWaiting: 0 };
    if (shared) {
      const readers = w.word & A.RW_READERS_MASK;
      const heldReads = holders.filter((h) => h.mode === A.MODE_READ).length;
      if (readers > heldReads) {
        note.leakedReaders = readers - heldReads;
        note.leakers = [...new Set(leakedHolders(records, lock))];
      } else if (w.word & A.RW_WRITER && holders.length === 0) note.leakedWriter = w.owner;
      note.writersWaiting = (w.word & A.RW_WAITERS_MASK) >>> 16;
    } else if (holders.length === 0 && w.serving !== w.word) note.leakedWriter = w.owner;
    out.push({ cpu: c.cpu, pid: c.pid, stack: [...c.callPcs, c.pc], at: c.spinPc, lock, shared, mode: c.spinMode, holders, note });
  }
  return out;
}

/** A cycle of CPUs each waiting for a lock the next one holds, if any. */
export function findCycle(ws: Waiter[]): number[] | null {
  const next = new Map<number, number>();
  for (const w of ws) {
    const h = w.holders.find((x) => x.cpu !== w.cpu) ?? w.holders[0];
    if (h) next.set(w.cpu, h.cpu);
  }
  for (const start of next.keys()) {
    const seen: number[] = [];
    let c: number | undefined = start;
    while (c !== undefined && !seen.includes(c)) {
      seen.push(c);
      c = next.get(c);
    }
    if (c !== undefined) return seen.slice(seen.indexOf(c));
  }
  return null;
}
