// Every detector against a mutant it must catch, under both drivers, with
// assertions on what the report says (site, resource, lock, CPUs).
import { describe, it, expect } from 'vitest';
import { run, kinds } from './helpers.js';

describe.each(['step', 'parallel'] as const)('mutants under the %s driver', (driver) => {
  const base = { driver, cpus: driver === 'step' ? 4 : 2, forks: 20_000, watchdogMs: 1000 };

  it('a ladder that skips a release is a leak naming the site and the resource', async () => {
    const { r } = await run('mutants/leak-skip-release', base);
    const leaks = r.findings.groups.filter((g) => g.kind === 'leak');
    expect(leaks.length).toBeGreaterThan(0);
    for (const g of leaks) {
      expect(g.resources).toEqual(['perf']);
      expect(g.failure?.site).toBeTruthy();
      expect(g.ladder).toContain('bad_fork_cleanup_audit');
      expect(g.ladder).toContain('bad_fork_cleanup_perf'); // passed, but it no longer releases perf
    }
    expect(kinds(r)).toEqual(['leak']);
  });

  it('unlocking a lock never taken is a bad unlock balance at that line', async () => {
    const { r } = await run('mutants/bad-unlock-balance', base);
    expect(kinds(r)).toEqual(['bad-unlock-balance']);
    const g = r.findings.groups[0];
    expect(g.at?.routine).toBe('sys_kill');
    expect(g.at?.file).toBe('kernels/mutants/bad-unlock-balance/signal.kasm');
    expect(g.lock).toMatch(/siglock/);
  });

  it('the v6.12 hooks under the pre-patch ladder leak the scx_fork_rwsem read hold, and scx enable then hangs', async () => {
    const { r } = await run('mutants/scx-prepatch-ladder', { ...base, forks: 0, maxSteps: 50_000_000, duration: 30 });
    expect(['deadlock', 'hang']).toContain(r.stopReason);
    const held = r.findings.groups.filter((g) => g.kind === 'lock-held-returning-to-user');
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((g) => g.lockClass === 'scx_fork_rwsem' && g.failure)).toBe(true);
    const chain = r.extra.join('\n');
    expect(chain).toMatch(/waits for scx_fork_rwsem \(write\)/);
    expect(chain).toMatch(/a leaked read hold/);
  });

  it('two locks taken in opposite orders end in a deadlock naming both CPUs and both locks', async () => {
    const { r } = await run('mutants/deadlock-abba', { ...base, forks: 0, maxSteps: 50_000_000, duration: 30 });
    expect(r.stopReason).toBe(driver === 'step' ? 'deadlock' : 'hang');
    const chain = r.extra.join('\n');
    const cycle = /cycle: CPU(\d+) → CPU(\d+) → CPU\1/.exec(chain);
    expect(cycle).not.toBeNull();
    expect(chain).toMatch(new RegExp(`CPU${cycle![1]} .*\\n\\s+waits for (pidmap_lock|css_set_lock)`));
    expect(chain).toMatch(/waits for pidmap_lock/);
    expect(chain).toMatch(/waits for css_set_lock/);
  });
});
