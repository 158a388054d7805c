// Single-thread micro-benchmarks of the core through its exports, timed with
// tinybench. Each task runs a batch of steps with runStep() (one JS→WASM
// call per batch) on a booted one-CPU machine and counts, from the machine's
// own counters, how many operations the batch did; the cost of one
// operation is tinybench's mean time per batch divided by that count.
import { Bench } from 'tinybench';
import * as L from '../assembly/layout.js';
import type { Program } from '../src/kasm/index.js';
import type { Machine } from '../src/machine/machine.js';
import type { ScenarioInput } from '../src/machine/scenario.js';
import { quietLimit } from '../src/drivers/step.js';
import { kasm, machine, median, onlyWeights } from './lib.js';

export interface MicroResult {
  key: string;
  name: string;
  /** nanoseconds per operation (per micro-op, per syscall, per cycle) */
  nsPerOp: number;
  opsPerSecond: number;
  /** micro-ops each operation took */
  stepsPerOp: number;
  /** tinybench's relative margin of error of the batch time, percent */
  rmePercent: number;
  samples: number;
  note: string;
}

export interface MicroOptions { timeMs?: number; warmupMs?: number; kernel?: string; only?: string[] }

const SYSCALL_ONLY = { fork: 1, exit: 0, wait: 0, kill: 0, yield: 0, load_balance: 0 }; // inline kasm: the built-in actions only

const lockPair = (lock: string, unlock: string): Program => kasm(`
routine void sys_fork
    ${lock}
    ${unlock}
    return
`);

export interface MicroSpec {
  key: string;
  name: string;
  kernel: string | Program;
  scenario: ScenarioInput;
  /** steps per runStep() call (0: the task calls step() instead) */
  batch: number;
  /** what counts as one operation: read from the machine */
  ops: (m: Machine) => number;
  note: string;
}

/** The micro-benchmarks, in the order they are reported. */
export function microSpecs(kernel: string): MicroSpec[] {
  const steps = (m: Machine): number => Number(m.steps());
  const syscalls = (m: Machine): number => m.counters().syscalls;
  const reaps = (m: Machine): number => m.counters().reaps;
  const one = { cpus: 1, forks: 0, driver: 'step' as const };
  const FORK_CYCLE = onlyWeights(kernel, { fork: 1, exit: 1, wait: 1 });
  return [
    { key: 'microop', name: `kasm micro-op (runStep, ${kernel}, default workload)`, kernel, scenario: { ...one }, batch: 100_000, ops: steps, note: 'one interpreted instruction or syscall entry; runStep batches of 100,000' },
    { key: 'stepCall', name: 'kasm micro-op via one step(cpu) call each', kernel, scenario: { ...one }, batch: 0, ops: steps, note: 'a JS→WASM call per micro-op: the call overhead' },
    { key: 'forkCycle', name: `fork+exit+reap cycle (step driver, ${kernel})`, kernel, scenario: { ...one, weights: FORK_CYCLE }, batch: 100_000, ops: reaps, note: 'weights fork=exit=wait=1; per reaped child; ledger on, lockdep on' },
    { key: 'forkCycleNoLockdep', name: 'fork+exit+reap cycle, lockdep off', kernel, scenario: { ...one, weights: FORK_CYCLE, lockdep: false }, batch: 100_000, ops: reaps, note: 'same seed, same work' },
    { key: 'forkCycleIrq', name: 'fork+exit+reap cycle, interrupts on, --preempt full', kernel, scenario: { ...one, weights: FORK_CYCLE, interrupts: 'on', preempt: 'full' }, batch: 100_000, ops: reaps, note: 'the tick and sigio at their declared rates; lockdep tracks hardirq usage' },
    { key: 'forkCycleIrqNoLockdep', name: 'fork+exit+reap cycle, interrupts on, lockdep off', kernel, scenario: { ...one, weights: FORK_CYCLE, interrupts: 'on', preempt: 'full', lockdep: false }, batch: 100_000, ops: reaps, note: 'same seed, same work' },
    { key: 'forkCycleNoLedger', name: 'fork+exit+reap cycle, ledger off', kernel, scenario: { ...one, weights: FORK_CYCLE, ledger: false }, batch: 100_000, ops: reaps, note: 'same seed, same work' },
    { key: 'emptySyscall', name: 'empty syscall (kasm: return)', kernel: kasm(''), scenario: { ...one, weights: SYSCALL_ONLY }, batch: 100_000, ops: syscalls, note: 'entry + return: the baseline the lock pairs are measured against' },
    { key: 'spinPair', name: 'syscall: spin_lock + spin_unlock', kernel: lockPair('spin_lock pidmap_lock', 'spin_unlock pidmap_lock'), scenario: { ...one, weights: SYSCALL_ONLY }, batch: 100_000, ops: syscalls, note: 'uncontended ticket spinlock; lockdep on' },
    { key: 'readPair', name: 'syscall: read_lock + read_unlock', kernel: lockPair('read_lock tasklist_lock', 'read_unlock tasklist_lock'), scenario: { ...one, weights: SYSCALL_ONLY }, batch: 100_000, ops: syscalls, note: 'uncontended rwlock, read side; lockdep on' },
    { key: 'writePair', name: 'syscall: write_lock + write_unlock', kernel: lockPair('write_lock tasklist_lock', 'write_unlock tasklist_lock'), scenario: { ...one, weights: SYSCALL_ONLY }, batch: 100_000, ops: syscalls, note: 'uncontended rwlock, write side; lockdep on' },
    { key: 'emptySyscallNoLockdep', name: 'empty syscall, lockdep off', kernel: kasm(''), scenario: { ...one, weights: SYSCALL_ONLY, lockdep: false }, batch: 100_000, ops: syscalls, note: '' },
    { key: 'spinPairNoLockdep', name: 'syscall: spin_lock + spin_unlock, lockdep off', kernel: lockPair('spin_lock pidmap_lock', 'spin_unlock pidmap_lock'), scenario: { ...one, weights: SYSCALL_ONLY, lockdep: false }, batch: 100_000, ops: syscalls, note: '' },
  ];
}

