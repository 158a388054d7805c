// The module's exports: a facade. The host writes the configuration into
// the header, calls configure() (which lays out and grows the memory),
// writes the code, effects and fault sites, then boot(). The step driver
// calls runStep(), parallel workers run(); step() is the one mechanism
// under both.
import { C_SPIN_PC } from './layout';
import * as A from './abi';
import { cget } from './cpu';
import { reportLock, reportCount } from './findings';
import { edgeAddr, lockstatAddr, matrixWordAddr } from './machine';

export { configure } from './configure';
export { attach } from './machine';
export { boot } from './boot';
export { step } from './interp';
export { run } from './parallel';
export { runStep } from './stepper';
export { checkInvariants } from './invariants';

/** Report a CPU the host found hung (spinning on `lock`, 0: looping). */
export function reportHang(cpu: i32, lock: i32): void {
  reportLock(A.FIND_HANG, cpu, cget(cpu, C_SPIN_PC), lock, -1, 0, 0);
}

/** Report a CPU whose worker died, holding `held` locks. */
export function reportWorkerDied(cpu: i32, held: i32): void {
  reportCount(A.FIND_WORKER_DIED, cpu, cget(cpu, C_SPIN_PC), held);
}

// Addresses inside sub-regions, so the host never recomputes their layout.
export function lockdepMatrixWord(from: i32, to: i32): usize { return matrixWordAddr(from, to); }
export function lockdepEdge(from: i32, to: i32): usize { return edgeAddr(from, to); }
export function lockstatRecord(cpu: i32, cls: i32, mode: i32): usize { return lockstatAddr(cpu, cls, mode); }
