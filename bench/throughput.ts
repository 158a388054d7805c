// Throughput of the parallel driver: one worker thread per simulated CPU over
// one shared memory, for a list of CPU counts. The coordinator (this
// process) times each whole run itself — from just before the workers are
// started until every one has stopped and in-flight syscalls are drained —
// and divides the machine's own fork counter by that time.
//
// Also the real kernel's fork rate at the same CPU counts, from stress-ng
// (`--fork N` and `--vfork N`), when it is installed.
//
// Standalone:
//   node dist/bench/throughput.js --cpus 1,2,4,8,16 --seconds 3 --out file.json
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runParallelDriver } from '../src/drivers/parallel.js';
import { runStepDriver } from '../src/drivers/step.js';
import type { ScenarioInput } from '../src/machine/scenario.js';
import { fmt, hostInfo, hostLine, machine, never, median, ratio, sig, table, type HostInfo } from './lib.js';

export interface RunPoint {
  kernel: string;
  driver: 'parallel' | 'step';
  cpus: number;
  ledger: boolean;
  lockdep: boolean;
  /** wall time of the whole run as the coordinator measured it */
  wallSeconds: number;
  forksOk: number;
  reaps: number;
  steps: number;
  spins: number;
  forksPerSecond: number;
  reapsPerSecond: number;
  stepsPerSecond: number;
  findings: number;
  stopReason: string;
  /** every repeat's forks/s; forksPerSecond is their median */
  repeats: number[];
}

export interface ThroughputOptions {
  kernel?: string;
  seconds?: number;
  repeat?: number;
  seed?: number;
}

/** One timed run of a driver for `seconds`, counted by the machine's counters. */
export async function timedRun(cpus: number, o: ThroughputOptions & { driver?: 'parallel' | 'step'; ledger?: boolean; lockdep?: boolean; extra?: ScenarioInput } = {}): Promise<RunPoint> {
  const kernel = o.kernel ?? 'v6.10-patched';
  const driver = o.driver ?? 'parallel';
  const ledger = o.ledger ?? true, lockdep = o.lockdep ?? true;
  const runs: RunPoint[] = [];
  for (let i = 0; i < Math.max(1, o.repeat ?? 1); i++) {
    const m = machine(kernel, { cpus, driver, forks: 0, duration: o.seconds ?? 3, seed: o.seed ?? 1, ledger, lockdep, ...o.extra });
    const t0 = performance.now();
    const out = driver === 'parallel' ? await runParallelDriver(m, never) : await runStepDriver(m, never);
    const wall = (performance.now() - t0) / 1000;
    const { forksOk, reaps } = m.counters(), steps = Number(m.steps());
    runs.push({
      kernel, driver, cpus, ledger, lockdep, wallSeconds: wall, forksOk, reaps, steps, spins: Number(m.spins()),
      forksPerSecond: forksOk / wall, reapsPerSecond: reaps / wall, stepsPerSecond: steps / wall,
      findings: m.nrFindings(), stopReason: out.stopReason, repeats: [],
    });
  }
  return medianRun(runs);
}

/** Runs of one configuration as one point: the run nearest the median
 *  forks/s, carrying the median and every run's rate in `repeats`. */
function medianRun(runs: RunPoint[]): RunPoint {
  const rates = runs.map((r) => r.forksPerSecond);
  const mid = median(rates);
  const pick = runs.reduce((a, b) => (Math.abs(b.forksPerSecond - mid) < Math.abs(a.forksPerSecond - mid) ? b : a));
  return { ...pick, forksPerSecond: mid, repeats: rates };
}

export async function scaling(cpuList: number[], o: ThroughputOptions = {}, log: (s: string) => void = () => {}): Promise<RunPoint[]> {
  const out: RunPoint[] = [];
  for (const c of cpuList) {
    const p = await timedRun(c, o);
    log(`  parallel, ${c} CPU${c > 1 ? 's' : ''}: ${fmt(p.forksPerSecond)} forks/s (${fmt(p.stepsPerSecond)} steps/s, ${p.findings} findings, stop: ${p.stopReason})`);
    out.push(p);
  }
  return out;
}

/** A parallel-driver configuration measured in every round. */
export interface ParallelConfig { id: string; cpus: number; threads?: number; ledger?: boolean; lockdep?: boolean }

/** Interleaved rounds: each round runs every configuration once, back to
 *  back, so that host load moves them together, and a ratio is taken
 *  within a round. The point of a configuration is its median round, with
 *  every round's forks/s in `repeats`. */
export async function parallelRounds(configs: ParallelConfig[], o: ThroughputOptions & { rounds: number }, log: (s: string) => void = () => {}): Promise<{ points: Map<string, RunPoint>; perRound: Map<string, number[]> }> {
  const perRound = new Map<string, RunPoint[]>(configs.map((c) => [c.id, []]));
  for (let r = 0; r < o.rounds; r++) {
    for (const c of configs) {
      const p = await timedRun(c.cpus, { ...o, ledger: c.ledger, lockdep: c.lockdep, extra: c.threads ? { threads: c.threads } : undefined });
      perRound.get(c.id)!.push(p);
    }
    log(`  round ${r + 1}/${o.rounds}: ${configs.map((c) => `${c.id} ${fmt(perRound.get(c.id)![r].forksPerSecond)}`).join(', ')} forks/s`);
  }
  const points = new Map([...perRound].map(([id, runs]) => [id, medianRun(runs)]));
  return { points, perRound: new Map([...points].map(([id, p]) => [id, p.repeats])) };
}

