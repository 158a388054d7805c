// lock_stat: per CPU, class and mode, the columns of /proc/lock_stat, in
// simulated steps (the CPU's own step count), or in simulated nanoseconds
// under the timed model. Per-CPU records keep the hot
// path free of shared writes; the host sums them. Contentions are also
// counted per lock instruction, for the top contention points.
import { cpuAddr, lockstatAddr, contentionAddr, hget, holdSiteAddr } from './machine';
import {
  LS_SIZE, LS_CONTENTIONS, LS_CON_BOUNCES, LS_WAIT_TOTAL, LS_WAIT_MIN,
  LS_WAIT_MAX, LS_ACQUISITIONS, LS_ACQ_BOUNCES, LS_HOLD_TOTAL, LS_HOLD_MIN, LS_HOLD_MAX, L_LAST_CPU, C_STEPS, C_CLOCK, H_TIME_FLAGS, TF_ON,
} from './layout';
import { MAX_CLASSES } from './abi';

// @ts-ignore: decorator
@inline export function timed(): bool { return (hget(H_TIME_FLAGS) & TF_ON) != 0; }

/** lock_stat's clock: nanoseconds of this CPU's clock under the timed
 *  model, else its step count (low 32 bits: holds and waits are differences). */
export function lockClock(cpu: i32): i32 {
  const c = cpuAddr(cpu);
  return timed() ? <i32>(load<u64>(c + C_CLOCK) / 1000) : <i32>load<u64>(c + C_STEPS);
}

export function lockstatSize(cpus: i32): i32 { return cpus * MAX_CLASSES * 2 * LS_SIZE; }

// @ts-ignore: decorator
@inline function rec(cpu: i32, cls: i32, mode: i32): usize { return lockstatAddr(cpu, cls, mode); }
// @ts-ignore: decorator
@inline function bump(a: usize, v: u64): void { store<u64>(a, load<u64>(a) + v); }
function minMax(r: usize, minOff: i32, maxOff: i32, v: u64, first: bool): void {
  if (first || v < load<u64>(r + minOff)) store<u64>(r + minOff, v);
  if (v > load<u64>(r + maxOff)) store<u64>(r + maxOff, v);
}

export function lockstatAcquired(cpu: i32, cls: i32, mode: i32, lock: i32, waited: i32, at: i32): void {
  const r = rec(cpu, cls, mode);
  const last = <i32>load<u16>(<usize>lock + L_LAST_CPU) - 1; // racy by design: a hint for bounce counts
  const bounced = last >= 0 && last != cpu;
  if (bounced) bump(r + LS_ACQ_BOUNCES, 1);
  bump(r + LS_ACQUISITIONS, 1);
  if (waited > 0) {
    const first = load<u64>(r + LS_CONTENTIONS) == 0;
    bump(r + LS_CONTENTIONS, 1);
    if (bounced) bump(r + LS_CON_BOUNCES, 1);
    bump(r + LS_WAIT_TOTAL, <u64>waited);
    minMax(r, LS_WAIT_MIN, LS_WAIT_MAX, <u64>waited, first);
    atomic.add<i32>(contentionAddr(at), 1);
  }
  if (last != cpu) store<u16>(<usize>lock + L_LAST_CPU, <u16>(cpu + 1));
}

/** A hold ends: its time goes to the class's record and to the site that took it (`atPc`). */
export function lockstatReleased(cpu: i32, cls: i32, mode: i32, acquiredAt: i32, atPc: i32): void {
  const r = rec(cpu, cls, mode);
  const held = <u64>(<u32>(lockClock(cpu) - acquiredAt));
  bump(holdSiteAddr(cpu, atPc), held);
  const first = load<u64>(r + LS_HOLD_TOTAL) == 0 && load<u64>(r + LS_HOLD_MAX) == 0;
  bump(r + LS_HOLD_TOTAL, held);
  minMax(r, LS_HOLD_MIN, LS_HOLD_MAX, held, first);
}
