// Declared state: the model's variables (global, per task, per runqueue, the
// syscall's locals), read by conditions and written by OP_STATE and by
// primitives' effects. A task reference holds a task (slot + 1, 0: NULL); a
// struct (`struct sighand`) is a task reference whose declarations
// (`sighand.siglock`, `sighand.count`) live in the task it points at, so
// threads that share a sighand_struct share its lock and its count.
// A variable declared `guarded_by` a lock is checked at every access, as a
// lockdep_assert_held() written at the access would be (writes need the
// write side of a reader-writer lock); a refcount keeps refcount_t's rules:
// an increment from zero and a decrement below zero are findings, and the
// count then saturates as refcount_warn_saturate() leaves it.
import { varAddr, globalVarAddr, rqAddr, cpuAddr } from './machine';
import { V_SCOPE, V_SLOT, V_FLAGS, V_GUARD, V_GUARD_WRITE, RQ_VARS, C_LOCALS } from './layout';
import * as A from './abi';
import { NO_TASK } from './abi';
import { taskReg, rqReg } from './cpu';
import { taskState, taskVarWord, pinTask, unpinTask } from './task';
import { lockAddr, lockClass, heldIndex, heldInfo } from './lock';
import { infoMode } from './insn';
import { reportGuarded, reportRefcount, reportInvariant } from './findings';

const REFCOUNT_SATURATED: i32 = -0x40000000; // INT_MIN / 2, as include/linux/refcount.h

/** The word of variable `id` for the instance register `reg` names (0: the
 *  register is empty, or the struct holding it is NULL). */
export function varWord(cpu: i32, id: i32, reg: i32): usize {
  const v = varAddr(id);
  const slot = load<i32>(v + V_SLOT);
  const scope = load<i32>(v + V_SCOPE);
  if (scope == A.SCOPE_GLOBAL) return globalVarAddr(slot);
  if (scope == A.SCOPE_TASK) return taskVarWord(taskReg(cpu, reg), v);
  if (scope == A.SCOPE_LOCAL) return cpuAddr(cpu) + C_LOCALS + (<usize>slot << 2);
  const rq = rqReg(cpu, reg);
  return rq < 0 ? 0 : rqAddr(rq) + RQ_VARS + (<usize>slot << 2);
}

/** A task reference's task (NO_TASK: NULL), its guard checked. One that
 *  points at a freed slot is a use after free, reported. */
export function readTaskRef(cpu: i32, at: i32, id: i32, reg: i32): i32 {
  const t = readVar(cpu, at, id, reg, false) - 1;
  if (t >= 0 && taskState(t) == A.TASK_FREE) reportInvariant(A.INV_TASK_REF, id, t, cpu, NO_TASK, at, -1);
  return t;
}

/** The guard of variable `id` must be held here (for a write, its write side). */
export function checkGuard(cpu: i32, at: i32, id: i32, reg: i32, write: bool): void {
  const v = varAddr(id);
  let ref = load<i32>(v + V_GUARD);
  if (ref < 0) return;
  // A task's or runqueue's lock guards the same instance's state.
  if (((ref >> A.LOCKREF_REG_SHIFT) & 0xff) != A.REG_NONE) ref = (ref & ~(0xff << A.LOCKREF_REG_SHIFT)) | (reg << A.LOCKREF_REG_SHIFT);
  const lock = lockAddr(cpu, ref);
  const i = lock == 0 ? -1 : heldIndex(cpu, lock);
  const needWrite = write && load<i32>(v + V_GUARD_WRITE) != 0;
  if (i < 0 || (needWrite && infoMode(heldInfo(cpu, i)) == A.MODE_READ)) reportGuarded(cpu, at, lock, lockClass(ref), id, write);
}

/** Read variable `id` (racy: a data_race() read, not checked against its guard). */
export function readVar(cpu: i32, at: i32, id: i32, reg: i32, racy: bool): i32 {
  const w = varWord(cpu, id, reg);
  if (w == 0) { reportInvariant(A.INV_TASK_STATE, 0, 0, cpu, NO_TASK, at, -1); return 0; }
  if (!racy) checkGuard(cpu, at, id, reg, false);
  return atomic.load<i32>(w); // a task reference: slot + 1, 0 for NULL, as conditions compare tasks
}

/** The task a task reference is set to: a register's (ST_SET_TASK), another
 *  reference's (ST_COPY), or NULL (`clear`: ST_SET 0). */
function taskValue(cpu: i32, at: i32, op: i32, value: i32): i32 {
  if (op == A.ST_SET_TASK) return taskReg(cpu, value);
  if (op == A.ST_COPY) return readTaskRef(cpu, at, value & 0xffff, value >> 16);
  return NO_TASK;
}

/** A struct pointer of task `self` changes: the task it named is unpinned,
 *  the one it names now pinned (unless either is self). */
function setStruct(cpu: i32, at: i32, w: usize, op: i32, value: i32, self: i32): bool {
  const to = taskValue(cpu, at, op, value);
  const was = atomic.load<i32>(w) - 1;
  if (to >= 0 && to != self) pinTask(to);
  atomic.store<i32>(w, to + 1);
  if (was >= 0 && was != self) unpinTask(was);
  return false;
}

/** Apply a state operation (ST_*). Returns true when a put dropped the last
 *  reference (the caller runs the release routine), or when a charge went
 *  over its limit (the caller fails naturally). */
export function applyState(cpu: i32, at: i32, op: i32, id: i32, reg: i32, value: i32): bool {
  const w = varWord(cpu, id, reg);
  if (w == 0) { reportInvariant(A.INV_TASK_STATE, 0, 0, cpu, NO_TASK, at, -1); return false; }
  checkGuard(cpu, at, id, reg, true);
  if ((load<i32>(varAddr(id) + V_FLAGS) & A.VF_STRUCT) != 0) return setStruct(cpu, at, w, op, value, taskReg(cpu, reg));
  switch (op) {
    case A.ST_SET: atomic.store<i32>(w, value); break;
    case A.ST_SET_TASK: case A.ST_COPY: atomic.store<i32>(w, taskValue(cpu, at, op, value) + 1); break;
    case A.ST_INC: atomic.add<i32>(w, 1); break;
    case A.ST_DEC: atomic.sub<i32>(w, 1); break;
    case A.ST_CHARGE: {
      // pids_try_charge()'s shape: add, and undo when over a limit > 0.
      const limit = atomic.load<i32>(globalVarAddr(load<i32>(varAddr(value) + V_SLOT)));
      const n = atomic.add<i32>(w, 1) + 1;
      if (limit > 0 && n > limit) { atomic.sub<i32>(w, 1); return true; }
      break;
    }
    case A.ST_GET: {
      const old = atomic.add<i32>(w, 1);
      if (old <= 0 && (load<i32>(varAddr(id) + V_FLAGS) & A.VF_REFCOUNT) != 0) {
        reportRefcount(cpu, taskReg(cpu, reg), at, id, old, atomic.load<i32>(w + 4) - 1, false);
        atomic.store<i32>(w, REFCOUNT_SATURATED);
      }
      break;
    }
    case A.ST_PUT: {
      const old = atomic.sub<i32>(w, 1);
      if (old <= 0) {
        reportRefcount(cpu, taskReg(cpu, reg), at, id, old, atomic.load<i32>(w + 4) - 1, true);
        atomic.store<i32>(w, REFCOUNT_SATURATED);
        return false;
      }
      if (old == 1) {
        atomic.store<i32>(w + 4, at + 1); // where it reached zero, for a later underflow's report
        return true;
      }
      break;
    }
  }
  return false;
}
