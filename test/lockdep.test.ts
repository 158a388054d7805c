// lockdep and lock_stat: every lock-order mutant caught with the right
// chain, asserted on the finding records and the cycle rebuilt from the
// graph; the splat's shape asserted on its rendering. The million-fork
// false-positive runs are in test/slow/.
import { describe, it, expect } from 'vitest';
import * as A from '../assembly/abi.js';
import { run, kinds, ofKind, placeOf, CLASS, srcOf } from './helpers.js';
import { nodeClass } from '../src/analysis/lockdep.js';
import { renderFinding } from '../src/report/findings.js';

const lockdepKinds = ['circular-locking-dependency', 'lock-instance-order', 'recursive-locking'];
const classesOf = (nodes: number[]): Set<number> => new Set(nodes.map(nodeClass));
/** fork takes pidmap_lock then css_set_lock, kill the other way round. */
const abba = `
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
`;

describe.each(['step', 'parallel'] as const)('lock-order mutants, %s driver', (driver) => {
  const opts = { driver, cpus: driver === 'step' ? 4 : 2, forks: 30_000 };

  it('wake_up_new_task taking the rq lock before pi_lock: a pi_lock/rq cycle', async () => {
    const { m, f } = await run('mutants/wake-up-rq-before-pi', opts);
    const g = ofKind(f, 'circular-locking-dependency')[0];
    expect(g.count).toBeGreaterThanOrEqual(1);
    const c = g.cycle!;
    expect(new Set([nodeClass(c.trying.node), nodeClass(c.holding.node)])).toEqual(new Set([CLASS.pi_lock, CLASS.rq_lock]));
    expect(c.chain.map((e) => [e.from, e.to])).toEqual([[c.trying.node, c.holding.node]]);
    expect(srcOf(m.program, c.chain[0].toPc).file).toBe('kernels/mutants/wake-up-rq-before-pi/sched.kasm');
    // The splat, as rendered.
    const text = renderFinding(m, g.first, g).detail!.join('\n');
    expect(text).toContain('WARNING: possible circular locking dependency detected');
    expect(text).toMatch(/is trying to acquire lock:\n \(&(rq->__lock|p->pi_lock)\)/);
    expect(text).toContain('but task is already holding lock:');
    expect(text).toContain('the existing dependency chain (in reverse order) is:\n\n-> #1 ');
    expect(text).toContain('Possible unsafe locking scenario:');
    expect(text).toContain('*** DEADLOCK ***');
  });

  it('exit taking siglock before tasklist_lock while fork takes them in kernel order', async () => {
    const { f } = await run('mutants/exit-siglock-before-tasklist', opts);
    const c = ofKind(f, 'circular-locking-dependency')[0].cycle!;
    expect(new Set([nodeClass(c.trying.node), nodeClass(c.holding.node)])).toEqual(new Set([CLASS.tasklist_lock, CLASS.siglock]));
    expect(c.chain).toHaveLength(1);
  });

  it('double_rq_lock without the CPU order: the instance check catches it, class-level lockdep does not', async () => {
    const { m, f } = await run('mutants/double-rq-unordered', opts);
    expect(kinds(f).filter((k) => lockdepKinds.includes(k))).toEqual(['lock-instance-order']);
    const g = ofKind(f, 'lock-instance-order')[0].first;
    const taken = m.identifyLock(g.lock), held = m.identifyLock(g.heldLock);
    expect(taken.where).toBe('rq');
    expect(held.where).toBe('rq');
    if (taken.where === 'rq' && held.where === 'rq') expect(taken.cpu).toBeLessThan(held.cpu); // the lower CPU's rq taken second
    expect(g.lockClass).toBe(CLASS.rq_lock);
  });

  it('a three-lock cycle is reported with its whole chain', async () => {
    const { m, f } = await run('mutants/three-lock-cycle', { ...opts, forks: 0, maxSteps: 20_000_000, duration: 20, stopOnFinding: true });
    const g = ofKind(f, 'circular-locking-dependency')[0];
    const c = g.cycle!;
    expect(c.chain).toHaveLength(2);
    const cycle = [c.holding.node, c.trying.node, ...c.chain.map((e) => e.to)];
    expect(cycle[cycle.length - 1]).toBe(cycle[0]);
    // The third lock is one the mutant declares itself.
    expect(classesOf(cycle)).toEqual(new Set([CLASS.pidmap_lock, CLASS.css_set_lock, m.program.vocab.classOf('mutant_lock')]));
    expect(renderFinding(m, g.first, g).detail!.join('\n')).toContain('Chain exists of:');
  });

  it('a recursive lock', async () => {
    const { m, f } = await run('mutants/recursive-lock', { ...opts, forks: 2000, watchdogMs: 500 });
    const g = ofKind(f, 'recursive-locking')[0].first;
    expect(g.lockClass).toBe(CLASS.siglock);
    expect(placeOf(m.program, g.pc)).toMatch(/^kernels\/mutants\/recursive-lock\/fork\.kasm:/);
  });
});

