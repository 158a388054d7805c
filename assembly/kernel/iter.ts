// Walking the task table for the tasks whose per-task flag (a declared
// variable) is set: how a model iterates a list of tasks it keeps, such as
// scx_tasks (the flag says "on the list").
import { H_TASK_HWM, C_T, CF_ITER_END, T_VARS, V_SLOT } from '../layout';
import { hdr, taskAddr, varAddr } from '../machine';
import { cset, setCpuFlag, iter, setIter } from '../cpu';

export function taskIterStart(cpu: i32): void { setIter(cpu, 0); }

/** t = the next task with flag variable `flag` set; iter_end at the end. */
export function taskIterNext(cpu: i32, flag: i32): void {
  const off = <usize>T_VARS + (<usize>load<i32>(varAddr(flag) + V_SLOT) << 2);
  const hwm = atomic.load<i32>(hdr(H_TASK_HWM));
  let i = iter(cpu);
  while (i < hwm && atomic.load<i32>(taskAddr(i) + off) == 0) i++;
  setCpuFlag(cpu, CF_ITER_END, i >= hwm);
  if (i < hwm) cset(cpu, C_T, i);
  setIter(cpu, i + 1);
}
