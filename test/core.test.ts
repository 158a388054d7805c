// The core without workers: two instances over one memory are two CPUs,
// the layout the module computes is the one the host reads, and the locks
// pass their litmus tests (and the test fails without the lock).
import { describe, it, expect } from 'vitest';
import * as A from '../assembly/abi.js';
import * as L from '../assembly/layout.js';
import { instantiate } from '../src/wasm.js';
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
    const bases = [L.H_CODE_BASE, L.H_EFFECTS_BASE, L.H_SITES_BASE, L.H_GLOBAL_LOCKS_BASE, L.H_CPU_BASE, L.H_RQ_BASE, L.H_TASK_BASE, L.H_FINDINGS_BASE, L.H_END].map((h) => m.h(h));
    expect(bases[0]).toBe(L.HEADER_BASE + L.HEADER_SIZE);
    for (let i = 1; i < bases.length; i++) expect(bases[i]).toBeGreaterThanOrEqual(bases[i - 1]);
    for (const b of bases.slice(1, -1)) expect(b % 64).toBe(0);
    expect(m.h(L.H_TASK_BASE) + 1000 * L.TASK_STRIDE).toBeLessThanOrEqual(m.h(L.H_FINDINGS_BASE));
    expect(m.memory.buffer.byteLength).toBeGreaterThanOrEqual(m.h(L.H_END));
    expect(L.CPU_STRIDE % 64).toBe(0);
    expect(L.C_PATH + A.MAX_PATH * 4).toBeLessThanOrEqual(L.CPU_STRIDE);
    expect(L.C_HELD + A.MAX_HELD * L.HELD_SIZE).toBeLessThanOrEqual(L.C_PATH);
    expect(L.C_FRAMES + A.MAX_CALL_DEPTH * L.FRAME_SIZE).toBeLessThanOrEqual(L.C_HELD);
    expect(L.C_RES_COUNT + A.NR_RESOURCES * 4).toBeLessThanOrEqual(L.C_FRAMES);
  });

  it('fits 1,000,000 task slots in 256 MiB', () => {
    const m = machineFor('v6.10', { cpus: 4, tasks: 1_000_000 });
    expect(m.h(L.H_END)).toBeLessThanOrEqual(256 * 2 ** 20);
  });

  it('two instances over one memory behave as two CPUs of one machine', () => {
    const m = machineFor('v6.10-patched', { cpus: 2, forks: 0 });
    const other = instantiate(m.memory); // a second instance, same memory: no re-initialisation, no allocator
    const before = m.h(L.H_NR_THREADS);
    let ok = 0;
    for (let i = 0; i < 200_000 && ok < 500; i++) {
      (i % 3 === 0 ? other : m.core).step(i % 2);
      ok = m.counter(L.K_FORKS_OK);
    }
    expect(ok).toBeGreaterThanOrEqual(500);
    expect(m.cpuCounter(0, L.K_FORKS_OK)).toBeGreaterThan(0);
    expect(m.cpuCounter(1, L.K_FORKS_OK)).toBeGreaterThan(0);
    // Instantiating more instances re-applies no data segment over live state.
    instantiate(m.memory);
    expect(m.h(L.H_MAGIC)).toBe(L.MAGIC);
    expect(m.h(L.H_NR_THREADS)).toBeGreaterThanOrEqual(before);
    expect(m.h(L.H_NR_FINDINGS)).toBe(0);
  });

  it('rejects impossible sizes with the field and its limits', () => {
    expect(() => machineFor('v6.10', { tasks: 5_000_000 })).toThrow(/tasks: .*4194304/);
    expect(() => machineFor('v6.10', { cpus: 500 })).toThrow(/cpus: .*128/);
    expect(() => machineFor('v6.10', { cpus: 8, tasks: 8 })).toThrow(/tasks \(8\) must exceed cpus \(8\)/);
  });
});

describe('litmus: N CPUs × M increments under a lock give exactly N·M', () => {
  const cases: [string, string, string][] = [
    ['ticket spinlock', 'spin_lock pidmap_lock', 'spin_unlock pidmap_lock'],
    ['rwlock (write side)', 'write_lock tasklist_lock', 'write_unlock tasklist_lock'],
    ['rwsem (write side)', 'down_write scx_fork_rwsem', 'up_write scx_fork_rwsem'],
    ['mutex', 'mutex_lock scx_ops_enable_mutex', 'mutex_unlock scx_ops_enable_mutex'],
  ];
  for (const [name, lock, unlock] of cases) {
    it(`${name}, step driver, 4 CPUs`, async () => {
      const { m, r } = await run(litmus(lock, unlock), { driver: 'step', cpus: 4, forks: 20_000, weights: forkOnly });
      expect(r.findings.total).toBe(0);
      expect(m.h(L.H_FORK_ATTEMPTS)).toBeGreaterThanOrEqual(20_000);
      expect(m.h(L.H_LITMUS)).toBe(m.h(L.H_FORK_ATTEMPTS));
      expect(Number(m.spins())).toBeGreaterThan(0); // the CPUs really contended
    });
    it(`${name}, real workers, 4 CPUs`, async () => {
      const { m, r } = await run(litmus(lock, unlock), { driver: 'parallel', cpus: 4, forks: 50_000, weights: forkOnly });
      expect(r.findings.total).toBe(0);
      expect(r.stopReason).toBe('forks');
      expect(m.h(L.H_LITMUS)).toBe(m.h(L.H_FORK_ATTEMPTS));
    });
  }

  it('without the lock, increments are lost (the litmus test can fail)', async () => {
    const { m } = await run(litmus('', ''), { driver: 'step', cpus: 4, forks: 20_000, weights: forkOnly });
    expect(m.h(L.H_LITMUS)).toBeLessThan(m.h(L.H_FORK_ATTEMPTS));
  });
});