describe('lockdep off', () => {
  it('finds no cycle and keeps no lock_stat or graph, where lockdep on finds the cycle', async () => {
    const on = await run('mutants/wake-up-rq-before-pi', { driver: 'step', cpus: 4, forks: 20_000 });
    expect(kinds(on.f)).toContain('circular-locking-dependency');
    expect(on.r.lockStat?.rows.length).toBeGreaterThan(0);
    const off = await run('mutants/wake-up-rq-before-pi', { driver: 'step', cpus: 4, forks: 20_000, lockdep: false });
    expect(kinds(off.f).filter((k) => lockdepKinds.includes(k))).toEqual([]); // a real deadlock may still end it
    expect(off.r.lockStat).toBeNull();
    expect(off.r.forks.ok).toBeGreaterThan(1000); // it ran the same workload
    for (let from = 0; from < A.LOCKDEP_NODES; from++) for (let to = 0; to < A.LOCKDEP_NODES; to++) expect(off.m.hasEdge(from, to)).toBe(false);
  });
});

describe('a predicted cycle is replayable', () => {
  it('the step-driver command found for it deadlocks on that cycle', async () => {
    // Seed 4: the run itself ends at its fork count, predicting the cycle without hitting it.
    const { r, f } = await run('mutants/three-lock-cycle', { driver: 'step', cpus: 4, forks: 5000, seed: 4 });
    expect(r.stopReason).toBe('forks');
    expect(ofKind(f, 'circular-locking-dependency')).not.toHaveLength(0);
    const { replayCycles } = await import('../src/commands/replay.js');
    const { parseScenario } = await import('../src/machine/scenario.js');
    const replay = await replayCycles(f, r.stopReason, parseScenario({ kernel: 'mutants/three-lock-cycle', driver: 'step', cpus: 4, forks: 5000, seed: 4 }));
    expect(replay?.found).toBe(true);
    const seed = Number(/--seed (\d+)/.exec(replay!.command)![1]);
    const again = await run('mutants/three-lock-cycle', { driver: 'step', cpus: 4, seed, forks: 0, maxSteps: 3_000_000 });
    expect(again.r.stopReason).toBe('deadlock');
    const { waiters, findCycle } = await import('../src/analysis/waitfor.js');
    const ws = waiters(again.m.program, again.o.hang!.state, again.m.findings().records);
    expect(findCycle(ws)).toHaveLength(3);
  });
});

