// The resource ledger: what each task owns, booked from the effects a
// primitive declares. Acquisitions are booked after the primitive succeeds,
// releases before it runs (a task is freed after what it owns is released).
// Per-CPU net counts, summed by the host, make the global count.
import { flags, hdr } from './machine';
import { FLAG_LEDGER, H_LEDGER_BROKEN, H_FORK_ATTEMPTS } from './layout';
import { FIND_DOUBLE_ACQUIRE, FIND_DOUBLE_RELEASE, INV_TASK_STATE, NO_TASK } from './abi';
import { taskAddr } from './machine';
import { T_OWNED } from './layout';
import { resCount } from './cpu';
import { reportResources, reportInvariant } from './findings';

/** A release or allocation ran twice: the counters it moves (pids
 *  allocated, the pids charge, …) no longer say what they count, so the
 *  natural failures that follow may be the corruption's, not the kernel's.
 *  Note the first time (fork attempts + 1). */
function broken(): void {
  atomic.cmpxchg<i32>(hdr(H_LEDGER_BROKEN), 0, atomic.load<i32>(hdr(H_FORK_ATTEMPTS)) + 1);
}

function countBits(cpu: i32, m: u64, n: i32): void {
  while (m != 0) {
    resCount(cpu, <i32>ctz(m), n);
    m &= m - 1;
  }
}

export function bookAcquire(cpu: i32, t: i32, m: u64, pc: i32): void {
  if ((flags() & FLAG_LEDGER) == 0 || m == 0) return;
  if (t == NO_TASK) { reportInvariant(INV_TASK_STATE, 0, 0, cpu, t, pc, -1, m); return; }
  const old = atomic.or<u64>(taskAddr(t) + T_OWNED, m);
  const twice = old & m;
  if (twice != 0) { reportResources(FIND_DOUBLE_ACQUIRE, cpu, t, pc, twice); broken(); }
  countBits(cpu, m & ~old, 1);
}

export function bookRelease(cpu: i32, t: i32, m: u64, pc: i32): void {
  if ((flags() & FLAG_LEDGER) == 0 || m == 0) return;
  if (t == NO_TASK) { reportInvariant(INV_TASK_STATE, 0, 0, cpu, t, pc, -1, m); return; }
  const old = atomic.and<u64>(taskAddr(t) + T_OWNED, ~m);
  const missing = m & ~old;
  if (missing != 0) { reportResources(FIND_DOUBLE_RELEASE, cpu, t, pc, missing); broken(); }
  countBits(cpu, m & old, -1);
}

/** Drop what a dead task still owns from the books (after reporting it). */
export function writeOff(cpu: i32, t: i32, m: u64): void {
  atomic.and<u64>(taskAddr(t) + T_OWNED, ~m);
  countBits(cpu, m, -1);
}
