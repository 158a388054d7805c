// forksim explore: the strategies over closed scenarios. The v6.12 window
// found by pct without stalls and shrunk to the two flag tests around the
// enable; dfs exhausting bounded spaces of the correct kernels; every
// mutant found, each by a token that replays it; sleep sets sound against
// the unreduced search; shards merging into the unsharded campaign.
import { describe, it, expect } from 'vitest';
import { parseScenario, type ScenarioInput } from '../src/machine/scenario.js';
import { buildMachine } from '../src/commands/run.js';
import { explore, type ExploreOptions, type ExploreResult } from '../src/explore/campaign.js';
import { runSchedule } from '../src/explore/execution.js';
import { DepartureReplay, decodeToken, encodeToken, modelDigest, ScheduleError } from '../src/explore/schedule.js';
import { ExploreError, mergeResults, replayToken, traceToken } from '../src/commands/explore.js';
import { checkTrace } from '../src/trace/chrome.js';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kasm, machineFor } from './helpers.js';
import * as A from '../assembly/abi.js';
import { mutantSearches } from '../src/explore/mutants.js';
import { listModels } from '../src/kasm/index.js';

const closed = (kernel: string, programs: string[][], extra: ScenarioInput = {}) =>
  parseScenario({ kernel, driver: 'step', cpus: programs.length, tasks: 64, forks: 0, programs, ...extra });

const options = (o: Partial<ExploreOptions>): ExploreOptions =>
  ({ strategy: 'pct', depth: 3, preemptions: 2, reduction: true, maxPoints: 20_000, shrink: true, ...o });

const search = (kernel: string, programs: string[][], o: Partial<ExploreOptions>, extra: ScenarioInput = {}): Promise<ExploreResult> =>
  explore(buildMachine(closed(kernel, programs, extra)), options(o));

const scxWindow = { faults: { fatal_signal_pending: { nth: 1 } } };
const index = (label: string): number => Number(/schedule (\d+)/.exec(label)?.[1]);

describe('the v6.12 scx_cancel_fork() window, found by pct without stalls', () => {
  it('pct finds the leaked scx_task within 20 schedules and shrinks it to one preemption around the enable', async () => {
    const r = await search('v6.12-scx', [['scx_enable'], ['fork']], { strategy: 'pct', schedules: 20 }, scxWindow);
    expect(r.findings.map((f) => [f.kind, f.finding.resources, f.finding.failure?.site])).toEqual([['leak', ['scx_task'], 'fatal_signal_pending']]);
    const f = r.findings[0];
    expect(index(f.firstSchedule)).toBeLessThan(20);
    expect(f.shrunk!.preemptions).toBe(1);
    // The whiteboard: CPU 0 sets init_task_enabled; CPU 1's scx_fork() sees
    // it and scx_cancel_fork() does not see scx_enabled; then CPU 0 sets it.
    const rows = f.shrunk!.interleaving.rows;
    const at = (cpu: number, text: RegExp): number => rows.findIndex((x) => x.cpu === cpu && text.test(x.text));
    const order = [at(0, /set scx_ops_init_task_enabled/), at(1, /scx_fork: if !scx_ops_init_task_enabled/), at(1, /scx_cancel_fork: if !scx_enabled/), at(0, /set scx_enabled/)];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(rows.find((x) => x.finding)?.finding).toBe('leak');
    // Its token replays it exactly.
    const again = replayToken(f.shrunk!.replay);
    expect(again.findings.map((x) => x.kind)).toEqual(['leak']);
    expect(again.preemptions).toBe(1);
  });

  it('the proposed fix is clean under the same pct search and exhausts dfs at bound 2', async () => {
    const pct = await search('proposed/scx-cancel-fork-state', [['scx_enable'], ['fork']], { strategy: 'pct', schedules: 200 }, scxWindow);
    expect(pct.findings).toEqual([]);
    const dfs = await search('proposed/scx-cancel-fork-state', [['scx_enable'], ['fork']], { strategy: 'dfs' }, scxWindow);
    expect(dfs.coverage.exhausted).toBe(true);
    expect(dfs.findings).toEqual([]);
    const bad = await search('v6.12-scx', [['scx_enable'], ['fork']], { strategy: 'dfs', shrink: false }, scxWindow);
    expect(bad.findings.map((x) => x.kind)).toEqual(['leak']);
  }, 60_000);
});