/** The raw cost of one lock pair: the lock-pair syscall minus the empty one. */
export interface LockPairs { spin: number; read: number; write: number; spinNoLockdep: number }

/** Comparisons measured batch against batch, interleaved (see runInterleaved). */
export interface Interleaved {
  rounds: number;
  /** median ns per operation of each benchmark over the rounds */
  nsPerOp: Record<string, number>;
  /** medians of the per-round differences: lock-pair syscall − empty syscall */
  lockPairsNs: LockPairs;
  /** medians of the per-round ratios, on ÷ off (a slowdown: > 1 is slower with it on) */
  lockdepSlowdown: number;
  /** lockdep on ÷ off with interrupts on and --preempt full (usage state, wait types tracked) */
  lockdepSlowdownIrq: number;
  /** interrupts on and --preempt full ÷ off, lockdep on: what the contexts cost */
  contextsSlowdown: number;
  ledgerSlowdown: number;
}

const PAIRS: [keyof LockPairs, string, string][] = [
  ['spin', 'spinPair', 'emptySyscall'], ['read', 'readPair', 'emptySyscall'], ['write', 'writePair', 'emptySyscall'],
  ['spinNoLockdep', 'spinPairNoLockdep', 'emptySyscallNoLockdep'],
];

/** The same batches as the tinybench tasks, but one batch of each in turn,
 *  round after round, so that load from elsewhere on the host (a build, a
 *  test run) falls on both sides of every comparison alike. Ratios and
 *  differences are taken within a round, then their median over rounds. */
export function runInterleaved(opts: { timeMs?: number; kernel?: string } = {}): Interleaved {
  const specs = microSpecs(opts.kernel ?? 'v6.10-patched').filter((s) => s.batch > 0);
  const quiet = quietLimit(1);
  const ms = specs.map((s) => machine(s.kernel, s.scenario));
  const batch = (i: number): number => {
    const m = ms[i], s = specs[i];
    const o0 = s.ops(m);
    const t0 = performance.now();
    const r = m.core.runStep(BigInt(s.batch), quiet);
    const dt = performance.now() - t0;
    if (r !== 0) throw new Error(`${s.name}: runStep returned ${r}`);
    return (dt * 1e6) / (s.ops(m) - o0);
  };
  for (let w = 0; w < 3; w++) specs.forEach((_, i) => batch(i)); // warm up
  const per: number[][] = specs.map(() => []);
  const end = performance.now() + (opts.timeMs ?? 2000);
  let rounds = 0;
  while (performance.now() < end || rounds < 5) {
    specs.forEach((_, i) => per[i].push(batch(i)));
    rounds++;
  }
  const idx = (k: string): number => specs.findIndex((s) => s.key === k);
  const perRound = (f: (r: number) => number): number => median(Array.from({ length: rounds }, (_, r) => f(r)));
  const at = (k: string, r: number): number => per[idx(k)][r];
  const nsPerOp: Record<string, number> = {};
  specs.forEach((s, i) => { nsPerOp[s.key] = median(per[i]); });
  const lockPairsNs = {} as LockPairs;
  for (const [name, a, b] of PAIRS) lockPairsNs[name] = perRound((r) => at(a, r) - at(b, r));
  return {
    rounds, nsPerOp, lockPairsNs,
    lockdepSlowdown: perRound((r) => at('forkCycle', r) / at('forkCycleNoLockdep', r)),
    lockdepSlowdownIrq: perRound((r) => at('forkCycleIrq', r) / at('forkCycleIrqNoLockdep', r)),
    contextsSlowdown: perRound((r) => at('forkCycleIrq', r) / at('forkCycle', r)),
    ledgerSlowdown: perRound((r) => at('forkCycle', r) / at('forkCycleNoLedger', r)),
  };
}

