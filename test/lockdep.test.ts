// lockdep and lock_stat: no false positives on the correct kernels over a
// million forks, and every lock-order mutant caught with the right chain.
import { describe, it, expect } from 'vitest';
import { run, kinds } from './helpers.js';
import { knownUpstream } from './known.js';

const lockdepKinds = ['circular-locking-dependency', 'lock-instance-order', 'recursive-locking'];

describe('correct kernels: no lockdep reports', () => {
  it.each(['v6.10', 'v6.10-patched', 'v6.12-scx'])('%s, 1,000,000 forks, step driver, 4 CPUs', async (kernel) => {
    const { r } = await run(kernel, { driver: 'step', cpus: 4, forks: 1_000_000, weights: { loadBalance: 5, scxEnable: 0.05, scxDisable: 0.05 } });
    expect(r.findings.groups.filter((g) => !knownUpstream(g)).map((g) => g.message)).toEqual([]);
    expect(r.activity.migrations).toBeGreaterThan(1000);
    if (kernel === 'v6.12-scx') expect(r.activity.scxEnables).toBeGreaterThan(100);
    expect(r.lockStat?.rows.find((x) => x.class === '&rq->__lock')?.acquisitions).toBeGreaterThan(0);
  });
  it.each(['v6.10', 'v6.12-scx'])('%s, 1,000,000 forks, parallel driver, 2 CPUs', async (kernel) => {
    const { r } = await run(kernel, { driver: 'parallel', cpus: 2, forks: 1_000_000, weights: { loadBalance: 5, scxEnable: 0.05, scxDisable: 0.05 } });
    expect(r.findings.groups.filter((g) => !knownUpstream(g)).map((g) => g.message)).toEqual([]);
    const rows = r.lockStat!.rows;
    expect(rows.find((x) => x.class === 'tasklist_lock' && x.mode === 'write')!.contentions).toBeGreaterThan(0);
    expect(r.lockStat!.top[0].contentions).toBeGreaterThan(0);
  });
});

