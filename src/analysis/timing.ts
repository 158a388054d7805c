// A timed run read in simulated time: what happened between two snapshots
// of the machine (a warm-up's end and the window's), as rates per simulated
// second, each CPU's busy, spinning and idle shares, lock_stat in simulated
// nanoseconds, and the lock that bounds the throughput.
import * as A from '../../assembly/abi.js';
import type { Machine } from '../machine/machine.js';
import { decodeInsn, objMode } from '../kasm/insn.js';
import { lockStat, type LockStatRow } from './lockstat.js';
import type { Ceiling, HoldSite, TimedLockStat } from './scaling.js';

export interface TimeSnapshot {
  cpus: { clock: number; spin: number; idle: number }[]; // picoseconds
  forks: number; exits: number; actions: Record<string, number>; steps: number;
  rows: LockStatRow[];
  holds: Map<number, number>; // lock instruction pc -> hold time of the locks taken there
}

/** The lock instructions of a program (their pcs), where lock_stat keeps holds by site. */
function lockSites(m: Machine): number[] {
  const code = m.program.code, out: number[] = [];
  for (let pc = 0; pc < code.length / A.INSN_WORDS; pc++) if (decodeInsn(code, pc).op === A.OP_LOCK) out.push(pc);
  return out;
}

/** The machine now; `atHorizon`: its CPUs' times as the run reached its horizon. */
export function snapshot(m: Machine, atHorizon = false): TimeSnapshot {
  const k = m.counters();
  const cpus = Array.from({ length: m.scenario.cpus }, (_, c) => {
    const t = m.cpuTime(c, atHorizon);
    return { clock: Number(t.clock), spin: Number(t.spin), idle: Number(t.idle) };
  });
  const holds = new Map(lockSites(m).map((pc) => [pc, m.holdAt(pc)]));
  return { cpus, forks: k.forksOk, exits: k.exits, actions: { ...k.actions }, steps: Number(m.steps()), rows: lockStat(m).rows, holds };
}

/** A machine of as many CPUs as `like` at boot: nothing happened yet. */
export const bootSnapshot = (like: TimeSnapshot): TimeSnapshot =>
  ({ cpus: like.cpus.map(() => ({ clock: 0, spin: 0, idle: 0 })), forks: 0, exits: 0, actions: {}, steps: 0, rows: [], holds: new Map() });

/** Several windows (runs of other seeds) as one: what each added, summed
 *  (the maxima the largest); read it with timedWindow(m, start, sum, total seconds). */
export function sumWindows(pairs: [TimeSnapshot, TimeSnapshot][]): [TimeSnapshot, TimeSnapshot] {
  const start = bootSnapshot(pairs[0][0]), sum = bootSnapshot(pairs[0][0]);
  const rows = new Map<string, LockStatRow>();
  for (const [a, b] of pairs) {
    b.cpus.forEach((c, i) => {
      sum.cpus[i].clock += c.clock - a.cpus[i].clock; sum.cpus[i].spin += c.spin - a.cpus[i].spin; sum.cpus[i].idle += c.idle - a.cpus[i].idle;
    });
    sum.forks += b.forks - a.forks; sum.exits += b.exits - a.exits; sum.steps += b.steps - a.steps;
    for (const [k, v] of Object.entries(b.actions)) sum.actions[k] = (sum.actions[k] ?? 0) + v - (a.actions[k] ?? 0);
    for (const [pc, v] of b.holds) sum.holds.set(pc, (sum.holds.get(pc) ?? 0) + v - (a.holds.get(pc) ?? 0));
    const before = new Map(a.rows.map((r) => [`${r.cls}/${r.mode}`, r]));
    for (const r of b.rows) {
      const key = `${r.cls}/${r.mode}`, p = before.get(key), t = rows.get(key);
      const d = (f: 'contentions' | 'acquisitions' | 'waittimeTotal' | 'holdtimeTotal' | 'acqBounces' | 'conBounces'): number => r[f] - (p?.[f] ?? 0) + (t?.[f] ?? 0);
      rows.set(key, {
        ...r, contentions: d('contentions'), acquisitions: d('acquisitions'), waittimeTotal: d('waittimeTotal'), holdtimeTotal: d('holdtimeTotal'),
        acqBounces: d('acqBounces'), conBounces: d('conBounces'), waittimeMax: Math.max(r.waittimeMax, t?.waittimeMax ?? 0), holdtimeMax: Math.max(r.holdtimeMax, t?.holdtimeMax ?? 0),
      });
    }
  }
  sum.rows = [...rows.values()];
  return [start, sum];
}

export interface TimedWindow {
  simSeconds: number;
  forks: number; exits: number; threads: number; vforks: number;
  forksPerSec: number; exitsPerSec: number; threadsPerSec: number; vforksPerSec: number;
  utilisation: number;
  perCpu: { cpu: number; busy: number; spin: number; idle: number }[];
  lockstat: TimedLockStat[];
  /** The sections that hold a lock longest, by the instruction that takes it (most first, at most 8). */
  holdSites: HoldSite[];
  ceiling: Ceiling | null;
  steps: number;
}

