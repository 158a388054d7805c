// /proc/lock_stat for the simulated machine: the per-CPU records summed per
// class and mode, and the lock operations that waited most.
import * as A from '../assembly/abi.js';
import * as L from '../assembly/layout.js';
import type { Machine } from './machine.js';
import { className } from './names.js';
import { sourceRef, fmtRef } from './findings.js';

export interface LockStatRow {
  class: string;
  mode: 'write' | 'read';
  conBounces: number; contentions: number; waittimeMin: number; waittimeMax: number; waittimeTotal: number; waittimeAvg: number;
  acqBounces: number; acquisitions: number; holdtimeMin: number; holdtimeMax: number; holdtimeTotal: number; holdtimeAvg: number;
}
export interface ContentionPoint { at: string; text: string; contentions: number }

export interface LockStat {
  unit: 'steps';
  /** Host nanoseconds per simulated step over the run (parallel driver),
   *  to read the step columns as time; null under the step driver. */
  nsPerStep: number | null;
  rows: LockStatRow[];
  top: ContentionPoint[];
}

export function lockStat(m: Machine, elapsedSeconds = 0): LockStat {
  const rows: LockStatRow[] = [];
  const base = m.h(L.H_LOCKSTAT_BASE);
  const f = (a: number): number => Number(m.at64(a));
  for (let cls = 0; cls < A.NR_CLASSES; cls++) {
    for (const mode of [A.MODE_EXCL, A.MODE_READ]) {
      const r: LockStatRow = {
        class: className(cls), mode: mode === A.MODE_READ ? 'read' : 'write', conBounces: 0, contentions: 0,
        waittimeMin: Infinity, waittimeMax: 0, waittimeTotal: 0, waittimeAvg: 0, acqBounces: 0, acquisitions: 0,
        holdtimeMin: Infinity, holdtimeMax: 0, holdtimeTotal: 0, holdtimeAvg: 0,
      };
      for (let cpu = 0; cpu < m.scenario.cpus; cpu++) {
        const a = base + ((cpu * A.NR_CLASSES + cls) * 2 + mode) * L.LS_SIZE;
        if (f(a + L.LS_ACQUISITIONS) === 0) continue;
        r.conBounces += f(a + L.LS_CON_BOUNCES);
        r.acqBounces += f(a + L.LS_ACQ_BOUNCES);
        r.acquisitions += f(a + L.LS_ACQUISITIONS);
        r.holdtimeTotal += f(a + L.LS_HOLD_TOTAL);
        r.holdtimeMin = Math.min(r.holdtimeMin, f(a + L.LS_HOLD_MIN));
        r.holdtimeMax = Math.max(r.holdtimeMax, f(a + L.LS_HOLD_MAX));
        const c = f(a + L.LS_CONTENTIONS);
        if (c) {
          r.contentions += c;
          r.waittimeTotal += f(a + L.LS_WAIT_TOTAL);
          r.waittimeMin = Math.min(r.waittimeMin, f(a + L.LS_WAIT_MIN));
          r.waittimeMax = Math.max(r.waittimeMax, f(a + L.LS_WAIT_MAX));
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
  const cont = m.h(L.H_CONTENTION_BASE);
  for (let pc = 0; pc < m.program.src.length; pc++) {
    const n = m.at(cont + pc * 4);
    if (n) top.push({ at: fmtRef(sourceRef(m, pc)), text: m.program.src[pc].text, contentions: n });
  }
  top.sort((a, b) => b.contentions - a.contentions);
  // Every CPU steps concurrently under the parallel driver, so one CPU's
  // step lasts elapsed / (its steps): averaged over CPUs.
  const steps = Number(m.steps()) / m.scenario.cpus;
  const nsPerStep = m.scenario.driver === 'parallel' && steps > 0 && elapsedSeconds > 0 ? (elapsedSeconds * 1e9) / steps : null;
  return { unit: 'steps', nsPerStep, rows, top: top.slice(0, 10) };
}

const fix = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(2));

/** The table as /proc/lock_stat prints it (times in simulated steps). */
export function formatLockStat(s: LockStat): string[] {
  const head = ['class name', 'con-bounces', 'contentions', 'waittime-min', 'waittime-max', 'waittime-total', 'waittime-avg', 'acq-bounces', 'acquisitions', 'holdtime-min', 'holdtime-max', 'holdtime-total', 'holdtime-avg'];
  const rows = s.rows.map((r) => [`${r.class}${r.mode === 'read' ? '-R' : '-W'}:`, r.conBounces, r.contentions, r.waittimeMin, r.waittimeMax, r.waittimeTotal, r.waittimeAvg, r.acqBounces, r.acquisitions, r.holdtimeMin, r.holdtimeMax, r.holdtimeTotal, r.holdtimeAvg].map((v) => (typeof v === 'number' ? fix(v) : v)));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padStart(widths[i]) : c.padStart(widths[i]))).join(' ');
  const unit = s.nsPerStep ? `simulated steps; one step ≈ ${s.nsPerStep.toFixed(1)} ns of host time in this run` : 'simulated steps';
  const out = [`lock_stat (times in ${unit}):`, line(head), ...rows.map(line)];
  if (s.top.length) {
    out.push('top contention points:');
    for (const t of s.top) out.push(`  ${String(t.contentions).padStart(9)}  ${t.text.padEnd(44)} ${t.at}`);
  }
  return out;
}
