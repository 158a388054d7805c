// The lock validator. On each acquisition attempt (before spinning, as
// lockdep's lock_acquire() runs before the arch lock), an edge from every
// lock class this CPU holds to the new one; an edge that is new and closes a
// cycle is a possible circular locking dependency, found whether or not the
// deadlock happens in this run. Beyond lockdep: validation goes on after the
// first report, and nested locks of one class must be taken in instance
// (address) order, which class-level lockdep cannot see.
//
// Why two CPUs adding the two halves of a cycle at once are still caught:
// each CPU first sets its edge bit with an atomic (sequentially consistent)
// OR, and only then searches the graph. Of the two ORs one is first in the
// single total order of seq-cst operations; the CPU whose OR came second
// searches after both bits are set and finds the cycle.
import { cpuAddr, matrixWordAddr, edgeAddr, scratchAddr, ctxFlags, LOCKDEP_ROW_WORDS } from './machine';
import {
  C_HELD_DEPTH, C_HELD, HELD_SIZE, HL_LOCK, HL_INFO, HL_PC, ED_PC_TO, ED_PC_FROM, ED_CPU, ED_PID, ED_FROM_MODE,
  ED_TO_MODE, FD_LOCK, FD_CLASS, FD_FROM_NODE, FD_TO_NODE, EDGE_SIZE, LD_SCRATCH_PER_CPU,
} from './layout';
import * as A from './abi';
import { LOCKDEP_NODES, MAX_SUBCLASSES } from './abi';
import { curr } from './cpu';
import { taskPid } from './task';
import { begin, publish, reportLock, heldList } from './findings';
import { infoClass, infoSubclass, infoMode, infoWait, nodeOf } from './insn';
import { usageBit, usageNew, markUsage, checkIrqDependency } from './usage';
import { C_PREEMPT, ED_EXCL, CTXF_PREEMPT_RT } from './layout';

const MATRIX_BYTES = LOCKDEP_NODES * LOCKDEP_ROW_WORDS * 4;
const EDGES = LOCKDEP_NODES * LOCKDEP_NODES;

/** Bytes of the three lockdep regions (configure() places each). */
export function lockdepMatrixSize(): i32 { return MATRIX_BYTES; }
export function lockdepEdgesSize(): i32 { return EDGES * EDGE_SIZE; }
export function lockdepScratchSize(cpus: i32): i32 { return cpus * LD_SCRATCH_PER_CPU; }


/** Is `target` reachable from `start`? Breadth-first over the matrix. */
function reachable(cpu: i32, start: i32, target: i32): bool {
  const queue = scratchAddr(cpu);
  const seen = queue + <usize>(LOCKDEP_NODES << 2); // one byte per node
  memory.fill(seen, 0, LOCKDEP_NODES);
  let head = 0, tail = 0;
  store<i32>(queue, start); tail = 1;
  store<u8>(seen + <usize>start, 1);
  while (head < tail) {
    const n = load<i32>(queue + (<usize>head << 2));
    head++;
    if (n == target) return true;
    for (let w = 0; w < LOCKDEP_ROW_WORDS; w++) {
      let bits = atomic.load<i32>(matrixWordAddr(n, w << 5));
      while (bits != 0) {
        const m = (w << 5) + ctz(bits);
        bits &= bits - 1;
        if (load<u8>(seen + <usize>m) == 0) {
          store<u8>(seen + <usize>m, 1);
          store<i32>(queue + (<usize>tail << 2), m);
          tail++;
        }
      }
    }
  }
  return false;
}

