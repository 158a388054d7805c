// Booting the machine: empty runqueues, one boot task per CPU (init and its
// siblings: unkillable, never exit), fresh counters. Fault-site knobs and the
// scheduler's configuration written by the host are kept; their counters
// and state are reset.
import {
  HEADER_SIZE, H_STOP, H_TIMED, H_TIMED_END, H_LINES_CAP, LINE_ENTRY, H_TIME_PARKED, H_HOLDS_BASE, H_HOLDS_STRIDE, H_NR_SITES, H_LD_MATRIX_BASE, H_SCHED_BASE, H_SEED,
  H_STEP_RNG, H_STALL_CPU, H_STALL_LEFT, H_STEP_COUNT, H_SCHED_POS, H_SCHED_LEN, H_SCHED_FLAGS, SF_RECORD,
  SF_OVERFLOW, H_CONTEXTS, H_CONTEXTS_END, H_PROGRAMS, H_PROGRAMS_END, H_IRQ_RNG, C_WAKE_LIST, H_LAST_PID, H_PID_ALLOCATED, H_NR_THREADS, PIDNS_ADDING, GLOBAL_LOCK_STRIDE, CPU_STRIDE,
  H_NR_VARS, H_BOOT_OWNED, V_SCOPE, V_SLOT, V_INIT, V_FLAGS, GLOBAL_VAR_STRIDE, S_RETURNED, S_PASSES, S_INJECTED, S_FORK_FAILS, S_NATURAL, S_ERRNO, S_NATURAL_AFTER, C_ID, C_CURR, C_RNG, C_FAIL_PC, C_P, C_T, C_T2, C_PARENT,
} from './layout';
import * as A from './abi';
import { NO_TASK } from './abi';
import { hget, hset, hdr, nrCpus, cpuAddr, siteAddr, globalLockAddr, globalVarAddr, varAddr, lineEntryAddr } from './machine';
import { cset, splitmix, resCount } from './cpu';
import { initTaskPool, allocTaskSlot, setTaskState, setTaskPid, setTaskCpu, setTaskFlag, setTaskUsage, setTaskOwned, taskVarWord } from './task';
import { initRunqueues } from './runqueue';
import { initKctxPool } from './context';

