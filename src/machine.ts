// The simulated machine seen from the host: one shared memory, configured
// from a scenario and loaded with an assembled kernel. Reads (counters,
// findings, CPU states) go through the layout the module wrote.
import * as L from '../assembly/layout.js';
import * as A from '../assembly/abi.js';
import type { Program } from './kasm/index.js';
import type { Scenario } from './scenario.js';
import { instantiate, newMemory, type CoreExports } from './wasm.js';

const ACTION_WEIGHTS: [number, keyof Scenario['weights']][] = [
  [A.ACT_FORK, 'fork'], [A.ACT_EXIT, 'exit'], [A.ACT_WAIT, 'wait'], [A.ACT_KILL, 'kill'], [A.ACT_YIELD, 'yield'],
  [A.ACT_SCX_ENABLE, 'scxEnable'], [A.ACT_SCX_DISABLE, 'scxDisable'], [A.ACT_LOAD_BALANCE, 'loadBalance'],
  [A.ACT_ZAP_PID_NS, 'zapPidNs'], [A.ACT_REOPEN_PID_NS, 'reopenPidNs'],
];

const CONFIGURE_ERRORS: Record<number, string> = {
  [L.STATUS_BAD_MAGIC]: 'header magic or ABI version mismatch (stale build?)',
  [L.STATUS_BAD_CPUS]: `cpus must be 1..${A.MAX_CPUS}`,
  [L.STATUS_BAD_TASKS]: `tasks must be cpus+1..${A.MAX_TASKS}`,
  [L.STATUS_TOO_BIG]: `the machine does not fit in ${(L.MAX_PAGES * L.PAGE) / 2 ** 30} GiB of memory: fewer tasks or CPUs`,
  [L.STATUS_STATIC_OVERLAP]: 'the module\'s static data overlaps the header (raise HEADER_BASE)',
  [L.STATUS_BAD_CODE]: `the kernel is too large (at most ${A.MAX_INSNS} instructions, ${A.MAX_PRIMS} effect rows, ${A.MAX_SITES} fault sites)`,
};

export class Machine {
  readonly memory: WebAssembly.Memory;
  readonly core: CoreExports;

  private constructor(memory: WebAssembly.Memory, core: CoreExports, readonly program: Program, readonly scenario: Scenario) {
    this.memory = memory;
    this.core = core;
  }

  /** Build a machine: lay out memory, load the kernel, boot. */
  static create(program: Program, scenario: Scenario): Machine {
    const memory = newMemory();
    const core = instantiate(memory);
    const m = new Machine(memory, core, program, scenario);
    m.writeConfig();
    const status = core.configure();
    if (status !== L.STATUS_OK) throw new Error(`cannot build the machine: ${CONFIGURE_ERRORS[status] ?? `status ${status}`}`);
    m.loadProgram();
    core.boot();
    return m;
  }

  /** Reboot with the same kernel and scenario (a fresh run). */
  reboot(): void {
    this.core.boot();
  }

  get i32(): Int32Array { return new Int32Array(this.memory.buffer); }
  get u64(): BigUint64Array { return new BigUint64Array(this.memory.buffer); }
  h(off: number): number { return Atomics.load(this.i32, (L.HEADER_BASE + off) >> 2); }
  hset(off: number, v: number): void { Atomics.store(this.i32, (L.HEADER_BASE + off) >> 2, v); }
  at(addr: number): number { return Atomics.load(this.i32, addr >> 2); }
  at64(addr: number): bigint { return this.u64[addr >> 3]; }

  private writeConfig(): void {
    const s = this.scenario;
    const p = this.program;
    this.hset(L.H_MAGIC, L.MAGIC);
    this.hset(L.H_ABI_VERSION, L.ABI_VERSION);
    this.hset(L.H_NR_CPUS, s.cpus);
    this.hset(L.H_NR_TASKS, s.tasks);
    this.hset(L.H_SEED_LO, s.seed % 2 ** 32 | 0);
    this.hset(L.H_SEED_HI, Math.floor(s.seed / 2 ** 32) | 0);
    this.hset(L.H_MAX_THREADS, s.maxThreads);
    this.hset(L.H_PID_MAX, s.pidMax);
    this.hset(L.H_PIDS_LIMIT, s.pidsLimit);
    this.hset(L.H_POPULATION, s.population);
    this.hset(L.H_SCX_INIT_FAIL_PPM, Math.round(s.scxInitTaskFail * 1e6));
    this.hset(L.H_FLAGS, (s.ledger ? L.FLAG_LEDGER : 0) | (s.lockdep ? L.FLAG_LOCKDEP : 0) | (s.stopOnFinding ? L.FLAG_STOP_ON_FINDING : 0));
    this.hset(L.H_NR_INSNS, p.code.length / A.INSN_WORDS);
    this.hset(L.H_NR_EFFECTS, p.effects.length);
    this.hset(L.H_NR_SITES, p.sites.length);
    this.hset(L.H_FORK_LIMIT, s.forks);
    this.hset(L.H_SPIN_PARK, 200);
    this.hset(L.H_FINDINGS_CAP, s.findingsCap);
    this.hset(L.H_STALL_PPM, Math.round((s.stall?.rate ?? 0) * 1e6));
    this.hset(L.H_STALL_MAX, s.stall?.maxSteps ?? 1);
    for (const [act, key] of ACTION_WEIGHTS) this.hset(L.H_WEIGHTS + act * 4, Math.round(s.weights[key] * 1000));
    for (let act = 0; act < A.NR_ACTIONS; act++) this.hset(L.H_ENTRIES + act * 4, p.entries.get(act) ?? -1);
  }

