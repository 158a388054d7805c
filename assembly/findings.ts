// Findings: what the detectors report, as typed records (layout.ts draws
// the record and its table per kind) with the CPU's context (failure site,
// ladder path, step). A reporter stages the record in its CPU's staging
// slot, then publish() counts it under its key in the distinct-finding
// table (the first of a key is kept whatever happens to the ring) and
// appends it to the record ring while there is room. The host decodes and
// renders them; the module only records facts.
import { findingAddr, hdr, hget, requestStop, flags, cpuAddr, stageAddr, distinctAddr, firstAddr } from './machine';
import {
  H_NR_FINDINGS, H_FINDINGS_CAP, H_NR_DISTINCT, H_DISTINCT_LOST, H_KIND_COUNTS, FLAG_STOP_ON_FINDING,
  FD_KIND, FD_CPU, FD_TASK, FD_PID, FD_PC, FD_FAIL_PC, FD_ERRNO, FD_MASK, FD_A, FD_B, FD_C, FD_D,
  FD_STEP, FD_PATH_LEN, FD_PATH, FD_PATH_MAX, FD_END, C_FAIL_PC, C_ERR, C_STEPS, C_PATH_LEN, C_PATH, C_PC, C_SPIN_PC,
  FD_LOCK, FD_CLASS, FD_MODE, FD_COUNT, FD_INVARIANT, FD_INV_VALUE, FD_INV_SUBJECT, FD_INV_CLASS,
  FD_FROM_NODE, FD_TO_NODE, FINDING_SIZE, DISTINCT_CAP, DS_STATE, DS_KIND, DS_PC, DS_FAIL_PC, DS_K1, DS_K2,
  DS_K3, DS_K4, DS_MASK, DS_COUNT, DS_SEQ, DS_FREE, DS_CLAIMING, DS_READY, C_HELD_DEPTH, C_HELD, HELD_SIZE, HL_INFO, HL_PC,
} from './layout';
import * as A from './abi';
import { NO_TASK } from './abi';
import { taskPid } from './task';
import { cget, curr } from './cpu';
import { nodeOf } from './insn';

// The key of the finding being published is built in the staging record's
// spare tail, past the record proper.
const KEY_AT = FD_END;
const KEY_BYTES = DS_MASK + 8 - DS_KIND;

/** Stage a record with its common head in the staging slot of CPU `slot`
 *  (its own by default; -1: the host's, for what the host finds about a
 *  CPU that may still be running). The caller fills the kind's words, then
 *  publish()es it. */
export function begin(cpu: i32, task: i32, pc: i32, slot: i32 = cpu): usize {
  const f = stageAddr(slot);
  memory.fill(f, 0, FINDING_SIZE);
  store<i32>(f + FD_CPU, cpu);
  store<i32>(f + FD_TASK, task);
  store<i32>(f + FD_PID, task == NO_TASK ? 0 : taskPid(task));
  store<i32>(f + FD_PC, pc);
  let n = 0;
  if (cpu >= 0) {
    store<i32>(f + FD_FAIL_PC, cget(cpu, C_FAIL_PC));
    store<i32>(f + FD_ERRNO, cget(cpu, C_ERR));
    store<u64>(f + FD_STEP, load<u64>(cpuAddr(cpu) + C_STEPS));
    n = min(cget(cpu, C_PATH_LEN), FD_PATH_MAX);
    for (let k = 0; k < n; k++) store<i32>(f + FD_PATH + (<usize>k << 2), cget(cpu, C_PATH + (k << 2)));
  } else {
    store<i32>(f + FD_FAIL_PC, -1);
  }
  store<i32>(f + FD_PATH_LEN, n);
  return f;
}

/** What makes two findings of a kind the same finding: the words of its
 *  record that name its subject (not instance addresses or pids). */
