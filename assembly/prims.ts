// What primitives do to the machine beyond their ledger effects: each
// behaviour (abi B_*) is one call into the subsystem that owns it
// (assembly/kernel/). Returns 0 or the errno of a natural failure. Locks a
// primitive relies on are asserted from the effects table before it runs,
// as lockdep_assert_held().
import * as A from './abi';
import { setTaskCpu } from './task';
import { dupTaskStruct, freeForkedTask } from './kernel/fork';
import { idrAlloc, idrRemove, attachPid, unhashProcess, disablePidAllocation, enablePidAllocation } from './kernel/pid';
import { pidsCharge, pidsUncharge } from './kernel/cgroup';
import { selectTaskRq, activateTask, putPrevTask, pickNextTask, doTaskDead, taskRq, findBusiestQueue, doubleRqOrder, migrateTask } from './kernel/sched';
import { exitZombie, waitTaskZombie, putRcuUser, freeTask, getParent } from './kernel/exit';
import { pickKillTarget, sendSigkill } from './kernel/signal';
import {
  schedForkClass, opsInitTask, scxTransition, scxTasksAdd, scxTasksDel, setInitTaskEnabled, setScxEnabled,
  taskIterStart, taskIterNext, switchToScx, resetClass,
} from './kernel/ext';
import { litmusLoad, litmusStore } from './kernel/litmus';

export function behave(cpu: i32, b: i32, t: i32, pc: i32): i32 {
  switch (b) {
    case A.B_NONE: return 0;
    case A.B_DUP_TASK_STRUCT: return dupTaskStruct(cpu);
    case A.B_FREE_TASK: freeForkedTask(t); return 0;
    case A.B_SCHED_FORK: schedForkClass(t); return 0;
    case A.B_SET_TASK_CPU: setTaskCpu(t, cpu); return 0;
    case A.B_IDR_ALLOC: return idrAlloc(t);
    case A.B_IDR_REMOVE: idrRemove(); return 0;
    case A.B_PIDS_CHARGE: return pidsCharge();
    case A.B_PIDS_UNCHARGE: pidsUncharge(); return 0;
    case A.B_OPS_INIT_TASK: return opsInitTask(cpu, t);
    case A.B_OPS_EXIT_TASK: scxTransition(t, -1, A.SCX_TASK_NONE); return 0;
    case A.B_SCX_SET_READY: scxTransition(t, A.SCX_TASK_INIT, A.SCX_TASK_READY); return 0;
    case A.B_SCX_ENABLE_TASK: scxTransition(t, A.SCX_TASK_READY, A.SCX_TASK_ENABLED); return 0;
    case A.B_SCX_DISABLE_TASK: scxTransition(t, A.SCX_TASK_ENABLED, A.SCX_TASK_READY); return 0;
    case A.B_SCX_TASKS_ADD: scxTasksAdd(t); return 0;
    case A.B_SCX_TASKS_DEL: scxTasksDel(t); return 0;
    case A.B_ATTACH_PID: attachPid(); return 0;
    case A.B_SELECT_TASK_RQ: selectTaskRq(cpu, t); return 0;
    case A.B_ACTIVATE_TASK: activateTask(cpu, t); return 0;
    case A.B_PUT_PREV_TASK: putPrevTask(cpu); return 0;
    case A.B_PICK_NEXT_TASK: pickNextTask(cpu); return 0;
    case A.B_EXIT_ZOMBIE: exitZombie(cpu, t); return 0;
    case A.B_DO_TASK_DEAD: doTaskDead(cpu); return 0;
    case A.B_WAIT_TASK_ZOMBIE: return waitTaskZombie(cpu);
    case A.B_UNHASH_PROCESS: unhashProcess(); return 0;
    case A.B_PUT_RCU_USER: putRcuUser(cpu, t); return 0;
    case A.B_FREE_TASK_STRUCT: freeTask(cpu, t, pc); return 0;
    case A.B_PICK_KILL_TARGET: return pickKillTarget(cpu);
    case A.B_SEND_SIGKILL: sendSigkill(cpu, t); return 0;
    case A.B_PIDNS_DISABLE: disablePidAllocation(); return 0;
    case A.B_PIDNS_ENABLE: enablePidAllocation(); return 0;
    case A.B_SCX_SET_INIT_TASK_ENABLED: setInitTaskEnabled(true); return 0;
    case A.B_SCX_CLEAR_INIT_TASK_ENABLED: setInitTaskEnabled(false); return 0;
    case A.B_SCX_SET_ENABLED: setScxEnabled(true); return 0;
    case A.B_SCX_CLEAR_ENABLED: setScxEnabled(false); return 0;
    case A.B_SCX_TASK_ITER_START: taskIterStart(cpu); return 0;
    case A.B_SCX_TASK_ITER_NEXT: taskIterNext(cpu); return 0;
    case A.B_TASK_RQ: taskRq(cpu, t); return 0;
    case A.B_SCX_INIT_TASK_LOADED: scxTransition(t, -1, A.SCX_TASK_READY); return 0;
    case A.B_SCX_SWITCH_CLASS: switchToScx(t); return 0;
    case A.B_SCX_RESET_CLASS: resetClass(t); return 0;
    case A.B_FIND_BUSIEST_RQ: findBusiestQueue(cpu); return 0;
    case A.B_DOUBLE_RQ_ORDER: doubleRqOrder(cpu); return 0;
    case A.B_MIGRATE_TASK: migrateTask(cpu); return 0;
    case A.B_LITMUS_LOAD: litmusLoad(cpu); return 0;
    case A.B_LITMUS_STORE: litmusStore(cpu); return 0;
    case A.B_GET_PARENT: getParent(cpu, t); return 0;
  }
  return 0;
}
