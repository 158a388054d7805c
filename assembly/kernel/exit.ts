// Exit and reaping: zombies queued for any reaper, wait_task_zombie()
// claiming one, the last rcu_users reference freeing the task_struct.
import { H_ZOMBIE_HEAD, H_ZOMBIE_TAIL, H_NR_ZOMBIES, C_T, C_PARENT, K_EXITS, K_REAPS, K_LEAKED, CF_LAST_REF, CF_TRYGET_FAILED } from '../layout';
import * as A from '../abi';
import { NO_TASK } from '../abi';
import { hget, hset, hdr } from '../machine';
import { cset, count, setCpuFlag } from '../cpu';
import { taskState, setTaskState, taskNext, setTaskNext, taskOwned, taskParent, taskParentPid, taskPid, taskUsageDec, taskUsageTryget, freeTaskSlot } from '../task';
import { reportResources } from '../findings';
import { writeOff } from '../ledger';

/** exit_notify(): EXIT_ZOMBIE, queued for the reaper (under tasklist_lock for writing). */
export function exitZombie(cpu: i32, t: i32): void {
  setTaskState(t, A.EXIT_ZOMBIE);
  setTaskNext(t, NO_TASK);
  const tail = hget(H_ZOMBIE_TAIL);
  if (tail == NO_TASK) hset(H_ZOMBIE_HEAD, t); else setTaskNext(tail, t);
  hset(H_ZOMBIE_TAIL, t);
  atomic.add<i32>(hdr(H_NR_ZOMBIES), 1);
  count(cpu, K_EXITS);
}

/** t = a zombie, EXIT_ZOMBIE -> EXIT_DEAD; -ECHILD when there is none.
 *  Reapers hold tasklist_lock for reading, so several pop at once; the
 *  claim is a compare-and-swap on the queue head, as the kernel claims
 *  with cmpxchg on exit_state. Pushes hold it for writing, so a popped
 *  task cannot come back while a reaper is mid-pop (no ABA). */
export function waitTaskZombie(cpu: i32): i32 {
  let z = atomic.load<i32>(hdr(H_ZOMBIE_HEAD));
  while (true) {
    if (z == NO_TASK) return A.ECHILD;
    const seen = atomic.cmpxchg<i32>(hdr(H_ZOMBIE_HEAD), z, taskNext(z));
    if (seen == z) break;
    z = seen;
  }
  if (taskNext(z) == NO_TASK) atomic.store<i32>(hdr(H_ZOMBIE_TAIL), NO_TASK);
  atomic.sub<i32>(hdr(H_NR_ZOMBIES), 1);
  setTaskState(z, A.EXIT_DEAD);
  cset(cpu, C_T, z);
  count(cpu, K_REAPS);
  return 0;
}

/** put_task_struct_rcu_user(): last_ref when it dropped the final reference. */
export function putRcuUser(cpu: i32, t: i32): void { setCpuFlag(cpu, CF_LAST_REF, taskUsageDec(t) == 0); }

/** tryget_task_struct(): a reference that keeps the task from being freed,
 *  unless it is being freed already. (The model's one count is rcu_users;
 *  put_task_struct_rcu_user drops what this takes.) */
export function trygetTaskStruct(cpu: i32, t: i32): void { setCpuFlag(cpu, CF_TRYGET_FAILED, !taskUsageTryget(t)); }

/** free_task(): a task freed still owning resources is a finding. */
export function freeTask(cpu: i32, t: i32, pc: i32): void {
  const left = taskOwned(t);
  if (left != 0) {
    reportResources(A.FIND_FREE_OWNED, cpu, t, pc, left);
    writeOff(cpu, t, left);
    count(cpu, K_LEAKED, <i32>popcnt(left));
  }
  freeTaskSlot(t);
}

/** forget_original_parent(): a child whose parent is gone is reparented to
 *  the child reaper (the boot task of CPU 0 here). */
export function getParent(cpu: i32, t: i32): void {
  let p = taskParent(t);
  if (p == NO_TASK || taskPid(p) != taskParentPid(t) || taskState(p) != A.TASK_RUNNING) p = 0;
  cset(cpu, C_PARENT, p);
}
