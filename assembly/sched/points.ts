// Scheduling points, for explore: a CPU's micro-ops that touch nothing
// another CPU can see run together as one transition, which ends before the
// next operation on shared state. So a schedule is an interleaving of
// visible operations only, and two transitions are dependent when their
// visible operations touch the same object and one of them writes.
//
// The objects: a spinning lock's word; a declared variable's word; a
// task's ledger (the resources a primitive acquires or releases on it);
// the word a condition reads (none, when it tests only this CPU's own
// registers, flags and locals); and, taken whole as OBJ_MACHINE, whatever
// a service, an armed fault site, a sleeping lock (its wait list, the
// runqueues) or a syscall's entry and exit reads or writes. Coarse but
// sound: OBJ_MACHINE overlaps every object, so only what is surely apart
// is independent. (lockdep's graph and the findings are written in any
// order: they are what is looked for, not what a CPU reads to decide.)
import { insnAddr, effectAddr, siteAddr, cpuAddr, stopped, ctxFlags, taskAddr, hdr, varAddr, condAddr } from '../machine';
import {
  C_IRQ_PENDING, C_IRQS_OFF, C_PREEMPT, C_DEPTH, C_PC, E_SERVICE, E_NR_EFFECTS, E_NATURAL, E_ACQUIRES, E_RELEASES,
  S_ENABLED, H_NR_THREADS, H_PID_ALLOCATED, CTXF_IRQ_RATES, E_EFFECTS, EF_OP, EF_VAR, EF_COND, V_FLAGS, V_SCOPE, H_STEP_COUNT, CD_NR_ATOMS, CD_ATOMS, ATOM_SIZE, AT_CMP, AT_LHS, AT_LHS_VALUE, AT_RHS, AT_RHS_VALUE,
} from '../layout';
import * as A from '../abi';
import { taskReg, curr } from '../cpu';
import { insnOp, insnObj, insnSite, objKind, lockWait } from '../insn';
import { lockAddr, spinBlocked } from '../lock';
import { varWord } from '../state';
import { syscallIdle, syscallEntryWrites } from '../syscall';
import { step, sleeps } from '../interp';
import { drawIrq } from './irqs';
import { raiseIrq } from '../irq';

const MACHINE_WRITE = A.OBJ_MACHINE | A.ACC_WRITE;
const MACHINE_READ = A.OBJ_MACHINE | A.ACC_READ;