  private loadProgram(): void {
    const p = this.program;
    const i32 = this.i32;
    i32.set(p.code, this.h(L.H_CODE_BASE) >> 2);
    p.effects.forEach((e, row) => {
      const a = (this.h(L.H_EFFECTS_BASE) + row * L.EFFECT_SIZE) >> 2;
      i32[a + (L.E_BEHAVIOUR >> 2)] = e.behaviour;
      i32[a + (L.E_REG >> 2)] = e.reg;
      this.u64[(a + (L.E_ACQUIRES >> 2)) >> 1] = e.acquires;
      this.u64[(a + (L.E_RELEASES >> 2)) >> 1] = e.releases;
      i32[a + (L.E_ASSERT0 >> 2)] = e.asserts[0] ?? -1;
      i32[a + (L.E_ASSERT1 >> 2)] = e.asserts[1] ?? -1;
    });
    this.armFaults(this.scenario.faults);
  }

  /** Write the fault knobs of each named site (unknown names are rejected
   *  earlier, by the scenario check against the program's sites). */
  armFaults(faults: Scenario['faults']): void {
    const i32 = this.i32;
    for (const site of this.program.sites) {
      const a = (this.h(L.H_SITES_BASE) + site.id * L.SITE_SIZE) >> 2;
      const k = faults[site.name];
      i32[a + (L.S_ENABLED >> 2)] = k ? 1 : 0;
      i32[a + (L.S_PROBABILITY >> 2)] = k ? Math.round(k.probability * 1e6) : 0;
      i32[a + (L.S_INTERVAL >> 2)] = k?.interval ?? 0;
      i32[a + (L.S_TIMES >> 2)] = k?.times ?? -1;
      i32[a + (L.S_NTH >> 2)] = k?.nth ?? 0;
    }
  }

  cpuAddr(cpu: number): number { return this.h(L.H_CPU_BASE) + cpu * L.CPU_STRIDE; }
  taskAddr(t: number): number { return this.h(L.H_TASK_BASE) + t * L.TASK_STRIDE; }
  siteAddr(s: number): number { return this.h(L.H_SITES_BASE) + s * L.SITE_SIZE; }

  /** A per-CPU counter summed over CPUs. */
  counter(k: number): number {
    let n = 0;
    for (let c = 0; c < this.scenario.cpus; c++) n += this.at(this.cpuAddr(c) + L.C_COUNTERS + k * 4);
    return n;
  }
  cpuCounter(cpu: number, k: number): number { return this.at(this.cpuAddr(cpu) + L.C_COUNTERS + k * 4); }
  steps(): bigint {
    let n = 0n;
    for (let c = 0; c < this.scenario.cpus; c++) n += this.at64(this.cpuAddr(c) + L.C_STEPS);
    return n;
  }
  spins(): bigint {
    let n = 0n;
    for (let c = 0; c < this.scenario.cpus; c++) n += this.at64(this.cpuAddr(c) + L.C_SPINS);
    return n;
  }
  progress(cpu: number): number { return this.at(this.cpuAddr(cpu) + L.C_PROGRESS); }
  cpuBusy(cpu: number): boolean { return this.at(this.cpuAddr(cpu) + L.C_DEPTH) !== 0; }

  requestStop(): void {
    Atomics.store(this.i32, (L.HEADER_BASE + L.H_STOP) >> 2, 1);
    Atomics.notify(this.i32, (L.HEADER_BASE + L.H_STOP) >> 2);
  }
  stopped(): boolean { return this.h(L.H_STOP) !== 0; }
  /** Why the core set its stop flag: the first finding, or the fork count. */
  stopCause(): 'finding' | 'forks' { return this.scenario.stopOnFinding && this.h(L.H_NR_FINDINGS) > 0 ? 'finding' : 'forks'; }
  /** Let every CPU finish its syscall and start no new one. */
  drain(): void {
    this.hset(L.H_DRAIN, 1);
    this.hset(L.H_FORK_LIMIT, 0);
    this.hset(L.H_FLAGS, this.h(L.H_FLAGS) & ~L.FLAG_STOP_ON_FINDING);
    this.hset(L.H_STOP, 0);
  }
  quiescent(): boolean {
    for (let c = 0; c < this.scenario.cpus; c++) if (this.cpuBusy(c)) return false;
    return true;
  }
}
