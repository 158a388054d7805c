// Conditions for `require`, `if`, a primitive's natural failure and an
// action's precondition: a row of atoms (layout.ts), all of which must hold.
// Operands are constants, declared variables, rq registers, or values the
// built-in services keep (nr_threads is read racily, as the kernel's
// data_race() read of it is).
import { hget, hdr, condAddr } from './machine';
import { H_PID_ALLOCATED, H_NR_THREADS, H_MAX_THREADS, PIDNS_ADDING, C_IRQS_OFF, C_PREEMPT, CF_ITER_END, CF_LAST_REF, CF_TRYGET_FAILED, CD_NR_ATOMS, CD_ATOMS, ATOM_SIZE, AT_CMP, AT_LHS, AT_LHS_VALUE, AT_RHS, AT_RHS_VALUE } from './layout';
import * as A from './abi';
import { NO_TASK } from './abi';
import { curr, cpuFlag, randBelow, taskReg, rqReg, cget } from './cpu';
import { taskFlags, taskCpu, taskState } from './task';
import { readVar } from './state';

function builtin(cpu: i32, id: i32, reg: i32): i32 {
  switch (id) {
    case A.BV_NR_THREADS: return atomic.load<i32>(hdr(H_NR_THREADS));
    case A.BV_MAX_THREADS: return hget(H_MAX_THREADS);
    case A.BV_PIDNS_ADDING: return (atomic.load<i32>(hdr(H_PID_ALLOCATED)) & PIDNS_ADDING) != 0 ? 1 : 0;
    case A.BV_FATAL_SIGNAL_PENDING: {
      // Only SIGKILL is modelled, so any pending signal is fatal.
      const t = curr(cpu);
      return t != NO_TASK && (taskFlags(t) & A.TF_SIGKILL) != 0 ? 1 : 0;
    }
    case A.BV_ITER_END: return cpuFlag(cpu, CF_ITER_END) ? 1 : 0;
    case A.BV_LAST_REF: return cpuFlag(cpu, CF_LAST_REF) ? 1 : 0;
    case A.BV_TRYGET_FAILED: return cpuFlag(cpu, CF_TRYGET_FAILED) ? 1 : 0;
    case A.BV_RANDOM_PPM: return <i32>randBelow(cpu, 1000000);
    case A.BV_IRQS_DISABLED: return cget(cpu, C_IRQS_OFF);
    case A.BV_IN_HARDIRQ: return (cget(cpu, C_PREEMPT) & A.HARDIRQ_MASK) != 0 ? 1 : 0;
    case A.BV_PREEMPT_COUNT: return cget(cpu, C_PREEMPT);
    case A.BV_TASK_CPU: {
      const t = taskReg(cpu, reg);
      return t == NO_TASK ? -1 : taskCpu(t);
    }
    case A.BV_EXIT_STATE: {
      const t = taskReg(cpu, reg);
      const s = t == NO_TASK ? A.TASK_FREE : taskState(t);
      return s == A.EXIT_ZOMBIE ? A.EXIT_ZOMBIE_VALUE : s == A.EXIT_DEAD ? A.EXIT_DEAD_VALUE : 0;
    }
  }
  return 0;
}

export function operand(cpu: i32, at: i32, opd: i32, value: i32): i32 {
  const reg = (opd >> A.OPD_REG_SHIFT) & A.OPD_REG_MASK;
  switch (opd & A.OPD_KIND_MASK) {
    case A.OPD_CONST: return value;
    case A.OPD_VAR: return readVar(cpu, at, value, reg, (opd & A.OPD_RACY) != 0);
    case A.OPD_BUILTIN: return builtin(cpu, value, reg);
    case A.OPD_REG: return rqReg(cpu, reg);
    case A.OPD_TASK: return taskReg(cpu, reg) + 1; // as a task reference holds it (0: NULL)
  }
  return 0;
}

/** Does condition row `row` hold on this CPU now (`at`: the instruction reading it)? */
export function cond(cpu: i32, row: i32, at: i32): bool {
  const c = condAddr(row);
  const n = load<i32>(c + CD_NR_ATOMS);
  for (let i = 0; i < n; i++) {
    const a = c + CD_ATOMS + <usize>i * ATOM_SIZE;
    const cmp = load<i32>(a + AT_CMP);
    const l = operand(cpu, at, load<i32>(a + AT_LHS), load<i32>(a + AT_LHS_VALUE));
    let ok: bool;
    if (cmp == A.CMP_TRUE) ok = l != 0;
    else if (cmp == A.CMP_FALSE) ok = l == 0;
    else {
      const r = operand(cpu, at, load<i32>(a + AT_RHS), load<i32>(a + AT_RHS_VALUE));
      switch (cmp) {
        case A.CMP_EQ: ok = l == r; break;
        case A.CMP_NE: ok = l != r; break;
        case A.CMP_LT: ok = l < r; break;
        case A.CMP_LE: ok = l <= r; break;
        case A.CMP_GT: ok = l > r; break;
        case A.CMP_GE: ok = l >= r; break;
        case A.CMP_AND: ok = (l & r) != 0; break;
        default: ok = (l & r) == 0;
      }
    }
    if (!ok) return false;
  }
  return true;
}
