// The built-in services: what a declared primitive runs beyond its declared
// effects (src/kasm/services.ts names and documents them). Each is machine
// code that must stay machine code — the task table, pid allocation in a
// namespace, runqueues, exit states, task iteration — and is one call
// into the subsystem that owns it (assembly/kernel/). Returns 0 or the
// errno of a natural failure.
import * as A from './abi';
import { setTaskCpu } from './task';
import { dupTaskStruct, freeForkedTask } from './kernel/fork';
import { idrAlloc, idrRemove, attachPid, unhashProcess, disablePidAllocation, enablePidAllocation } from './kernel/pid';
import { selectTaskRq, activateTask, putPrevTask, pickNextTask, doTaskDead, taskRq, findBusiestQueue, doubleRqOrder, migrateTask, schedTick } from './kernel/sched';
import { ttwuPending } from './sleep';
import { exitZombie, exitDead, waitTaskZombie, putRcuUser, trygetTaskStruct, freeTask, childReaper } from './kernel/exit';
import { pickKillTarget, sendSigkill } from './kernel/signal';
import { taskIterStart, taskIterNext } from './kernel/iter';
import { litmusLoad, litmusStore } from './kernel/litmus';

export function service(cpu: i32, b: i32, arg: i32, reg: i32, t: i32, pc: i32): i32 {
  switch (b) {
    case A.B_NONE: return 0;
    case A.B_DUP_TASK_STRUCT: return dupTaskStruct(cpu);
    case A.B_FREE_TASK: freeForkedTask(t); return 0;
    case A.B_SET_TASK_CPU: setTaskCpu(t, cpu); return 0;
    case A.B_IDR_ALLOC: return idrAlloc(t);
    case A.B_IDR_REMOVE: idrRemove(); return 0;
    case A.B_ATTACH_PID: attachPid(); return 0;
    case A.B_SELECT_TASK_RQ: selectTaskRq(cpu, t); return 0;
    case A.B_ACTIVATE_TASK: activateTask(cpu, t); return 0;
    case A.B_PUT_PREV_TASK: putPrevTask(cpu); return 0;
    case A.B_PICK_NEXT_TASK: pickNextTask(cpu); return 0;
    case A.B_EXIT_ZOMBIE: exitZombie(cpu, t); return 0;
    case A.B_EXIT_DEAD: exitDead(cpu, t); return 0;
    case A.B_DO_TASK_DEAD: doTaskDead(cpu); return 0;
    case A.B_WAIT_TASK_ZOMBIE: return waitTaskZombie(cpu, t);
    case A.B_UNHASH_PROCESS: unhashProcess(); return 0;
    case A.B_PUT_RCU_USER: putRcuUser(cpu, t); return 0;
    case A.B_FREE_TASK_STRUCT: freeTask(cpu, t, pc); return 0;
    case A.B_PICK_KILL_TARGET: return pickKillTarget(cpu);
    case A.B_SEND_SIGKILL: sendSigkill(cpu, t); return 0;
    case A.B_PIDNS_DISABLE: disablePidAllocation(); return 0;
    case A.B_PIDNS_ENABLE: enablePidAllocation(); return 0;
    case A.B_TASK_ITER_START: taskIterStart(cpu); return 0;
    case A.B_TASK_ITER_NEXT: taskIterNext(cpu, arg, pc); return 0;
    case A.B_TASK_RQ: taskRq(cpu, t); return 0;
    case A.B_FIND_BUSIEST_RQ: findBusiestQueue(cpu); return 0;
    case A.B_DOUBLE_RQ_ORDER: doubleRqOrder(cpu); return 0;
    case A.B_MIGRATE_TASK: migrateTask(cpu); return 0;
    case A.B_CHILD_REAPER: childReaper(cpu, reg); return 0;
    case A.B_LITMUS_LOAD: litmusLoad(cpu); return 0;
    case A.B_LITMUS_STORE: litmusStore(cpu); return 0;
    case A.B_TRYGET_TASK_STRUCT: trygetTaskStruct(cpu, t); return 0;
    case A.B_TTWU_PENDING: ttwuPending(cpu); return 0;
    case A.B_SCHED_TICK: schedTick(cpu); return 0;
  }
  return 0;
}
