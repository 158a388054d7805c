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
// searches after both bits are set and finds the cycle. The chain cache
// keeps this: a CPU caches a chain only after its own ORs and searches, so
// a hit skips only edges already in the graph and already searched.
import { cpuAddr, matrixWordAddr, edgeAddr, scratchAddr, chainsAddr, ctxFlags, LOCKDEP_ROW_WORDS } from './machine';
import {
  C_HELD_DEPTH, C_HELD, HELD_SIZE, HL_LOCK, HL_INFO, HL_PC, ED_PC_TO, ED_PC_FROM, ED_CPU, ED_PID, ED_FROM_MODE,
  ED_TO_MODE, FD_LOCK, FD_CLASS, FD_FROM_NODE, FD_TO_NODE, EDGE_SIZE, LD_PER_CPU, LDC_HITS, LDC_MISSES, LDC_KEYS, LD_CHAIN_SLOTS,
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

/** Bytes of the three lockdep regions (configure() places each; the scratch region holds each CPU's chain cache too). */
export function lockdepMatrixSize(): i32 { return MATRIX_BYTES; }
export function lockdepEdgesSize(): i32 { return EDGES * EDGE_SIZE; }
export function lockdepScratchSize(cpus: i32): i32 { return cpus * LD_PER_CPU; } // the search scratch and the chain cache


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
  // One pass over the held locks, all of it this CPU's own: the narrowest
  // wait type (check_wait_context()), the same-class checks, and the chain
  // key. The key starts from the context, as lockdep's restarts at an
  // interrupt's entry: a handler's held locks are a chain of their own.
  let narrowest = -1, inner = A.WAIT_MAX;
  let key = chainStep(0, (load<i32>(c + C_PREEMPT) & A.HARDIRQ_MASK) != 0 ? 2 : 1);
  for (let i = 0; i < depth; i++) {
    const h = c + C_HELD + <usize>i * HELD_SIZE;
    const info = load<i32>(h + HL_INFO);
    const w = infoWait(info);
    if (w < inner) { inner = w; narrowest = i; }
    key = chainStep(key, chainId(nodeOf(info), infoMode(info)));
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
  }
  key = chainStep(key, chainId(to, mode)) | 1; // odd: 0 is an empty slot
  if (depth > 0 && !chainCached(cpu, key)) {
    addDependencies(cpu, to, mode, lock, cls, at, depth);
    chainCache(cpu, key); // only once every edge of the chain is in the graph and searched
  }
  if (wait > A.WAIT_SPIN) checkWaitContext(cpu, wait, lock, cls, at, narrowest); // a raw spinlock fits every context
}

/** check_prevs_add(): an edge from every held lock's node to `to`; an edge
 *  that is new and closes a cycle is reported. */
function addDependencies(cpu: i32, to: i32, mode: i32, lock: i32, cls: i32, at: i32, depth: i32): void {
  const c = cpuAddr(cpu);
  for (let i = 0; i < depth; i++) {
    const h = c + C_HELD + <usize>i * HELD_SIZE;
    const info = load<i32>(h + HL_INFO);
    const from = nodeOf(info);
    if (from == to) continue;
    const word = matrixWordAddr(from, to);
    const edge = 1 << (to & 31);
    const held = infoMode(info);
    if ((atomic.load<i32>(word) & edge) != 0) { // known dependency
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
}

// lockdep's chain cache (lookup_chain_cache_add(), kernel/locking/lockdep.c):
// a key hashed from the held nodes and modes in order, as iterate_chain_key()
// hashes the held classes. A chain whose every dependency is in the graph
// costs one lookup in this CPU's own cache and reads no shared word. The
// table is direct mapped: a chain evicted by another is validated again
// (a miss costs time, never a check). Keys are 64 bits, and a hit compares
// the whole key.

/** A chain key's step: `id` appended. */
// @ts-ignore: decorator
@inline function chainStep(key: u64, id: i32): u64 { return rotl<u64>(key ^ <u64>id, 23) * 0x9e3779b97f4a7c15; }
/** A held lock's part of the key: its node and mode (a read hold's dependencies are its own). */
// @ts-ignore: decorator
@inline function chainId(node: i32, mode: i32): i32 { return (node << 2 | mode) + 3; }
// @ts-ignore: decorator
@inline function chainSlot(cpu: i32, key: u64): usize { return chainsAddr(cpu) + LDC_KEYS + (<usize>((key >> 40) & (LD_CHAIN_SLOTS - 1)) << 3); }

function chainCached(cpu: i32, key: u64): bool {
  const hit = load<u64>(chainSlot(cpu, key)) == key;
  const n = chainsAddr(cpu) + (hit ? LDC_HITS : LDC_MISSES);
  store<u64>(n, load<u64>(n) + 1);
  return hit;
}

function chainCache(cpu: i32, key: u64): void { store<u64>(chainSlot(cpu, key), key); }

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
