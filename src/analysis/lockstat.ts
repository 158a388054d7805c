// /proc/lock_stat for the simulated machine: the per-CPU records summed per
// class and mode, and the lock operations that waited most.
import * as A from '../../assembly/abi.js';
import type { Machine } from '../machine/machine.js';

export interface LockStatRow {
  cls: number;
  mode: number; // MODE_EXCL or MODE_READ
  conBounces: number; contentions: number; waittimeMin: number; waittimeMax: number; waittimeTotal: number; waittimeAvg: number;
  acqBounces: number; acquisitions: number; holdtimeMin: number; holdtimeMax: number; holdtimeTotal: number; holdtimeAvg: number;
}
export interface ContentionPoint { pc: number; contentions: number }

export interface LockStatTable {
  /** Host nanoseconds per simulated step over the run (parallel driver),
   *  to read the step columns as time; null under the step driver. */
  nsPerStep: number | null;
  rows: LockStatRow[];
  top: ContentionPoint[];
  /** lockdep's chain cache: lookups that found the chain validated, and those that validated it. */
  chainLookups: { hits: number; misses: number };
}

export function lockStat(m: Machine, elapsedSeconds = 0): LockStatTable {
  const rows: LockStatRow[] = [];
  for (let cls = 0; cls < m.program.vocab.classes.length; cls++) {
    for (const mode of [A.MODE_EXCL, A.MODE_READ]) {
      const r: LockStatRow = {
        cls, mode, conBounces: 0, contentions: 0, waittimeMin: Infinity, waittimeMax: 0, waittimeTotal: 0, waittimeAvg: 0,
        acqBounces: 0, acquisitions: 0, holdtimeMin: Infinity, holdtimeMax: 0, holdtimeTotal: 0, holdtimeAvg: 0,
      };
      for (let cpu = 0; cpu < m.scenario.cpus; cpu++) {
        const s = m.lockStat(cpu, cls, mode);
        if (s.acquisitions === 0) continue;
        r.conBounces += s.conBounces;
        r.acqBounces += s.acqBounces;
        r.acquisitions += s.acquisitions;
        r.holdtimeTotal += s.holdTotal;
        r.holdtimeMin = Math.min(r.holdtimeMin, s.holdMin);
        r.holdtimeMax = Math.max(r.holdtimeMax, s.holdMax);
        if (s.contentions) {
          r.contentions += s.contentions;
          r.waittimeTotal += s.waitTotal;
          r.waittimeMin = Math.min(r.waittimeMin, s.waitMin);
          r.waittimeMax = Math.max(r.waittimeMax, s.waitMax);
        }
      }
      if (!r.acquisitions) continue;
      if (r.waittimeMin === Infinity) r.waittimeMin = 0;
      if (r.holdtimeMin === Infinity) r.holdtimeMin = 0;
      r.waittimeAvg = r.contentions ? r.waittimeTotal / r.contentions : 0;
      r.holdtimeAvg = r.holdtimeTotal / r.acquisitions;
      rows.push(r);
    }
  }
  rows.sort((a, b) => b.contentions - a.contentions || b.acquisitions - a.acquisitions);
  const top: ContentionPoint[] = [];
  for (let pc = 0; pc < m.program.src.length; pc++) {
    const n = m.contentions(pc);
    if (n) top.push({ pc, contentions: n });
  }
  top.sort((a, b) => b.contentions - a.contentions);
  // Every CPU steps concurrently under the parallel driver, so one CPU's
  // step lasts elapsed / (its steps): averaged over CPUs.
  const steps = Number(m.steps()) / m.scenario.cpus;
  const nsPerStep = m.scenario.driver === 'parallel' && steps > 0 && elapsedSeconds > 0 ? (elapsedSeconds * 1e9) / steps : null;
  return { nsPerStep, rows, top: top.slice(0, 10), chainLookups: m.chainLookups() };
}