/** The access of this CPU's next micro-op: an object | ACC_*. */
export function nextAccess(cpu: i32): i32 {
  const c = cpuAddr(cpu);
  if (atomic.load<i32>(c + C_IRQ_PENDING) != 0 && load<i32>(c + C_IRQS_OFF) == 0) return MACHINE_WRITE; // an interrupt's entry
  const depth = load<i32>(c + C_DEPTH);
  if (depth == 0) return syscallEntryWrites(cpu) ? MACHINE_WRITE : MACHINE_READ; // a syscall's entry: the workload, the runqueue
  const at = load<i32>(c + C_PC);
  const w0 = load<i32>(insnAddr(at));
  const site = insnSite(w0);
  if (site != 0 && load<i32>(siteAddr(site) + S_ENABLED) != 0) return MACHINE_WRITE; // its pass count (nth) is shared
  const obj = insnObj(w0);
  const arg = load<i32>(insnAddr(at) + (A.W_ARG << 2));
  switch (insnOp(w0)) {
    case A.OP_LABEL: case A.OP_GOTO: case A.OP_CALL: case A.OP_ASSERT_HELD: return A.ACC_LOCAL;
    case A.OP_CTX: return arg == A.CTX_PREEMPT_ENABLE ? MACHINE_WRITE : A.ACC_LOCAL; // preempt_enable() may schedule
    case A.OP_RETURN: return depth == 1 ? MACHINE_WRITE : A.ACC_LOCAL; // the return to user space
    case A.OP_MOV: return load<i32>(insnAddr(at) + (A.W_ERRNO << 2)) == 0 ? A.ACC_LOCAL : MACHINE_READ;
    case A.OP_REQUIRE: case A.OP_IF: case A.OP_WARN: return condAccess(cpu, arg);
    case A.OP_LOCK: case A.OP_UNLOCK: {
      const lock = lockAddr(cpu, arg);
      const sleeping = sleeps(objKind(obj), lockWait(load<i32>(insnAddr(at) + (A.W_ERRNO << 2))));
      return lock == 0 || sleeping ? MACHINE_WRITE : lock | A.ACC_WRITE; // a sleeping lock blocks and wakes tasks
    }
    case A.OP_STATE: {
      const reg = obj >> A.STATE_REG_SHIFT, sop = obj & 0xf;
      const v = varAddr(arg);
      if (load<i32>(v + V_SCOPE) == A.SCOPE_LOCAL) return A.ACC_LOCAL;
      // A struct pointer, a copy through another task, a charge against a
      // limit, a put whose release routine runs: more than one word.
      if ((load<i32>(v + V_FLAGS) & A.VF_STRUCT) != 0 || sop == A.ST_COPY || sop == A.ST_CHARGE || sop == A.ST_PUT) return MACHINE_WRITE;
      const w = <i32>varWord(cpu, arg, reg);
      return w == 0 ? MACHINE_WRITE : w | A.ACC_WRITE;
    }
    case A.OP_PRIM: {
      const e = effectAddr(arg);
      if (load<i32>(e + E_SERVICE) != A.B_NONE || load<i32>(e + E_NATURAL) >= 0 || load<i32>(e + E_NR_EFFECTS) > 1) return MACHINE_WRITE;
      if (load<i32>(e + E_NR_EFFECTS) == 1) {
        // One state effect (an unconditional set, inc or dec of a variable)
        // and no ledger: that variable's word.
        if (load<u64>(e + E_ACQUIRES) != 0 || load<u64>(e + E_RELEASES) != 0 || load<i32>(e + E_EFFECTS + EF_COND) >= 0) return MACHINE_WRITE;
        const op = load<i32>(e + E_EFFECTS + EF_OP);
        const sop = op & 0xff;
        if (sop != A.ST_SET && sop != A.ST_INC && sop != A.ST_DEC) return MACHINE_WRITE;
        const id = load<i32>(e + E_EFFECTS + EF_VAR);
        const v = varAddr(id);
        if (load<i32>(v + V_SCOPE) == A.SCOPE_LOCAL) return A.ACC_LOCAL;
        if ((load<i32>(v + V_FLAGS) & A.VF_STRUCT) != 0) return MACHINE_WRITE;
        const w = <i32>varWord(cpu, id, op >> 8);
        return w == 0 ? MACHINE_WRITE : w | A.ACC_WRITE;
      }
      if (load<u64>(e + E_ACQUIRES) == 0 && load<u64>(e + E_RELEASES) == 0) return A.ACC_LOCAL; // a cost, asserts on this CPU's locks
      const t = taskReg(cpu, obj);
      return t == A.NO_TASK ? MACHINE_WRITE : <i32>taskAddr(t) | A.ACC_WRITE;
    }
  }
  return MACHINE_WRITE;
}

/** What a condition reads: nothing shared (its operands are constants,
 *  this CPU's registers, flags and RNG, the syscall's locals), one
 *  variable's word, or more (OBJ_MACHINE). */
function condAccess(cpu: i32, row: i32): i32 {
  const c = condAddr(row);
  let obj = 0;
  const n = load<i32>(c + CD_NR_ATOMS);
  for (let i = 0; i < n; i++) {
    const a = c + CD_ATOMS + <usize>i * ATOM_SIZE;
    const cmp = load<i32>(a + AT_CMP);
    for (let side = 0; side < 2; side++) {
      if (side == 1 && (cmp == A.CMP_TRUE || cmp == A.CMP_FALSE)) break;
      const w = operandWord(cpu, load<i32>(a + (side == 0 ? AT_LHS : AT_RHS)), load<i32>(a + (side == 0 ? AT_LHS_VALUE : AT_RHS_VALUE)));
      if (w == 0) continue;
      if (w == A.OBJ_MACHINE || (obj != 0 && obj != w)) return MACHINE_READ;
      obj = w;
    }
  }
  return obj == 0 ? A.ACC_LOCAL : obj | A.ACC_READ;
}

