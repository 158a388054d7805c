// Every detector against a mutant it must catch, under both drivers, with
// assertions on the finding records (site, resource, lock, CPUs) and on the
// structured hang the driver returned.
import { describe, it, expect } from 'vitest';
import * as A from '../assembly/abi.js';
import { run, kinds, ofKind, failedAt, labelNames, resources, placeOf, CLASS } from './helpers.js';
import { waiters, findCycle } from '../src/analysis/waitfor.js';

describe.each(['step', 'parallel'] as const)('mutants under the %s driver', (driver) => {
  const base = { driver, cpus: driver === 'step' ? 4 : 2, forks: 20_000, watchdogMs: 1000 };

  it('a ladder that skips a release is a leak naming the site and the resource', async () => {
    const { m, f } = await run('mutants/leak-skip-release', base);
    const leaks = ofKind(f, 'leak');
    expect(leaks.length).toBeGreaterThan(0);
    for (const g of leaks) {
      expect(g.first.resources).toBe(resources('perf'));
      expect(failedAt(m.program, g.first)).toBeTruthy();
      expect(labelNames(m.program, g.first)).toContain('bad_fork_cleanup_audit');
      expect(labelNames(m.program, g.first)).toContain('bad_fork_cleanup_perf'); // passed, but it no longer releases perf
    }
    expect(kinds(f)).toEqual(['leak']);
  });

  it('unlocking a lock never taken is a bad unlock balance at that line', async () => {
    const { m, f } = await run('mutants/bad-unlock-balance', base);
    expect(kinds(f)).toEqual(['bad-unlock-balance']);
    const g = ofKind(f, 'bad-unlock-balance')[0].first;
    expect(m.program.src[g.pc].routine).toBe('sys_kill');
    expect(m.program.src[g.pc].file).toBe('kernels/mutants/bad-unlock-balance/signal.kasm');
    expect(g.lockClass).toBe(CLASS.siglock);
    expect(g.heldMode).toBe(-1); // not held at all
  });

  it('the v6.12 hooks under the pre-patch ladder leak the scx_fork_rwsem read hold, and scx enable then hangs', async () => {
    const { m, r, o, f } = await run('mutants/scx-prepatch-ladder', { ...base, forks: 0, maxSteps: 50_000_000, duration: 30 });
    expect(['deadlock', 'hang']).toContain(r.stopReason);
    const held = ofKind(f, 'lock-held-returning-to-user');
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((g) => g.first.lockClass === CLASS.scx_fork_rwsem && g.first.mode === A.MODE_READ && g.first.failPc >= 0)).toBe(true);
    // The hang: scx_ops_enable() sleeps to take scx_fork_rwsem for write, held for read by a task that left.
    const writer = ofKind(f, 'hung-task').map((g) => g.first).find((h) => h.lockClass === CLASS.scx_fork_rwsem && h.mode === A.MODE_EXCL);
    expect(writer, JSON.stringify(ofKind(f, 'hung-task'))).toBeDefined();
    expect(writer!.holders.length).toBeGreaterThan(0);
    expect(writer!.holders.every((h) => h.state === A.HOLDER_USER)).toBe(true); // tasks that left with a read hold
    expect(o.hang?.cause).toBe('hung-task');
  });

  it('two locks taken in opposite orders end in a deadlock naming both CPUs and both locks', async () => {
    const { m, r, o } = await run('mutants/deadlock-abba', { ...base, forks: 0, maxSteps: 50_000_000, duration: 30 });
    expect(r.stopReason).toBe(driver === 'step' ? 'deadlock' : 'hang');
    const ws = waiters(m.program, o.hang!.state, m.findings().records);
    const cycle = findCycle(ws);
    expect(cycle).toHaveLength(2);
    const waitedFor = new Set(ws.filter((w) => cycle!.includes(w.cpu)).map((w) => m.identifyLock(w.lock)).map((id) => (id.where === 'global' ? id.cls : -1)));
    expect(waitedFor).toEqual(new Set([CLASS.pidmap_lock, CLASS.css_set_lock]));
    for (const w of ws.filter((x) => cycle!.includes(x.cpu))) expect(w.holders.map((h) => h.cpu).filter((c) => c !== w.cpu)).toHaveLength(1);
    expect(ws.some((w) => placeOf(m.program, w.at).startsWith('kernels/mutants/deadlock-abba/'))).toBe(true); // the mutant's own order is one side
  });
});
