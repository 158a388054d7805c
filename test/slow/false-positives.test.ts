// The correct kernels over a million clones each (the default mix: forks,
// threads, vforks, CLONE_PIDFD clones), with the tick, the send_sigio()-like
// interrupt and the wakeup IPI, and --preempt full: no lockdep report (cycles,
// hardirq usage, wait types), no sleeping in atomic context, no hung task,
// no finding at all but the one known upstream window, conservation that
// counts the threads that released themselves, under both drivers. Slow (a
// few minutes): `npm run test:slow`, which CI runs after `npm test`.
import { describe, it, expect } from 'vitest';
import { run, brief } from '../helpers.js';
import { knownUpstream } from '../known.js';

const scx = (kernel: string): boolean => kernel === 'v6.12-scx' || kernel === 'v6.17';
const weights = (kernel: string) => (scx(kernel) ? { load_balance: 5, scx_enable: 0.05, scx_disable: 0.05 } : { load_balance: 5 });
const CLONES = ['fork', 'vfork', 'clone_pidfd', 'clone_thread'];
const contexts = { interrupts: 'on', preempt: 'full' } as const;

describe('correct kernels: no lockdep reports', () => {
  it.each(['v6.10', 'v6.10-patched', 'v6.12-scx', 'v6.17'])('%s, 1,000,000 clones, interrupts and full preemption, step driver, 4 CPUs', async (kernel) => {
    const { m, r, f } = await run(kernel, { driver: 'step', cpus: 4, forks: 1_000_000, weights: weights(kernel), ...contexts });
    expect(f.filter((g) => !knownUpstream(m.program)(g)).map(brief(m.program))).toEqual([]);
    expect(r.forks.ok + r.forks.failed).toBeGreaterThanOrEqual(1_000_000);
    for (const k of CLONES) expect(r.clones[k], k).toBeGreaterThan(50_000);
    expect(r.conservation).toMatchObject({ balanced: true });
    expect(r.activity.autoreaped).toBeGreaterThan(100_000);
    expect(r.activity.migrations).toBeGreaterThan(1000);
    if (scx(kernel)) expect(r.actions.scx_enable).toBeGreaterThan(100);
    expect(r.lockStat?.rows.find((x) => x.class === '&rq->__lock')?.acquisitions).toBeGreaterThan(0);
    expect(r.contexts.irqs).toBeGreaterThan(100_000);
    expect(r.contexts.preempts).toBeGreaterThan(10_000);
    if (scx(kernel)) expect(r.contexts.wakeups).toBe(r.contexts.blocks);
  });
  it.each(['v6.10', 'v6.10-patched', 'v6.12-scx'])('%s, 1,000,000 clones, interrupts and full preemption, parallel driver, 2 CPUs', async (kernel) => {
    const { m, r, f } = await run(kernel, { driver: 'parallel', cpus: 2, forks: 1_000_000, weights: weights(kernel), ...contexts });
    expect(f.filter((g) => !knownUpstream(m.program)(g)).map(brief(m.program))).toEqual([]);
    for (const k of CLONES) expect(r.clones[k], k).toBeGreaterThan(50_000);
    expect(r.conservation).toMatchObject({ balanced: true });
    const rows = r.lockStat!.rows;
    expect(rows.find((x) => x.class === 'tasklist_lock' && x.mode === 'write')!.contentions).toBeGreaterThan(0);
    expect(r.lockStat!.top[0].contentions).toBeGreaterThan(0);
    expect(r.contexts.irqs).toBeGreaterThan(0);
  });
});
