// The core without workers: two instances over one memory are two CPUs,
// the layout the module computes is the one the host reads, instantiating
// again re-applies nothing, a recorded schedule replays exactly, and the
// locks pass their litmus tests (and the test fails without the lock).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as A from '../assembly/abi.js';
import * as L from '../assembly/layout.js';
import { instantiate } from '../src/machine/wasm.js';
import { PACKAGE_ROOT } from '../src/paths.js';
import { quietLimit } from '../src/drivers/step.js';
import { kasm, machineFor, run, forkOnly } from './helpers.js';

const litmus = (lock: string, unlock: string): ReturnType<typeof kasm> => kasm(`
routine void sys_fork
    ${lock}
    litmus_load
    litmus_store
    ${unlock}
    return
`);

describe('the machine in shared memory', () => {
  it('lays out regions in order, 64-byte aligned, and the host reads the same numbers', () => {
    const m = machineFor('v6.10', { cpus: 3, tasks: 1000 });
    const bases = [L.H_CODE_BASE, L.H_EFFECTS_BASE, L.H_SITES_BASE, L.H_GLOBAL_LOCKS_BASE, L.H_CPU_BASE, L.H_RQ_BASE, L.H_TASK_BASE,
      L.H_FINDINGS_BASE, L.H_LD_MATRIX_BASE, L.H_LD_EDGES_BASE, L.H_LD_SCRATCH_BASE, L.H_LOCKSTAT_BASE, L.H_CONTENTION_BASE, L.H_SCHED_BASE, L.H_END].map((h) => m.h(h));
    expect(bases[0]).toBe(L.HEADER_BASE + L.HEADER_SIZE);
    for (let i = 1; i < bases.length; i++) expect(bases[i]).toBeGreaterThanOrEqual(bases[i - 1]);
    for (const b of bases) expect(b % 64).toBe(0);
    expect(m.h(L.H_TASK_BASE) + 1000 * L.TASK_STRIDE).toBeLessThanOrEqual(m.h(L.H_FINDINGS_BASE));
    expect(m.memory.buffer.byteLength).toBeGreaterThanOrEqual(m.h(L.H_END));
    // The sub-region addresses the host asks the core for lie inside their regions.
    expect(m.core.lockdepEdge(0, 0)).toBe(m.h(L.H_LD_EDGES_BASE));
    expect(m.core.lockdepEdge(A.LOCKDEP_NODES - 1, A.LOCKDEP_NODES - 1) + L.EDGE_SIZE).toBeLessThanOrEqual(m.h(L.H_LD_SCRATCH_BASE));
    expect(m.core.lockstatRecord(2, A.NR_CLASSES - 1, A.MODE_READ) + L.LS_SIZE).toBeLessThanOrEqual(m.h(L.H_CONTENTION_BASE));
  });

  it('fits 1,000,000 task slots in 256 MiB', () => {
    const m = machineFor('v6.10', { cpus: 4, tasks: 1_000_000 });
    expect(m.h(L.H_END)).toBeLessThanOrEqual(256 * 2 ** 20);
  });

  it('two instances over one memory behave as two CPUs of one machine', () => {
    const m = machineFor('v6.10-patched', { cpus: 2, forks: 0 });
    const other = instantiate(m.memory); // a second instance, same memory: no re-initialisation, no allocator
    let ok = 0;
    for (let i = 0; i < 200_000 && ok < 500; i++) {
      (i % 3 === 0 ? other : m.core).step(i % 2);
      ok = m.counters().forksOk;
    }
    expect(ok).toBeGreaterThanOrEqual(500);
    expect(m.cpuCounters(0).forksOk).toBeGreaterThan(0);
    expect(m.cpuCounters(1).forksOk).toBeGreaterThan(0);
    expect(m.nrFindings()).toBe(0);
  });

  it('instantiating again re-applies no data segment: the memory is untouched', () => {
    // The module has none (pinned on the text format), and a new instance
    // over a running machine leaves every byte, static area included, as it was.
    const wat = readFileSync(join(PACKAGE_ROOT, 'build', 'forksim.wat'), 'utf8');
    expect(wat).not.toMatch(/^\s*\(data\b/m);
    const m = machineFor('v6.10-patched', { cpus: 2, forks: 0 });
    m.core.runStep(100_000n, quietLimit(2));
    new Uint8Array(m.memory.buffer, 0, L.HEADER_BASE).fill(0xa5); // where static data would land
    const before = new Uint8Array(m.memory.buffer.slice(0, m.h(L.H_END)));
    instantiate(m.memory);
    expect(Buffer.from(m.memory.buffer.slice(0, m.h(L.H_END))).equals(Buffer.from(before))).toBe(true);
  });

  it('rejects impossible sizes with the field and its limits', () => {
    expect(() => machineFor('v6.10', { tasks: 5_000_000 })).toThrow(/tasks: .*4194304/);
    expect(() => machineFor('v6.10', { cpus: 500 })).toThrow(/cpus: .*128/);
    expect(() => machineFor('v6.10', { cpus: 8, tasks: 8 })).toThrow(/tasks \(8\) must exceed cpus \(8\)/);
  });
});

describe('a recorded schedule', () => {
  const scenario = { driver: 'step' as const, cpus: 3, forks: 0, seed: 9, stall: { rate: 0.001, maxSteps: 500 } };
  it('replays to a byte-identical machine, and a different schedule does not', () => {
    const opts = { scheduleCapacity: 1 << 20 };
    const a = machineFor('v6.12-scx', scenario, opts);
    a.recordSchedule();
    a.reboot();
    expect(a.core.runStep(400_000n, quietLimit(3))).toBe(A.RUN_BUDGET);
    const { choices, overflow } = a.schedule();
    expect(overflow).toBe(false);
    expect(choices.length).toBe(400_000);
    expect(a.counters().forksOk).toBeGreaterThan(100);

    const c = machineFor('v6.12-scx', scenario, opts);
    c.replaySchedule(choices);
    c.reboot();
    expect(c.core.runStep(1_000_000n, quietLimit(3))).toBe(A.RUN_SCHEDULE_END);
    expect(Buffer.from(c.machineBytes()).equals(Buffer.from(a.machineBytes()))).toBe(true);

    const d = machineFor('v6.12-scx', scenario, opts);
    d.replaySchedule(choices.map((x, i) => (i === 1000 ? (x + 1) % 3 : x)));
    d.reboot();
    d.core.runStep(1_000_000n, quietLimit(3));
    expect(Buffer.from(d.machineBytes()).equals(Buffer.from(a.machineBytes()))).toBe(false);
  });

  it('a whole step-driver run, drain included, replays to the same report', async () => {
    const { Machine } = await import('../src/machine/machine.js');
    const { runStepDriver } = await import('../src/drivers/step.js');
    const { buildReport } = await import('../src/report/run.js');
    const { kernelProgram } = await import('../src/commands/run.js');
    const { parseScenario } = await import('../src/machine/scenario.js');
    const s = parseScenario({ kernel: 'v6.10-patched', driver: 'step', cpus: 2, forks: 3000, seed: 5 });
    const a = Machine.create(kernelProgram(s.kernel), s, { scheduleCapacity: 1 << 24 });
    a.recordSchedule();
    a.reboot();
    const ra = buildReport(a, await runStepDriver(a, { interrupted: () => false }));
    const b = Machine.create(kernelProgram(s.kernel), s, { scheduleCapacity: 1 << 24 });
    b.replaySchedule(a.schedule().choices);
    b.reboot();
    const rb = buildReport(b, await runStepDriver(b, { interrupted: () => false }));
    expect(rb.stopReason).toBe('forks');
    expect({ ...rb, elapsedSeconds: 0, forks: { ...rb.forks, perSecond: 0, perCpu: [] } }).toEqual({ ...ra, elapsedSeconds: 0, forks: { ...ra.forks, perSecond: 0, perCpu: [] } });
    expect(Buffer.from(b.machineBytes()).equals(Buffer.from(a.machineBytes()))).toBe(true);
  });

  it('rejects a schedule that names a CPU the machine does not have, or does not fit', () => {
    const m = machineFor('v6.10', { driver: 'step', cpus: 2 }, { scheduleCapacity: 16 });
    expect(() => m.replaySchedule(new Uint8Array([0, 1, 2]))).toThrow(/choice 2 \(2\) names no CPU or interrupt of this machine \(2 CPUs, 3 interrupts\)/);
    expect(() => m.replaySchedule(new Uint8Array(17))).toThrow(/do not fit a 16-byte schedule buffer/);
    expect(() => machineFor('v6.10', { driver: 'step', cpus: 2 }).recordSchedule()).toThrow(/without a schedule buffer/);
  });
});

describe('litmus: N CPUs × M increments under a lock give exactly N·M', () => {
  const cases: [string, string, string][] = [
    ['ticket spinlock', 'spin_lock pidmap_lock', 'spin_unlock pidmap_lock'],
    ['rwlock (write side)', 'write_lock tasklist_lock', 'write_unlock tasklist_lock'],
    ['rwsem (write side)', 'percpu_down_write scx_fork_rwsem', 'percpu_up_write scx_fork_rwsem'],
    ['mutex', 'mutex_lock scx_ops_enable_mutex', 'mutex_unlock scx_ops_enable_mutex'],
  ];
  for (const [name, lock, unlock] of cases) {
    it(`${name}, step driver, 4 CPUs`, async () => {
      const { m, r } = await run(litmus(lock, unlock), { driver: 'step', cpus: 4, forks: 20_000, weights: forkOnly });
      expect(r.findings.total).toBe(0);
      expect(m.forkAttempts()).toBeGreaterThanOrEqual(20_000);
      expect(m.litmus()).toBe(m.forkAttempts());
      expect(Number(m.spins())).toBeGreaterThan(0); // the CPUs really contended
    });
    it(`${name}, real workers, 4 CPUs`, async () => {
      const { m, r } = await run(litmus(lock, unlock), { driver: 'parallel', cpus: 4, forks: 50_000, weights: forkOnly });
      expect(r.findings.total).toBe(0);
      expect(r.stopReason).toBe('forks');
      expect(m.litmus()).toBe(m.forkAttempts());
    });
  }

  it('without the lock, increments are lost (the litmus test can fail)', async () => {
    const { m } = await run(litmus('', ''), { driver: 'step', cpus: 4, forks: 20_000, weights: forkOnly });
    expect(m.litmus()).toBeLessThan(m.forkAttempts());
  });
});