function writeKey(kind: i32, f: usize, key: usize): void {
  let k1 = 0, k2 = 0, k3 = 0, k4 = 0;
  let mask: u64 = 0;
  switch (kind) {
    case A.FIND_LEAK: case A.FIND_DOUBLE_RELEASE: case A.FIND_DOUBLE_ACQUIRE: case A.FIND_FREE_OWNED:
      mask = load<u64>(f + FD_MASK); break;
    case A.FIND_BAD_UNLOCK: case A.FIND_RECURSIVE_LOCK: case A.FIND_LOCK_HELD_RETURN: case A.FIND_ASSERT_HELD:
    case A.FIND_HELD_OVERFLOW: case A.FIND_LOCK_ORDER_INSTANCE:
      k1 = load<i32>(f + FD_CLASS); break;
    case A.FIND_LOCKDEP_CYCLE: k1 = load<i32>(f + FD_FROM_NODE); k2 = load<i32>(f + FD_TO_NODE); break;
    case A.FIND_GUARDED: k1 = load<i32>(f + FD_CLASS); k2 = load<i32>(f + FD_C); k3 = load<i32>(f + FD_D); break;
    case A.FIND_REFCOUNT: k1 = load<i32>(f + FD_A); k2 = load<i32>(f + FD_C); k3 = load<i32>(f + FD_D); break;
    case A.FIND_DEADLOCK: k1 = load<i32>(f + FD_COUNT); break;
    case A.FIND_IRQ_INCONSISTENT: case A.FIND_IRQ_INVERSION:
      k1 = load<i32>(f + FD_CLASS); k2 = load<i32>(f + FD_C); k3 = load<i32>(f + FD_D); break;
    case A.FIND_MIGHT_SLEEP: k1 = load<i32>(f + FD_A); k2 = load<i32>(f + FD_B); k3 = load<i32>(f + FD_D); break;
    case A.FIND_WAIT_CONTEXT: k1 = load<i32>(f + FD_CLASS); k2 = load<i32>(f + FD_FROM_NODE); k3 = load<i32>(f + FD_TO_NODE); break;
    case A.FIND_HUNG_TASK: k1 = load<i32>(f + FD_B); k2 = load<i32>(f + FD_C); break;
    case A.FIND_IRQ_DEADLOCK: k1 = load<i32>(f + FD_B); k2 = load<i32>(f + FD_D); break;
    case A.FIND_HANG: k1 = load<i32>(f + FD_CPU); k2 = load<i32>(f + FD_LOCK); break;
    case A.FIND_WORKER_DIED: k1 = load<i32>(f + FD_CPU); break;
    case A.FIND_INVARIANT: {
      // What the invariant's message names: a resource, a lock, a CPU.
      const inv = load<i32>(f + FD_INVARIANT);
      const named = inv == A.INV_LEDGER || inv == A.INV_LOCK_FREE || inv == A.INV_IDLE_HOLDS_LOCK || inv == A.INV_STRUCT_COUNT;
      k1 = inv; k2 = load<i32>(f + FD_INV_VALUE); k3 = named ? load<i32>(f + FD_INV_SUBJECT) : 0; k4 = load<i32>(f + FD_INV_CLASS);
      mask = load<u64>(f + FD_MASK);
      break;
    }
  }
  store<i32>(key + DS_KIND, kind);
  store<i32>(key + DS_PC, load<i32>(f + FD_PC));
  store<i32>(key + DS_FAIL_PC, load<i32>(f + FD_FAIL_PC));
  store<i32>(key + DS_K1, k1); store<i32>(key + DS_K2, k2); store<i32>(key + DS_K3, k3); store<i32>(key + DS_K4, k4);
  store<u64>(key + DS_MASK, mask);
}

/** Count the staged record `f` of `kind` under its key, keep it if it is
 *  the first of its key, and append it to the ring while there is room. */
export function publish(f: usize, kind: i32): void {
  const seq = atomic.add<i32>(hdr(H_NR_FINDINGS), 1);
  atomic.add<i32>(hdr(H_KIND_COUNTS + (kind << 2)), 1);
  if ((flags() & FLAG_STOP_ON_FINDING) != 0) requestStop();
  store<i32>(f + FD_KIND, kind);
  const key = f + KEY_AT - DS_KIND;
  writeKey(kind, f, key);
  let h: u32 = 0x811c9dc5; // FNV-1a over the key's words
  for (let w = 0; w < KEY_BYTES; w += 4) h = (h ^ load<u32>(key + DS_KIND + w)) * 0x01000193;
  if (!countDistinct(key, h, f, seq)) atomic.add<i32>(hdr(H_DISTINCT_LOST), 1);
  if (seq < hget(H_FINDINGS_CAP)) {
    const r = findingAddr(seq);
    memory.copy(r + FD_CPU, f + FD_CPU, FD_END - FD_CPU);
    atomic.store<i32>(r + FD_KIND, kind); // written last: a zero kind is "not yet complete"
  }
}

/** Find or claim the table entry of `key` (linear probing); false when the
 *  table is full. A new key's record is copied to its firsts slot. */
function countDistinct(key: usize, h: u32, f: usize, seq: i32): bool {
  for (let probe = 0; probe < DISTINCT_CAP; probe++) {
    const slot = <i32>((h + <u32>probe) & (DISTINCT_CAP - 1));
    const e = distinctAddr(slot);
    let state = atomic.load<i32>(e + DS_STATE);
    if (state == DS_FREE) {
      state = atomic.cmpxchg<i32>(e + DS_STATE, DS_FREE, DS_CLAIMING);
      if (state == DS_FREE) {
        memory.copy(e + DS_KIND, key + DS_KIND, KEY_BYTES);
        store<i32>(e + DS_COUNT, 1);
        store<i32>(e + DS_SEQ, seq);
        memory.copy(firstAddr(slot), f, FD_END);
        atomic.add<i32>(hdr(H_NR_DISTINCT), 1);
        atomic.store<i32>(e + DS_STATE, DS_READY);
        return true;
      }
    }
    // Another CPU is writing this entry's key (a few stores): wait, bounded.
    for (let spin = 0; state == DS_CLAIMING && spin < (1 << 20); spin++) state = atomic.load<i32>(e + DS_STATE);
    if (state == DS_READY && memory.compare(e + DS_KIND, key + DS_KIND, KEY_BYTES) == 0) {
      atomic.add<i32>(e + DS_COUNT, 1);
      return true;
    }
  }
  return false;
}

