// Conditions for `require` and `if`: reads of machine state, made the way
// the kernel makes them (nr_threads racily, like data_race()).
import { hget, hdr } from './machine';
import { H_PID_ALLOCATED, H_NR_THREADS, H_MAX_THREADS, H_SCX_ENABLED, H_SCX_INIT_TASK_ENABLED, PIDNS_ADDING, C_P, C_T, C_RQ, C_RQ2, CF_ITER_END, CF_LAST_REF } from './layout';
import * as A from './abi';
import { NO_TASK } from './abi';
import { cget, curr, cpuFlag } from './cpu';
import { taskFlags, taskCpu, taskScxState } from './task';

export function cond(cpu: i32, c: i32): bool {
  switch (c) {
    case A.COND_PIDNS_ADDING: return (atomic.load<i32>(hdr(H_PID_ALLOCATED)) & PIDNS_ADDING) != 0;
    case A.COND_FATAL_SIGNAL_PENDING:
    case A.COND_SIGPENDING: {
      // Only SIGKILL is modelled, so any pending signal is fatal.
      const t = curr(cpu);
      return t != NO_TASK && (taskFlags(t) & A.TF_SIGKILL) != 0;
    }
    case A.COND_BELOW_MAX_THREADS: return atomic.load<i32>(hdr(H_NR_THREADS)) < hget(H_MAX_THREADS);
    case A.COND_NPROC_OK: return true;
    case A.COND_DL_PRIO: return false;
    case A.COND_SCX_ENABLED: return atomic.load<i32>(hdr(H_SCX_ENABLED)) != 0;
    case A.COND_SCX_INIT_TASK_ENABLED: return atomic.load<i32>(hdr(H_SCX_INIT_TASK_ENABLED)) != 0;
    case A.COND_P_CLASS_EXT: return (taskFlags(cget(cpu, C_P)) & A.TF_CLASS_EXT) != 0;
    case A.COND_ITER_END: return cpuFlag(cpu, CF_ITER_END);
    case A.COND_LAST_REF: return cpuFlag(cpu, CF_LAST_REF);
    case A.COND_TASK_RQ_STABLE: return taskCpu(cget(cpu, C_T)) == cget(cpu, C_RQ);
    case A.COND_T_SCX_STATE_NONE: return taskScxState(cget(cpu, C_T)) == A.SCX_TASK_NONE;
    case A.COND_T_SCX_STATE_ENABLED: return taskScxState(cget(cpu, C_T)) == A.SCX_TASK_ENABLED;
    case A.COND_P_SCX_STATE_NONE: return taskScxState(cget(cpu, C_P)) == A.SCX_TASK_NONE;
    case A.COND_SAME_RQ: return cget(cpu, C_RQ) == cget(cpu, C_RQ2);
  }
  return false;
}
