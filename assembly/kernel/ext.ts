// sched_ext: the class a new task gets, the per-task scx state machine
// (NONE -> INIT -> READY -> ENABLED), the scx_tasks list and its iterator,
// and the two enable flags (scx_enabled(), scx_ops_init_task_enabled).
import { H_SCX_ENABLED, H_SCX_INIT_TASK_ENABLED, H_SCX_INIT_FAIL_PPM, H_TASK_HWM, C_T, CF_ITER_END } from '../layout';
import * as A from '../abi';
import { hget, hdr } from '../machine';
import { cset, randBelow, setCpuFlag, iter, setIter } from '../cpu';
import { taskFlags, setTaskFlag, clearTaskFlag, taskScxState, setTaskScxState } from '../task';

/** __sched_fork(): task_should_scx(): ext only while enabled and not
 *  disabling (the disable path clears init_task_enabled first, under the rwsem). */
export function schedForkClass(t: i32): void {
  if (hget(H_SCX_ENABLED) != 0 && hget(H_SCX_INIT_TASK_ENABLED) != 0) setTaskFlag(t, A.TF_CLASS_EXT);
  else clearTaskFlag(t, A.TF_CLASS_EXT);
}

/** ops.init_task(fork=true): INIT, or the BPF scheduler refuses (scxInitTaskFail). */
export function opsInitTask(cpu: i32, t: i32): i32 {
  if (<i32>randBelow(cpu, 1000000) < hget(H_SCX_INIT_FAIL_PPM)) return A.ENOMEM;
  setTaskScxState(t, A.SCX_TASK_INIT);
  return 0;
}

/** Move the scx state from `from` to `to` (no change from any other state). */
export function scxTransition(t: i32, from: i32, to: i32): void {
  if (from < 0 || taskScxState(t) == from) setTaskScxState(t, to);
}

export function scxTasksAdd(t: i32): void { setTaskFlag(t, A.TF_ON_SCX_LIST); }
export function scxTasksDel(t: i32): void { clearTaskFlag(t, A.TF_ON_SCX_LIST); }

export function setInitTaskEnabled(on: bool): void { atomic.store<i32>(hdr(H_SCX_INIT_TASK_ENABLED), on ? 1 : 0); }
export function setScxEnabled(on: bool): void { atomic.store<i32>(hdr(H_SCX_ENABLED), on ? 1 : 0); }

export function taskIterStart(cpu: i32): void { setIter(cpu, 0); }

/** t = the next task on scx_tasks; iter_end at the end. */
export function taskIterNext(cpu: i32): void {
  const hwm = atomic.load<i32>(hdr(H_TASK_HWM));
  let i = iter(cpu);
  while (i < hwm && (taskFlags(i) & A.TF_ON_SCX_LIST) == 0) i++;
  setCpuFlag(cpu, CF_ITER_END, i >= hwm);
  if (i < hwm) cset(cpu, C_T, i);
  setIter(cpu, i + 1);
}

/** switching_to_scx(): the task joins ext_sched_class and is enabled if ready. */
export function switchToScx(t: i32): void {
  setTaskFlag(t, A.TF_CLASS_EXT);
  if (taskScxState(t) == A.SCX_TASK_READY) setTaskScxState(t, A.SCX_TASK_ENABLED);
}

export function resetClass(t: i32): void { clearTaskFlag(t, A.TF_CLASS_EXT); }
