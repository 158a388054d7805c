// The simulated machine seen from the host: one shared memory, configured
// from a scenario and loaded with an assembled kernel. This class is the one
// writer of the configuration (every header word a run sets goes through it,
// and `scenario` says what is set now) and, with views.ts and findings.ts,
// the one reader of the layout.
import * as L from '../../assembly/layout.js';
import * as A from '../../assembly/abi.js';
import type { Program } from '../kasm/index.js';
import type { Scenario } from './scenario.js';
import { instantiate, newMemory, type CoreExports } from './wasm.js';
import { decodeFinding, FINDING_KINDS, type FindingKind, type FindingRecord } from './findings.js';
import { hardwareCpus, HardwareError, type Hardware } from './hardware.js';
import { timedConfig, writeTimedHeader, writeEffectCost, type TimedConfig } from './timed-config.js';
import { heldLock, type CpuState, type LockWord, type LockId, type SiteCounters, type EdgeRecord, type LockStatRecord, type WaitState } from './views.js';


const CONFIGURE_ERRORS: Record<number, string> = {
  [L.STATUS_BAD_MAGIC]: 'header magic or ABI version mismatch (stale build?)',
  [L.STATUS_BAD_CPUS]: `cpus must be 1..${A.MAX_CPUS}`,
  [L.STATUS_BAD_TASKS]: `tasks must be cpus+1..${A.MAX_TASKS}`,
  [L.STATUS_TOO_BIG]: `the machine does not fit in ${(L.MAX_PAGES * L.PAGE) / 2 ** 30} GiB of memory: fewer tasks or CPUs`,
  [L.STATUS_STATIC_OVERLAP]: 'the module\'s static data overlaps the header (raise HEADER_BASE)',
  [L.STATUS_BAD_LINES]: `the coherence directory must be a power of two of at most ${L.MAX_LINES} entries`,
  [L.STATUS_BAD_CODE]: `the kernel is too large (at most ${A.MAX_INSNS} instructions, ${A.MAX_PRIMS} effect rows, ${A.MAX_SITES} fault sites, ${A.MAX_VARS} variables, ${A.MAX_CONDS} conditions)`,
};

/** Spins before a CPU of the parallel driver parks its worker on the lock
 *  word. A park is a futex wait and, at the holder's unlock, a wake: several
 *  µs, more than a simulated critical section lasts in host time. So parking
 *  early costs more than spinning. Measured on this 2-core host, v6.10-patched,
 *  forks/s against 200: 2 CPUs 63k → 96k, 8 CPUs 24k → 37k; 1000–5000 are
 *  alike and 20000 starves 8 CPUs (24k). */
export const SPIN_PARK = 2000;

/** The per-CPU event counters (layout K_*), by name; `actions`: how often
 *  each model-declared action ran, by its name. */
export interface Counters {
  forksOk: number; forksFailed: number; exits: number; reaps: number; autoreaps: number; kills: number; yields: number;
  migrations: number; leaked: number; syscalls: number; irqs: number; preempts: number; blocks: number; wakeups: number; noKctx: number;
  actions: Record<string, number>;
}
type Scalar = Exclude<keyof Counters, 'actions'>;
const COUNTERS: [Scalar, number][] = [
  ['forksOk', L.K_FORKS_OK], ['forksFailed', L.K_FORKS_FAILED], ['exits', L.K_EXITS], ['reaps', L.K_REAPS], ['autoreaps', L.K_AUTOREAPS], ['kills', L.K_KILLS],
  ['yields', L.K_YIELDS], ['migrations', L.K_MIGRATIONS], ['leaked', L.K_LEAKED], ['syscalls', L.K_SYSCALLS],
  ['irqs', L.K_IRQS], ['preempts', L.K_PREEMPTS], ['blocks', L.K_BLOCKS], ['wakeups', L.K_WAKEUPS], ['noKctx', L.K_NO_KCTX],
];

/** A distinct finding: its count (exact) and its first record. */
export interface DistinctFinding { count: number; seq: number; first: FindingRecord }
export interface FindingCounts {
  total: number; // findings made
  stored: number; // records kept in the ring
  distinct: number; // distinct findings counted in the table
  uncounted: number; // findings of keys the full table could not take
  perKind: Partial<Record<FindingKind, number>>;
}

export interface MachineOptions {
  /** Bytes of schedule buffer for the step driver: record (or replay) up to this many choices. */
  scheduleCapacity?: number;
  /** The timed model's hardware: every step of the step driver is charged to its CPU's clock. */
  hardware?: Hardware;
}

/** The part of a scenario a machine can change between runs without a new layout. */
export type RunSettings = Pick<Scenario, 'seed' | 'weights' | 'forks'>;

export class Machine {
  readonly memory: WebAssembly.Memory;
  readonly core: CoreExports;
  private current: Scenario;
  private readonly scheduleCapacity: number;
  /** The timed model's hardware (null: steps are not timed). */
  readonly hardware: Hardware | null;
  /** The machine file's costs as the memory takes them (null: not timed). */
  private readonly timed: TimedConfig | null;

