// explore, replay and merge: the campaign's text, a token's replay, and
// shards combined. The search itself is src/explore/.
import type { Scenario } from '../machine/scenario.js';
import type { Machine } from '../machine/machine.js';
import { buildMachine } from './run.js';
import { groupFindings } from '../analysis/findings.js';
import { renderFinding, type FindingView } from '../report/findings.js';
import { runSchedule, type Ending, type StepObserver } from '../explore/execution.js';
import { DepartureReplay, decodeToken, modelDigest, ScheduleError, TOKEN_MAX } from '../explore/schedule.js';
import { InterleavingRecorder, formatInterleaving, type Interleaving } from '../explore/interleaving.js';
import type { ExploreFinding, ExploreResult } from '../explore/campaign.js';
import { readInputFile } from '../files.js';
import { ChromeTrace, type TraceDocument } from '../trace/chrome.js';

export class ExploreError extends Error {}

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/** Where a token too long for a command line is written (a schedule
 *  file); the caller writes it and says where. */
export type ScheduleFile = (finding: number, shrunk: boolean, token: string) => string;

function replayLine(token: string, file: () => string): string {
  return token.length <= TOKEN_MAX ? `forksim replay ${token}` : `forksim replay --schedule ${file()}`;
}

const programsText = (s: Scenario): string =>
  s.programs ? s.programs.map((p, c) => `cpu${c} ${p.join(',') || '(nothing)'}`).join(' | ') : `open workload, ${s.forks} fork attempts per schedule`;

export function formatExplore(r: ExploreResult, scheduleFile: ScheduleFile): string {
  const st = r.strategy;
  const how = st.name === 'pct' ? `pct, depth ${st.depth}, k = ${st.steps} points` : st.name === 'dfs' ? `dfs, at most ${plural(st.preemptions ?? 0, 'preemption')}, ${st.reduction ? 'sleep sets' : 'no reduction'}` : 'random';
  const c = r.coverage;
  const lines = [
    `explore: ${r.kernel} (model ${r.digest}), ${how}, seed ${st.seed}${r.shard ? `, shard ${r.shard.index}/${r.shard.count}` : ''}`,
    `  ${r.scenario.cpus} CPUs: ${programsText(r.scenario)}${Object.keys(r.scenario.faults).length ? `; faults: ${Object.entries(r.scenario.faults).map(([k, v]) => `${k}${v.nth ? ` nth=${v.nth}` : ''}`).join(', ')}` : ''}`,
    `  schedules ${c.schedules.toLocaleString('en-US')} in ${r.elapsedSeconds.toFixed(1)} s (${Math.round(c.schedules / Math.max(r.elapsedSeconds, 1e-9)).toLocaleString('en-US')}/s), ` +
      `${c.distinctTraces.toLocaleString('en-US')} distinct traces${c.pruned ? `, ${c.pruned.toLocaleString('en-US')} cut short by sleep sets` : ''}; ${c.points.toLocaleString('en-US')} scheduling points, ${c.steps.toLocaleString('en-US')} micro-ops`,
    `  reached: ${c.lockOrders.length} lock-order pairs, ${c.ladders.length} error ladders${c.ladders.length ? ` (${c.ladders.join(', ')})` : ''}`,
  ];
  if (st.bound !== undefined) lines.push(`  PCT bound: one schedule finds a bug of depth ${st.depth} with probability at least 1/(${r.scenario.programs?.length ?? r.scenario.cpus}·${st.steps}^${(st.depth ?? 1) - 1}) = ${st.bound.toExponential(2)}`);
  if (c.cutByMaxPoints) lines.push(`  ${c.cutByMaxPoints} schedules were cut at the point limit (--max-points)`);
  if (c.exhausted) lines.push(`  ${boundedClaim(r)}`);
  else if (st.name === 'dfs') lines.push(`  the bounded space was not exhausted (stopped: ${r.stopped})`);
  lines.push(r.findings.length ? `findings: ${r.findings.length} distinct` : 'findings: none');
  r.findings.forEach((f, i) => lines.push(...formatExploreFinding(f, (shrunk) => scheduleFile(i, shrunk, shrunk ? f.shrunk!.replay : f.replay))));
  if (r.stopped === 'interrupted') lines.push('(interrupted: what ran is reported)');
  return lines.join('\n');
}