/** Validate taking `lock` (class cls, subclass sub, mode, wait type) at pc `at`. */
export function lockdepAcquire(cpu: i32, cls: i32, sub: i32, mode: i32, kind: i32, wait: i32, lock: i32, at: i32): void {
  const to = cls * MAX_SUBCLASSES + sub;
  const c = cpuAddr(cpu);
  const depth = load<i32>(c + C_HELD_DEPTH);
  const bit = usageBit(cpu, mode);
  if (bit != 0 && usageNew(to, bit)) markUsage(cpu, to, bit, lock, at);
  // check_wait_context(): the narrowest wait type held, found in the same pass.
  let narrowest = -1, inner = A.WAIT_MAX;
  for (let i = 0; i < depth; i++) {
    const h = c + C_HELD + <usize>i * HELD_SIZE;
    const info = load<i32>(h + HL_INFO);
    const w = infoWait(info);
    if (w < inner) { inner = w; narrowest = i; }
    const from = nodeOf(info);
    const heldLock = load<i32>(h + HL_LOCK);
    if (infoClass(info) == cls && heldLock != lock) {
      const heldSub = infoSubclass(info);
      if (heldSub == sub) {
        // The same class again without a nesting annotation.
        // (rwlock_t read locks may recurse)
        if (!(kind == A.KIND_RWLOCK && mode == A.MODE_READ)) reportLock(A.FIND_RECURSIVE_LOCK, cpu, at, lock, cls, mode, 1);
      } else if (sub > heldSub && <u32>lock < <u32>heldLock) {
        // Nested instances of one class go in address order (for runqueues:
        // the lower CPU first, as double_rq_lock() does).
        reportLock(A.FIND_LOCK_ORDER_INSTANCE, cpu, at, lock, cls, heldLock, load<i32>(h + HL_PC));
      }
    }
    if (from == to) continue;
    const word = matrixWordAddr(from, to);
    const edge = 1 << (to & 31);
    const held = infoMode(info);
    if ((atomic.load<i32>(word) & edge) != 0) { // known dependency: the common, cheap case
      if (held == A.MODE_EXCL && isShared(info) && atomic.load<i32>(edgeAddr(from, to) + ED_EXCL) == 0) atomic.store<i32>(edgeAddr(from, to) + ED_EXCL, 1);
      continue;
    }
    if ((atomic.or<i32>(word, edge) & edge) != 0) continue; // another CPU added it first
    const e = edgeAddr(from, to);
    if (held == A.MODE_EXCL) store<i32>(e + ED_EXCL, 1);
    store<i32>(e + ED_PC_FROM, load<i32>(h + HL_PC));
    const t = curr(cpu);
    store<i32>(e + ED_CPU, cpu);
    store<i32>(e + ED_PID, t == A.NO_TASK ? 0 : taskPid(t));
    store<i32>(e + ED_FROM_MODE, infoMode(info));
    store<i32>(e + ED_TO_MODE, mode);
    atomic.store<i32>(e + ED_PC_TO, at + 1);
    if (reachable(cpu, to, from)) reportCycle(cpu, lock, cls, from, to, at);
    else checkIrqDependency(cpu, from, to, mode, lock, at);
  }
  if (wait > A.WAIT_SPIN) checkWaitContext(cpu, wait, lock, cls, at, narrowest); // a raw spinlock fits every context
}

/** Only reader-writer holds have a write mode worth telling apart. */
// @ts-ignore: decorator
@inline function isShared(info: i32): bool { return (info & A.HELD_RW) != 0; }

/** check_wait_context() (kernel/locking/lockdep.c, v6.12.117 lines
 *  4852-4911): a lock's wait type may not exceed the narrowest of the
 *  context's — hardirq context is LD_WAIT_SPIN (LD_WAIT_CONFIG on
 *  PREEMPT_RT, whose handlers are threaded), each held lock its own
 *  (`narrowest`: the held lock with the smallest, -1: none). Without
 *  PREEMPT_RT, LD_WAIT_CONFIG is LD_WAIT_SPIN (spinlock_t nests in
 *  raw_spinlock_t). An interrupt handler's held locks are its own context's. */
function checkWaitContext(cpu: i32, wait: i32, lock: i32, cls: i32, at: i32, narrowest: i32): void {
  const rt = (ctxFlags() & CTXF_PREEMPT_RT) != 0;
  const next = !rt && wait == A.WAIT_CONFIG ? A.WAIT_SPIN : wait;
  const c = cpuAddr(cpu);
  let inner = (load<i32>(c + C_PREEMPT) & A.HARDIRQ_MASK) != 0 ? (rt ? A.WAIT_CONFIG : A.WAIT_SPIN) : A.WAIT_MAX;
  let by = -1;
  if (narrowest >= 0) {
    const w0 = infoWait(load<i32>(c + C_HELD + <usize>narrowest * HELD_SIZE + HL_INFO));
    const w = !rt && w0 == A.WAIT_CONFIG ? A.WAIT_SPIN : w0;
    if (w < inner) { inner = w; by = narrowest; }
  }
  if (next <= inner) return;
  const f = begin(cpu, curr(cpu), at);
  if (f == 0) return;
  store<i32>(f + FD_LOCK, lock);
  store<i32>(f + FD_CLASS, cls);
  store<i32>(f + FD_FROM_NODE, by < 0 ? -1 : nodeOf(load<i32>(c + C_HELD + <usize>by * HELD_SIZE + HL_INFO)));
  store<i32>(f + FD_TO_NODE, next << 8 | inner);
  heldList(cpu, f);
  publish(f, A.FIND_WAIT_CONTEXT);
}

function reportCycle(cpu: i32, lock: i32, cls: i32, from: i32, to: i32, at: i32): void {
  const f = begin(cpu, curr(cpu), at);
  if (f == 0) return;
  store<i32>(f + FD_LOCK, lock);
  store<i32>(f + FD_CLASS, cls);
  store<i32>(f + FD_FROM_NODE, from);
  store<i32>(f + FD_TO_NODE, to);
  heldList(cpu, f);
  publish(f, A.FIND_LOCKDEP_CYCLE);
}