describe('dfs: bounded-exhaustive search', () => {
  // Two CPUs of a kernel whose sys_fork is the litmus test's split
  // increment: load, store. Every interleaving runs; one loses an update.
  const litmus = kasm('routine void sys_fork\n    litmus_load\n    litmus_store\n    return\n');
  const litmusMachine = () => machineFor(litmus, { driver: 'step', cpus: 2, tasks: 16, forks: 0, programs: [['fork'], ['fork']] });

  it('without a bound it runs every interleaving exactly once, and sees both outcomes of the racy increment', async () => {
    const m = litmusMachine();
    const outcomes = new Set<number>();
    const r = await explore(m, options({ strategy: 'dfs', preemptions: 99, reduction: false, shrink: false }));
    expect(r.coverage.exhausted).toBe(true);
    // Each CPU: syscall entry, load, store, return: C(8, 4) interleavings;
    // the two entries only read, so the orders of adjacent entries are one
    // trace, which sleep sets run once.
    expect(r.coverage.schedules).toBe(70);
    expect(r.coverage.distinctTraces).toBe(50);
    const reduced = await explore(litmusMachine(), options({ strategy: 'dfs', preemptions: 99, reduction: true, shrink: false }));
    expect([reduced.coverage.schedules, reduced.coverage.distinctTraces]).toEqual([50, 50]);
    // Replay a few: the lost update is among them.
    for (const d of [[], [{ at: 1, cpu: 1 }], [{ at: 2, cpu: 1 }]]) {
      runSchedule(m, new DepartureReplay(d), 100);
      outcomes.add(m.litmus());
    }
    expect(outcomes).toEqual(new Set([1, 2]));
  });

  it('the preemption bound counts schedules as CHESS does', async () => {
    const counts = [];
    for (const b of [0, 1, 2]) counts.push((await explore(litmusMachine(), options({ strategy: 'dfs', preemptions: b, reduction: false, shrink: false }))).coverage.schedules);
    // 0: run each CPU to its end (2 orders); each bound adds schedules, up to all 70.
    expect(counts[0]).toBe(2);
    expect(counts[1]).toBeGreaterThan(counts[0]);
    expect(counts[2]).toBeGreaterThan(counts[1]);
    expect(counts[2]).toBeLessThanOrEqual(70);
  });

  it('sleep sets skip reorderings of independent lock operations and reach every trace the unreduced search does', async () => {
    const two = kasm([
      'lock lock_a spinlock global', 'lock lock_b spinlock global',
      'routine void sys_fork\n    spin_lock lock_a\n    spin_unlock lock_a\n    spin_lock lock_a\n    spin_unlock lock_a\n    return',
      'routine void sys_kill\n    spin_lock lock_b\n    spin_unlock lock_b\n    spin_lock lock_b\n    spin_unlock lock_b\n    return',
    ].join('\n'));
    const m = (): ReturnType<typeof machineFor> => machineFor(two, { driver: 'step', cpus: 2, tasks: 16, forks: 0, programs: [['fork'], ['kill']] });
    const full = await explore(m(), options({ strategy: 'dfs', preemptions: 99, reduction: false, shrink: false }));
    const reduced = await explore(m(), options({ strategy: 'dfs', preemptions: 99, reduction: true, shrink: false }));
    expect(full.coverage.exhausted && reduced.coverage.exhausted).toBe(true);
    expect(reduced.coverage.schedules).toBeLessThan(full.coverage.schedules);
    expect(reduced.coverage.traceHashes).toEqual(full.coverage.traceHashes);
  });

  it('on a real kernel, sleep sets with no bound run one schedule per trace: every trace the unreduced search reaches', async () => {
    const o = { strategy: 'dfs' as const, preemptions: 99, shrink: false };
    const full = await search('v6.10', [['kill'], ['yield']], { ...o, reduction: false });
    const reduced = await search('v6.10', [['kill'], ['yield']], { ...o, reduction: true });
    expect(full.coverage.boundCut).toBe(false);
    expect(reduced.coverage.traceHashes).toEqual(full.coverage.traceHashes);
    expect(reduced.coverage.schedules).toBe(reduced.coverage.distinctTraces);
    expect(reduced.coverage.schedules).toBeLessThan(full.coverage.schedules);
  });

  it('at bound 2 the claim is exact without reduction; with sleep sets it says what it covers', async () => {
    const strict = await search('v6.12-scx', [['scx_enable'], ['fork']], { strategy: 'dfs', reduction: false }, { faults: { fatal_signal_pending: { nth: 2 } } });
    expect([strict.coverage.exhausted, strict.coverage.boundCut, strict.coverage.exact]).toEqual([true, true, true]);
    expect(strict.findings).toEqual([]);
    const reduced = await search('v6.12-scx', [['scx_enable'], ['fork']], { strategy: 'dfs', reduction: true }, { faults: { fatal_signal_pending: { nth: 2 } } });
    expect([reduced.coverage.exhausted, reduced.coverage.exact]).toEqual([true, false]);
    expect(reduced.coverage.schedules).toBeLessThanOrEqual(strict.coverage.schedules);
  }, 60_000);
});