/** What an exhausted dfs proved, with its bound and its reduction. */
function boundedClaim(r: ExploreResult): string {
  const b = plural(r.strategy.preemptions ?? 0, 'preemption');
  if (r.findings.length) return `the bounded space is exhausted: the findings below are all those of the schedules with at most ${b}`;
  if (!r.coverage.boundCut) return `no finding in any schedule at all: the whole space was searched (the bound of ${b} never cut a schedule)`;
  if (r.coverage.exact) return `no finding in any schedule with at most ${b}: the bounded space is exhausted`;
  return `no finding in any schedule with at most ${b} whose reordering of independent operations also fits the bound (sleep sets under a bound); --no-reduction for the strict bound`;
}

function formatExploreFinding(f: ExploreFinding, file: (shrunk: boolean) => string): string[] {
  const out = [
    `  ${f.finding.message}`,
    `    found by ${f.schedules} schedule${f.schedules > 1 ? 's' : ''}; first: ${f.firstSchedule} (${plural(f.preemptions, 'preemption')}, ${f.points} points)`,
    `    replay: ${replayLine(f.replay, () => file(false))}`,
  ];
  if (f.shrunk) {
    out.push(`    shrunk to ${plural(f.shrunk.preemptions, 'preemption')}, ${f.shrunk.points} points (${plural(f.shrunk.tried, 'schedule')} tried): ${replayLine(f.shrunk.replay, () => file(true))}`);
    out.push(...formatInterleaving(f.shrunk.interleaving).map((l) => `      ${l}`));
  }
  return out;
}

export interface ReplayResult {
  kernel: string; digest: string; strategy: string; ending: Ending; points: number; preemptions: number; steps: number;
  findings: FindingView[]; interleaving: Interleaving;
}

/** The token (or a schedule file holding one) replayed exactly. */
export function replayToken(text: string, opts: { observe?: (m: Machine) => StepObserver; maxPoints?: number } = {}): ReplayResult {
  let t;
  try {
    t = decodeToken(text);
  } catch (e) {
    if (e instanceof ScheduleError) throw new ExploreError(e.message);
    throw e;
  }
  const m = buildMachine(t.scenario);
  const digest = modelDigest(m.program);
  if (digest !== t.digest) throw new ExploreError(`the token was made with model ${t.digest} of ${t.kernel}, which is now ${digest}: the kasm changed since, so its schedule would not mean the same`);
  // One run draws the interleaving and feeds the caller's observer (a trace).
  const recorder = new InterleavingRecorder(m);
  const extra = opts.observe?.(m);
  const observer: StepObserver = !extra ? recorder : {
    before: (cpu, point) => { recorder.before(cpu); extra.before(cpu, point); },
    after: (cpu, point, r) => { recorder.after(cpu); extra.after(cpu, point, r); },
  };
  let run: ReturnType<typeof runSchedule>;
  try {
    run = runSchedule(m, new DepartureReplay(t.departures), opts.maxPoints ?? 1_000_000, observer);
  } catch (e) {
    if (e instanceof ScheduleError) throw new ExploreError(e.message);
    throw e;
  }
  const il = recorder.draw();
  return {
    kernel: t.kernel, digest, strategy: t.strategy, ending: run.ending, points: run.choices.length, preemptions: run.preemptions, steps: run.steps,
    findings: groupFindings(m).map((g) => renderFinding(m, g.first, g)), interleaving: il,
  };
}

export function formatReplay(r: ReplayResult): string {
  return [
    `replay: ${r.kernel} (model ${r.digest}), ${r.strategy}`,
    `  ${r.points} scheduling points, ${plural(r.preemptions, 'preemption')}, ${r.steps} micro-ops; ended: ${r.ending}`,
    ...formatInterleaving(r.interleaving).map((l) => `  ${l}`),
    r.findings.length ? `findings: ${r.findings.length}` : 'findings: none',
    ...r.findings.map((f) => `  ${f.message}`),
  ].join('\n');
}

