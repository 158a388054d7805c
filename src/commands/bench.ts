// `forksim bench`: kernel models across a CPU-count sweep on one machine
// file's hardware, under the timed model. Each point boots the machine,
// runs a warm-up of simulated time, then measures a window: the rates per
// simulated second, the CPUs' time, lock_stat in simulated nanoseconds and
// the lock that bounds the throughput. The same seed gives the same numbers
// on any host, loaded or idle.
import * as A from '../../assembly/abi.js';
import { loadHardware, hardwareCpus, type Hardware } from '../machine/hardware.js';
import { parseScenario, type Scenario } from '../machine/scenario.js';
import type { Machine } from '../machine/machine.js';
import { quietLimit } from '../drivers/step.js';
import { snapshot, sumWindows, timedWindow, type TimeSnapshot } from '../analysis/timing.js';
import type { ScalingPoint, ScalingReport } from '../analysis/scaling.js';
import { buildMachine, kernelProgram } from './run.js';

export interface BenchOptions {
  kernels: string[];
  cpus: number[];
  machine: string;
  seed: number;
  warmup: number; // simulated seconds
  window: number; // simulated seconds
  weights: Record<string, number>;
  /** Live tasks per CPU the workload aims for (the population is cpus × this + 1 per CPU for its boot task). */
  tasksPerCpu: number;
  /** Runs per point, seeds seed, seed+1, …: the point is their windows taken together, with the spread of their rates. */
  repeat: number;
  command: string;
}

export const BENCH_DEFAULTS = { warmup: 0.002, window: 0.02, tasksPerCpu: 4, seed: 1, repeat: 3 } as const;

/** Steps a point may take at most: far more than any window needs, so a
 *  model that livelocks stops instead of running for ever. */
const MAX_POINT_STEPS = 2_000_000_000;
const CHUNK = 1n << 18n;

export class BenchError extends Error {}

export interface BenchControl {
  interrupted(): boolean;
  /** After each point. */
  progress?(done: number, total: number, p: ScalingPoint): void;
}

/** The scenario of one point: the kernel's default workload (or the given
 *  weights), no fork limit, populated so that every CPU has work. */
export function pointScenario(o: BenchOptions, kernel: string, cpus: number, seed = o.seed): Scenario {
  return parseScenario({
    kernel, cpus, driver: 'step', machine: o.machine, simTime: o.warmup + o.window, seed, forks: 0,
    tasks: Math.max(256, cpus * (o.tasksPerCpu + 2) + 64), population: cpus * (o.tasksPerCpu + 1), maxThreads: cpus * (o.tasksPerCpu + 2) + 32,
    weights: o.weights,
  }, 'bench');
}

/** Run the machine until every clock passes `seconds`: 'horizon', or why it stopped first. */
async function runTo(m: Machine, seconds: number, ctl: BenchControl): Promise<'horizon' | 'deadlock' | 'idle' | 'stopped' | 'interrupted' | 'max-steps'> {
  m.setHorizon(seconds);
  const quiet = quietLimit(m.scenario.cpus);
  for (let steps = 0; steps < MAX_POINT_STEPS; steps += Number(CHUNK)) {
    const r = m.core.runStep(CHUNK, quiet);
    if (r === A.RUN_TIME_END) return 'horizon';
    if (r === A.RUN_DEADLOCK) return 'deadlock';
    if (r === A.RUN_IDLE) return 'idle';
    if (r === A.RUN_STOPPED) return 'stopped';
    await new Promise<void>((done) => setImmediate(done)); // let Ctrl-C be noticed
    if (ctl.interrupted()) return 'interrupted';
  }
  return 'max-steps';
}