  private constructor(memory: WebAssembly.Memory, core: CoreExports, readonly program: Program, scenario: Scenario, opts: MachineOptions, timed: TimedConfig | null) {
    this.memory = memory;
    this.core = core;
    this.current = scenario;
    this.scheduleCapacity = opts.scheduleCapacity ?? 0;
    this.hardware = opts.hardware ?? null;
    this.timed = timed;
  }

  /** Build a machine: lay out memory, load the kernel, boot. */
  static create(program: Program, scenario: Scenario, opts: MachineOptions = {}): Machine {
    const hw = opts.hardware;
    if (hw && scenario.cpus > hardwareCpus(hw)) throw new HardwareError(`cpus (${scenario.cpus}) must be at most the ${hardwareCpus(hw)} CPUs machine '${hw.name}' has`);
    const timed = hw ? timedConfig(program, hw) : null;
    const memory = newMemory();
    const core = instantiate(memory);
    const m = new Machine(memory, core, timed?.program ?? program, scenario, opts, timed);
    m.writeConfig();
    const status = core.configure();
    if (status !== L.STATUS_OK) throw new Error(`cannot build the machine: ${CONFIGURE_ERRORS[status] ?? `status ${status}`}`);
    m.loadProgram();
    core.boot();
    return m;
  }

  /** The scenario as it is set now (run settings included). */
  get scenario(): Scenario { return this.current; }

  /** Reboot with the same kernel and settings (a fresh run). */
  reboot(): void { this.core.boot(); }

  // ── Raw access (this folder only, and tests of the layout itself) ───────
  get i32(): Int32Array { return new Int32Array(this.memory.buffer); }
  h(off: number): number { return Atomics.load(this.i32, (L.HEADER_BASE + off) >> 2); }
  private hset(off: number, v: number): void { Atomics.store(this.i32, (L.HEADER_BASE + off) >> 2, v); }
  private at(addr: number): number { return Atomics.load(this.i32, addr >> 2); }
  private at64(addr: number): bigint { return new BigUint64Array(this.memory.buffer)[addr >> 3]; }
  private set64(addr: number, v: bigint): void { new BigUint64Array(this.memory.buffer)[addr >> 3] = v; }
  private readonly reader = { i32: (a: number): number => this.at(a), u64: (a: number): bigint => this.at64(a) };

  // ── The configuration ───────────────────────────────────────────────────
  private writeConfig(): void {
    const s = this.current;
    const p = this.program;
    this.hset(L.H_MAGIC, L.MAGIC);
    this.hset(L.H_ABI_VERSION, L.ABI_VERSION);
    this.hset(L.H_NR_CPUS, s.cpus);
    this.hset(L.H_NR_TASKS, s.tasks);
    this.hset(L.H_MAX_THREADS, s.maxThreads);
    this.hset(L.H_PID_MAX, s.pidMax);
    this.hset(L.H_POPULATION, s.population);
    this.hset(L.H_FLAGS, (s.ledger ? L.FLAG_LEDGER : 0) | (s.lockdep ? L.FLAG_LOCKDEP : 0) | (s.stopOnFinding ? L.FLAG_STOP_ON_FINDING : 0));
    this.hset(L.H_NR_INSNS, p.code.length / A.INSN_WORDS);
    this.hset(L.H_NR_EFFECTS, p.effects.length);
    this.hset(L.H_NR_SITES, p.sites.length);
    this.hset(L.H_NR_VARS, p.vars.length);
    this.hset(L.H_NR_CONDS, p.conds.length);
    this.set64(L.HEADER_BASE + L.H_BOOT_OWNED, p.bootOwned);
    this.hset(L.H_PID_RESOURCE, p.pidResource);
    this.hset(L.H_SPIN_PARK, SPIN_PARK);
    this.hset(L.H_FINDINGS_CAP, s.findingsCap);
    this.hset(L.H_POLICY, L.POLICY_RANDOM);
    this.hset(L.H_SCHED_CAP, this.scheduleCapacity);
    this.hset(L.H_SCHED_FLAGS, 0);
    this.hset(L.H_STALL_PPM, Math.round((s.stall?.rate ?? 0) * 1e6));
    this.hset(L.H_STALL_MAX, s.stall?.maxSteps ?? 1);
    for (let act = 0; act < A.NR_ACTIONS; act++) {
      this.hset(L.H_ENTRIES + act * 4, p.entries.get(act) ?? -1);
      this.hset(L.H_ACTION_CONDS + act * 4, p.actions.find((a) => a.action === act)?.cond ?? -1);
    }
    const mask = (f: (a: (typeof p.actions)[number]) => boolean): number => p.actions.filter((a) => !a.builtin && f(a)).reduce((m, a) => m | (1 << a.action), 0);
    this.hset(L.H_FORK_ACTIONS, mask((a) => a.fork));
    this.hset(L.H_FIRST_ACTIONS, mask((a) => a.first));
    p.taskLockHosts.forEach((h, slot) => this.hset(L.H_TASK_LOCK_HOSTS + slot * 4, h));
    this.writeContexts(s);
    this.writePrograms(s.programs);
    writeTimedHeader(this.memory.buffer, this.timed, s);
    this.writeRunSettings(s);
  }

