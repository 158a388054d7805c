// The parallel driver with real workers: correct kernels stay clean and
// conserve tasks with 2 and 8 workers (8 on a 2-core machine: parked
// spinners must let the others progress); a dead worker is reported with
// the locks it held and never hangs the run.
import { describe, it, expect } from 'vitest';
import type { Worker } from 'node:worker_threads';
import { machineFor, never, run, kasm, forkOnly, ofKind, brief, placeOf } from './helpers.js';
import { runParallelDriver, cpuGroups } from '../src/drivers/parallel.js';
import { knownUpstream } from './known.js';
import { buildReport } from '../src/report/run.js';

describe.each([2, 8])('%i workers', (cpus) => {
  it.each(['v6.10', 'v6.10-patched', 'v6.12-scx'])('%s: no findings, exact conservation', async (kernel) => {
    // 8 workers on a 2-core machine are oversubscribed: fewer forks keep the time bounded.
    const { m, r, f } = await run(kernel, { driver: 'parallel', cpus, forks: cpus > 2 ? 15_000 : 30_000, seed: 11 });
    expect(r.stopReason).toBe('forks');
    expect(f.filter((g) => !knownUpstream(m.program)(g)).map(brief(m.program))).toEqual([]);
    expect(r.invariantsChecked).toBe(true);
    expect(r.conservation).toMatchObject({ balanced: true });
    expect(r.forks.perCpu.filter((c) => c.ok > 0).length).toBe(cpus); // every CPU forked
  });
});

describe('fewer worker threads than simulated CPUs', () => {
  it('8 CPUs on 2 threads, round robin: clean, conserved, every CPU forks', async () => {
    const { m, r, f } = await run('v6.12-scx', { driver: 'parallel', cpus: 8, threads: 2, forks: 30_000, seed: 5 });
    expect(r.stopReason).toBe('forks');
    expect(f.filter((g) => !knownUpstream(m.program)(g)).map(brief(m.program))).toEqual([]);
    expect(r.conservation).toMatchObject({ balanced: true });
    expect(r.forks.perCpu.filter((c) => c.ok > 0).length).toBe(8);
  });
  it('splits CPUs evenly and rejects more threads than CPUs', () => {
    expect(cpuGroups(8, 3)).toEqual([{ first: 0, count: 2 }, { first: 2, count: 3 }, { first: 5, count: 3 }]);
    expect(() => machineFor('v6.10', { cpus: 2, threads: 4 })).toThrow(/threads \(4\) must be at most cpus \(2\)/);
  });
});

describe('a worker that dies', () => {
  it('is reported with the locks it held, the others are stopped, and the run ends', async () => {
    const m = machineFor('v6.12-scx', { driver: 'parallel', cpus: 2, forks: 0 });
    let workers: Worker[] = [];
    const outcome = runParallelDriver(m, never, { onStarted: (w) => { workers = w; } });
    // Wait (bounded) until CPU 1 is demonstrably running, then kill its worker.
    for (let i = 0; i < 2000 && m.syscalls(1) < 1000; i++) await new Promise((r) => setTimeout(r, 5));
    expect(m.syscalls(1)).toBeGreaterThanOrEqual(1000);
    await workers[1].terminate();
    const o = await outcome;
    const r = buildReport(m, o);
    expect(r.stopReason).toBe('worker-died');
    expect(o.deadWorkers.map((d) => d.cpu)).toEqual([1]);
    expect(o.deadWorkers[0].why).toBeTruthy();
    const died = ofKind((await import('../src/analysis/findings.js')).groupFindings(m), 'worker-died');
    expect(died.map((g) => [g.first.cpu, g.first.held])).toEqual([[1, o.deadWorkers[0].held.length]]);
    expect(r.invariantsChecked).toBe(false);
  });
});

describe('the watchdog', () => {
  const looping = (): ReturnType<typeof kasm> => kasm(`
routine void sys_fork
again:
    goto again
`);
  it('reports a CPU looping in a syscall (a livelock), not only one spinning', async () => {
    const { m, r, o, f } = await run(looping(), { driver: 'parallel', cpus: 2, forks: 0, watchdogMs: 300, weights: forkOnly });
    expect(r.stopReason).toBe('hang');
    const g = ofKind(f, 'hung-cpu')[0].first;
    expect(g.lock).toBe(0); // looping, not waiting for a lock
    expect(o.hang).toMatchObject({ cause: 'watchdog', cpu: g.cpu, stuckFor: 300 });
    expect(o.hang!.state.cpus[g.cpu].spinLock).toBe(0);
    expect(m.program.src[o.hang!.state.cpus[g.cpu].pc].routine).toBe('sys_fork');
    expect(placeOf(m.program, o.hang!.state.cpus[g.cpu].pc)).toMatch(/^inline\.kasm:\d+$/);
  });
  it('the step driver reports it too (a soft lockup), instead of running to its step limit', async () => {
    const { r, o, f } = await run(looping(), { driver: 'step', cpus: 2, forks: 0, weights: forkOnly });
    expect(r.stopReason).toBe('hang');
    expect(o.hang).toMatchObject({ cause: 'soft-lockup', stuckFor: 16_777_216 });
    expect(ofKind(f, 'hung-cpu')[0].first).toMatchObject({ cpu: o.hang!.cpu, lock: 0 });
  });
});