describe.each(['step', 'parallel'] as const)('lock-order mutants, %s driver', (driver) => {
  const opts = { driver, cpus: driver === 'step' ? 4 : 2, forks: 30_000 };

  it('wake_up_new_task taking the rq lock before pi_lock: a pi_lock/rq cycle', async () => {
    const { r } = await run('mutants/wake-up-rq-before-pi', opts);
    const g = r.findings.groups.find((x) => x.kind === 'circular-locking-dependency')!;
    expect(g.count).toBeGreaterThanOrEqual(1);
    const c = g.lockdep!;
    expect(new Set([c.trying.lock, c.holding.lock])).toEqual(new Set(['&p->pi_lock', '&rq->__lock']));
    expect(c.chain.map((e) => `${e.from} -> ${e.to}`)).toEqual([`${c.trying.lock} -> ${c.holding.lock}`]);
    expect(c.chain[0].toAt + c.chain[0].fromAt).toMatch(/mutants\/wake-up-rq-before-pi\/sched\.kasm/);
    const text = g.detail!.join('\n');
    expect(text).toMatch(/WARNING: possible circular locking dependency detected/);
    expect(text).toMatch(/is trying to acquire lock:\n \(&(rq->__lock|p->pi_lock)\)/);
    expect(text).toMatch(/but task is already holding lock:/);
    expect(text).toMatch(/the existing dependency chain \(in reverse order\) is:\n\n-> #1 /);
    expect(text).toMatch(/Possible unsafe locking scenario:/);
    expect(text).toMatch(/\*\*\* DEADLOCK \*\*\*/);
  });

  it('exit taking siglock before tasklist_lock while fork takes them in kernel order', async () => {
    const { r } = await run('mutants/exit-siglock-before-tasklist', opts);
    const c = r.findings.groups.find((x) => x.kind === 'circular-locking-dependency')!.lockdep!;
    expect(new Set([c.trying.lock, c.holding.lock])).toEqual(new Set(['tasklist_lock', '&sighand->siglock']));
    expect(c.chain).toHaveLength(1);
  });

  it('double_rq_lock without the CPU order: the instance check catches it, class-level lockdep does not', async () => {
    const { r } = await run('mutants/double-rq-unordered', opts);
    expect(kinds(r).filter((k) => lockdepKinds.includes(k))).toEqual(['lock-instance-order']);
    const g = r.findings.groups.find((x) => x.kind === 'lock-instance-order')!;
    expect(g.lock).toMatch(/&rq->__lock \(cpu \d+\)/);
    expect(g.detail![0]).toMatch(/holding &rq->__lock \(cpu \d+\)/);
    const [taken, held] = [Number(/cpu (\d+)/.exec(g.lock!)![1]), Number(/cpu (\d+)/.exec(g.detail![0])![1])];
    expect(taken).toBeLessThan(held); // the lower CPU's rq taken second
  });

  it('a three-lock cycle is reported with its whole chain', async () => {
    const { r } = await run('mutants/three-lock-cycle', { ...opts, forks: 0, maxSteps: 20_000_000, duration: 20, stopOnFinding: true });
    const c = r.findings.groups.find((x) => x.kind === 'circular-locking-dependency')!.lockdep!;
    expect(c.chain).toHaveLength(2);
    const cycle = [c.holding.lock, c.trying.lock, ...c.chain.map((e) => e.to)];
    expect(cycle[cycle.length - 1]).toBe(cycle[0]);
    expect(new Set(cycle)).toEqual(new Set(['pidmap_lock', 'css_set_lock', 'scx_tasks_lock']));
    expect(r.findings.groups.find((x) => x.kind === 'circular-locking-dependency')!.detail!.join('\n')).toMatch(/Chain exists of:/);
  });

  it('a recursive lock', async () => {
    const { r } = await run('mutants/recursive-lock', { ...opts, forks: 2000, watchdogMs: 500 });
    const g = r.findings.groups.find((x) => x.kind === 'recursive-locking')!;
    expect(g.lock).toMatch(/siglock/);
    expect(g.at?.file).toBe('kernels/mutants/recursive-lock/fork.kasm');
  });
});

describe('lockdep off', () => {
  it('finds no cycle and keeps no lock_stat (so its cost can be measured)', async () => {
    const { r } = await run('mutants/wake-up-rq-before-pi', { driver: 'step', cpus: 4, forks: 20_000, lockdep: false });
    expect(kinds(r)).not.toContain('circular-locking-dependency');
    expect(r.lockStat).toBeNull();
  });
});

describe('a predicted cycle is replayable', () => {
  it('the step-driver command found for it deadlocks on that cycle', async () => {
    const { r } = await run('mutants/three-lock-cycle', { driver: 'step', cpus: 4, forks: 5000 });
    const cycle = r.findings.groups.find((g) => g.lockdep);
    expect(cycle).toBeDefined();
    const { replayCycles } = await import('../src/replay.js');
    const { parseScenario } = await import('../src/scenario.js');
    const replay = await replayCycles(r, parseScenario({ kernel: 'mutants/three-lock-cycle', driver: 'step', cpus: 4, forks: 5000 }));
    expect(replay?.found).toBe(true);
    const seed = Number(/--seed (\d+)/.exec(replay!.command)![1]);
    const again = await run('mutants/three-lock-cycle', { driver: 'step', cpus: 4, seed, forks: 0, maxSteps: 3_000_000 });
    expect(again.r.stopReason).toBe('deadlock');
    expect(again.r.extra.join('\n')).toMatch(/cycle: CPU\d+ → CPU\d+ → CPU\d+ → CPU\d+/);
  });
});

describe('two CPUs adding the two halves of a cycle back to back', () => {
  it('is caught once, with the chain, whichever adds its half first', async () => {
    const { kasm, machineFor } = await import('./helpers.js');
    const L = await import('../assembly/layout.js');
    const { readFindings } = await import('../src/findings.js');
    const program = kasm(`
routine void sys_fork
    spin_lock pidmap_lock
    spin_lock css_set_lock
    spin_unlock css_set_lock
    spin_unlock pidmap_lock
    return
routine void sys_kill
    spin_lock css_set_lock
    spin_lock pidmap_lock
    spin_unlock pidmap_lock
    spin_unlock css_set_lock
    return
`);
    const { forkOnly } = await import('./helpers.js');
    const weights = { ...forkOnly, kill: 1 };
    let tried = 0;
    for (let seed = 1; seed < 200; seed++) {
      const m = machineFor(program, { cpus: 2, seed, weights, forks: 0 });
      const held = (cpu: number): number => m.at(m.cpuAddr(cpu) + L.C_HELD_DEPTH);
      const firstLock = (cpu: number): number => m.at(m.cpuAddr(cpu) + L.C_HELD + L.HL_LOCK);
      for (let i = 0; i < 10 && held(0) === 0; i++) m.core.step(0);
      for (let i = 0; i < 10 && held(1) === 0; i++) m.core.step(1);
      if (held(0) !== 1 || held(1) !== 1 || firstLock(0) === firstLock(1)) continue; // same order: try another seed
      tried++;
      const [a, b] = seed % 2 ? [0, 1] : [1, 0];
      m.core.step(a); // each attempts its second lock: one half of the cycle…
      m.core.step(b); // …and the other, back to back
      const { findings } = readFindings(m);
      const cycles = findings.filter((f) => f.kind === 'circular-locking-dependency');
      expect(cycles).toHaveLength(1);
      expect(new Set([cycles[0].lockdep!.trying.lock, cycles[0].lockdep!.holding.lock])).toEqual(new Set(['pidmap_lock', 'css_set_lock']));
      expect(cycles[0].cpu).toBe(b);
      if (tried >= 4) break;
    }
    expect(tried).toBeGreaterThanOrEqual(4);
  });
});
