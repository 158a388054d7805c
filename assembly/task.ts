// task_struct accessors, and the pool of task slots (pool.ts: a lock-free
// stack, so that CPUs fork and free concurrently without a model lock).
import { taskAddr, hdr, hget, nrTasks, varAddr, atomicMax } from './machine';
import {
  T_PINS, H_NR_VARS, V_FLAGS, V_SLOT, V_HOST, T_STATE, T_PID, T_CPU, T_FLAGS, T_NEXT, T_USAGE, T_OWNED, T_VARS, T_END,
  H_FREE_HEAD, H_NR_LIVE, H_TASK_HWM, TASK_STRIDE,
} from './layout';
import * as A from './abi';
import { poolPop, poolPush } from './pool';
import { NO_TASK, TASK_FREE } from './abi';

// @ts-ignore: decorator
@inline export function taskState(t: i32): i32 { return atomic.load<i32>(taskAddr(t) + T_STATE); }
// @ts-ignore: decorator
@inline export function setTaskState(t: i32, s: i32): void { atomic.store<i32>(taskAddr(t) + T_STATE, s); }
// @ts-ignore: decorator
@inline export function taskPid(t: i32): i32 { return load<i32>(taskAddr(t) + T_PID); }
// @ts-ignore: decorator
@inline export function setTaskPid(t: i32, v: i32): void { store<i32>(taskAddr(t) + T_PID, v); }
// @ts-ignore: decorator
@inline export function taskCpu(t: i32): i32 { return atomic.load<i32>(taskAddr(t) + T_CPU); }
// @ts-ignore: decorator
@inline export function setTaskCpu(t: i32, cpu: i32): void { atomic.store<i32>(taskAddr(t) + T_CPU, cpu); }
// @ts-ignore: decorator
@inline export function taskFlags(t: i32): i32 { return atomic.load<i32>(taskAddr(t) + T_FLAGS); }
// @ts-ignore: decorator
@inline export function setTaskFlag(t: i32, f: i32): void { atomic.or<i32>(taskAddr(t) + T_FLAGS, f); }
// @ts-ignore: decorator
@inline export function clearTaskFlag(t: i32, f: i32): void { atomic.and<i32>(taskAddr(t) + T_FLAGS, ~f); }
// @ts-ignore: decorator
@inline export function taskNext(t: i32): i32 { return load<i32>(taskAddr(t) + T_NEXT); }
// @ts-ignore: decorator
@inline export function setTaskNext(t: i32, n: i32): void { store<i32>(taskAddr(t) + T_NEXT, n); }
// @ts-ignore: decorator
@inline export function taskUsageDec(t: i32): i32 { return atomic.sub<i32>(taskAddr(t) + T_USAGE, 1) - 1; }
/** refcount_inc_not_zero() on the usage count: false when it was zero. */
export function taskUsageTryget(t: i32): bool {
  let v = atomic.load<i32>(taskAddr(t) + T_USAGE);
  while (v > 0) {
    const seen = atomic.cmpxchg<i32>(taskAddr(t) + T_USAGE, v, v + 1);
    if (seen == v) return true;
    v = seen;
  }
  return false;
}
// @ts-ignore: decorator
@inline export function setTaskUsage(t: i32, v: i32): void { store<i32>(taskAddr(t) + T_USAGE, v); }
// @ts-ignore: decorator
@inline export function taskOwned(t: i32): u64 { return atomic.load<u64>(taskAddr(t) + T_OWNED); }
// @ts-ignore: decorator
@inline export function setTaskOwned(t: i32, m: u64): void { atomic.store<u64>(taskAddr(t) + T_OWNED, m); }
/** A task's declared state starts at zero (dup_task_struct copies the
 *  parent's task_struct; the fields a model declares are the ones a patch
 *  adds and copy_process() initialises, so zero is their starting point). */
export function clearTaskVars(t: i32): void { memory.fill(taskAddr(t) + T_VARS, 0, T_END - T_VARS); }

/** Pop a free slot, or NO_TASK when the table is full. */
export function allocTaskSlot(): i32 {
  const t = poolPop(hdr(H_FREE_HEAD), taskAddr(0), TASK_STRIDE, T_NEXT);
  if (t < 0) return NO_TASK;
  atomic.store<i32>(taskAddr(t) + T_PINS, 1);
  atomic.add<i32>(hdr(H_NR_LIVE), 1);
  atomicMax(hdr(H_TASK_HWM), t + 1);
  return t;
}

/** The task hosting task `t`'s struct whose pointer is task var slot `host`
 *  (NO_HOST: t itself); NO_TASK when the pointer is NULL. */
export function hostOf(t: i32, host: i32): i32 {
  if (host == A.NO_HOST || t == NO_TASK) return t;
  return atomic.load<i32>(taskAddr(t) + T_VARS + (<usize>host << 2)) - 1;
}

/** The word of the per-task variable whose vars-table row is at `row`, for
 *  task t: in the task its struct names (0: t is NO_TASK or that is NULL). */
export function taskVarWord(t: i32, row: usize): usize {
  const h = hostOf(t, load<i32>(row + V_HOST));
  return h == NO_TASK ? 0 : taskAddr(h) + T_VARS + (<usize>load<i32>(row + V_SLOT) << 2);
}

/** The task is gone. Its slot goes back to the pool once no other task's
 *  struct pointer names it (a struct outlives the task that allocated it,
 *  as a signal_struct its group leader); until then it is TASK_HOST. */
export function freeTaskSlot(t: i32): void {
  setTaskState(t, A.TASK_HOST);
  atomic.sub<i32>(hdr(H_NR_LIVE), 1);
  for (let v = 0; v < hget(H_NR_VARS); v++) {
    const r = varAddr(v);
    if ((load<i32>(r + V_FLAGS) & A.VF_STRUCT) == 0) continue;
    const to = load<i32>(taskVarWord(t, r)) - 1;
    if (to >= 0 && to != t) unpinTask(to);
  }
  unpinTask(t);
}

/** Another task's struct pointer names t now. */
export function pinTask(t: i32): void { atomic.add<i32>(taskAddr(t) + T_PINS, 1); }

/** One pin of t goes: the last returns the slot to the pool. Its lock words
 *  are left as they are: a CPU may still be releasing the dead task's
 *  siglock (the kernel defers with RCU). */
export function unpinTask(t: i32): void {
  if (atomic.sub<i32>(taskAddr(t) + T_PINS, 1) != 1) return;
  setTaskState(t, TASK_FREE);
  poolPush(hdr(H_FREE_HEAD), taskAddr(0), TASK_STRIDE, T_NEXT, t);
}

/** Build the free list in slot order (boot only, single-threaded). */
export function initTaskPool(): void {
  const n = nrTasks();
  for (let t = 0; t < n; t++) {
    memory.fill(taskAddr(t), 0, TASK_STRIDE);
    setTaskNext(t, t + 1 < n ? t + 1 : NO_TASK);
    setTaskCpu(t, -1);
  }
  atomic.store<u64>(hdr(H_FREE_HEAD), n > 0 ? 1 : 0);
}
