// The benchmark harness measures what it says: the lock-pair kernels take the
// micro-ops they should, the counters it divides by move, the throughput run
// is timed and counted, and the chart is well-formed. No timing is asserted.
import { describe, it, expect } from 'vitest';
import * as L from '../assembly/layout.js';
import { quietLimit } from '../src/drivers/step.js';
import { machine, scalingSvg, table } from '../bench/lib.js';
import { microSpecs, memoryFor, runInterleaved } from '../bench/micro.js';
import { parallelRounds, roundRatio, timedRun } from '../bench/throughput.js';

describe('bench harness', () => {
  it('each micro-benchmark counts operations, and lock pairs cost exactly two micro-ops more than an empty syscall', () => {
    const stepsPer: Record<string, number> = {};
    for (const s of microSpecs('v6.10-patched').filter((x) => x.batch > 0)) {
      const m = machine(s.kernel, s.scenario);
      const o0 = s.ops(m), s0 = Number(m.steps());
      expect(m.core.runStep(50_000n, quietLimit(1))).toBe(0);
      const ops = s.ops(m) - o0;
      expect(ops, s.key).toBeGreaterThan(0);
      stepsPer[s.key] = (Number(m.steps()) - s0) / ops;
      expect(m.nrFindings(), s.key).toBe(0);
    }
    expect(stepsPer.emptySyscall).toBeCloseTo(2, 1);
    for (const k of ['spinPair', 'readPair', 'writePair', 'spinPairNoLockdep']) expect(stepsPer[k], k).toBeCloseTo(4, 1);
    expect(stepsPer.forkCycle).toBeCloseTo(stepsPer.forkCycleNoLockdep, 0); // same work with lockdep off
  });

  it('interleaved comparisons give finite numbers', () => {
    const r = runInterleaved({ kernel: 'v6.10-patched', timeMs: 100 });
    expect(r.rounds).toBeGreaterThanOrEqual(5);
    expect(Number.isFinite(r.lockdepSlowdown)).toBe(true);
    expect(r.nsPerOp.microop).toBeGreaterThan(0);
  });

  it('1,000,000 task slots are laid out and measured', () => {
    const mem = memoryFor(1_000_000, 2, 'v6.10-patched');
    expect(mem.layoutBytes).toBeGreaterThan(1_000_000 * L.TASK_STRIDE);
    expect(mem.memoryBytes).toBeGreaterThanOrEqual(mem.layoutBytes);
  });

  it('a parallel throughput point is timed by the coordinator and counted by the machine', async () => {
    const p = await timedRun(1, { kernel: 'v6.10-patched', seconds: 0.3 });
    expect(p.stopReason).toBe('duration');
    expect(p.wallSeconds).toBeGreaterThanOrEqual(0.3);
    expect(p.forksOk).toBeGreaterThan(0);
    expect(p.forksPerSecond).toBeCloseTo(p.forksOk / p.wallSeconds, 0);
    expect(p.findings).toBe(0);
  });

  it('interleaved rounds run every configuration once per round, and a ratio is taken within each round', async () => {
    const { points, perRound } = await parallelRounds([{ id: 'a', cpus: 1 }, { id: 'b', cpus: 1, lockdep: false }], { kernel: 'v6.10-patched', seconds: 0.2, rounds: 2 });
    expect(perRound.get('a')).toHaveLength(2);
    expect(points.get('b')!.lockdep).toBe(false);
    expect(points.get('a')!.repeats).toEqual(perRound.get('a'));
    const q = roundRatio(new Map([['x', [2, 9]], ['y', [1, 3]]]), 'x', 'y');
    expect(q).toEqual({ median: 2.5, min: 2, max: 3, values: [2, 3] });
  });

  it('writes a well-formed chart and table', () => {
    const svg = scalingSvg('t', 'x', 'y', [{ name: 'a', color: '#000', points: [[1, 10], [2, 15], [4, 12]] }]);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<circle/g)?.length).toBe(3);
    expect(table(['a', 'b'], [['1', 'x|y']], ['l', 'r'])).toBe('| a | b |\n|---|---:|\n| 1 | x\\|y |');
  });
});
