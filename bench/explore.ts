// Exploration speed: schedules per second of `forksim explore` on a small
// closed scenario (v6.12-scx: one CPU enables the BPF scheduler, the other
// forks with a fault plan), dfs exhausting its bound with sleep sets and
// without, and pct, in interleaved rounds (the spread is over the rounds).
import { parseScenario } from '../src/machine/scenario.js';
import { buildMachine } from '../src/commands/run.js';
import { explore, type ExploreOptions } from '../src/explore/campaign.js';
import { median } from './lib.js';

export interface ExploreSpeed {
  scenario: string;
  rounds: number;
  variants: { name: string; schedules: number; points: number; perSecond: number[]; median: number; spreadPercent: number }[];
  reductionSpeedup: number; // dfs wall time without ÷ with sleep sets, median of rounds
}

const SCENARIO = { kernel: 'v6.12-scx', driver: 'step' as const, cpus: 2, tasks: 64, forks: 0, programs: [['scx_enable'], ['fork']], faults: { fatal_signal_pending: { nth: 2 } } };

export async function exploreSpeed(rounds = 5): Promise<ExploreSpeed> {
  const m = buildMachine(parseScenario(SCENARIO));
  const base: ExploreOptions = { strategy: 'dfs', depth: 3, preemptions: 1, reduction: true, maxPoints: 20_000, shrink: false };
  const variants: [string, ExploreOptions][] = [
    ['dfs, bound 1, sleep sets', base],
    ['dfs, bound 1, no reduction', { ...base, reduction: false }],
    ['pct, depth 3, 500 schedules', { ...base, strategy: 'pct', schedules: 500 }],
  ];
  const runs = variants.map(([name]) => ({ name, schedules: 0, points: 0, perSecond: [] as number[], seconds: [] as number[] }));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < variants.length; i++) {
      const x = await explore(m, variants[i][1]);
      runs[i].schedules = x.coverage.schedules;
      runs[i].points = x.coverage.points;
      runs[i].perSecond.push(x.coverage.schedules / x.elapsedSeconds);
      runs[i].seconds.push(x.elapsedSeconds);
    }
  }
  const spread = (xs: number[]): number => (100 * (Math.max(...xs) - Math.min(...xs))) / median(xs);
  return {
    scenario: 'v6.12-scx, cpu0 scx_enable | cpu1 fork, fatal_signal_pending nth=2',
    rounds,
    variants: runs.map((v) => ({ name: v.name, schedules: v.schedules, points: v.points, perSecond: v.perSecond, median: median(v.perSecond), spreadPercent: spread(v.perSecond) })),
    reductionSpeedup: median(runs[1].seconds) / median(runs[0].seconds),
  };
}