describe('every mutant is found by explore, and its replay token reproduces it', () => {
  const searches = mutantSearches();
  it('kernels/mutants/explore.yaml names every shipped mutant', () => {
    expect(searches.map((x) => x.mutant).sort()).toEqual(listModels().filter((k) => /^mutants\/[^/]+$/.test(k)).map((k) => k.slice('mutants/'.length)).sort());
  });
  it.each(searches)('$mutant: $finds by $strategy', async (t) => {
    // dfs runs its whole bounded space; pct and random 300 schedules.
    const r = await explore(buildMachine(t.scenario), options({ strategy: t.strategy, schedules: t.strategy === 'dfs' ? undefined : 300, shrink: false }));
    const f = r.findings.find((x) => x.kind === t.finds);
    expect(f, JSON.stringify(r.findings.map((x) => x.kind))).toBeDefined();
    const replayed = replayToken(f!.replay);
    expect(replayed.findings.map((x) => x.kind)).toContain(t.finds);
  }, 60_000);
});

describe('coverage', () => {
  it('the lock-order pairs read in bulk are exactly the edges of lockdep\'s graph', () => {
    const m = buildMachine(closed('v6.12-scx', [['scx_enable', 'fork'], ['fork']]));
    runSchedule(m, new DepartureReplay([]), 20_000);
    const all: string[] = [];
    for (let from = 0; from < A.LOCKDEP_NODES; from++) for (let to = 0; to < A.LOCKDEP_NODES; to++) if (m.hasEdge(from, to)) all.push(`${from}>${to}`);
    expect(all.length).toBeGreaterThan(5);
    expect(m.lockOrderEdges().map(([f, t]) => `${f}>${t}`)).toEqual(all);
  });
});

describe('replay tokens', () => {
  it('carry the model digest, scenario, strategy and choices, and refuse another model or a damaged token', () => {
    const s = closed('v6.12-scx', [['scx_enable'], ['fork']], scxWindow);
    const m = buildMachine(s);
    const token = encodeToken({ kernel: s.kernel, digest: modelDigest(m.program), scenario: s, strategy: 'pct test', departures: [{ at: 5, cpu: 1 }, { at: 90, cpu: 0 }] });
    const t = decodeToken(token);
    expect(t.departures).toEqual([{ at: 5, cpu: 1 }, { at: 90, cpu: 0 }]);
    expect(t.scenario).toEqual(s);
    expect(t.strategy).toBe('pct test');
    expect(token.length).toBeLessThan(400);
    const other = encodeToken({ kernel: s.kernel, digest: '000000000000', scenario: s, strategy: 'x', departures: [] });
    expect(() => replayToken(other)).toThrow(ExploreError);
    expect(() => replayToken(other)).toThrow(/model 000000000000/);
    expect(() => replayToken('fs1-AAAA')).toThrow(/damaged/);
    expect(() => replayToken('hello')).toThrow(/not a forksim replay token/);
    // A departure to a CPU that cannot step there: not this scenario's schedule.
    expect(() => runSchedule(m, new DepartureReplay([{ at: 0, cpu: 7 }]), 100)).toThrow(ScheduleError);
  });
});

