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
import { hget } from './machine';
import { H_LOCKDEP_BASE, C_HELD_DEPTH, C_HELD, HELD_SIZE, HL_LOCK, HL_INFO, HL_PC, EDGE_SIZE, ED_PC_TO, ED_PC_FROM, ED_CPU_PID, ED_MODES, LD_SCRATCH_PER_CPU, FD_PATH, FD_PATH_LEN } from './layout';
import * as A from './abi';
import { LOCKDEP_NODES, MAX_SUBCLASSES } from './abi';
import { cpuAddr } from './machine';
import { curr } from './cpu';
import { taskPid } from './task';
import { report } from './findings';

const ROW_WORDS = (LOCKDEP_NODES + 31) >> 5;

// @ts-ignore: decorator
@inline function matrixAddr(): usize { return <usize>hget(H_LOCKDEP_BASE); }
// @ts-ignore: decorator
@inline function edgeAddr(from: i32, to: i32): usize {
  return matrixAddr() + <usize>(LOCKDEP_NODES * ROW_WORDS * 4) + <usize>(from * LOCKDEP_NODES + to) * EDGE_SIZE;
}
// @ts-ignore: decorator
@inline function scratchAddr(cpu: i32): usize {
  return matrixAddr() + <usize>(LOCKDEP_NODES * ROW_WORDS * 4) + <usize>(LOCKDEP_NODES * LOCKDEP_NODES * EDGE_SIZE) + <usize>cpu * LD_SCRATCH_PER_CPU;
}
// @ts-ignore: decorator
@inline function hasEdge(from: i32, to: i32): bool {
  return (atomic.load<i32>(matrixAddr() + <usize>((from * ROW_WORDS + (to >> 5)) << 2)) & (1 << (to & 31))) != 0;
}

/** Bytes the lockdep region needs for `cpus` CPUs. */
export function lockdepSize(cpus: i32): i32 {
  return LOCKDEP_NODES * ROW_WORDS * 4 + LOCKDEP_NODES * LOCKDEP_NODES * EDGE_SIZE + cpus * LD_SCRATCH_PER_CPU;
}

// @ts-ignore: decorator
@inline export function nodeOf(info: i32): i32 { return (info & 0xff) * MAX_SUBCLASSES + ((info >> 8) & 0xf); }

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
    for (let w = 0; w < ROW_WORDS; w++) {
      let bits = atomic.load<i32>(matrixAddr() + <usize>((n * ROW_WORDS + w) << 2));
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

/** Validate taking `lock` (class cls, subclass sub, mode) at pc `at`. */
export function lockdepAcquire(cpu: i32, cls: i32, sub: i32, mode: i32, lock: i32, at: i32): void {
  const to = cls * MAX_SUBCLASSES + sub;
  const c = cpuAddr(cpu);
  const depth = load<i32>(c + C_HELD_DEPTH);
  for (let i = 0; i < depth; i++) {
    const h = c + C_HELD + <usize>i * HELD_SIZE;
    const info = load<i32>(h + HL_INFO);
    const from = nodeOf(info);
    const heldLock = load<i32>(h + HL_LOCK);
    if ((info & 0xff) == cls && heldLock != lock) {
      const heldSub = (info >> 8) & 0xf;
      if (heldSub == sub) {
        // The same class again without a nesting annotation.
        if (!(cls == A.CLASS_TASKLIST_LOCK && mode == A.MODE_READ)) report(A.FIND_RECURSIVE_LOCK, cpu, curr(cpu), at, lock, cls, 0, mode, 1);
      } else if (sub > heldSub && <u32>lock < <u32>heldLock) {
        // Nested instances of one class go in address order (for runqueues:
        // the lower CPU first, as double_rq_lock() does).
        report(A.FIND_LOCK_ORDER_INSTANCE, cpu, curr(cpu), at, lock, cls, 0, heldLock, load<i32>(h + HL_PC));
      }
    }
    if (from == to) continue;
    const word = matrixAddr() + <usize>((from * ROW_WORDS + (to >> 5)) << 2);
    const bit = 1 << (to & 31);
    if ((atomic.load<i32>(word) & bit) != 0) continue; // known dependency: the common, cheap case
    if ((atomic.or<i32>(word, bit) & bit) != 0) continue; // another CPU added it first
    const e = edgeAddr(from, to);
    store<i32>(e + ED_PC_FROM, load<i32>(h + HL_PC));
    const t = curr(cpu);
    store<i32>(e + ED_CPU_PID, (cpu << 24) | ((t == A.NO_TASK ? 0 : taskPid(t)) & 0xffffff));
    store<i32>(e + ED_MODES, ((info >> 12) & 3) | (mode << 4));
    atomic.store<i32>(e + ED_PC_TO, at + 1);
    if (reachable(cpu, to, from)) reportCycle(cpu, lock, cls, from, to, at);
  }
}

function reportCycle(cpu: i32, lock: i32, cls: i32, from: i32, to: i32, at: i32): void {
  const f = report(A.FIND_LOCKDEP_CYCLE, cpu, curr(cpu), at, lock, cls, 0, from, to);
  if (f == 0) return;
  // The held-lock list, for the report: node << 16 | acquisition pc.
  const c = cpuAddr(cpu);
  const depth = min(load<i32>(c + C_HELD_DEPTH), A.MAX_PATH);
  for (let i = 0; i < depth; i++) {
    const h = c + C_HELD + <usize>i * HELD_SIZE;
    store<i32>(f + FD_PATH + (<usize>i << 2), (nodeOf(load<i32>(h + HL_INFO)) << 16) | (load<i32>(h + HL_PC) & 0xffff));
  }
  store<i32>(f + FD_PATH_LEN, depth);
}
