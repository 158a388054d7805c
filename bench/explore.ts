// Exploration speed: schedules per second of `forksim explore` on small
// closed scenarios, in interleaved rounds (the spread is over the rounds):
// dfs exhausting bound 2 with sleep sets and without (v6.10: a fork, its
// child's exit and reap on one CPU, a kill on the other), and pct on the
// v6.12 window (one CPU enabling the BPF scheduler, one forking with a
// fault plan).
import { parseScenario, type ScenarioInput } from '../src/machine/scenario.js';
import { buildMachine } from '../src/commands/run.js';
import { explore, type ExploreOptions } from '../src/explore/campaign.js';
import { median } from './lib.js';

export interface ExploreVariant { name: string; scenario: string; schedules: number; points: number; perSecond: number[]; median: number; spreadPercent: number; seconds: number[] }
export interface ExploreSpeed {
  rounds: number;
  variants: ExploreVariant[];
  reductionTimeRatio: number; // dfs wall time without reduction ÷ with sleep sets, median of rounds
  reductionScheduleRatio: number; // schedules without ÷ with
}

const closed = (kernel: string, programs: string[][], extra: ScenarioInput = {}) =>
  parseScenario({ kernel, driver: 'step', cpus: programs.length, tasks: 64, forks: 0, programs, ...extra });

export async function exploreSpeed(rounds = 5): Promise<ExploreSpeed> {
  const reap = closed('v6.10', [['fork', 'yield', 'exit', 'wait'], ['kill']]);
  const window = closed('v6.12-scx', [['scx_enable'], ['fork']], { faults: { fatal_signal_pending: { nth: 1 } } });
  const dfs: ExploreOptions = { strategy: 'dfs', depth: 3, preemptions: 2, reduction: true, maxPoints: 20_000, shrink: false };
  const variants: [string, string, ReturnType<typeof closed>, ExploreOptions][] = [
    ['dfs, bound 2, sleep sets', 'v6.10: cpu0 fork,yield,exit,wait | cpu1 kill', reap, dfs],
    ['dfs, bound 2, no reduction', 'v6.10: cpu0 fork,yield,exit,wait | cpu1 kill', reap, { ...dfs, reduction: false }],
    ['pct, depth 3, 500 schedules', 'v6.12-scx: cpu0 scx_enable | cpu1 fork, fatal_signal_pending nth=1', window, { ...dfs, strategy: 'pct', schedules: 500 }],
  ];
  const machines = variants.map(([, , s]) => buildMachine(s));
  const out: ExploreVariant[] = variants.map(([name, scenario]) => ({ name, scenario, schedules: 0, points: 0, perSecond: [], median: 0, spreadPercent: 0, seconds: [] }));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < variants.length; i++) {
      const x = await explore(machines[i], variants[i][3]);
      out[i].schedules = x.coverage.schedules;
      out[i].points = x.coverage.points;
      out[i].perSecond.push(x.coverage.schedules / x.elapsedSeconds);
      out[i].seconds.push(x.elapsedSeconds);
    }
  }
  for (const v of out) {
    v.median = median(v.perSecond);
    v.spreadPercent = (100 * (Math.max(...v.perSecond) - Math.min(...v.perSecond))) / v.median;
  }
  return { rounds, variants: out, reductionTimeRatio: median(out[1].seconds) / median(out[0].seconds), reductionScheduleRatio: out[1].schedules / out[0].schedules };
}
