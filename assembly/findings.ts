// Findings: what the detectors report, appended to a ring in shared memory
// as typed records (layout.ts draws the record and its table per kind),
// with the CPU's context (failure site, ladder path, step). One reporter
// per family of kinds; the host decodes and renders them, the module only
// records facts.
import { findingAddr, hdr, hget, requestStop, flags, cpuAddr } from './machine';
import {
  H_NR_FINDINGS, H_FINDINGS_CAP, FLAG_STOP_ON_FINDING,
  FD_KIND, FD_CPU, FD_TASK, FD_PID, FD_PC, FD_FAIL_PC, FD_ERRNO, FD_MASK, FD_A, FD_B, FD_C, FD_D,
  FD_STEP, FD_PATH_LEN, FD_PATH, FD_PATH_MAX, C_FAIL_PC, C_ERR, C_STEPS, C_PATH_LEN, C_PATH,
  FD_LOCK, FD_CLASS, FD_MODE, FD_COUNT, FD_INVARIANT, FD_INV_VALUE, FD_INV_SUBJECT, FD_INV_CLASS,
} from './layout';
import * as A from './abi';
import { NO_TASK } from './abi';
import { taskPid } from './task';
import { cget, curr } from './cpu';

/** Claim a record and write its common head; 0 when the ring is full (the
 *  finding is still counted). The caller fills the kind's words, then
 *  publish()es it. */
export function begin(cpu: i32, task: i32, pc: i32): usize {
  const i = atomic.add<i32>(hdr(H_NR_FINDINGS), 1);
  if ((flags() & FLAG_STOP_ON_FINDING) != 0) requestStop();
  if (i >= hget(H_FINDINGS_CAP)) return 0;
  const f = findingAddr(i);
  store<i32>(f + FD_CPU, cpu);
  store<i32>(f + FD_TASK, task);
  store<i32>(f + FD_PID, task == NO_TASK ? 0 : taskPid(task));
  store<i32>(f + FD_PC, pc);
  store<i32>(f + FD_A, 0);
  store<i32>(f + FD_B, 0);
  store<i32>(f + FD_C, 0);
  store<i32>(f + FD_D, 0);
  store<u64>(f + FD_MASK, 0);
  let n = 0;
  if (cpu >= 0) {
    store<i32>(f + FD_FAIL_PC, cget(cpu, C_FAIL_PC));
    store<i32>(f + FD_ERRNO, cget(cpu, C_ERR));
    store<u64>(f + FD_STEP, load<u64>(cpuAddr(cpu) + C_STEPS));
    n = min(cget(cpu, C_PATH_LEN), FD_PATH_MAX);
    for (let k = 0; k < n; k++) store<i32>(f + FD_PATH + (<usize>k << 2), cget(cpu, C_PATH + (k << 2)));
  } else {
    store<i32>(f + FD_FAIL_PC, -1);
    store<i32>(f + FD_ERRNO, 0);
    store<u64>(f + FD_STEP, 0);
  }
  store<i32>(f + FD_PATH_LEN, n);
  return f;
}

/** Written last: the host treats a zero kind as "not yet complete". */
export function publish(f: usize, kind: i32): void {
  atomic.store<i32>(f + FD_KIND, kind);
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
