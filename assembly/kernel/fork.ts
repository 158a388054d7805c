// The task_struct's life in copy_process(): dup_task_struct() takes a slot,
// bad_fork_free gives it back.
import * as A from '../abi';
import { NO_TASK } from '../abi';
import { C_P, H_NR_VARS, V_FLAGS, T_USER_LOCK } from '../layout';
import { hget, varAddr, taskAddr } from '../machine';
import { cset, curr } from '../cpu';
import { allocTaskSlot, setTaskPid, setTaskCpu, setTaskNext, setTaskUsage, setTaskOwned, clearTaskVars, clearTaskFlag, setTaskState, pinTask, taskVarWord } from '../task';

/** p = a new task, TASK_NEW, owning nothing yet; -ENOMEM when the table is full. */
export function dupTaskStruct(cpu: i32): i32 {
  const p = allocTaskSlot();
  if (p == NO_TASK) return A.ENOMEM;
  setTaskPid(p, 0);
  setTaskCpu(p, cpu); // dup_task_struct copies the parent's cpu
  setTaskNext(p, NO_TASK);
  setTaskUsage(p, 2); // rcu_users: one for the reaper, one for the scheduler
  setTaskOwned(p, 0);
  store<i32>(taskAddr(p) + T_USER_LOCK, 0);
  clearTaskVars(p);
  copyStructs(p, curr(cpu));
  clearTaskFlag(p, -1);
  setTaskState(p, A.TASK_NEW);
  cset(cpu, C_P, p);
  return 0;
}

/** dup_task_struct() copies the parent's task_struct, its struct pointers
 *  with it (p->sighand == current->sighand until copy_sighand() decides):
 *  so a task is never seen with a NULL one. */
function copyStructs(p: i32, parent: i32): void {
  for (let v = 0; v < hget(H_NR_VARS); v++) {
    const r = varAddr(v);
    if ((load<i32>(r + V_FLAGS) & A.VF_STRUCT) == 0) continue;
    const to = load<i32>(taskVarWord(parent, r)) - 1;
    if (to >= 0) pinTask(to);
    store<i32>(taskVarWord(p, r), to + 1);
  }
}

/** bad_fork_free: TASK_DEAD; the slot is reclaimed at return to user space. */
export function freeForkedTask(t: i32): void { setTaskState(t, A.TASK_DEAD); }