  /** A closed scenario's programs: each CPU's syscalls by action id. */
  private writePrograms(programs: Scenario['programs']): void {
    this.hset(L.H_CLOSED, programs ? 1 : 0);
    const bytes = new Uint8Array(this.memory.buffer, L.HEADER_BASE + L.H_PROGRAM_BASE, L.MAX_PROGRAM_CPUS * L.PROGRAM_SIZE);
    bytes.fill(0);
    programs?.forEach((prog, cpu) => {
      bytes[cpu * L.PROGRAM_SIZE] = prog.length;
      prog.forEach((name, i) => { bytes[cpu * L.PROGRAM_SIZE + 1 + i] = this.program.actions.find((a) => a.name === name)!.action; });
    });
  }

  /** Interrupt handlers and their rates, the preemption model, and whether
   *  sleeping locks can sleep (the model has a wakeup IPI and schedule). */
  private writeContexts(s: Scenario): void {
    const p = this.program;
    this.hset(L.H_NR_IRQS, p.irqs.length);
    const rates = this.irqRates();
    for (let h = 0; h < A.MAX_IRQS; h++) {
      const q = p.irqs[h];
      this.hset(L.H_IRQ_ENTRIES + h * 4, q ? q.entry : -1);
      this.hset(L.H_IRQ_RATES + h * 4, q ? rates[q.name] : 0);
    }
    const ipi = p.irqs.find((q) => q.wakeup);
    this.hset(L.H_IRQ_IPI, ipi ? ipi.index : -1);
    this.hset(L.H_PREEMPT, s.preempt === 'full' ? A.PREEMPT_FULL : A.PREEMPT_NONE);
    const canBlock = ipi !== undefined && p.entries.has(A.ACT_SCHEDULE);
    const anyRate = Object.values(rates).some((r) => r > 0);
    this.hset(L.H_CTX_FLAGS, (s.preemptRt ? L.CTXF_PREEMPT_RT : 0) | (canBlock ? L.CTXF_CAN_BLOCK : 0) | (anyRate ? L.CTXF_IRQ_RATES : 0));
    this.hset(L.H_KCTX_CAP, Math.min(s.tasks, L.MAX_KCTX));
  }

  /** Each handler's rate in this scenario (per million steps of a CPU).
   *  PREEMPT_RT threads a handler that takes a spinlock_t or rwlock_t
   *  (force_irqthreads): threaded handlers are not modelled, so those do not
   *  arrive with --preempt-rt (the tick and the wakeup IPI still do). */
  irqRates(): Record<string, number> {
    const s = this.current.interrupts;
    const rate = (q: (typeof this.program.irqs)[number]): number =>
      s === 'off' || (this.current.preemptRt && q.threadedOnRt) ? 0 : s !== 'on' && Object.hasOwn(s, q.name) ? s[q.name] : q.rate;
    return Object.fromEntries(this.program.irqs.map((q) => [q.name, rate(q)]));
  }

  private writeRunSettings(s: RunSettings): void {
    this.set64(L.HEADER_BASE + L.H_SEED, BigInt(s.seed));
    this.hset(L.H_FORK_LIMIT, s.forks);
    for (let act = 0; act < A.NR_ACTIONS; act++) this.hset(L.H_WEIGHTS + act * 4, 0);
    for (const a of this.program.actions) this.hset(L.H_WEIGHTS + a.action * 4, Math.round((Object.hasOwn(s.weights, a.name) ? s.weights[a.name] : a.weight) * 1000));
  }

  /** Change the seed, weights or fork limit for the next boot (faults does
   *  this per attempt); `scenario` then says what runs. */
  reconfigure(change: Partial<RunSettings>): void {
    this.current = { ...this.current, ...change };
    this.writeRunSettings(this.current);
  }

  private loadProgram(): void {
    const p = this.program;
    const i32 = this.i32;
    i32.set(p.code, this.h(L.H_CODE_BASE) >> 2);
    p.effects.forEach((e, row) => {
      const a = this.h(L.H_EFFECTS_BASE) + row * L.EFFECT_SIZE;
      i32[(a + L.E_SERVICE) >> 2] = e.service;
      i32[(a + L.E_SERVICE_ARG) >> 2] = e.serviceArg;
      i32[(a + L.E_REG) >> 2] = e.reg;
      i32[(a + L.E_NATURAL) >> 2] = e.natural;
      this.set64(a + L.E_ACQUIRES, e.acquires);
      this.set64(a + L.E_RELEASES, e.releases);
      i32[(a + L.E_ASSERT0) >> 2] = e.asserts[0] ?? -1;
      i32[(a + L.E_ASSERT1) >> 2] = e.asserts[1] ?? -1;
      i32[(a + L.E_ERRNO) >> 2] = e.errno;
      i32[(a + L.E_NR_EFFECTS) >> 2] = e.effects.length;
      i32[(a + L.E_PRIM_FLAGS) >> 2] = e.flags;
      writeEffectCost(this.memory.buffer, a, e.name, this.timed);
      e.effects.forEach((x, k) => {
        const ef = a + L.E_EFFECTS + k * L.EF_SIZE;
        i32[(ef + L.EF_OP) >> 2] = x.op | (x.reg << 8);
        i32[(ef + L.EF_VAR) >> 2] = x.var;
        i32[(ef + L.EF_VALUE) >> 2] = x.value;
        i32[(ef + L.EF_COND) >> 2] = x.cond;
      });
    });
    p.conds.forEach((c, row) => i32.set(c.words, (this.h(L.H_CONDS_BASE) + row * L.COND_SIZE) >> 2));
    p.vars.forEach((v, id) => {
      const a = this.h(L.H_VARS_BASE) + id * L.VAR_SIZE;
      i32.set([v.scope, v.slot, v.flags, v.guard, v.guardWrite ? 1 : 0, v.release, v.releaseReg, v.init, v.host], a >> 2);
    });
    this.writeParams(this.current.params);
    this.armFaults(this.current.faults);
  }

