// lockdep's hardirq usage state: per graph node, whether it was ever taken
// in hardirq context and ever with hardirqs enabled, read and write apart,
// and where each was first seen. As kernel/locking/lockdep.c (v6.12.117)
// checks it:
//  - mark_lock_irq() / valid_state(): a new usage bit that conflicts with
//    one the class has is "inconsistent lock state" — {IN-HARDIRQ-W} with
//    {HARDIRQ-ON-W} or {HARDIRQ-ON-R}, {IN-HARDIRQ-R} with {HARDIRQ-ON-W};
//  - check_usage_forwards() / check_usage_backwards(): a hardirq-safe class
//    that reaches (through the dependency graph) a hardirq-unsafe one is a
//    "possible irq lock inversion dependency", found when either is marked;
//  - check_irq_usage(): a new dependency that joins the two is a
//    "HARDIRQ-safe -> HARDIRQ-unsafe lock order".
// Simplified: softirqs are not modelled (no SOFTIRQ bits); lockdep's
// read-recursion refinement of the graph search (only_xr) is kept for its
// first hop only: from a class used for read, only a dependency taken while
// it was held for write counts (ED_EXCL).
import { usageAddr, cpuAddr, matrixWordAddr, edgeAddr, scratchAddr } from './machine';
import {
  US_MASK, US_SITES, USAGE_SITE_SIZE, UST_PC, UST_CPU, UST_PID, C_IRQS_OFF, C_PREEMPT, C_HELD_DEPTH, C_HELD,
  HELD_SIZE, HL_INFO, HL_LOCK, ED_EXCL, FD_LOCK, FD_CLASS, FD_C, FD_D, FD_PATH,
} from './layout';
import * as A from './abi';
import { curr } from './cpu';
import { taskPid } from './task';
import { begin, publish, heldList } from './findings';
import { infoMode, nodeOf } from './insn';


/** The usage bit an acquisition in `mode` sets now (0: hardirqs are off in task context). */
// @ts-ignore: decorator
@inline export function usageBit(cpu: i32, mode: i32): i32 {
  const c = cpuAddr(cpu);
  if ((load<i32>(c + C_PREEMPT) & A.HARDIRQ_MASK) != 0) return mode == A.MODE_READ ? A.USED_IN_IRQ_R : A.USED_IN_IRQ_W;
  if (load<i32>(c + C_IRQS_OFF) == 0) return mode == A.MODE_READ ? A.ENABLED_IRQ_R : A.ENABLED_IRQ_W;
  return 0;
}

/** Is the usage bit new for the node? The hot path's one load. */
// @ts-ignore: decorator
@inline export function usageNew(node: i32, bit: i32): bool { return (atomic.load<i32>(usageAddr(node) + US_MASK) & bit) == 0; }

/** The bits a new one conflicts with on its own class (valid_state()). */
function exclusive(bit: i32): i32 {
  if (bit == A.USED_IN_IRQ_W) return A.ENABLED_IRQ_W | A.ENABLED_IRQ_R;
  if (bit == A.USED_IN_IRQ_R) return A.ENABLED_IRQ_W;
  if (bit == A.ENABLED_IRQ_W) return A.USED_IN_IRQ_W | A.USED_IN_IRQ_R;
  return A.USED_IN_IRQ_W;
}
// @ts-ignore: decorator
@inline function isUsedIn(bit: i32): bool { return bit == A.USED_IN_IRQ_W || bit == A.USED_IN_IRQ_R; }

function sitePc(node: i32, bit: i32): i32 {
  return atomic.load<i32>(usageAddr(node) + US_SITES + <usize>(ctz(bit) * USAGE_SITE_SIZE) + UST_PC) - 1;
}

/** Set usage `bit` on `node` (acquiring `lock` at `at`) and check it. */
export function markUsage(cpu: i32, node: i32, bit: i32, lock: i32, at: i32): void {
  const u = usageAddr(node);
  if ((atomic.or<i32>(u + US_MASK, bit) & bit) != 0) return; // another CPU set it first
  const site = u + US_SITES + <usize>(ctz(bit) * USAGE_SITE_SIZE);
  const t = curr(cpu);
  store<i32>(site + UST_CPU, cpu);
  store<i32>(site + UST_PID, t == A.NO_TASK ? 0 : taskPid(t));
  atomic.store<i32>(site + UST_PC, at + 1);
  // Read after our OR: of two CPUs setting conflicting bits at once, the
  // second in the total order of atomics sees both.
  const mask = atomic.load<i32>(u + US_MASK);
  const bad = mask & exclusive(bit);
  if (bad != 0) {
    const other = bad & -bad;
    report(A.FIND_IRQ_INCONSISTENT, cpu, at, lock, node, bit, node, other, 0);
    return;
  }
  // The graph: a safe class must not reach an unsafe one.
  if (isUsedIn(bit)) {
    const m = search(cpu, node, true, A.ENABLED_IRQ_W | A.ENABLED_IRQ_R, bit == A.USED_IN_IRQ_R, false);
    if (m >= 0) report(A.FIND_IRQ_INVERSION, cpu, at, lock, node, bit, m, firstBit(m, A.ENABLED_IRQ_W | A.ENABLED_IRQ_R), 0);
  } else {
    const m = search(cpu, node, false, bit == A.ENABLED_IRQ_W ? A.USED_IN_IRQ_W | A.USED_IN_IRQ_R : A.USED_IN_IRQ_W, false, false);
    if (m >= 0) report(A.FIND_IRQ_INVERSION, cpu, at, lock, m, firstBit(m, A.USED_IN_IRQ_W | A.USED_IN_IRQ_R), node, bit, 1);
  }
}

