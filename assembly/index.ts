// The module's exports. The host writes the configuration into the header,
// calls configure() (which lays out and grows the memory), writes the code,
// effects and fault sites, then boot(). Workers only call run()/step().
import {
  HEADER_BASE, HEADER_SIZE, MAGIC, ABI_VERSION, PAGE, MAX_PAGES, H_MAGIC, H_ABI_VERSION, H_NR_CPUS, H_NR_TASKS,
  H_NR_INSNS, H_NR_EFFECTS, H_NR_SITES, H_FINDINGS_CAP, H_CODE_BASE, H_EFFECTS_BASE, H_SITES_BASE,
  H_GLOBAL_LOCKS_BASE, H_CPU_BASE, H_RQ_BASE, H_TASK_BASE, H_FINDINGS_BASE, H_END, H_STATUS, H_SEED_LO,
  H_SEED_HI, H_STOP, H_NR_THREADS, H_ZOMBIE_HEAD, H_ZOMBIE_TAIL,
  H_PID_ALLOCATED, H_LAST_PID, H_STEP_RNG, H_STEP_COUNT, H_FLAGS, H_SPIN_PARK, FLAG_PARK,
  PIDNS_ADDING, EFFECT_SIZE, SITE_SIZE, GLOBAL_LOCK_STRIDE, CPU_STRIDE, RQ_STRIDE, TASK_STRIDE, FINDING_SIZE,
  STATUS_OK, STATUS_BAD_MAGIC, STATUS_BAD_CPUS, STATUS_BAD_TASKS, STATUS_TOO_BIG, STATUS_STATIC_OVERLAP,
  STATUS_BAD_CODE, S_PASSES, S_INJECTED, S_FORK_FAILS, S_NATURAL, S_ERRNO, C_ID, C_CURR, C_RNG, C_FAIL_PC,
  C_SPIN_LOCK, C_SPINS_NOW, C_SPIN_PC, C_P, C_T, C_PARENT, H_LOCKDEP_BASE, H_LOCKSTAT_BASE,
  H_CONTENTION_BASE, H_STALL_PPM, H_STALL_MAX, H_STALL_CPU, H_STALL_LEFT,
} from './layout';
import * as A from './abi';
import { NO_TASK } from './abi';
import { hget, hset, hdr, nrCpus, cpuAddr, siteAddr, globalLockAddr, stopped, insnAddr, attach } from './machine';
import { cget, cset, splitmix, resCount } from './cpu';
import { initTaskPool, allocTaskSlot, setTaskState, setTaskPid, setTaskParent, setTaskCpu, setTaskFlag, setTaskUsage, setTaskOwned } from './task';
import { initRunqueues } from './runqueue';
import { step as stepCpu } from './interp';
import { park } from './lock';
import { report } from './findings';
import { lockdepSize } from './lockdep';
import { lockstatSize } from './lockstat';

export { checkInvariants } from './invariants';

function align64(x: i64): i64 { return (x + 63) & ~63; }

/** Lay out the regions after the header and grow the memory to fit. */
export function configure(): i32 {
  const status = layOut();
  hset(H_STATUS, status);
  if (status == STATUS_OK) attach();
  return status;
}

export { attach } from './machine';