  /** A param's value (the scenario's, or its declared default) is its
   *  global variable's initial value, from the next boot on. */
  private writeParams(params: Scenario['params']): void {
    for (const d of this.program.vocab.varList) {
      if (d.type !== 'param' || !Object.hasOwn(params, d.name)) continue;
      const v = params[d.name];
      Atomics.store(this.i32, (this.h(L.H_VARS_BASE) + d.id * L.VAR_SIZE + L.V_INIT) >> 2, d.ppm ? Math.round(v * 1e6) : v);
    }
  }

  /** Write the fault knobs of each named site (unknown names are rejected
   *  earlier, by the scenario check against the program's sites). */
  armFaults(faults: Scenario['faults']): void {
    this.current = { ...this.current, faults };
    const i32 = this.i32;
    for (const site of this.program.sites) {
      const a = this.siteAddr(site.id);
      const k = Object.hasOwn(faults, site.name) ? faults[site.name] : undefined;
      i32[(a + L.S_ENABLED) >> 2] = k ? 1 : 0;
      i32[(a + L.S_PROBABILITY) >> 2] = k ? Math.round(k.probability * 1e6) : 0;
      i32[(a + L.S_INTERVAL) >> 2] = k?.interval ?? 0;
      i32[(a + L.S_TIMES) >> 2] = k?.times ?? -1;
      i32[(a + L.S_NTH) >> 2] = k?.nth ?? 0;
    }
  }

  /** Parallel driver: a CPU that spins too long parks its thread on the lock word. */
  setParking(on: boolean): void {
    this.hset(L.H_FLAGS, on ? this.h(L.H_FLAGS) | L.FLAG_PARK : this.h(L.H_FLAGS) & ~L.FLAG_PARK);
  }

  // ── The timed model ─────────────────────────────────────────────────────
  /** Step by time (the CPU whose clock is earliest) from the next boot on,
   *  until every clock passes `horizonSeconds` of simulated time (0: never). */
  useTimePolicy(horizonSeconds: number): void {
    if (!this.hardware) throw new Error('useTimePolicy: the machine was built without a machine file');
    this.hset(L.H_POLICY, L.POLICY_TIME);
    this.setHorizon(horizonSeconds);
  }
  /** Move the horizon (the run goes on to it from where it is). */
  setHorizon(seconds: number): void { this.set64(L.HEADER_BASE + L.H_TIME_HORIZON, BigInt(Math.round(seconds * 1e12))); }
  /** A CPU's simulated clock and, of it, the time spent spinning and idle
   *  (picoseconds); `atHorizon`: as they were when the run reached its
   *  horizon (draining the syscalls in flight goes on past it), if it did. */
  cpuTime(cpu: number, atHorizon = false): { clock: bigint; spin: bigint; idle: bigint } {
    if (atHorizon && this.horizonTimes) return this.horizonTimes[cpu];
    const a = this.cpuAddr(cpu);
    return { clock: this.at64(a + L.C_CLOCK), spin: this.at64(a + L.C_TIME_SPIN), idle: this.at64(a + L.C_TIME_IDLE) };
  }
  private horizonTimes: { clock: bigint; spin: bigint; idle: bigint }[] | null = null;
  /** The run reached its horizon: keep the CPUs' times as they are now. */
  noteHorizon(): void { this.horizonTimes = Array.from({ length: this.current.cpus }, (_, c) => this.cpuTime(c)); }

  // ── The step driver's schedule ──────────────────────────────────────────
  /** Record every choice of the step driver from the next boot on. */
  recordSchedule(): void {
    if (!this.scheduleCapacity) throw new Error('recordSchedule: the machine was built without a schedule buffer');
    if (this.h(L.H_POLICY) !== L.POLICY_TIME) this.hset(L.H_POLICY, L.POLICY_RANDOM); // the time policy records as it steps
    this.hset(L.H_SCHED_FLAGS, L.SF_RECORD);
  }

