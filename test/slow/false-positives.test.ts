// The correct kernels over a million forks each: no lockdep report, no
// finding at all but the one known upstream window, under both drivers.
// Slow (about a minute): `npm run test:slow`, which CI runs after `npm test`.
import { describe, it, expect } from 'vitest';
import { run, brief } from '../helpers.js';
import { knownUpstream } from '../known.js';

const weights = (kernel: string) => (kernel === 'v6.12-scx' ? { load_balance: 5, scx_enable: 0.05, scx_disable: 0.05 } : { load_balance: 5 });

describe('correct kernels: no lockdep reports', () => {
  it.each(['v6.10', 'v6.10-patched', 'v6.12-scx'])('%s, 1,000,000 forks, step driver, 4 CPUs', async (kernel) => {
    const { m, r, f } = await run(kernel, { driver: 'step', cpus: 4, forks: 1_000_000, weights: weights(kernel) });
    expect(f.filter((g) => !knownUpstream(m.program)(g)).map(brief(m.program))).toEqual([]);
    expect(r.activity.migrations).toBeGreaterThan(1000);
    if (kernel === 'v6.12-scx') expect(r.actions.scx_enable).toBeGreaterThan(100);
    expect(r.lockStat?.rows.find((x) => x.class === '&rq->__lock')?.acquisitions).toBeGreaterThan(0);
  });
  it.each(['v6.10', 'v6.12-scx'])('%s, 1,000,000 forks, parallel driver, 2 CPUs', async (kernel) => {
    const { m, r, f } = await run(kernel, { driver: 'parallel', cpus: 2, forks: 1_000_000, weights: weights(kernel) });
    expect(f.filter((g) => !knownUpstream(m.program)(g)).map(brief(m.program))).toEqual([]);
    const rows = r.lockStat!.rows;
    expect(rows.find((x) => x.class === 'tasklist_lock' && x.mode === 'write')!.contentions).toBeGreaterThan(0);
    expect(r.lockStat!.top[0].contentions).toBeGreaterThan(0);
  });
});