/** One run of a point: its warm-up, then the snapshots around its window. */
async function benchRun(o: BenchOptions, hw: Hardware, kernel: string, cpus: number, seed: number, ctl: BenchControl): Promise<{ m: Machine; a: TimeSnapshot; b: TimeSnapshot } | 'interrupted'> {
  const m = buildMachine(pointScenario(o, kernel, cpus, seed), kernelProgram(kernel), { hardware: hw });
  const why = `forksim run --machine ${o.machine} --kernel ${kernel} --cpus ${cpus} --seed ${seed} --forks 0 --sim-time`;
  const warm = await runTo(m, o.warmup, ctl);
  if (warm === 'interrupted') return warm;
  if (warm !== 'horizon') throw new BenchError(`${kernel} at ${cpus} CPUs: the run ended in its warm-up (${warm}); ${why} ${o.warmup} shows why`);
  const a = snapshot(m);
  const end = await runTo(m, o.warmup + o.window, ctl);
  if (end === 'interrupted') return end;
  if (end !== 'horizon') throw new BenchError(`${kernel} at ${cpus} CPUs: the run ended early (${end}); ${why} ${o.warmup + o.window} shows why`);
  return { m, a, b: snapshot(m) };
}

/** One point of the sweep: `repeat` runs (seeds seed, seed+1, …) as one window. */
export async function benchPoint(o: BenchOptions, hw: Hardware, kernel: string, cpus: number, ctl: BenchControl): Promise<ScalingPoint | 'interrupted'> {
  const runs: { m: Machine; a: TimeSnapshot; b: TimeSnapshot }[] = [];
  for (let i = 0; i < Math.max(1, o.repeat); i++) {
    const r = await benchRun(o, hw, kernel, cpus, o.seed + i, ctl);
    if (r === 'interrupted') return r;
    runs.push(r);
  }
  const [a, b] = sumWindows(runs.map((r) => [r.a, r.b]));
  const w = timedWindow(runs[0].m, a, b, o.window * runs.length);
  const rates = runs.map((r) => (r.b.forks - r.a.forks) / o.window);
  return {
    kernel, cpus, ...w, efficiency: 0, runs: runs.length, forksPerSecMin: Math.min(...rates), forksPerSecMax: Math.max(...rates),
    findings: runs.reduce((n, r) => n + r.m.findingCounts().total, 0),
  };
}

/** The sweep: every kernel at every CPU count, in that order. */
export async function bench(o: BenchOptions, ctl: BenchControl): Promise<{ report: ScalingReport; partial: boolean }> {
  const hw = loadHardware(o.machine);
  const most = hardwareCpus(hw);
  const over = o.cpus.find((c) => c > most);
  if (over !== undefined) throw new BenchError(`--cpus: ${over} is more than the ${most} CPUs machine '${hw.name}' has`);
  for (const k of o.kernels) kernelProgram(k); // a bad model fails before any point runs
  const points: ScalingPoint[] = [];
  let partial = false;
  const total = o.kernels.length * o.cpus.length;
  outer: for (const kernel of o.kernels) {
    for (const cpus of o.cpus) {
      const p = await benchPoint(o, hw, kernel, cpus, ctl);
      if (p === 'interrupted') { partial = true; break outer; }
      points.push(p);
      ctl.progress?.(points.length, total, p);
    }
  }
  // Efficiency against each kernel's own smallest point, scaled linearly.
  for (const kernel of o.kernels) {
    const own = points.filter((p) => p.kernel === kernel);
    const base = own.reduce<ScalingPoint | null>((b, p) => (b === null || p.cpus < b.cpus ? p : b), null);
    for (const p of own) p.efficiency = base && base.forksPerSec > 0 ? p.forksPerSec / ((base.forksPerSec / base.cpus) * p.cpus) : 0;
  }
  const uncosted = new Set<string>();
  for (const k of o.kernels) for (const e of kernelProgram(k).effects) if (!hw.primitives.has(e.name)) uncosted.add(e.name);
  const report: ScalingReport = {
    machine: { name: hw.name, description: hw.description, sockets: hw.sockets, coresPerSocket: hw.coresPerSocket, threadsPerCore: hw.threadsPerCore, ghz: hw.ghz, file: hw.file },
    kernels: o.kernels, cpus: o.cpus, seed: o.seed, repeat: o.repeat, warmupSeconds: o.warmup, windowSeconds: o.window,
    workload: o.weights, command: o.command, generated: new Date().toISOString(), points, uncosted: [...uncosted].sort(),
  };
  return { report, partial };
}
