// Walking the task table for the tasks that meet a condition (read with
// register t = the task): how a model iterates a list of tasks it keeps,
// such as scx_tasks (`t.on_scx_tasks`: "on the list") or a task's children
// (`t.real_parent == current`).
import { H_TASK_HWM, C_T, CF_ITER_END, CD_NR_ATOMS, CD_ATOMS, AT_CMP, AT_LHS, AT_LHS_VALUE, AT_RHS, AT_RHS_VALUE, ATOM_SIZE, V_SCOPE, V_HOST, V_SLOT, V_GUARD, T_VARS } from '../layout';
import * as A from '../abi';
import { hdr, condAddr, varAddr, taskAddr } from '../machine';
import { cget, cset, setCpuFlag, iter, setIter } from '../cpu';
import { taskState } from '../task';
import { cond, operand } from '../conds';
import { checkGuard } from '../state';

export function taskIterStart(cpu: i32): void { setIter(cpu, 0); }

/** t = the next task meeting condition row `row`; iter_end at the end (t kept). */
export function taskIterNext(cpu: i32, row: i32, pc: i32): void {
  const hwm = atomic.load<i32>(hdr(H_TASK_HWM));
  const was = cget(cpu, C_T);
  let i = iter(cpu);
  // The kernel walks a list (&current->children); the table scan is the
  // model's simplification, so its cost per slot must stay small: an atom
  // `t.X == v` is a compare of one word, and cond() runs only on the slots
  // that pass it.
  const f = i < hwm ? filterAtom(cpu, row, pc) : 0;
  const word = f == 0 ? -1 : T_VARS + (load<i32>(varAddr(load<i32>(f + AT_LHS_VALUE)) + V_SLOT) << 2);
  const want = f == 0 ? 0 : operand(cpu, pc, load<i32>(f + AT_RHS), load<i32>(f + AT_RHS_VALUE)); // read once, as cond() reads it
  for (; i < hwm; i++) {
    if (word >= 0 && load<i32>(taskAddr(i) + <usize>word) != want) continue; // a plain load: cond() reads the word again
    const s = taskState(i);
    if (s == A.TASK_FREE || s == A.TASK_HOST) continue;
    cset(cpu, C_T, i);
    if (cond(cpu, row, pc)) break;
  }
  setCpuFlag(cpu, CF_ITER_END, i >= hwm);
  if (i >= hwm) cset(cpu, C_T, was);
  setIter(cpu, i + 1);
}

/** The address of the row's first atom `t.X == v` (0: none): X a variable
 *  of t itself (not of a struct t points at), guarded by a global lock or by
 *  none, and v not read through t. X's guard is checked here, once: it
 *  names the same lock for every slot. */
function filterAtom(cpu: i32, row: i32, pc: i32): usize {
  const c = condAddr(row);
  const n = load<i32>(c + CD_NR_ATOMS);
  for (let k = 0; k < n; k++) {
    const a = c + CD_ATOMS + <usize>k * ATOM_SIZE;
    const lhs = load<i32>(a + AT_LHS), rhs = load<i32>(a + AT_RHS);
    if (load<i32>(a + AT_CMP) != A.CMP_EQ || (lhs & A.OPD_KIND_MASK) != A.OPD_VAR || opdReg(lhs) != A.REG_T) continue;
    const rk = rhs & A.OPD_KIND_MASK;
    if (!(rk == A.OPD_CONST || ((rk == A.OPD_TASK || rk == A.OPD_VAR) && opdReg(rhs) != A.REG_T))) continue;
    const id = load<i32>(a + AT_LHS_VALUE);
    const v = varAddr(id);
    if (load<i32>(v + V_SCOPE) != A.SCOPE_TASK || load<i32>(v + V_HOST) != A.NO_HOST) continue;
    const guard = load<i32>(v + V_GUARD);
    if (guard >= 0 && ((guard >> A.LOCKREF_REG_SHIFT) & 0xff) != A.REG_NONE) continue;
    if ((lhs & A.OPD_RACY) == 0) checkGuard(cpu, pc, id, A.REG_T, false);
    return a;
  }
  return 0;
}

// @ts-ignore: decorator
@inline function opdReg(opd: i32): i32 { return (opd >> A.OPD_REG_SHIFT) & A.OPD_REG_MASK; }
