// forksim explore: run a strategy over many schedules of one scenario
// (a number of them, a time budget, or — dfs — until the bounded space is
// exhausted), keep each distinct finding with the first schedule that
// found it as a replay token, shrink that schedule, and say what the
// schedules covered. A shard runs its part of the same space: schedule
// indices I, I+N, … for random and pct; for dfs, every Nth subtree below
// the first branching points.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Machine } from '../machine/machine.js';
import type { Scenario } from '../machine/scenario.js';
import { groupFindings } from '../analysis/findings.js';
import { renderFinding, type FindingView } from '../report/findings.js';
import { runSchedule } from './execution.js';
import { DepartureLog, DepartureReplay, encodeToken, modelDigest, type Departures } from './schedule.js';
import { Coverage } from './coverage.js';
import { findingKey } from './key.js';
import { shrink } from './shrink.js';
import { interleaving, type Interleaving } from './interleaving.js';
import type { Strategy, StrategyName } from './strategy.js';
import { RandomStrategy } from './strategies/random.js';
import { PctStrategy } from './strategies/pct.js';
import { DfsStrategy } from './strategies/dfs.js';

export interface Shard { index: number; count: number }

export interface ExploreOptions {
  strategy: Exclude<StrategyName, 'replay'>;
  schedules?: number; // at most this many schedules (default: 1000, dfs: no limit)
  seconds?: number; // at most this long
  depth: number; // pct: the bug depth d
  steps?: number; // pct: k (default: the length of the schedule with no preemption)
  preemptions: number; // dfs: the bound
  reduction: boolean; // dfs: sleep sets
  maxPoints: number; // scheduling points per schedule
  shard?: Shard;
  shrink: boolean;
  stopEarly?: () => boolean; // a signal: stop with what is known
  stopWhen?: (kinds: string[]) => boolean; // stop once the findings so far (their kinds) satisfy it
  progress?: (p: { schedules: number; findings: number; elapsed: number }) => void;
}

/** One distinct finding of a campaign. */
export interface ExploreFinding {
  kind: string;
  key: string;
  schedules: number; // schedules that found it
  firstSchedule: string; // the strategy's label of the first one
  replay: string; // its replay token
  preemptions: number;
  points: number;
  finding: FindingView; // its first record, rendered
  shrunk?: { replay: string; preemptions: number; points: number; tried: number; interleaving: Interleaving };
}

export interface ExploreResult {
  kernel: string;
  digest: string;
  scenario: Scenario;
  strategy: { name: string; depth?: number; steps?: number; bound?: number; preemptions?: number; reduction?: boolean; seed: number };
  shard?: Shard;
  coverage: {
    schedules: number; pruned: number; distinctTraces: number; traceHashes: string[]; lockOrders: string[]; ladders: string[];
    points: number; steps: number; cutByMaxPoints: number;
    exhausted: boolean | null; // dfs: every schedule within the bound was run (null: not dfs)
    boundCut: boolean | null; // dfs: the bound cut some alternative (false: the whole space was searched)
    exact: boolean | null; // dfs: the bounded claim holds exactly (exhausted, and no reduction or no cut)
  };
  findings: ExploreFinding[];
  stopped: 'exhausted' | 'schedules' | 'seconds' | 'interrupted' | 'found';
  elapsedSeconds: number;
}

const DEFAULT_SCHEDULES = 1000;
/** dfs shards split the tree below this many branching points. */
const SHARD_BRANCHINGS = 3;

function makeStrategy(o: ExploreOptions, s: Scenario, k: number): Strategy {
  const shard = o.shard ?? { index: 0, count: 1 };
  switch (o.strategy) {
    case 'random': return new RandomStrategy(s.seed, shard.index, shard.count);
    case 'pct': return new PctStrategy({ seed: s.seed, depth: o.depth, cpus: s.programs?.length ?? s.cpus, steps: k, first: shard.index, stride: shard.count });
    case 'dfs': return new DfsStrategy({ preemptions: o.preemptions, reduction: o.reduction, shard: o.shard && { ...o.shard, branchings: SHARD_BRANCHINGS } });
  }
}