/** The shared word an operand reads (0: none; OBJ_MACHINE: more than a word). */
function operandWord(cpu: i32, opd: i32, value: i32): i32 {
  switch (opd & A.OPD_KIND_MASK) {
    case A.OPD_VAR: {
      const v = varAddr(value);
      if (load<i32>(v + V_SCOPE) == A.SCOPE_LOCAL) return 0;
      if ((load<i32>(v + V_FLAGS) & A.VF_STRUCT) != 0) return A.OBJ_MACHINE;
      const w = <i32>varWord(cpu, value, (opd >> A.OPD_REG_SHIFT) & A.OPD_REG_MASK);
      return w == 0 ? A.OBJ_MACHINE : w;
    }
    case A.OPD_BUILTIN:
      switch (value) {
        case A.BV_MAX_THREADS: case A.BV_ITER_END: case A.BV_LAST_REF: case A.BV_TRYGET_FAILED: case A.BV_RANDOM_PPM:
        case A.BV_IRQS_DISABLED: case A.BV_IN_HARDIRQ: case A.BV_PREEMPT_COUNT: return 0; // this CPU's own
        // Words only services write (each an OBJ_MACHINE write): the read
        // is of that word, apart from every lock and variable.
        case A.BV_NR_THREADS: return <i32>hdr(H_NR_THREADS);
        case A.BV_PIDNS_ADDING: return <i32>hdr(H_PID_ALLOCATED);
        case A.BV_FATAL_SIGNAL_PENDING: return taskWord(curr(cpu));
        case A.BV_TASK_CPU: case A.BV_EXIT_STATE: return taskWord(taskReg(cpu, (opd >> A.OPD_REG_SHIFT) & A.OPD_REG_MASK));
      }
      return A.OBJ_MACHINE;
  }
  return 0; // a constant, a register
}

/** A task's own words (its state, flags, CPU) as one object; no task: none. */
// @ts-ignore: decorator
@inline function taskWord(t: i32): i32 { return t == A.NO_TASK ? 0 : <i32>taskAddr(t); }

/** Can this CPU take a step that changes the machine? Not when it spins on
 *  a lock still unavailable, or has nothing to run. Reads only. */
export function enabledNow(cpu: i32): bool {
  if (stopped()) return false;
  const c = cpuAddr(cpu);
  if (atomic.load<i32>(c + C_IRQ_PENDING) != 0 && load<i32>(c + C_IRQS_OFF) == 0) return true;
  if (load<i32>(c + C_DEPTH) == 0) return !syscallIdle(cpu);
  const w0 = load<i32>(insnAddr(load<i32>(c + C_PC)));
  if (insnOp(w0) != A.OP_LOCK) return true;
  return !spinBlocked(cpu, objKind(insnObj(w0)), (load<i32>(c + C_PREEMPT) & A.HARDIRQ_MASK) != 0);
}

/** Before a step of `cpu`: the interrupt that arrives now, if any. */
export function arriveIrq(cpu: i32): void {
  const h = drawIrq();
  if (h >= 0) raiseIrq(cpu, h);
}

/** One transition of `cpu`: its next step, then its local steps up to the
 *  next visible one (at most `max` steps). Returns the last step's STEP_*. */
export function runTransition(cpu: i32, max: i32): i32 {
  // Interrupts arrive as in the step driver: drawn per step from their own
  // RNG, so the schedule (with the seed) still fixes the run.
  const arrivals = (ctxFlags() & CTXF_IRQ_RATES) != 0;
  let n = 0;
  let r: i32;
  do {
    if (arrivals) arriveIrq(cpu);
    r = step(cpu);
    n++;
  } while (r == A.STEP_PROGRESS && n < max && (nextAccess(cpu) & A.ACC_KIND_MASK) == A.ACC_LOCAL);
  store<u64>(hdr(H_STEP_COUNT), load<u64>(hdr(H_STEP_COUNT)) + <u64>n);
  return r;
}