describe('traces', () => {
  it('a shrunk deadlock replay traces to a valid Chrome trace with the deadlock and both waits', async () => {
    const r = await search('mutants/deadlock-abba', [['fork'], ['kill']], { strategy: 'dfs' });
    const f = r.findings.find((x) => x.kind === 'deadlock')!;
    expect(f.shrunk!.preemptions).toBeLessThanOrEqual(1);
    const { trace, result } = traceToken(f.shrunk!.replay);
    expect(result.ending).toBe('deadlock');
    expect(checkTrace(trace)).toEqual([]);
    const ev = trace.traceEvents;
    expect(ev.filter((e) => e.ph === 'i' && e.name === 'deadlock')).toHaveLength(1);
    expect(new Set(ev.filter((e) => e.ph === 'B' && e.name.startsWith('wait ')).map((e) => e.tid))).toEqual(new Set([0, 1]));
  }, 60_000);
});

describe('shards', () => {
  const programs = [['fork'], ['fork']];
  const merged = async (o: Partial<ExploreOptions>, n: number): Promise<ExploreResult> => {
    const dir = mkdtempSync(join(tmpdir(), 'forksim-shards-'));
    const files = [];
    for (let i = 0; i < n; i++) {
      const r = await search('mutants/three-lock-cycle', programs, { ...o, shard: { index: i, count: n } });
      files.push(join(dir, `${i}.json`));
      writeFileSync(files[i], JSON.stringify(r));
    }
    return mergeResults(files);
  };
  const same = (r: ExploreResult) => ({
    findings: r.findings.map((f) => [f.key, f.schedules]).sort(),
    ...Object.fromEntries(['schedules', 'pruned', 'distinctTraces', 'traceHashes', 'lockOrders', 'ladders', 'points', 'steps', 'exhausted'].map((k) => [k, r.coverage[k as keyof ExploreResult['coverage']]])),
  });

  it('dfs: three shards merged equal the unsharded search of the same space', async () => {
    const o = { strategy: 'dfs' as const, preemptions: 1, shrink: false };
    const whole = await search('mutants/three-lock-cycle', programs, o);
    expect(whole.coverage.exhausted).toBe(true);
    expect(same(await merged(o, 3))).toEqual(same(whole));
  }, 120_000);

  it('pct: two shards of 40 schedules merged equal one run of 80', async () => {
    const o = { strategy: 'pct' as const, schedules: 40, shrink: false };
    const whole = await search('mutants/three-lock-cycle', programs, { ...o, schedules: 80 });
    expect(same(await merged(o, 2))).toEqual(same(whole));
  }, 60_000);

  it('merge refuses shards of different campaigns and a shard given twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'forksim-shards-'));
    const a = await search('mutants/three-lock-cycle', programs, { strategy: 'pct', schedules: 5, shard: { index: 0, count: 2 } });
    const b = await search('mutants/three-lock-cycle', programs, { strategy: 'pct', schedules: 5, shard: { index: 1, count: 2 }, depth: 2 });
    writeFileSync(join(dir, 'a.json'), JSON.stringify(a));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(b));
    expect(() => mergeResults([join(dir, 'a.json'), join(dir, 'b.json')])).toThrow(/another campaign/);
    expect(() => mergeResults([join(dir, 'a.json'), join(dir, 'a.json')])).toThrow(/twice/);
  });
});