  /** The choices recorded (a prefix when `overflow`). */
  schedule(): { choices: Uint8Array; overflow: boolean } {
    const len = this.h(L.H_SCHED_LEN);
    const choices = new Uint8Array(this.memory.buffer, this.h(L.H_SCHED_BASE), len).slice();
    return { choices, overflow: (this.h(L.H_SCHED_FLAGS) & L.SF_OVERFLOW) !== 0 };
  }

  /** Follow `choices` exactly from the next boot on (the replay policy). */
  replaySchedule(choices: Uint8Array): void {
    if (choices.length > this.scheduleCapacity) throw new Error(`replaySchedule: ${choices.length} choices do not fit a ${this.scheduleCapacity}-byte schedule buffer`);
    // A byte IRQ_MARK | h raises interrupt h before the step that follows.
    const bad = choices.findIndex((c) => (c & A.IRQ_MARK ? (c & ~A.IRQ_MARK) >= this.program.irqs.length : c >= this.current.cpus));
    if (bad >= 0) throw new Error(`replaySchedule: choice ${bad} (${choices[bad]}) names no CPU or interrupt of this machine (${this.current.cpus} CPUs, ${this.program.irqs.length} interrupts)`);
    new Uint8Array(this.memory.buffer, this.h(L.H_SCHED_BASE), choices.length).set(choices);
    this.hset(L.H_SCHED_LEN, choices.length);
    this.hset(L.H_SCHED_FLAGS, 0);
    this.hset(L.H_POLICY, L.POLICY_REPLAY);
  }

  /** The CPU the replay policy steps next (-1: the schedule is done). */
  nextScheduled(): number {
    const len = this.h(L.H_SCHED_LEN);
    const bytes = new Uint8Array(this.memory.buffer, this.h(L.H_SCHED_BASE), len);
    let pos = this.h(L.H_SCHED_POS);
    while (pos < len && bytes[pos] & A.IRQ_MARK) pos++;
    return pos < len ? bytes[pos] : -1;
  }
  /** Replay: the choices followed so far. */
  schedulePosition(): number { return this.h(L.H_SCHED_POS); }

  /** The bytes of memory that are the simulated machine: everything but the
   *  scheduler's own header line and the schedule buffer. */
  machineBytes(): Uint8Array {
    const all = new Uint8Array(this.memory.buffer.slice(0, this.h(L.H_END)));
    all.fill(0, L.HEADER_BASE + L.H_SCHED, L.HEADER_BASE + L.H_SCHED_END);
    all.fill(0, this.h(L.H_SCHED_BASE), this.h(L.H_SCHED_BASE) + this.scheduleCapacity);
    return all;
  }

  // ── Run control ─────────────────────────────────────────────────────────
  requestStop(): void {
    Atomics.store(this.i32, (L.HEADER_BASE + L.H_STOP) >> 2, 1);
    Atomics.notify(this.i32, (L.HEADER_BASE + L.H_STOP) >> 2);
  }
  stopped(): boolean { return this.h(L.H_STOP) !== 0; }
  /** The stop flag word, for a worker's loop. */
  stopWord(): Int32Array { return new Int32Array(this.memory.buffer, L.HEADER_BASE + L.H_STOP, 1); }
  /** Why the core set its stop flag: the first finding, or the fork count. */
  stopCause(): 'finding' | 'forks' { return this.current.stopOnFinding && this.nrFindings() > 0 ? 'finding' : 'forks'; }
  /** Recording: the schedule's length when the drain began (-1: none). */
  drainedAt = -1;
  /** Let every CPU finish its syscall and start no new one. */
  drain(): void {
    if (this.drainedAt < 0) this.drainedAt = this.h(L.H_SCHED_LEN);
    this.hset(L.H_DRAIN, 1);
    this.hset(L.H_FORK_LIMIT, 0);
    this.hset(L.H_FLAGS, this.h(L.H_FLAGS) & ~L.FLAG_STOP_ON_FINDING);
    this.hset(L.H_STOP, 0);
  }
  /** Every CPU in user space (or idle) and no task parked in the kernel. */
  quiescent(): boolean {
    for (let c = 0; c < this.current.cpus; c++) if (this.cpuBusy(c)) return false;
    return this.h(L.H_NR_KCTX) === 0;
  }

  // ── Execution contexts ──────────────────────────────────────────────────
  /** Raise interrupt `h` on `cpu` (the parallel driver's timer). */
  raiseIrq(cpu: number, h: number): void { Atomics.or(this.i32, (this.cpuAddr(cpu) + L.C_IRQ_PENDING) >> 2, 1 << h); }
  /** The tasks asleep on a sleeping lock now: each with its slot, the lock
   *  (address), and the number of its block (a new block, a new number). */
  sleepers(): { slot: number; task: number; lock: number; seq: number }[] {
    const out = [];
    const base = this.h(L.H_KCTX_BASE) + this.current.cpus * L.KCTX_STRIDE;
    for (let s = 0; s < this.h(L.H_KCTX_HWM); s++) {
      const a = base + s * L.KCTX_STRIDE;
      const lock = this.at(a + L.KX_WAIT);
      if (lock !== 0) out.push({ slot: s, task: this.at(a + L.KX_TASK), lock, seq: this.at(a + L.KX_SEQ) });
    }
    return out;
  }