function layOut(): i32 {
  if (hget(H_MAGIC) != MAGIC || hget(H_ABI_VERSION) != ABI_VERSION) return STATUS_BAD_MAGIC;
  if (<usize>__heap_base > <usize>HEADER_BASE) return STATUS_STATIC_OVERLAP;
  const cpus = hget(H_NR_CPUS), tasks = hget(H_NR_TASKS);
  if (cpus < 1 || cpus > A.MAX_CPUS) return STATUS_BAD_CPUS;
  if (tasks < cpus + 1 || tasks > A.MAX_TASKS) return STATUS_BAD_TASKS;
  const insns = hget(H_NR_INSNS), effects = hget(H_NR_EFFECTS), sites = hget(H_NR_SITES);
  if (insns < 1 || insns > A.MAX_INSNS || effects < 0 || effects > A.MAX_PRIMS || sites < 1 || sites > A.MAX_SITES) return STATUS_BAD_CODE;
  let at: i64 = HEADER_BASE + HEADER_SIZE;
  const code = at; at += <i64>insns * A.INSN_SIZE;
  const eff = align64(at); at = eff + <i64>effects * EFFECT_SIZE;
  const site = align64(at); at = site + <i64>sites * SITE_SIZE;
  const locks = align64(at); at = locks + <i64>A.NR_GLOBAL_LOCKS * GLOBAL_LOCK_STRIDE;
  const cpu = align64(at); at = cpu + <i64>cpus * CPU_STRIDE;
  const rq = align64(at); at = rq + <i64>cpus * RQ_STRIDE;
  const task = align64(at); at = task + <i64>tasks * TASK_STRIDE;
  const find = align64(at); at = find + <i64>hget(H_FINDINGS_CAP) * FINDING_SIZE;
  const ld = align64(at); at = ld + <i64>lockdepSize(cpus);
  const ls = align64(at); at = ls + <i64>lockstatSize(cpus);
  const cont = align64(at); at = cont + <i64>insns * 4;
  const pages = (at + PAGE - 1) / PAGE;
  if (pages > MAX_PAGES) return STATUS_TOO_BIG;
  const have = <i64>memory.size();
  if (pages > have && memory.grow(<i32>(pages - have)) < 0) return STATUS_TOO_BIG;
  hset(H_CODE_BASE, <i32>code);
  hset(H_EFFECTS_BASE, <i32>eff);
  hset(H_SITES_BASE, <i32>site);
  hset(H_GLOBAL_LOCKS_BASE, <i32>locks);
  hset(H_CPU_BASE, <i32>cpu);
  hset(H_RQ_BASE, <i32>rq);
  hset(H_TASK_BASE, <i32>task);
  hset(H_FINDINGS_BASE, <i32>find);
  hset(H_LOCKDEP_BASE, <i32>ld);
  hset(H_LOCKSTAT_BASE, <i32>ls);
  hset(H_CONTENTION_BASE, <i32>cont);
  hset(H_END, <i32>at);
  return STATUS_OK;
}

/** Reset the machine: empty runqueues, one boot task per CPU (init and its
 *  siblings: unkillable, never exit), fresh counters. Fault-site knobs
 *  written by the host are kept; their counters are zeroed. */
export function boot(): void {
  const cpus = nrCpus();
  for (let off = H_STOP; off < HEADER_SIZE; off += 4) hset(off, 0);
  hset(H_ZOMBIE_HEAD, NO_TASK);
  hset(H_ZOMBIE_TAIL, NO_TASK);
  for (let s = 0; s < hget(H_NR_SITES); s++) {
    const a = siteAddr(s);
    store<i32>(a + S_PASSES, 0); store<i32>(a + S_INJECTED, 0); store<i32>(a + S_FORK_FAILS, 0);
    store<i32>(a + S_NATURAL, 0); store<i32>(a + S_ERRNO, 0);
  }
  memory.fill(globalLockAddr(0), 0, A.NR_GLOBAL_LOCKS * GLOBAL_LOCK_STRIDE);
  memory.fill(<usize>hget(H_LOCKDEP_BASE), 0, <usize>(hget(H_END) - hget(H_LOCKDEP_BASE)));
  initRunqueues();
  initTaskPool();
  const seed = (<u64>(<u32>hget(H_SEED_HI)) << 32) | <u64>(<u32>hget(H_SEED_LO));
  store<u64>(hdr(H_STEP_RNG), splitmix(seed ^ 0x5157));
  for (let c = 0; c < cpus; c++) {
    memory.fill(cpuAddr(c), 0, CPU_STRIDE);
    cset(c, C_ID, c);
    store<u64>(cpuAddr(c) + C_RNG, splitmix(seed + <u64>c * 0x9E3779B97F4A7C15 + 1));
    cset(c, C_FAIL_PC, -1);
    cset(c, C_P, NO_TASK);
    cset(c, C_T, NO_TASK);
    cset(c, C_PARENT, NO_TASK);
    const t = allocTaskSlot();
    setTaskState(t, A.TASK_RUNNING);
    setTaskPid(t, c + 1);
    setTaskParent(t, NO_TASK);
    setTaskCpu(t, c);
    setTaskFlag(t, A.TF_UNKILLABLE);
    setTaskUsage(t, 2);
    // Boot tasks own their task_struct and pid only: they never exit, so
    // nothing else of theirs is ever released.
    setTaskOwned(t, (<u64>1 << A.RES_TASK_STRUCT) | (<u64>1 << A.RES_PID));
    resCount(c, A.RES_TASK_STRUCT, 1);
    resCount(c, A.RES_PID, 1);
    store<i32>(cpuAddr(c) + C_CURR, t);
  }
  hset(H_LAST_PID, cpus);
  hset(H_PID_ALLOCATED, PIDNS_ADDING | cpus);
  hset(H_NR_THREADS, cpus);
}

/** One micro-op on one CPU (the step driver's mechanism). */
export function step(cpu: i32): i32 { return stepCpu(cpu); }

