// The scheduler's side of fork, exit and balancing: choosing and locking
// runqueues, enqueueing, switching tasks, migrating.
import { C_RQ, C_RQ2, C_T, K_MIGRATIONS } from '../layout';
import * as A from '../abi';
import { NO_TASK } from '../abi';
import { nrCpus } from '../machine';
import { cget, cset, curr, setCurr, count, setCpuFlag } from '../cpu';
import { CF_ITER_END } from '../layout';
import { taskState, setTaskState, setTaskCpu, taskCpu, taskFlags } from '../task';
import { enqueue, dequeueHead, nrRunning } from '../runqueue';
import { setNeedResched } from '../irq';
import { taskKctx } from '../context';

/** select_task_rq() at fork: rq = the least loaded CPU (WF_FORK balancing). */
export function selectTaskRq(cpu: i32, t: i32): void {
  let best = cpu, load = nrRunning(cpu);
  for (let c = 0; c < nrCpus(); c++) {
    const n = nrRunning(c);
    if (n < load) { best = c; load = n; }
  }
  cset(cpu, C_RQ, best);
  setTaskCpu(t, best);
}

export function activateTask(cpu: i32, t: i32): void {
  enqueue(cget(cpu, C_RQ), t);
  setTaskState(t, A.TASK_RUNNING);
}

/** Requeue current at the tail of this runqueue if it still runs: not
 *  asleep on a lock, and running, or exiting with its context parked (it
 *  slept on a lock on its way out, and was woken). */
export function putPrevTask(cpu: i32): void {
  const c = curr(cpu);
  if (c != NO_TASK && (taskFlags(c) & A.TF_BLOCKED) == 0 && (taskState(c) == A.TASK_RUNNING || taskKctx(c) >= 0)) enqueue(cpu, c);
  setCurr(cpu, NO_TASK);
}

export function pickNextTask(cpu: i32): void {
  setNeedResched(cpu, false); // clear_tsk_need_resched(prev)
  setCurr(cpu, dequeueHead(cpu));
}

/** do_task_dead(): this CPU stops running current. */
export function doTaskDead(cpu: i32): void { setCurr(cpu, NO_TASK); }

export function taskRq(cpu: i32, t: i32): void { cset(cpu, C_RQ, taskCpu(t)); }

/** find_busiest_queue(): rq = this CPU, rq2 = the busiest other CPU if one
 *  is busier by two (iter_end when none is). */
export function findBusiestQueue(cpu: i32): void {
  let busiest = -1, most = nrRunning(cpu) + 1;
  for (let c = 0; c < nrCpus(); c++) {
    const n = nrRunning(c);
    if (c != cpu && n > most) { busiest = c; most = n; }
  }
  setCpuFlag(cpu, CF_ITER_END, busiest < 0);
  cset(cpu, C_RQ, cpu);
  cset(cpu, C_RQ2, busiest < 0 ? cpu : busiest);
}

/** double_rq_lock()'s order: rq is the lower CPU. */
export function doubleRqOrder(cpu: i32): void {
  const a = cget(cpu, C_RQ), b = cget(cpu, C_RQ2);
  if (b < a) { cset(cpu, C_RQ, b); cset(cpu, C_RQ2, a); }
}

/** detach_task() + attach_task(): one queued task from the busier of rq, rq2 to the other. */
export function migrateTask(cpu: i32): void {
  const a = cget(cpu, C_RQ), b = cget(cpu, C_RQ2);
  const src = nrRunning(a) > nrRunning(b) ? a : b;
  const dst = src == a ? b : a;
  if (nrRunning(src) <= nrRunning(dst) + 1) return; // balanced meanwhile
  const m = dequeueHead(src);
  enqueue(dst, m);
  cset(cpu, C_T, m);
  count(cpu, K_MIGRATIONS);
}

/** sched_tick(): another task waits on this runqueue, so current's slice
 *  is over (resched_curr()); the switch comes at the next chance: the
 *  return to user space, or with --preempt full the end of the interrupt.
 *  Simplified: every slice ends at the tick that finds a task waiting. */
export function schedTick(cpu: i32): void {
  if (curr(cpu) != NO_TASK && nrRunning(cpu) > 0) setNeedResched(cpu, true);
}