/** Shards of one campaign combined: findings by key (the first schedule
 *  kept is the one with the fewest preemptions, then points), coverage summed. */
export function mergeResults(files: string[]): ExploreResult {
  if (!files.length) throw new ExploreError('merge: name the shards\' JSON files');
  const parts = files.map((f) => {
    let r: ExploreResult;
    try {
      r = JSON.parse(readInputFile(f, 'explore result', 256 << 20));
    } catch (e) {
      throw new ExploreError(`${f}: ${(e as Error).message.split('\n')[0]}`);
    }
    if (typeof r?.digest !== 'string' || !r.coverage || !Array.isArray(r.findings)) throw new ExploreError(`${f}: not the JSON of forksim explore --json`);
    return r;
  });
  const [first] = parts;
  const same = (r: ExploreResult): string => JSON.stringify([r.digest, r.scenario, r.strategy.name, r.strategy.depth, r.strategy.steps, r.strategy.preemptions, r.strategy.reduction, r.strategy.seed, r.shard?.count]);
  parts.forEach((r, i) => { if (same(r) !== same(first)) throw new ExploreError(`${files[i]}: a shard of another campaign (model, scenario, strategy or shard count differ from ${files[0]})`); });
  const shards = new Set(parts.map((r) => r.shard?.index ?? 0));
  if (shards.size !== parts.length) throw new ExploreError('merge: the same shard is given twice');
  const findings = new Map<string, ExploreFinding>();
  for (const f of parts.flatMap((r) => r.findings)) {
    const seen = findings.get(f.key);
    if (!seen) { findings.set(f.key, { ...f }); continue; }
    const keep = f.preemptions < seen.preemptions || (f.preemptions === seen.preemptions && f.points < seen.points) ? { ...f } : seen;
    keep.schedules = seen.schedules + f.schedules;
    findings.set(f.key, keep);
  }
  const union = (pick: (r: ExploreResult) => string[]): string[] => [...new Set(parts.flatMap(pick))].sort();
  const sum = (pick: (r: ExploreResult) => number): number => parts.reduce((n, r) => n + pick(r), 0);
  const traceHashes = union((r) => r.coverage.traceHashes);
  const exhausted = first.coverage.exhausted === null ? null : parts.every((r) => r.coverage.exhausted);
  const all = (k: 'boundCut' | 'exact', how: 'some' | 'every'): boolean | null => (first.coverage[k] === null ? null : parts[how]((r) => r.coverage[k]));
  return {
    ...first,
    shard: undefined,
    coverage: {
      schedules: sum((r) => r.coverage.schedules), pruned: sum((r) => r.coverage.pruned), distinctTraces: traceHashes.length, traceHashes,
      lockOrders: union((r) => r.coverage.lockOrders), ladders: union((r) => r.coverage.ladders),
      points: sum((r) => r.coverage.points), steps: sum((r) => r.coverage.steps), cutByMaxPoints: sum((r) => r.coverage.cutByMaxPoints), exhausted,
      boundCut: all('boundCut', 'some'), exact: all('exact', 'every'),
    },
    findings: [...findings.values()],
    stopped: parts.some((r) => r.stopped === 'interrupted') ? 'interrupted' : exhausted ? 'exhausted' : first.stopped,
    elapsedSeconds: Math.max(...parts.map((r) => r.elapsedSeconds)),
  };
}

/** A schedule file: a token on its first line. */
export const readScheduleFile = (path: string): string => readInputFile(path, 'schedule file', 1 << 20).split('\n')[0];

/** Replay a token under the Chrome trace observer: its result and trace. */
export function traceToken(token: string, maxPoints?: number): { result: ReplayResult; trace: TraceDocument } {
  let trace: ChromeTrace | undefined;
  const result = replayToken(token, { maxPoints, observe: (m) => (trace = new ChromeTrace(m)) });
  return { result, trace: trace!.finish() };
}

/** The trace of a schedule with no preemption (explore --trace with nothing found). */
export function traceDefault(m: Machine, maxPoints: number): TraceDocument {
  const trace = new ChromeTrace(m);
  runSchedule(m, new DepartureReplay([]), maxPoints, trace);
  return trace.finish();
}
