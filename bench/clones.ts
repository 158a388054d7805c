// What the clone mix costs the simulator, side by side with plain forks:
// the same kernel, seed and step count, one run of each in turn, round
// after round (so host load lands on both), under the step driver (the
// same work every round). Reports clones per host second for each, the
// ratio within each round, and the spread over the rounds.
//
//   node dist/bench/clones.js [--kernel v6.12-scx] [--rounds 5] [--steps 20000000] [--cpus 4]
import { parseArgs } from 'node:util';
import { runStepDriver } from '../src/drivers/step.js';
import { fmt, hostInfo, hostLine, machine, median, never } from './lib.js';

const PLAIN = { vfork: 0, clone_pidfd: 0, clone_thread: 0 };

async function once(kernel: string, cpus: number, steps: number, weights: Record<string, number>): Promise<{ perSecond: number; clones: number; wall: number }> {
  const m = machine(kernel, { driver: 'step', cpus, forks: 0, maxSteps: steps, seed: 1, weights });
  const t0 = performance.now();
  await runStepDriver(m, never);
  const wall = (performance.now() - t0) / 1000;
  const k = m.counters();
  const clones = k.forksOk + k.forksFailed;
  return { perSecond: clones / wall, clones, wall };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { kernel: { type: 'string', default: 'v6.12-scx' }, rounds: { type: 'string', default: '5' }, steps: { type: 'string', default: '20000000' }, cpus: { type: 'string', default: '4' } } });
  const kernel = values.kernel!, rounds = Number(values.rounds), steps = Number(values.steps), cpus = Number(values.cpus);
  console.log(hostLine(hostInfo()));
  const plain: number[] = [], mix: number[] = [], ratios: number[] = [];
  let counts = { plain: 0, mix: 0 };
  for (let r = 0; r < rounds; r++) {
    const a = await once(kernel, cpus, steps, PLAIN);
    const b = await once(kernel, cpus, steps, {});
    plain.push(a.perSecond); mix.push(b.perSecond); ratios.push(b.perSecond / a.perSecond);
    counts = { plain: a.clones, mix: b.clones };
    process.stderr.write(`  round ${r + 1}/${rounds}: plain ${fmt(a.perSecond)}/s, mix ${fmt(b.perSecond)}/s\n`);
  }
  const spread = (xs: number[]): string => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
  console.log(`kernel ${kernel}, step driver, ${cpus} CPUs, ${fmt(steps)} steps a run, ${rounds} rounds (plain: ${fmt(counts.plain)} forks a run; mix: ${fmt(counts.mix)} clones a run)`);
  console.log(`| workload | clones/s (median) | spread |`);
  console.log(`|---|---|---|`);
  console.log(`| plain forks (vfork=0, clone_pidfd=0, clone_thread=0) | ${fmt(median(plain))} | ${spread(plain)} |`);
  console.log(`| the default mix (fork 40, vfork 6, clone_pidfd 4, clone_thread 20) | ${fmt(median(mix))} | ${spread(mix)} |`);
  console.log(`mix ÷ plain within a round: median ${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`);
}

await main();