/** Below this share of CPU time waiting, no lock bounds the throughput. */
export const CEILING_MIN_SHARE = 0.01;

/** What happened from `a` to `b`, a window of `seconds` simulated seconds. */
export function timedWindow(m: Machine, a: TimeSnapshot, b: TimeSnapshot, seconds: number): TimedWindow {
  const vocab = m.program.vocab;
  const perCpu = b.cpus.map((x, cpu) => {
    const y = a.cpus[cpu];
    const span = Math.max(1, x.clock - y.clock);
    const spin = (x.spin - y.spin) / span, idle = (x.idle - y.idle) / span;
    return { cpu, busy: Math.max(0, 1 - spin - idle), spin, idle };
  });
  const cpuNs = b.cpus.reduce((t, x, c) => t + (x.clock - a.cpus[c].clock), 0) / 1000;
  const windowNs = seconds * 1e9;
  const forks = b.forks - a.forks;
  const before = new Map(a.rows.map((r) => [`${r.cls}/${r.mode}`, r]));
  const lockstat: TimedLockStat[] = b.rows.map((r) => {
    const p = before.get(`${r.cls}/${r.mode}`);
    const d = (f: keyof LockStatRow): number => (r[f] as number) - ((p?.[f] as number | undefined) ?? 0);
    const contentions = d('contentions'), acquisitions = d('acquisitions'), waitNsTotal = d('waittimeTotal'), holdNsTotal = d('holdtimeTotal');
    const decl = vocab.classes[r.cls];
    const exclusive = r.mode === A.MODE_EXCL;
    return {
      lock: vocab.className(r.cls), mode: exclusive ? 'write' : 'read',
      contentions, waitNsTotal, waitNsMax: r.waittimeMax, waitNsAvg: contentions ? waitNsTotal / contentions : 0,
      acquisitions, holdNsTotal, holdNsMax: r.holdtimeMax, holdNsAvg: acquisitions ? holdNsTotal / acquisitions : 0,
      bounces: d('acqBounces'),
      waitShare: cpuNs > 0 ? waitNsTotal / cpuNs : 0,
      holdShare: exclusive && decl?.scope === 'global' && windowNs > 0 ? holdNsTotal / windowNs : null,
    } satisfies TimedLockStat;
  }).filter((r) => r.acquisitions > 0).sort((x, y) => y.waitNsTotal - x.waitNsTotal);
  const action = (name: string): number => (b.actions[name] ?? 0) - (a.actions[name] ?? 0);
  const rate = (n: number): number => (seconds > 0 ? n / seconds : 0);
  const holdSites: HoldSite[] = [...b.holds].map(([pc, v]) => {
    const src = m.program.src[pc];
    const ns = v - (a.holds.get(pc) ?? 0);
    const insn = decodeInsn(m.program.code, pc);
    return {
      at: `${src.file}:${src.line}`, routine: src.routine, text: src.text.trim(),
      lock: vocab.className(insn.arg >> A.LOCKREF_CLASS_SHIFT), mode: objMode(insn.obj) === A.MODE_READ ? 'read' : 'write',
      holdNsTotal: ns, holdNsPerFork: forks > 0 ? ns / forks : 0,
    } satisfies HoldSite;
  }).filter((h) => h.holdNsTotal > 0).sort((x, y) => y.holdNsTotal - x.holdNsTotal).slice(0, 8);
  const top = lockstat[0];
  let ceiling: Ceiling | null = null;
  if (top && top.waitShare >= CEILING_MIN_SHARE) {
    // The lock's exclusive holds serialise: back to back they allow at most
    // one fork cycle per (its exclusive hold time per fork).
    const excl = lockstat.find((r) => r.lock === top.lock && r.mode === 'write');
    const holdNsPerFork = excl && forks > 0 ? excl.holdNsTotal / forks : 0;
    ceiling = {
      lock: top.lock, mode: top.mode, waitShare: top.waitShare, holdShare: excl?.holdShare ?? null,
      holdNsPerFork, boundForksPerSec: holdNsPerFork > 0 ? 1e9 / holdNsPerFork : null,
      // Exclusive holds serialise; readers' overlap.
      site: holdSites.find((h) => h.lock === top.lock && h.mode === 'write') ?? null,
    };
  }
  return {
    simSeconds: seconds,
    forks, exits: b.exits - a.exits, threads: action('clone_thread'), vforks: action('vfork'),
    forksPerSec: rate(forks), exitsPerSec: rate(b.exits - a.exits), threadsPerSec: rate(action('clone_thread')), vforksPerSec: rate(action('vfork')),
    utilisation: perCpu.length ? perCpu.reduce((t, c) => t + c.busy + c.spin, 0) / perCpu.length : 0,
    perCpu, lockstat, holdSites, ceiling, steps: b.steps - a.steps,
  };
}