  // ── Counters ────────────────────────────────────────────────────────────
  /** One CPU's counters. */
  cpuCounters(cpu: number): Counters {
    const base = this.cpuAddr(cpu) + L.C_COUNTERS;
    const out = Object.fromEntries(COUNTERS.map(([name, k]) => [name, this.at(base + k * 4)])) as unknown as Counters;
    out.actions = Object.fromEntries(this.program.vocab.actions.map((a) => [a.name, this.at(base + (L.K_MODEL_ACTIONS + a.action - A.ACT_MODEL) * 4)]));
    return out;
  }
  /** The counters summed over CPUs. */
  counters(): Counters {
    const sum = this.cpuCounters(0);
    for (let c = 1; c < this.current.cpus; c++) {
      const one = this.cpuCounters(c);
      for (const [name] of COUNTERS) sum[name] += one[name];
      for (const a of Object.keys(sum.actions)) sum.actions[a] += one.actions[a];
    }
    return sum;
  }
  steps(): bigint { return this.sum64(L.C_STEPS); }
  cpuSteps(cpu: number): bigint { return this.at64(this.cpuAddr(cpu) + L.C_STEPS); }
  spins(): bigint { return this.sum64(L.C_SPINS); }
  private sum64(off: number): bigint {
    let n = 0n;
    for (let c = 0; c < this.current.cpus; c++) n += this.at64(this.cpuAddr(c) + off);
    return n;
  }
  nrFindings(): number { return this.h(L.H_NR_FINDINGS); }
  forkAttempts(): number { return this.h(L.H_FORK_ATTEMPTS); }
  liveTasks(): number { return this.h(L.H_NR_LIVE); }
  nrThreads(): number { return this.h(L.H_NR_THREADS); }
  cpuBusy(cpu: number): boolean { return this.at(this.cpuAddr(cpu) + L.C_DEPTH) !== 0; }
  /** Syscalls this CPU has entered (the watchdogs' progress measure). */
  syscalls(cpu: number): number { return this.at(this.cpuAddr(cpu) + L.C_COUNTERS + L.K_SYSCALLS * 4); }

  // ── Views ───────────────────────────────────────────────────────────────
  private cpuAddr(cpu: number): number { return this.h(L.H_CPU_BASE) + cpu * L.CPU_STRIDE; }
  private taskAddr(t: number): number { return this.h(L.H_TASK_BASE) + t * L.TASK_STRIDE; }
  private siteAddr(s: number): number { return this.h(L.H_SITES_BASE) + s * L.SITE_SIZE; }

  taskPid(t: number): number { return t < 0 ? 0 : this.at(this.taskAddr(t) + L.T_PID); }

  /** The task slots in use now (not free, and not a freed task's slot kept for its struct). */
  liveSlots(): number[] {
    const out: number[] = [];
    for (let t = 0; t < this.scenario.tasks; t++) {
      const s = this.at(this.taskAddr(t) + L.T_STATE);
      if (s !== A.TASK_FREE && s !== A.TASK_HOST) out.push(t);
    }
    return out;
  }

  /** Task t's declared per-task variable `name` now: a task reference as
   *  the slot it names (-1: NULL); a struct's state read in the task its
   *  pointer names (`signal.nr_threads` in the group's signal_struct). */
  taskVar(t: number, name: string): number {
    const d = this.program.vocab.vars.get(name);
    if (!d || d.scope !== 'task') throw new Error(`no per-task state '${name}'`);
    const host = d.host ? this.taskVar(t, d.host.name) : t;
    const v = this.at(this.taskAddr(host) + L.T_VARS + d.slot * 4);
    return d.type === 'task' ? v - 1 : v;
  }

  /** One CPU as it is now. */
  cpu(cpu: number): CpuState {
    const c = this.cpuAddr(cpu);
    const w = (off: number): number => this.at(c + off);
    const depth = w(L.C_DEPTH);
    const callPcs: number[] = [];
    for (let d = 1; d < depth; d++) callPcs.push(w(L.C_FRAMES + d * L.FRAME_SIZE + L.FR_CALL_PC));
    const held = [];
    // In an interrupt handler, the code it interrupted (set aside in the
    // CPU's save area) holds its locks still: they are this CPU's too.
    const saved = this.h(L.H_KCTX_BASE) + cpu * L.KCTX_STRIDE + L.KX_CTX - L.C_CTX;
    const blocks = w(L.C_PREEMPT) & A.HARDIRQ_MASK ? [saved, c] : [c];
    for (const b of blocks) {
      for (let i = 0; i < this.at(b + L.C_HELD_DEPTH) && i < A.MAX_HELD; i++) {
        const e = b + L.C_HELD + i * L.HELD_SIZE;
        held.push(heldLock(this.at(e + L.HL_LOCK), this.at(e + L.HL_INFO), this.at(e + L.HL_PC), this.at(e + L.HL_STEP)));
      }
    }
    const task = w(L.C_CURR);
    return {
      cpu, task, pid: this.taskPid(task), busy: depth !== 0, pc: w(L.C_PC), callPcs,
      spinLock: w(L.C_SPIN_LOCK), spinPc: w(L.C_SPIN_PC), spinMode: w(L.C_SPIN_MODE), held, action: w(L.C_ACTION),
      syscalls: w(L.C_COUNTERS + L.K_SYSCALLS * 4),
    };
  }
  cpus(): CpuState[] { return Array.from({ length: this.current.cpus }, (_, c) => this.cpu(c)); }