/** A ratio of two configurations taken round by round: its median and spread. */
export interface RoundRatio { median: number; min: number; max: number; values: number[] }
export function roundRatio(perRound: Map<string, number[]>, num: string, den: string): RoundRatio {
  const a = perRound.get(num)!, b = perRound.get(den)!;
  const values = a.map((x, i) => x / b[i]);
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), values };
}

// ---- the real kernel: stress-ng ------------------------------------------

export interface StressPoint { stressor: 'fork' | 'vfork'; instances: number; bogoOps: number; seconds: number; opsPerSecond: number }
export interface StressResult { available: boolean; note: string; version?: string; points: StressPoint[] }

export const STRESS_NG_HINT = 'stress-ng is not installed: real-kernel comparison skipped (Debian/Ubuntu: sudo apt-get install stress-ng; Fedora: sudo dnf install stress-ng)';

export function stressNg(instances: number[], seconds = 2, log: (s: string) => void = () => {}): StressResult {
  const v = spawnSync('stress-ng', ['--version'], { encoding: 'utf8' });
  if (v.error || v.status !== 0) return { available: false, note: STRESS_NG_HINT, points: [] };
  const version = v.stdout.trim();
  const points: StressPoint[] = [];
  for (const stressor of ['fork', 'vfork'] as const) {
    for (const n of instances) {
      const r = spawnSync('stress-ng', [`--${stressor}`, String(n), '--timeout', `${seconds}s`, '--metrics-brief'], { encoding: 'utf8', timeout: (seconds + 30) * 1000 });
      const text = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
      // "stress-ng: metrc: [pid] fork   5315   3.00   2.59   2.70   1771.61   1004.48"
      const m = new RegExp(`\\]\\s+${stressor}\\s+(\\d+)\\s+([\\d.]+)\\s+[\\d.]+\\s+[\\d.]+\\s+([\\d.]+)`).exec(text);
      if (!m) {
        log(`  stress-ng --${stressor} ${n}: no metrics line (status ${r.status})`);
        continue;
      }
      const p: StressPoint = { stressor, instances: n, bogoOps: Number(m[1]), seconds: Number(m[2]), opsPerSecond: Number(m[3]) };
      log(`  stress-ng --${stressor} ${n}: ${fmt(p.opsPerSecond)} bogo-ops/s`);
      points.push(p);
    }
  }
  return { available: true, version, note: `${version}; --metrics-brief, bogo-ops/s (real time), ${seconds} s each`, points };
}

// ---- tables --------------------------------------------------------------

export function scalingTable(points: RunPoint[], stress?: StressResult): string {
  const one = points.find((p) => p.cpus === 1)?.forksPerSecond;
  const sx = (kind: 'fork' | 'vfork', n: number): StressPoint | undefined => stress?.points.find((p) => p.stressor === kind && p.instances === n);
  const rows = points.map((p) => {
    const f = sx('fork', p.cpus), vf = sx('vfork', p.cpus);
    return [
      String(p.cpus), fmt(p.forksPerSecond), fmt(p.reapsPerSecond), fmt(p.stepsPerSecond), one ? `${sig(p.forksPerSecond / one / p.cpus * 100)} %` : '—',
      f ? fmt(f.opsPerSecond) : '—', f ? `${sig(ratio(p.forksPerSecond, f.opsPerSecond))}×` : '—',
      vf ? fmt(vf.opsPerSecond) : '—', vf ? `${sig(ratio(p.forksPerSecond, vf.opsPerSecond))}×` : '—',
      String(p.findings),
    ];
  });
  return table(
    ['sim CPUs', 'sim forks/s', 'sim reaps/s', 'sim steps/s', 'scaling eff.', 'stress-ng --fork/s', 'sim ÷ fork', 'stress-ng --vfork/s', 'sim ÷ vfork', 'findings'],
    rows, ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
}

// ---- standalone ----------------------------------------------------------

export interface ThroughputFile { kind: 'forksim-throughput'; date: string; host: HostInfo; kernel: string; seconds: number; points: RunPoint[]; stressNg: StressResult; markdown: string }

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cpus: { type: 'string', default: '1,2,4,8' },
      seconds: { type: 'string', default: '3' },
      repeat: { type: 'string', default: '1' },
      kernel: { type: 'string', default: 'v6.10-patched' },
      seed: { type: 'string', default: '1' },
      'no-stress-ng': { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log('usage: node dist/bench/throughput.js [--cpus 1,2,4,8] [--seconds 3] [--repeat 1] [--kernel v6.10-patched] [--seed 1] [--no-stress-ng] [--out file.json]');
    return;
  }
  const cpus = values.cpus.split(',').map((x) => Number(x.trim())).filter((x) => Number.isInteger(x) && x > 0);
  const seconds = Number(values.seconds), repeat = Number(values.repeat), seed = Number(values.seed);
  const host = hostInfo();
  console.log(hostLine(host));
  console.log(`parallel driver, kernel ${values.kernel}, ledger on, lockdep on, ${seconds} s per point${repeat > 1 ? `, median of ${repeat}` : ''}`);
  const points = await scaling(cpus, { kernel: values.kernel, seconds, repeat, seed }, (s) => console.error(s));
  const stress = values['no-stress-ng'] ? { available: false, note: 'skipped (--no-stress-ng)', points: [] } : stressNg(cpus, Math.min(seconds, 3), (s) => console.error(s));
  const markdown = scalingTable(points, stress) + (stress.available ? '' : `\n\n${stress.note}`);
  console.log('');
  console.log(markdown);
  if (values.out) {
    const file: ThroughputFile = { kind: 'forksim-throughput', date: new Date().toISOString(), host, kernel: values.kernel, seconds, points, stressNg: stress, markdown };
    const path = resolve(values.out);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(file, null, 2) + '\n');
    console.log(`\nwrote ${path}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  });
}
