// Exit and reaping: a task's exit_state (EXIT_ZOMBIE until its parent
// reaps it, or EXIT_DEAD at once when it autoreaps), wait_task_zombie()
// claiming a zombie, the last rcu_users reference freeing the task_struct.
// Who may reap whom (the real_parent and children relation) is the model's
// declared state; these are the steps that stay machine code.
import { H_NR_ZOMBIES, T_STATE, K_EXITS, K_REAPS, K_AUTOREAPS, K_LEAKED, CF_LAST_REF, CF_TRYGET_FAILED } from '../layout';
import * as A from '../abi';
import { NO_TASK } from '../abi';
import { hdr, taskAddr } from '../machine';
import { count, setCpuFlag, setTaskReg } from '../cpu';
import { setTaskState, taskOwned, taskUsageDec, taskUsageTryget, freeTaskSlot } from '../task';
import { reportResources } from '../findings';
import { writeOff } from '../ledger';

/** exit_notify(): tsk->exit_state = EXIT_ZOMBIE (under tasklist_lock for writing). */
export function exitZombie(cpu: i32, t: i32): void {
  setTaskState(t, A.EXIT_ZOMBIE);
  atomic.add<i32>(hdr(H_NR_ZOMBIES), 1);
  count(cpu, K_EXITS);
}

/** exit_notify() with autoreap (a thread that is not its group's leader):
 *  EXIT_DEAD at once; release_task() follows. */
export function exitDead(cpu: i32, t: i32): void {
  setTaskState(t, A.EXIT_DEAD);
  count(cpu, K_EXITS);
  count(cpu, K_AUTOREAPS);
}

/** wait_task_zombie(): cmpxchg(&p->exit_state, EXIT_ZOMBIE, EXIT_DEAD), so
 *  that of two reapers (tasklist_lock is held for reading: several reap at
 *  once) one wins; -ECHILD for the one that lost. */
export function waitTaskZombie(cpu: i32, t: i32): i32 {
  if (t == NO_TASK || atomic.cmpxchg<i32>(taskAddr(t) + T_STATE, A.EXIT_ZOMBIE, A.EXIT_DEAD) != A.EXIT_ZOMBIE) return A.ECHILD;
  atomic.sub<i32>(hdr(H_NR_ZOMBIES), 1);
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

/** The pid namespace's child reaper: init, the boot task of CPU 0 (slot 0,
 *  pid 1), which never exits (zap_pid_ns_processes() models its teardown
 *  without it dying). */
export function childReaper(cpu: i32, reg: i32): void { setTaskReg(cpu, reg, 0); }