/** Run the real kernel for a while so that V8 has tiered the module's hot
 *  functions up before anything is timed. */
export function warmUp(kernel: string, ms = 400): void {
  const m = machine(kernel, { cpus: 1, forks: 0, driver: 'step' });
  const end = performance.now() + ms;
  while (performance.now() < end) m.core.runStep(100_000n, quietLimit(1));
}

export async function runMicro(opts: MicroOptions = {}): Promise<Map<string, MicroResult>> {
  const kernel = opts.kernel ?? 'v6.10-patched';
  const specs = microSpecs(kernel).filter((s) => !opts.only || opts.only.includes(s.key));
  warmUp(kernel);
  const bench = new Bench({ time: opts.timeMs ?? 700, warmupTime: opts.warmupMs ?? 150, iterations: 16 });
  const tally = new Map<string, { calls: number; ops: number; steps: number; m: Machine }>();
  for (const s of specs) {
    const m = machine(s.kernel, s.scenario);
    const quiet = quietLimit(1);
    const t = { calls: 0, ops: 0, steps: 0, m };
    tally.set(s.key, t);
    const STEP_CALLS = 10_000;
    bench.add(s.key, () => {
      const o0 = s.ops(m), s0 = Number(m.steps());
      if (s.batch > 0) {
        const r = m.core.runStep(BigInt(s.batch), quiet);
        if (r !== 0) throw new Error(`${s.name}: runStep returned ${r} (stopped, deadlock or idle)`);
      } else {
        for (let i = 0; i < STEP_CALLS; i++) m.core.step(0);
        // step() does not add to the header's step count; the per-CPU one is what steps() reads
      }
      t.calls++;
      t.ops += s.ops(m) - o0;
      t.steps += Number(m.steps()) - s0;
    });
  }
  await bench.run();
  const out = new Map<string, MicroResult>();
  for (const s of specs) {
    const task = bench.getTask(s.key);
    const res = task?.result;
    const t = tally.get(s.key)!;
    if (!res || res.state !== 'completed') throw new Error(`${s.name}: ${res && 'error' in res ? String(res.error) : res?.state ?? 'no result'}`);
    const opsPerCall = t.ops / t.calls;
    if (!(opsPerCall > 0)) throw new Error(`${s.name}: no operations counted (${t.ops} in ${t.calls} calls)`);
    const nsPerOp = (res.period * 1e6) / opsPerCall;
    out.set(s.key, {
      key: s.key,
      name: s.name,
      nsPerOp,
      opsPerSecond: 1e9 / nsPerOp,
      stepsPerOp: t.steps / t.ops,
      rmePercent: res.latency.rme,
      samples: res.latency.samplesCount,
      note: s.note,
    });
  }
  return out;
}

/** Bytes of shared memory a machine with 1,000,000 task slots lays out. */
export function memoryFor(tasks = 1_000_000, cpus = 2, kernel = 'v6.10-patched'): { tasks: number; cpus: number; layoutBytes: number; memoryBytes: number; bytesPerSlot: number } {
  const m = machine(kernel, { tasks, cpus, forks: 0, driver: 'step' });
  return { tasks, cpus, layoutBytes: m.h(L.H_END), memoryBytes: m.memory.buffer.byteLength, bytesPerSlot: L.TASK_STRIDE };
}