/** Explore the schedules of the machine's scenario. */
export async function explore(m: Machine, o: ExploreOptions): Promise<ExploreResult> {
  const s = m.scenario;
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  const digest = modelDigest(m.program);
  // pct's k: the length of the schedule with no preemption at all.
  const k = o.strategy === 'pct' ? (o.steps ?? runSchedule(m, new DepartureReplay([]), o.maxPoints).choices.length) : 0;
  const strategy = makeStrategy(o, s, k);
  const limit = o.schedules ?? (o.strategy === 'dfs' ? Infinity : DEFAULT_SCHEDULES);
  const cov = new Coverage();
  const found = new Map<string, ExploreFinding & { departures: Departures }>();
  let stopped: ExploreResult['stopped'] = 'schedules';
  let lastProgress = 0, lastYield = performance.now();
  for (;;) {
    if (performance.now() - lastYield > 50) { await yieldToEventLoop(); lastYield = performance.now(); } // let a signal be noticed
    if (o.stopEarly?.()) { stopped = 'interrupted'; break; }
    if (o.seconds !== undefined && elapsed() >= o.seconds) { stopped = 'seconds'; break; }
    if (cov.schedules >= limit) { stopped = 'schedules'; break; }
    if (!strategy.next()) { stopped = 'exhausted'; break; }
    const log = new DepartureLog(strategy);
    const run = runSchedule(m, log, o.maxPoints);
    strategy.done(run);
    if (run.ending === 'abandoned') { if (strategy.mine?.() !== false) cov.pruned++; continue; }
    if (strategy.mine?.() === false) continue; // another shard's
    cov.add(m, run);
    for (const g of groupFindings(m)) {
      const key = findingKey(m, g);
      const seen = found.get(key);
      if (seen) { seen.schedules++; continue; }
      found.set(key, {
        kind: g.first.kind, key, schedules: 1, firstSchedule: strategy.label(), departures: log.departures,
        replay: encodeToken({ kernel: s.kernel, digest, scenario: s, strategy: strategy.label(), departures: log.departures }),
        preemptions: run.preemptions, points: run.choices.length, finding: renderFinding(m, g.first, g),
      });
    }
    if (o.stopWhen?.([...found.values()].map((f) => f.kind))) { stopped = 'found'; break; }
    if (o.progress && performance.now() - lastProgress > 250) {
      lastProgress = performance.now();
      o.progress({ schedules: cov.schedules, findings: found.size, elapsed: elapsed() });
    }
  }
  const findings = [...found.values()];
  if (o.shrink) for (const f of findings) f.shrunk = shrunkOf(m, s, digest, f, o, strategy);
  return {
    kernel: s.kernel, digest, scenario: s,
    strategy: {
      name: o.strategy, seed: s.seed,
      ...(strategy instanceof PctStrategy ? { depth: o.depth, steps: strategy.steps, bound: strategy.bound() } : {}),
      ...(o.strategy === 'dfs' ? { preemptions: o.preemptions, reduction: o.reduction } : {}),
    },
    ...(o.shard ? { shard: o.shard } : {}),
    coverage: {
      schedules: cov.schedules, pruned: cov.pruned, distinctTraces: cov.traces.size, traceHashes: [...cov.traces].sort(),
      lockOrders: [...cov.lockOrders].sort(), ladders: [...cov.ladders].sort(), points: cov.points, steps: cov.steps, cutByMaxPoints: cov.cutByMaxPoints,
      exhausted: strategy instanceof DfsStrategy ? strategy.exhausted && cov.cutByMaxPoints === 0 : null,
      boundCut: strategy instanceof DfsStrategy ? strategy.boundCut : null,
      exact: strategy instanceof DfsStrategy ? strategy.exhausted && cov.cutByMaxPoints === 0 && (!o.reduction || !strategy.boundCut) : null,
    },
    findings: findings.map(({ departures: _d, ...f }) => f),
    stopped,
    elapsedSeconds: elapsed(),
  };
}

/** The finding's first schedule shrunk, and drawn. */
function shrunkOf(m: Machine, s: Scenario, digest: string, f: ExploreFinding & { departures: Departures }, o: ExploreOptions, strategy: Strategy): ExploreFinding['shrunk'] {
  const r = shrink(m, f.departures, f.key, o.maxPoints, { runs: 2000, seconds: 20, stopEarly: o.stopEarly });
  if (r.preemptions < 0) return undefined;
  return {
    replay: encodeToken({ kernel: s.kernel, digest, scenario: s, strategy: `${strategy.label()} shrunk`, departures: r.departures }),
    preemptions: r.preemptions, points: r.points, tried: r.tried,
    interleaving: interleaving(m, r.departures, o.maxPoints),
  };
}
