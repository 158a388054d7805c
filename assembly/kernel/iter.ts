// Walking the task table for the tasks that meet a condition (read with
// register t = the task): how a model iterates a list of tasks it keeps,
// such as scx_tasks (`t.on_scx_tasks`: "on the list") or a task's children
// (`t.real_parent == current`).
import { H_TASK_HWM, C_T, CF_ITER_END } from '../layout';
import * as A from '../abi';
import { hdr } from '../machine';
import { cget, cset, setCpuFlag, iter, setIter } from '../cpu';
import { taskState } from '../task';
import { cond } from '../conds';

export function taskIterStart(cpu: i32): void { setIter(cpu, 0); }

/** t = the next task meeting condition row `row`; iter_end at the end (t kept). */
export function taskIterNext(cpu: i32, row: i32, pc: i32): void {
  const hwm = atomic.load<i32>(hdr(H_TASK_HWM));
  const was = cget(cpu, C_T);
  let i = iter(cpu);
  for (; i < hwm; i++) {
    const s = taskState(i);
    if (s == A.TASK_FREE || s == A.TASK_HOST) continue;
    cset(cpu, C_T, i);
    if (cond(cpu, row, pc)) break;
  }
  setCpuFlag(cpu, CF_ITER_END, i >= hwm);
  if (i >= hwm) cset(cpu, C_T, was);
  setIter(cpu, i + 1);
}