export function boot(): void {
  const cpus = nrCpus();
  // Machine state starts at zero; the execution contexts' configuration,
  // a closed scenario's programs and the timed model's machine are the host's.
  for (let off = H_STOP; off < HEADER_SIZE; off += 4) {
    if ((off < H_CONTEXTS || off >= H_CONTEXTS_END) && (off < H_PROGRAMS || off >= H_PROGRAMS_END) && (off < H_TIMED || off >= H_TIMED_END)) hset(off, 0);
  }
  for (let s = 0; s < hget(H_NR_SITES); s++) {
    const a = siteAddr(s);
    store<i32>(a + S_PASSES, 0); store<i32>(a + S_INJECTED, 0); store<i32>(a + S_FORK_FAILS, 0);
    store<i32>(a + S_NATURAL, 0); store<i32>(a + S_ERRNO, 0); store<i32>(a + S_NATURAL_AFTER, 0); store<i32>(a + S_RETURNED, 0);
  }
  memory.fill(globalLockAddr(0), 0, A.MAX_GLOBAL_LOCKS * GLOBAL_LOCK_STRIDE);
  // Global variables start at their declared values (parameters: the scenario's).
  memory.fill(globalVarAddr(0), 0, A.MAX_GLOBAL_VARS * GLOBAL_VAR_STRIDE);
  for (let v = 0; v < hget(H_NR_VARS); v++) {
    const r = varAddr(v);
    if (load<i32>(r + V_SCOPE) == A.SCOPE_GLOBAL) store<i32>(globalVarAddr(load<i32>(r + V_SLOT)), load<i32>(r + V_INIT));
  }
  // lockdep, lock_stat, contention counts and the findings' tables; the
  // schedule buffer is the host's.
  memory.fill(<usize>hget(H_LD_MATRIX_BASE), 0, <usize>(hget(H_SCHED_BASE) - hget(H_LD_MATRIX_BASE)));
  memory.fill(lineEntryAddr(0), 0, <usize>hget(H_LINES_CAP) * LINE_ENTRY); // every line in memory, on no CPU
  hset(H_TIME_PARKED, 0); // (each CPU's own parked flag is in its block, zeroed below)
  memory.fill(<usize>hget(H_HOLDS_BASE), 0, <usize>cpus * hget(H_HOLDS_STRIDE));
  initRunqueues();
  initTaskPool();
  initKctxPool();
  const seed = load<u64>(hdr(H_SEED));
  bootScheduler(seed);
  for (let c = 0; c < cpus; c++) {
    memory.fill(cpuAddr(c), 0, CPU_STRIDE);
    cset(c, C_ID, c);
    store<u64>(cpuAddr(c) + C_RNG, splitmix(seed + <u64>c * 0x9E3779B97F4A7C15 + 1));
    cset(c, C_FAIL_PC, -1);
    cset(c, C_P, NO_TASK);
    cset(c, C_T, NO_TASK);
    cset(c, C_PARENT, NO_TASK);
    cset(c, C_T2, NO_TASK);
    store<i32>(cpuAddr(c) + C_WAKE_LIST, NO_TASK);
    const t = allocTaskSlot();
    setTaskState(t, A.TASK_RUNNING);
    setTaskPid(t, c + 1);
    setTaskCpu(t, c);
    setTaskFlag(t, A.TF_UNKILLABLE);
    setTaskUsage(t, 2);
    // Boot tasks own what dup_task_struct and idr_alloc acquire only: they
    // never exit, so nothing else of theirs is ever released.
    const owned = load<u64>(hdr(H_BOOT_OWNED));
    setTaskOwned(t, owned);
    for (let r = 0; r < A.MAX_RESOURCES; r++) if ((owned >> <u64>r) & 1) resCount(c, r, 1);
    store<i32>(cpuAddr(c) + C_CURR, t);
    initTaskVars(t);
  }
  hset(H_LAST_PID, cpus);
  hset(H_PID_ALLOCATED, PIDNS_ADDING | cpus);
  hset(H_NR_THREADS, cpus);
}

/** A boot task's declared state: what INIT_TASK and init_signals give it
 *  (a per-task declaration's `= N`), and its structs its own (init has its
 *  own sighand_struct and signal_struct). */
function initTaskVars(t: i32): void {
  for (let pass = 0; pass < 2; pass++) { // the structs first: the others live in them
    for (let v = 0; v < hget(H_NR_VARS); v++) {
      const r = varAddr(v);
      if (load<i32>(r + V_SCOPE) != A.SCOPE_TASK || ((load<i32>(r + V_FLAGS) & A.VF_STRUCT) != 0) != (pass == 0)) continue;
      const w = taskVarWord(t, r);
      const init = load<i32>(r + V_INIT);
      // A struct, and a task reference declared `= self`, point at the boot task itself.
      store<i32>(w, pass == 0 || ((load<i32>(r + V_FLAGS) & A.VF_TASK) != 0 && init != 0) ? t + 1 : init);
    }
  }
}

/** The step driver's scheduler starts over: a fresh RNG, no stall, the
 *  replay at its first choice, an empty recording. */
function bootScheduler(seed: u64): void {
  store<u64>(hdr(H_STEP_RNG), splitmix(seed ^ 0x5157));
  store<u64>(hdr(H_IRQ_RNG), splitmix(seed ^ 0x1a9));
  hset(H_STALL_CPU, 0);
  hset(H_STALL_LEFT, 0);
  store<u64>(hdr(H_STEP_COUNT), 0);
  hset(H_SCHED_POS, 0);
  const f = hget(H_SCHED_FLAGS);
  if ((f & SF_RECORD) != 0) hset(H_SCHED_LEN, 0);
  hset(H_SCHED_FLAGS, f & ~SF_OVERFLOW);
}
