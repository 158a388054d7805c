// The window forksim found in v6.12 sched_ext, replayed exactly under the
// step driver (a stalled CPU opens it), and the proposed fix closing it.
import { describe, it, expect } from 'vitest';
import { run, brief, failedAt, labelNames, resources } from './helpers.js';

const scenario = (seed: number) => ({
  driver: 'step' as const, cpus: 4, seed, forks: 20_000,
  faults: { fatal_signal_pending: { probability: 0.2 } },
  weights: { scx_enable: 5, scx_disable: 5 },
  stall: { rate: 0.002, maxSteps: 3000 },
});

describe('scx_cancel_fork() tests scx_enabled(), scx_fork() tests scx_ops_init_task_enabled', () => {
  it('v6.12-scx: a fork that runs ops.init_task() in the gap and then fails leaks its scx_task', async () => {
    const { m, r, f } = await run('v6.12-scx', scenario(2));
    expect(f.map((g) => [g.first.kind, 'resources' in g.first ? g.first.resources : 0n, failedAt(m.program, g.first)]))
      .toEqual([['leak', resources('scx_task'), 'fatal_signal_pending']]);
    expect(labelNames(m.program, f[0].first)).toContain('bad_fork_sched_cancel_fork'); // it did run sched_cancel_fork()
    expect(r.reproduce).toContain('--stall 0.002:3000');
  });

  it('the proposed fix (test the task\'s scx state) leaks nothing under the same schedules', async () => {
    for (const seed of [2, 4, 12]) { // all three leak on v6.12-scx
      const { m, r, f } = await run('proposed/scx-cancel-fork-state', scenario(seed));
      expect(f.map(brief(m.program))).toEqual([]);
      expect(r.failures.find((x) => x.site === 'fatal_signal_pending')?.injected).toBeGreaterThan(0);
    }
  });

  it('stalls are part of the replay: the same scenario and seed give the same run', async () => {
    const a = await run('v6.12-scx', { ...scenario(2), forks: 5000 });
    const b = await run('v6.12-scx', { ...scenario(2), forks: 5000 });
    expect(b.r.steps).toBe(a.r.steps);
    expect(Buffer.from(b.m.memory.buffer).equals(Buffer.from(a.m.memory.buffer))).toBe(true);
  });
});