  /** Every CPU and the words of the locks the busy ones wait for: what a
   *  hang report is built from, copied at the moment it was found. */
  waitState(): WaitState {
    const cpus = this.cpus();
    const locks = [...new Set(cpus.filter((c) => c.busy && c.spinLock).map((c) => c.spinLock))].map((a) => this.lockWord(a));
    return { cpus, locks };
  }

  lockWord(addr: number): LockWord {
    return { addr, id: this.identifyLock(addr), word: this.at(addr + L.L_WORD), serving: this.at(addr + L.L_SERVING), owner: this.at(addr + L.L_OWNER) };
  }

  /** Which lock lives at an address: a global, a runqueue's, a task's. */
  identifyLock(addr: number): LockId {
    if (addr === 0) return { where: 'none' };
    const g = this.h(L.H_GLOBAL_LOCKS_BASE), rq = this.h(L.H_RQ_BASE), task = this.h(L.H_TASK_BASE);
    const locks = this.program.vocab.classes;
    const cls = (scope: string, slot: number): number => locks.find((l) => l.scope === scope && l.slot === slot)?.cls ?? -1;
    // A lock word of a block: which slot of its block's lock array it is.
    const slotIn = (off: number, base: number, n: number): number => (off >= base && off < base + n * L.LOCK_SIZE && (off - base) % L.LOCK_SIZE === 0 ? (off - base) / L.LOCK_SIZE : -1);
    if (addr >= g && addr < g + A.MAX_GLOBAL_LOCKS * L.GLOBAL_LOCK_STRIDE && (addr - g) % L.GLOBAL_LOCK_STRIDE === 0) {
      const c = cls('global', (addr - g) / L.GLOBAL_LOCK_STRIDE);
      if (c >= 0) return { where: 'global', cls: c };
    }
    if (addr >= rq && addr < rq + this.current.cpus * L.RQ_STRIDE) {
      const slot = slotIn((addr - rq) % L.RQ_STRIDE, L.RQ_LOCKS, A.MAX_RQ_LOCKS);
      if (slot >= 0 && cls('rq', slot) >= 0) return { where: 'rq', cpu: Math.floor((addr - rq) / L.RQ_STRIDE), cls: cls('rq', slot) };
    }
    if (addr >= task && addr < task + this.current.tasks * L.TASK_STRIDE) {
      const t = Math.floor((addr - task) / L.TASK_STRIDE);
      const slot = slotIn((addr - task) % L.TASK_STRIDE, L.T_LOCKS, A.MAX_TASK_LOCKS);
      if (slot >= 0 && cls('task', slot) >= 0) return { where: 'task', task: t, pid: this.taskPid(t), cls: cls('task', slot) };
    }
    return { where: 'unknown', addr };
  }

  site(id: number): SiteCounters {
    const a = this.siteAddr(id);
    return {
      passes: this.at(a + L.S_PASSES), injected: this.at(a + L.S_INJECTED), forkFails: this.at(a + L.S_FORK_FAILS),
      natural: this.at(a + L.S_NATURAL), naturalAfterLedgerBroke: this.at(a + L.S_NATURAL_AFTER), errno: this.at(a + L.S_ERRNO),
      returned: this.at(a + L.S_RETURNED) ? this.at(a + L.S_RETURNED) - 1 : null,
    };
  }

