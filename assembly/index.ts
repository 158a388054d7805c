// The module's exports: a facade. The host writes the configuration into
// the header, calls configure() (which lays out and grows the memory),
// writes the code, effects and fault sites, then boot(). The step driver
// calls runStep(), parallel workers run(), explore runTransition(); step()
// is the one mechanism under all three.
import * as A from './abi';
import { reportFromHost, reportCount } from './findings';
import { edgeAddr, lockstatAddr, matrixWordAddr } from './machine';

export { configure } from './configure';
export { attach } from './machine';
export { boot } from './boot';
export { step } from './interp';
export { run } from './parallel';
export { runStep } from './stepper';
export { runTransition, nextAccess, enabledNow, arriveIrq } from './sched/points';
export { checkInvariants } from './invariants';
export { reportHungTask } from './hung';

/** A CPU the host found hung: spinning on `lock`, or looping (0). */
export function reportHang(cpu: i32, lock: i32): void { reportFromHost(A.FIND_HANG, cpu, lock, 0); }

/** A CPU whose worker died, holding `held` locks. */
export function reportWorkerDied(cpu: i32, held: i32): void { reportFromHost(A.FIND_WORKER_DIED, cpu, 0, held); }

/** Every CPU waits and at least one of them spins: explore's deadlock. */
export function reportDeadlock(spinning: i32): void { reportCount(A.FIND_DEADLOCK, -1, -1, spinning); }

/** No fork attempt completed for a while, though `syscalls` syscalls did. */
export function reportLivelock(syscalls: i32): void { reportCount(A.FIND_LIVELOCK, -1, -1, syscalls); }

// Addresses inside sub-regions, so the host never recomputes their layout.
export function lockdepMatrixWord(from: i32, to: i32): usize { return matrixWordAddr(from, to); }
export function lockdepEdge(from: i32, to: i32): usize { return edgeAddr(from, to); }
export function lockstatRecord(cpu: i32, cls: i32, mode: i32): usize { return lockstatAddr(cpu, cls, mode); }