/** The parallel driver's hot loop: up to `budget` steps of the CPUs
 *  first .. first+count-1, round robin (one worker thread may drive several
 *  simulated CPUs). When none of them progresses, a CPU that has spun too
 *  long parks the thread on its lock word. Returns the steps taken. */
export function run(first: i32, count: i32, budget: i32): i32 {
  const parkAfter = (hget(H_FLAGS) & FLAG_PARK) != 0 ? hget(H_SPIN_PARK) : 0x7fffffff;
  let idleRounds = 0;
  for (let i = 0; i < budget; i += count) {
    let progressed = false, allIdle = true;
    let spinner = -1;
    for (let k = 0; k < count; k++) {
      const cpu = first + k;
      const r = stepCpu(cpu);
      if (r == A.STEP_STOPPED) return i + k;
      if (r == A.STEP_PROGRESS) progressed = true;
      if (r != A.STEP_IDLE) allIdle = false;
      if (r == A.STEP_SPIN && cget(cpu, C_SPINS_NOW) > parkAfter) spinner = cpu;
    }
    if (progressed) { idleRounds = 0; continue; }
    if (spinner >= 0) park(spinner, load<i32>(insnAddr(cget(spinner, C_SPIN_PC))) >> (8 + A.KIND_SHIFT) & 3);
    else if (allIdle && ++idleRounds > 64) { idleRounds = 0; atomic.wait<i32>(hdr(H_STOP), 0, 100000); } // nothing to run: doze 0.1 ms
  }
  return budget;
}

/** The step driver: one thread interleaves all CPUs, choosing the next one
 *  with a seeded RNG, so a run is reproducible from (kernel, scenario, seed).
 *  With stalls on, now and then one CPU is not scheduled for a while — a CPU
 *  preempted or stuck in something slow (a vCPU the host deschedules, the
 *  stop_machine() of static_branch_enable()) — which opens the windows that
 *  uniform interleaving almost never does; a stall ends early when every
 *  other CPU is blocked. Returns 0 when the budget is spent, 1 when
 *  stopped, 2 on a deadlock (every CPU spins or idles for `quietLimit`
 *  steps, at least one spinning), 3 when the whole machine is idle. */
export function runStep(budget: i64, quietLimit: i32): i32 {
  const cpus = nrCpus();
  const stallPpm = <u64>hget(H_STALL_PPM), stallMax = <u64>max(1, hget(H_STALL_MAX));
  let x = load<u64>(hdr(H_STEP_RNG));
  let stalled = hget(H_STALL_CPU), stallLeft = hget(H_STALL_LEFT);
  let quiet = 0;
  let result = 0;
  let i: i64 = 0;
  for (; i < budget; i++) {
    x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
    const y = x * 0x2545F4914F6CDD1D;
    let c = <i32>(((y >> 32) * <u64>cpus) >> 32);
    if (stallLeft > 0) {
      stallLeft--;
      if (c == stalled && cpus > 1) c = (c + 1 + <i32>((y & 0xffff) % <u64>(cpus - 1))) % cpus;
    } else if (stallPpm > 0 && (y & 0xfffff) % 1000000 < stallPpm) {
      stalled = c; // this CPU stops here for a while
      stallLeft = <i32>(1 + ((y >> 20) & 0xffffff) % stallMax);
      continue;
    }
    const r = stepCpu(c);
    if (r == A.STEP_PROGRESS) quiet = 0;
    else if (r == A.STEP_STOPPED) { result = 1; i++; break; }
    else if (++quiet > quietLimit) {
      if (stallLeft > 0) { stallLeft = 0; quiet = 0; continue; } // the others wait for the stalled CPU
      let spinning = 0;
      for (let k = 0; k < cpus; k++) if (cget(k, C_SPIN_LOCK) != 0) spinning++;
      i++;
      if (spinning == 0) { result = 3; break; }
      report(A.FIND_DEADLOCK, -1, NO_TASK, -1, 0, -1, 0, spinning, 0);
      result = 2;
      break;
    }
  }
  store<u64>(hdr(H_STEP_RNG), x);
  hset(H_STALL_CPU, stalled);
  hset(H_STALL_LEFT, stallLeft);
  addSteps(i);
  return result;
}

function addSteps(n: i64): void {
  store<u64>(hdr(H_STEP_COUNT), load<u64>(hdr(H_STEP_COUNT)) + <u64>n);
}

/** Report a CPU the host found hung or dead (the host adds the wait-for chain). */
export function reportHang(kind: i32, cpu: i32, lock: i32, detail: i32): void {
  report(kind, cpu, cget(cpu, C_CURR), cget(cpu, C_SPIN_PC), lock, -1, 0, detail, 0);
}
