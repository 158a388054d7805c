// lock_stat as /proc/lock_stat prints it, and its JSON twin (times in
// simulated steps, or simulated nanoseconds under the timed model).
import * as A from '../../assembly/abi.js';
import type { Program } from '../kasm/index.js';
import type { LockStatTable } from '../analysis/lockstat.js';
import { fmtPc } from './names.js';

export interface LockStatRowView {
  class: string;
  mode: 'write' | 'read';
  conBounces: number; contentions: number; waittimeMin: number; waittimeMax: number; waittimeTotal: number; waittimeAvg: number;
  acqBounces: number; acquisitions: number; holdtimeMin: number; holdtimeMax: number; holdtimeTotal: number; holdtimeAvg: number;
}
export interface LockStat {
  unit: 'steps' | 'ns'; // ns: simulated nanoseconds (the timed model)
  nsPerStep: number | null;
  rows: LockStatRowView[];
  top: { at: string; text: string; contentions: number }[];
  chainLookups: { hits: number; misses: number };
}

export function lockStatView(p: Program, t: LockStatTable, timed = false): LockStat {
  return {
    unit: timed ? 'ns' : 'steps',
    nsPerStep: t.nsPerStep,
    rows: t.rows.map(({ cls, mode, ...cols }) => ({ class: p.vocab.className(cls), mode: mode === A.MODE_READ ? 'read' : 'write', ...cols })),
    top: t.top.map((c) => ({ at: fmtPc(p, c.pc), text: p.src[c.pc].text, contentions: c.contentions })),
    chainLookups: t.chainLookups,
  };
}

const fix = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(2));

export function formatLockStat(s: LockStat): string[] {
  const head = ['class name', 'con-bounces', 'contentions', 'waittime-min', 'waittime-max', 'waittime-total', 'waittime-avg', 'acq-bounces', 'acquisitions', 'holdtime-min', 'holdtime-max', 'holdtime-total', 'holdtime-avg'];
  const rows = s.rows.map((r) => [`${r.class}${r.mode === 'read' ? '-R' : '-W'}:`, r.conBounces, r.contentions, r.waittimeMin, r.waittimeMax, r.waittimeTotal, r.waittimeAvg, r.acqBounces, r.acquisitions, r.holdtimeMin, r.holdtimeMax, r.holdtimeTotal, r.holdtimeAvg].map((v) => (typeof v === 'number' ? fix(v) : v)));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i])).join(' ');
  const unit = s.unit === 'ns' ? 'simulated nanoseconds' : s.nsPerStep ? `simulated steps; one step ≈ ${s.nsPerStep.toFixed(1)} ns of host time in this run` : 'simulated steps';
  const out = [`lock_stat (times in ${unit}):`, line(head), ...rows.map(line)];
  if (s.top.length) {
    out.push('top contention points:');
    for (const t of s.top) out.push(`  ${String(t.contentions).padStart(9)}  ${t.text.padEnd(44)} ${t.at}`);
  }
  const { hits, misses } = s.chainLookups;
  if (hits + misses > 0) out.push(`lockdep chain cache: ${hits} lookup hits, ${misses} misses (${((100 * hits) / (hits + misses)).toFixed(1)}% hit)`);
  return out;
}