/** check_irq_usage(): the new dependency from -> to, taken at `at`. */
export function checkIrqDependency(cpu: i32, from: i32, to: i32, toMode: i32, lock: i32, at: i32): void {
  const safe = search(cpu, from, false, A.USED_IN_IRQ_W | A.USED_IN_IRQ_R, false, true);
  if (safe < 0) return;
  const safeBit = firstBit(safe, A.USED_IN_IRQ_W | A.USED_IN_IRQ_R);
  const want = safeBit == A.USED_IN_IRQ_W ? A.ENABLED_IRQ_W | A.ENABLED_IRQ_R : A.ENABLED_IRQ_W;
  const unsafe = search(cpu, to, true, want, toMode == A.MODE_READ, true);
  if (unsafe >= 0) report(A.FIND_IRQ_INVERSION, cpu, at, lock, safe, safeBit, unsafe, firstBit(unsafe, want), 2);
}

function firstBit(node: i32, mask: i32): i32 {
  const m = atomic.load<i32>(usageAddr(node) + US_MASK) & mask;
  return m & -m;
}

/** Breadth-first over the dependency graph from `start`, forwards or
 *  backwards, for a node with one of `want`'s usage bits (`self`: start
 *  itself counts). `exclFirst`: the first hop must be a dependency taken
 *  while start was held for write. The node found, or -1. */
function search(cpu: i32, start: i32, forwards: bool, want: i32, exclFirst: bool, self: bool): i32 {
  if (self && (atomic.load<i32>(usageAddr(start) + US_MASK) & want) != 0) return start;
  const queue = scratchAddr(cpu);
  const seen = queue + <usize>(A.LOCKDEP_NODES << 2);
  memory.fill(seen, 0, A.LOCKDEP_NODES);
  store<i32>(queue, start);
  store<u8>(seen + <usize>start, 1);
  let head = 0, tail = 1;
  while (head < tail) {
    const n = load<i32>(queue + (<usize>head << 2));
    head++;
    for (let m = 0; m < A.LOCKDEP_NODES; m++) {
      if (load<u8>(seen + <usize>m) != 0) continue;
      const from = forwards ? n : m, to = forwards ? m : n;
      if ((atomic.load<i32>(matrixWordAddr(from, to)) & (1 << (to & 31))) == 0) continue;
      if (exclFirst && n == start && forwards && atomic.load<i32>(edgeAddr(from, to) + ED_EXCL) == 0) continue;
      store<u8>(seen + <usize>m, 1);
      if ((atomic.load<i32>(usageAddr(m) + US_MASK) & want) != 0) return m;
      store<i32>(queue + (<usize>tail << 2), m);
      tail++;
    }
  }
  return -1;
}

/** local_irq_enable() with locks held: each becomes hardirq-unsafe
 *  (lockdep's mark_held_locks()). */
export function markHeldEnabled(cpu: i32, at: i32): void {
  const c = cpuAddr(cpu);
  const d = load<i32>(c + C_HELD_DEPTH);
  for (let i = 0; i < d; i++) {
    const h = c + C_HELD + <usize>i * HELD_SIZE;
    const info = load<i32>(h + HL_INFO);
    const bit = infoMode(info) == A.MODE_READ ? A.ENABLED_IRQ_R : A.ENABLED_IRQ_W;
    const node = nodeOf(info);
    if (usageNew(node, bit)) markUsage(cpu, node, bit, load<i32>(h + HL_LOCK), at);
  }
}

/** inconsistent lock state / irq lock inversion: the lock being taken, the
 *  node and bit just set (a, b; for an inversion found backwards, the safe
 *  class found) and the other (c, d), how it was found, and both sites. */
function report(kind: i32, cpu: i32, at: i32, lock: i32, node: i32, bit: i32, other: i32, otherBit: i32, how: i32): void {
  const f = begin(cpu, curr(cpu), at);
  if (f == 0) return;
  store<i32>(f + FD_LOCK, lock);
  store<i32>(f + FD_CLASS, node << 8 | bit);
  store<i32>(f + FD_C, other << 8 | otherBit);
  store<i32>(f + FD_D, how);
  // The path: each usage's first site, then the held locks.
  store<i32>(f + FD_PATH, sitePc(node, bit));
  store<i32>(f + FD_PATH + 4, sitePc(other, otherBit));
  heldList(cpu, f, 2);
  publish(f, kind);
}
