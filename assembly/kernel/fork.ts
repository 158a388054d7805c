// The task_struct's life in copy_process(): dup_task_struct() takes a slot,
// bad_fork_free gives it back.
import * as A from '../abi';
import { NO_TASK } from '../abi';
import { C_P } from '../layout';
import { cset, curr } from '../cpu';
import { allocTaskSlot, setTaskPid, setTaskParent, setTaskCpu, setTaskNext, setTaskUsage, setTaskOwned, clearTaskVars, clearTaskFlag, setTaskState } from '../task';

/** p = a new task, TASK_NEW, owning nothing yet; -ENOMEM when the table is full. */
export function dupTaskStruct(cpu: i32): i32 {
  const p = allocTaskSlot();
  if (p == NO_TASK) return A.ENOMEM;
  setTaskPid(p, 0);
  setTaskParent(p, curr(cpu));
  setTaskCpu(p, cpu); // dup_task_struct copies the parent's cpu
  setTaskNext(p, NO_TASK);
  setTaskUsage(p, 2); // rcu_users: one for the reaper, one for the scheduler
  setTaskOwned(p, 0);
  clearTaskVars(p);
  clearTaskFlag(p, -1);
  setTaskState(p, A.TASK_NEW);
  cset(cpu, C_P, p);
  return 0;
}

/** bad_fork_free: TASK_DEAD; the slot is reclaimed at return to user space. */
export function freeForkedTask(t: i32): void { setTaskState(t, A.TASK_DEAD); }
