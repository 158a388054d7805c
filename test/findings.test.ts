// Nothing found is lost: every distinct finding is counted exactly and its
// first record kept however small the record ring, the report says how many
// records it did not store, and failures after the ledger broke are told
// apart from the kernel's own natural failures.
import { describe, it, expect } from 'vitest';
import { run, kinds } from './helpers.js';

describe('a full record ring', () => {
  it('keeps every distinct finding, with exact counts, and says how many records it dropped', async () => {
    // Every site after perf_event_init_task failing now and then: each leaks perf, from its own site.
    const sites = ['audit_alloc', 'security_task_alloc', 'copy_semundo', 'copy_files', 'copy_fs', 'copy_sighand', 'copy_signal', 'copy_mm',
      'copy_namespaces', 'copy_io', 'copy_thread', 'alloc_pid', 'idr_alloc_cyclic', 'cgroup_can_fork', 'pids_can_fork', 'fatal_signal_pending', 'copy_process:pidns_adding'];
    const faults = Object.fromEntries(sites.map((x) => [x, { probability: 0.01 }]));
    const scenario = { driver: 'step' as const, cpus: 4, forks: 20_000, seed: 2, faults };
    const big = await run('mutants/leak-skip-release', { ...scenario, findingsCap: 1 << 16 });
    const small = await run('mutants/leak-skip-release', { ...scenario, findingsCap: 16 });
    expect(big.r.findings.total).toBeGreaterThan(100);
    expect(big.r.findings.notStored).toBe(0);
    expect(small.r.findings.total).toBe(big.r.findings.total);
    expect(small.r.findings.notStored).toBe(small.r.findings.total - 16);
    expect(small.r.findings.uncounted).toBe(0);
    expect(small.f.map((g) => [g.first.kind, g.first.pc, g.count])).toEqual(big.f.map((g) => [g.first.kind, g.first.pc, g.count]));
    expect(small.f.length).toBeGreaterThan(16); // more distinct findings than the ring holds
    expect(small.m.findingCounts().perKind).toEqual(big.m.findingCounts().perKind);
  });
});

describe('natural failures after the ledger broke', () => {
  it('are counted apart once a release ran twice, and never on a correct kernel', async () => {
    const bad = await run('mutants/scx-no-label-split', { driver: 'step', cpus: 4, forks: 20_000, seed: 2 });
    expect(kinds(bad.f)).toContain('double-release');
    expect(bad.m.ledgerBrokenAt()).not.toBeNull();
    const after = bad.r.failures.filter((x) => x.afterLedgerBroke);
    expect(after.length).toBeGreaterThan(0);
    for (const x of after) expect(x.afterLedgerBroke!).toBeLessThanOrEqual(x.natural);
    const good = await run('v6.12-scx', { driver: 'step', cpus: 4, forks: 20_000, seed: 2 });
    expect(good.m.ledgerBrokenAt()).toBeNull();
    expect(good.r.failures.some((x) => x.afterLedgerBroke)).toBe(false);
    expect(good.r.failures.some((x) => x.natural > 0)).toBe(true);
  });
});