  /** Every distinct finding: how often it was found, its first record, in
   *  the order first found. Exact however many records the ring dropped. */
  distinctFindings(): DistinctFinding[] {
    const out: DistinctFinding[] = [];
    const table = this.h(L.H_DISTINCT_BASE), firsts = this.h(L.H_FIRSTS_BASE);
    for (let slot = 0; slot < L.DISTINCT_CAP; slot++) {
      const e = table + slot * L.DISTINCT_SIZE;
      if (this.at(e + L.DS_STATE) !== L.DS_READY) continue;
      const first = decodeFinding(this.reader, firsts + slot * L.FINDING_SIZE);
      if (first) out.push({ count: this.at(e + L.DS_COUNT), seq: this.at(e + L.DS_SEQ), first });
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  /** How many findings were made, how many of their records the ring kept,
   *  per kind, and how many the full distinct table could not count. */
  findingCounts(): FindingCounts {
    const total = this.nrFindings();
    const perKind: Partial<Record<FindingKind, number>> = {};
    for (const [id, kind] of Object.entries(FINDING_KINDS)) {
      const n = this.h(L.H_KIND_COUNTS + Number(id) * 4);
      if (n) perKind[kind] = n;
    }
    return { total, stored: Math.min(total, this.current.findingsCap), distinct: this.h(L.H_NR_DISTINCT), uncounted: this.h(L.H_DISTINCT_LOST), perKind };
  }

  /** The fork attempt at which a release or allocation first ran twice
   *  (the machine's counters are suspect from there), or null. */
  ledgerBrokenAt(): number | null {
    const v = this.h(L.H_LEDGER_BROKEN);
    return v ? v - 1 : null;
  }

  /** The finding records stored (at most the capacity) and how many were found. */
  findings(): { records: FindingRecord[]; total: number } {
    const total = this.nrFindings();
    const n = Math.min(total, this.current.findingsCap);
    const base = this.h(L.H_FINDINGS_BASE);
    const records: FindingRecord[] = [];
    for (let i = 0; i < n; i++) {
      const r = decodeFinding(this.reader, base + i * L.FINDING_SIZE);
      if (r) records.push(r); // null: still being written by a worker
    }
    return { records, total };
  }

  hasEdge(from: number, to: number): boolean {
    return (this.at(this.core.lockdepMatrixWord(from, to)) & (1 << (to & 31))) !== 0;
  }
  /** Every lockdep dependency (from → to, graph nodes) in the graph now. */
  lockOrderEdges(): [number, number][] {
    const out: [number, number][] = [];
    const i32 = this.i32;
    for (let from = 0; from < A.LOCKDEP_NODES; from++) {
      for (let w = 0; w * 32 < A.LOCKDEP_NODES; w++) {
        let bits = i32[this.core.lockdepMatrixWord(from, w * 32) >> 2]; // the word of to = w*32 … w*32+31
        while (bits !== 0) {
          const b = 31 - Math.clz32(bits & -bits);
          out.push([from, w * 32 + b]);
          bits &= bits - 1;
        }
      }
    }
    return out;
  }

  /** Where the lockdep edge from → to was first seen (toPc -1: not written yet). */
  edge(from: number, to: number): EdgeRecord {
    const e = this.core.lockdepEdge(from, to);
    return { toPc: this.at(e + L.ED_PC_TO) - 1, fromPc: this.at(e + L.ED_PC_FROM), cpu: this.at(e + L.ED_CPU), pid: this.at(e + L.ED_PID), fromMode: this.at(e + L.ED_FROM_MODE), toMode: this.at(e + L.ED_TO_MODE) };
  }

  lockStat(cpu: number, cls: number, mode: number): LockStatRecord {
    const a = this.core.lockstatRecord(cpu, cls, mode);
    const f = (off: number): number => Number(this.at64(a + off));
    return {
      contentions: f(L.LS_CONTENTIONS), conBounces: f(L.LS_CON_BOUNCES), waitTotal: f(L.LS_WAIT_TOTAL), waitMin: f(L.LS_WAIT_MIN), waitMax: f(L.LS_WAIT_MAX),
      acquisitions: f(L.LS_ACQUISITIONS), acqBounces: f(L.LS_ACQ_BOUNCES), holdTotal: f(L.LS_HOLD_TOTAL), holdMin: f(L.LS_HOLD_MIN), holdMax: f(L.LS_HOLD_MAX),
    };
  }
  /** Contentions counted at the lock instruction `pc`. */
  contentions(pc: number): number { return this.at(this.h(L.H_CONTENTION_BASE) + pc * 4); }
  /** lock_stat by site: the hold time (steps, or ns under the timed model) of the locks taken at `pc`, every CPU's summed. */
  holdAt(pc: number): number {
    let t = 0;
    for (let c = 0; c < this.current.cpus; c++) t += Number(this.at64(this.h(L.H_HOLDS_BASE) + c * this.h(L.H_HOLDS_STRIDE) + pc * 8));
    return t;
  }

  /** lockdep's chain cache, every CPU's summed (/proc/lockdep_stats' chain
   *  lookup hits and misses): lookups that found their chain validated, and
   *  those that validated it; one CPU's with `cpu`. */
  chainLookups(cpu?: number): { hits: number; misses: number } {
    let hits = 0, misses = 0;
    for (let c = cpu ?? 0; c < (cpu === undefined ? this.current.cpus : cpu + 1); c++) {
      const a = this.h(L.H_LD_SCRATCH_BASE) + c * L.LD_PER_CPU + L.LD_SCRATCH_PER_CPU;
      hits += Number(this.at64(a + L.LDC_HITS));
      misses += Number(this.at64(a + L.LDC_MISSES));
    }
    return { hits, misses };
  }

  /** A global variable's value now (by its declared name). */
  globalVar(name: string): number {
    const d = this.program.vocab.vars.get(name);
    if (!d || d.scope !== 'global') throw new Error(`no global state '${name}'`);
    return this.at(this.h(L.H_GLOBAL_VARS_BASE) + d.slot * L.GLOBAL_VAR_STRIDE);
  }

  /** The litmus tests' shared counter. */
  litmus(): number { return this.h(L.H_LITMUS); }
}
