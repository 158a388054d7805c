// The timed model's cost on the host: host time per simulated fork cycle
// under the time policy (a machine file's costs, CPUs in clock order, cache
// lines, parked spinners) against the random policy (the plain step driver),
// the same kernel, CPUs and workload, measured in interleaved rounds so that
// load elsewhere on the host lands on both sides.
//
//   node dist/bench/timed.js [--rounds 5] [--cpus 8,64] [--forks 3000]
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import * as A from '../assembly/abi.js';
import { parseScenario } from '../src/machine/scenario.js';
import { buildMachine, kernelProgram } from '../src/commands/run.js';
import { quietLimit } from '../src/drivers/step.js';

export interface TimedSpeedPoint {
  cpus: number;
  randomNsPerFork: number; timeNsPerFork: number; // medians over rounds
  ratio: number; ratioMin: number; ratioMax: number; // time ÷ random, within a round
  rounds: number;
}

const KERNEL = 'v6.10-patched';
const WEIGHTS = { fork: 1, exit: 1, wait: 1, vfork: 0, clone_pidfd: 0, clone_thread: 0, kill: 0 };

/** Host nanoseconds per completed fork over a run of `forks` forks. */
function nsPerFork(cpus: number, forks: number, timed: boolean): number {
  const s = parseScenario({ kernel: KERNEL, cpus, driver: 'step', forks: 0, seed: 1, tasks: 1024, weights: WEIGHTS, ...(timed ? { machine: 'server-2s-64c', simTime: 10 } : {}) });
  const m = buildMachine(s, kernelProgram(KERNEL));
  const t0 = process.hrtime.bigint();
  while (m.counters().forksOk < forks) {
    const r = m.core.runStep(20_000n, quietLimit(cpus));
    if (r !== A.RUN_BUDGET) throw new Error(`bench/timed: the run stopped (${r})`);
  }
  return Number(process.hrtime.bigint() - t0) / m.counters().forksOk;
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

export function timedSpeed(opts: { cpus?: number[]; rounds?: number; forks?: number } = {}): TimedSpeedPoint[] {
  const rounds = opts.rounds ?? 5, forks = opts.forks ?? 3000;
  return (opts.cpus ?? [8, 64]).map((cpus) => {
    nsPerFork(cpus, forks / 4, false); nsPerFork(cpus, forks / 4, true); // warm the JIT
    const r: number[] = [], t: number[] = [], q: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const a = nsPerFork(cpus, forks, false), b = nsPerFork(cpus, forks, true);
      r.push(a); t.push(b); q.push(b / a);
    }
    return { cpus, randomNsPerFork: median(r), timeNsPerFork: median(t), ratio: median(q), ratioMin: Math.min(...q), ratioMax: Math.max(...q), rounds };
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, cpus: { type: 'string', default: '8,64' }, forks: { type: 'string', default: '3000' } } });
  const points = timedSpeed({ rounds: Number(values.rounds), cpus: values.cpus!.split(',').map(Number), forks: Number(values.forks) });
  console.log('| CPUs | random policy, host µs per fork cycle | time policy | time ÷ random (median, min–max over rounds) |');
  console.log('|---|---|---|---|');
  for (const p of points) console.log(`| ${p.cpus} | ${(p.randomNsPerFork / 1000).toFixed(2)} | ${(p.timeNsPerFork / 1000).toFixed(2)} | ${p.ratio.toFixed(2)}× (${p.ratioMin.toFixed(2)}–${p.ratioMax.toFixed(2)}) |`);
}