/** leak, double release or acquire, a task freed owning resources: `mask`
 *  names the resources of task `t`. */
export function reportResources(kind: i32, cpu: i32, t: i32, pc: i32, mask: u64): void {
  const f = begin(cpu, t, pc);
  if (f == 0) return;
  store<u64>(f + FD_MASK, mask);
  publish(f, kind);
}

/** A finding about one lock (bad unlock, recursive locking, held on return,
 *  a failed assert, held-lock overflow, instance order): the lock, its
 *  class, a mode and one more word whose meaning is the kind's. */
export function reportLock(kind: i32, cpu: i32, pc: i32, lock: i32, cls: i32, mode: i32, d: i32): void {
  const f = begin(cpu, curr(cpu), pc);
  if (f == 0) return;
  store<i32>(f + FD_LOCK, lock);
  store<i32>(f + FD_CLASS, cls);
  store<i32>(f + FD_MODE, mode);
  store<i32>(f + FD_D, d);
  publish(f, kind);
}

/** A count about a CPU or the machine: call depth, CPUs spinning, locks held. */
export function reportCount(kind: i32, cpu: i32, pc: i32, n: i32): void {
  const f = begin(cpu, cpu < 0 ? NO_TASK : curr(cpu), pc);
  if (f == 0) return;
  store<i32>(f + FD_COUNT, n);
  publish(f, kind);
}

/** A broken invariant: which, by how much, and what it is about; found at a
 *  quiescent point (cpu -1) or by an instruction that met an impossible
 *  state (an empty register: the lock class it named, the resources). */
export function reportInvariant(inv: i32, value: i32, subject: i32, cpu: i32 = -1, task: i32 = NO_TASK, pc: i32 = -1, cls: i32 = -1, mask: u64 = 0): void {
  const f = begin(cpu, task, pc);
  if (f == 0) return;
  store<i32>(f + FD_INVARIANT, inv);
  store<i32>(f + FD_INV_VALUE, value);
  store<i32>(f + FD_INV_SUBJECT, subject);
  store<i32>(f + FD_INV_CLASS, cls);
  store<u64>(f + FD_MASK, mask);
  publish(f, A.FIND_INVARIANT);
}

/** What the host's watchdogs find about CPU `cpu` (it may still be running:
 *  the record is staged in the host's slot): hung, spinning on `lock` (0:
 *  looping, placed where it is now), or its worker dead holding `n` locks. */
export function reportFromHost(kind: i32, cpu: i32, lock: i32, n: i32): void {
  const f = begin(cpu, curr(cpu), lock != 0 ? cget(cpu, C_SPIN_PC) : cget(cpu, C_PC), -1);
  store<i32>(f + FD_LOCK, lock);
  store<i32>(f + FD_CLASS, -1);
  store<i32>(f + FD_COUNT, n);
  publish(f, kind);
}

/** Declared state `id` accessed without the lock that guards it (`lock`:
 *  the instance that should be held, 0 when its register is empty). */
export function reportGuarded(cpu: i32, pc: i32, lock: i32, cls: i32, id: i32, write: bool): void {
  const f = begin(cpu, curr(cpu), pc);
  store<i32>(f + FD_LOCK, lock);
  store<i32>(f + FD_CLASS, cls);
  store<i32>(f + FD_C, id);
  store<i32>(f + FD_D, write ? 1 : 0);
  publish(f, A.FIND_GUARDED);
}

/** refcount_t's warnings: an underflow (the count was `before`, the put that
 *  took it to zero was at `zeroPc`) or an addition on zero. `t`: the task
 *  whose refcount it is (NO_TASK for a global one). */
export function reportRefcount(cpu: i32, t: i32, pc: i32, id: i32, before: i32, zeroPc: i32, underflow: bool): void {
  const f = begin(cpu, t, pc);
  store<i32>(f + FD_A, id);
  store<i32>(f + FD_B, before);
  store<i32>(f + FD_C, zeroPc);
  store<i32>(f + FD_D, underflow ? 1 : 0);
  publish(f, A.FIND_REFCOUNT);
}

/** The held-lock list in a record's path from index `from` on (lockdep's
 *  reports print it): node << 16 | acquisition pc. */
export function heldList(cpu: i32, f: usize, from: i32 = 0): void {
  const c = cpuAddr(cpu);
  const depth = min(load<i32>(c + C_HELD_DEPTH), FD_PATH_MAX - from);
  for (let i = 0; i < depth; i++) {
    const h = c + C_HELD + <usize>i * HELD_SIZE;
    store<i32>(f + FD_PATH + (<usize>(from + i) << 2), (nodeOf(load<i32>(h + HL_INFO)) << 16) | (load<i32>(h + HL_PC) & 0xffff));
  }
  store<i32>(f + FD_PATH_LEN, from + depth);
}