describe('two CPUs adding the two halves of a cycle back to back', () => {
  it('is caught once, with the chain, whichever adds its half first', async () => {
    const { kasm, machineFor, forkOnly } = await import('./helpers.js');
    const { groupFindings } = await import('../src/analysis/findings.js');
    const program = kasm(abba);
    const weights = { ...forkOnly, kill: 1 };
    let tried = 0;
    for (let seed = 1; seed < 200; seed++) {
      const m = machineFor(program, { cpus: 2, seed, weights, forks: 0 });
      const held = (cpu: number): number => m.cpu(cpu).held.length;
      const firstLock = (cpu: number): number => m.cpu(cpu).held[0]?.lock ?? 0;
      for (let i = 0; i < 10 && held(0) === 0; i++) m.core.step(0);
      for (let i = 0; i < 10 && held(1) === 0; i++) m.core.step(1);
      if (held(0) !== 1 || held(1) !== 1 || firstLock(0) === firstLock(1)) continue; // same order: try another seed
      tried++;
      const [a, b] = seed % 2 ? [0, 1] : [1, 0];
      m.core.step(a); // each attempts its second lock: one half of the cycle…
      m.core.step(b); // …and the other, back to back
      const cycles = groupFindings(m).filter((g) => g.first.kind === 'circular-locking-dependency');
      expect(cycles).toHaveLength(1);
      expect(cycles[0].count).toBe(1);
      const c = cycles[0].cycle!;
      expect(new Set([nodeClass(c.trying.node), nodeClass(c.holding.node)])).toEqual(new Set([CLASS.pidmap_lock, CLASS.css_set_lock]));
      expect(cycles[0].first.cpu).toBe(b);
      if (tried >= 4) break;
    }
    expect(tried).toBeGreaterThanOrEqual(4);
  });
});

describe("lockdep's chain cache", () => {
  const cycles = async (m: import('../src/machine/machine.js').Machine) => {
    const { groupFindings } = await import('../src/analysis/findings.js');
    return groupFindings(m).filter((g) => g.first.kind === 'circular-locking-dependency');
  };

  it('a chain validated once is one lookup after; a cycle one CPU closes against a chain cached on another is reported once', async () => {
    const { kasm, machineFor } = await import('./helpers.js');
    const m = machineFor(kasm(abba), { cpus: 2, seed: 1, programs: [['fork', 'fork', 'fork'], ['kill', 'kill']] });
    for (let i = 0; i < 300; i++) m.core.step(0);
    // Three times pidmap_lock → css_set_lock: validated the first time, then found.
    expect(m.chainLookups(0)).toEqual({ hits: 2, misses: 1 });
    expect(await cycles(m)).toHaveLength(0);
    for (let i = 0; i < 300; i++) m.core.step(1);
    expect(m.chainLookups(1)).toEqual({ hits: 1, misses: 1 }); // the second kill's chain is cached: no second search
    const found = await cycles(m);
    expect(found).toHaveLength(1);
    expect(found[0].count).toBe(1);
    expect(found[0].first.cpu).toBe(1);
    expect(new Set([nodeClass(found[0].cycle!.trying.node), nodeClass(found[0].cycle!.holding.node)])).toEqual(new Set([CLASS.pidmap_lock, CLASS.css_set_lock]));
  });

  it('the key is the held locks in order: the same two locks the other way round are a chain of their own', async () => {
    const { kasm, machineFor } = await import('./helpers.js');
    const m = machineFor(kasm(abba), { cpus: 1, seed: 1, programs: [['fork', 'kill']] });
    for (let i = 0; i < 300; i++) m.core.step(0);
    expect(m.chainLookups(0)).toEqual({ hits: 0, misses: 2 });
    expect(await cycles(m)).toHaveLength(1);
  });

  it('two CPUs adding the two halves of a new cycle back to back, each through its cache: one report, and both chains cached after', async () => {
    const { kasm, machineFor } = await import('./helpers.js');
    const m = machineFor(kasm(abba), { cpus: 2, seed: 1, programs: [['fork', 'fork'], ['kill', 'kill']] });
    const held = (cpu: number): number => m.cpu(cpu).held.length;
    for (let i = 0; i < 10 && held(0) === 0; i++) m.core.step(0);
    for (let i = 0; i < 10 && held(1) === 0; i++) m.core.step(1);
    expect([held(0), held(1)]).toEqual([1, 1]);
    m.core.step(0); // pidmap_lock → css_set_lock: a miss, validated…
    m.core.step(1); // …and css_set_lock → pidmap_lock, a miss too: it closes the cycle
    expect([m.chainLookups(0), m.chainLookups(1)]).toEqual([{ hits: 0, misses: 1 }, { hits: 0, misses: 1 }]);
    // Both now wait for ever (ABBA); the report is what counts.
    const found = await cycles(m);
    expect(found).toHaveLength(1);
    expect(found[0].count).toBe(1);
    expect(found[0].first.cpu).toBe(1);
  });
});
