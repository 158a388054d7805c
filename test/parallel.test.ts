// The parallel driver with real workers: correct kernels stay clean and
// conserve tasks with 2 and 8 workers (8 on a 2-core machine: parked
// spinners must let the others progress); a dead worker is reported with
// the locks it held and never hangs the run.
import { describe, it, expect } from 'vitest';
import type { Worker } from 'node:worker_threads';
import { machineFor, never, run, forkOnly } from './helpers.js';
import { runParallelDriver } from '../src/drivers/parallel.js';
import { knownUpstream } from './known.js';
import { buildReport } from '../src/report.js';

describe.each([2, 8])('%i workers', (cpus) => {
  it.each(['v6.10', 'v6.10-patched', 'v6.12-scx'])('%s: no findings, exact conservation', async (kernel) => {
    const { r } = await run(kernel, { driver: 'parallel', cpus, forks: 30_000, seed: 11 });
    expect(r.stopReason).toBe('forks');
    expect(r.findings.groups.filter((g) => !knownUpstream(g)).map((g) => g.message)).toEqual([]);
    expect(r.invariantsChecked).toBe(true);
    expect(r.conservation).toMatchObject({ balanced: true });
    expect(r.forks.perCpu.filter((c) => c.ok > 0).length).toBe(cpus); // every CPU forked
  });
});

describe('fewer worker threads than simulated CPUs', () => {
  it('8 CPUs on 2 threads, round robin: clean, conserved, every CPU forks', async () => {
    const { r } = await run('v6.12-scx', { driver: 'parallel', cpus: 8, threads: 2, forks: 30_000, seed: 5 });
    expect(r.stopReason).toBe('forks');
    expect(r.findings.groups.filter((g) => !knownUpstream(g)).map((g) => g.message)).toEqual([]);
    expect(r.conservation).toMatchObject({ balanced: true });
    expect(r.forks.perCpu.filter((c) => c.ok > 0).length).toBe(8);
  });
  it('splits CPUs evenly and rejects more threads than CPUs', async () => {
    const { cpuGroups } = await import('../src/drivers/parallel.js');
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
    for (let i = 0; i < 2000 && m.progress(1) < 10_000; i++) await new Promise((r) => setTimeout(r, 5));
    expect(m.progress(1)).toBeGreaterThanOrEqual(10_000);
    await workers[1].terminate();
    const r = buildReport(m, await outcome);
    expect(r.stopReason).toBe('worker-died');
    expect(r.findings.groups.map((g) => g.kind)).toContain('worker-died');
    expect(r.extra.join('\n')).toMatch(/worker for CPU1 died \(.*\) holding (no locks|.+)/);
    expect(r.invariantsChecked).toBe(false);
  });
});

describe('the watchdog', () => {
  const looping = async () => (await import('./helpers.js')).kasm(`
routine void sys_fork
again:
    goto again
`);
  it('reports a CPU looping in a syscall (a livelock), not only one spinning', async () => {
    const { r } = await run(await looping(), { driver: 'parallel', cpus: 2, forks: 0, watchdogMs: 300, weights: forkOnly });
    expect(r.stopReason).toBe('hang');
    expect(r.findings.groups[0].message).toMatch(/hung CPU \d: stuck in a syscall \(sys_fork\(\) inline.kasm:\d\)/);
    expect(r.extra[0]).toMatch(/without waiting for a lock \(a livelock\?\)/);
  });
  it('the step driver reports it too (a soft lockup), instead of running to its step limit', async () => {
    const { r } = await run(await looping(), { driver: 'step', cpus: 2, forks: 0, weights: forkOnly });
    expect(r.stopReason).toBe('hang');
    expect(r.extra[0]).toMatch(/CPU\d has been inside one syscall for about 17M of its steps \(a soft lockup\)/);
  });
});
