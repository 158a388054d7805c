// Each shipped kernel model under a full workload: 100,000 forks on 4 CPUs
// with kills, pid-namespace teardowns, max_threads pressure, load balancing
// (and sched_ext switching, in v6.12-scx): no findings, every invariant,
// exact conservation, and the same result for the same seed.
import { describe, it, expect } from 'vitest';
import { run, brief } from './helpers.js';
import type { RunReport } from '../src/report/run.js';

const stable = (r: RunReport): unknown => ({ ...r, elapsedSeconds: 0, forks: { ...r.forks, perSecond: 0, perCpu: r.forks.perCpu.map((c) => ({ ...c, perSecond: 0 })) } });

describe.each(['v6.10', 'v6.10-patched', 'v6.12-scx'])('kernel %s, step driver', (kernel) => {
  it('runs 100,000 forks on 4 CPUs with natural failures and nothing wrong', async () => {
    const { m, r, f } = await run(kernel, { driver: 'step', cpus: 4, forks: 100_000, seed: 7 });
    expect(r.stopReason).toBe('forks');
    expect(f.map(brief(m.program))).toEqual([]);
    expect(r.invariantsChecked).toBe(true);
    expect(r.conservation?.balanced).toBe(true);
    expect(r.forks.ok + r.forks.failed).toBeGreaterThanOrEqual(100_000);
    const failed = Object.fromEntries(r.failures.map((x) => [x.site, x.errno]));
    expect(failed).toMatchObject({
      fatal_signal_pending: '-EINTR', // a kill arriving mid-fork
      nr_threads_max_threads: '-EAGAIN', // max_threads
      'alloc_pid:pidns_adding': '-ENOMEM', // a dying pid namespace
    });
    expect(r.activity.kills).toBeGreaterThan(0);
    expect(r.activity.migrations).toBeGreaterThan(0);
    // the clone mix: every kind, and the threads that released themselves counted
    for (const k of ['fork', 'vfork', 'clone_pidfd', 'clone_thread']) expect(r.clones[k], k).toBeGreaterThan(2000);
    expect(r.activity.autoreaped).toBeGreaterThan(5000);
    expect(r.actions.vfork_wait).toBeGreaterThan(0);
    if (kernel === 'v6.12-scx') {
      expect(r.actions.scx_enable).toBeGreaterThan(0);
      expect(failed.scx_ops_init_task).toBe('-ENOMEM'); // ops.init_task() refusing
    }
  });

  it('ends in the same state for the same seed', async () => {
    const a = await run(kernel, { driver: 'step', cpus: 4, forks: 20_000, seed: 3 });
    const b = await run(kernel, { driver: 'step', cpus: 4, forks: 20_000, seed: 3 });
    const c = await run(kernel, { driver: 'step', cpus: 4, forks: 20_000, seed: 4 });
    expect(stable(b.r)).toEqual(stable(a.r));
    expect(Buffer.from(b.m.memory.buffer).equals(Buffer.from(a.m.memory.buffer))).toBe(true);
    expect(c.r.steps).not.toBe(a.r.steps);
  });
});
