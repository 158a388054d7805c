// Global invariants, checkable at a quiescent point (no CPU inside a
// syscall). Each violated invariant is one FIND_INVARIANT finding whose
// detail names it and whose detail2 is the discrepancy.
import { hget, hdr, nrCpus, nrTasks, cpuAddr, globalLockAddr, rqAddr, taskAddr, varAddr } from './machine';
import { H_NR_THREADS, H_PID_ALLOCATED, H_NR_ZOMBIES, H_NR_LIVE, H_PID_RESOURCE, PIDNS_ADDING, C_RES_COUNT, C_HELD_DEPTH, L_WORD, L_SERVING, RQ_LOCKS, T_LOCKS, T_SCRATCH, LOCK_SIZE, H_NR_VARS, V_SCOPE, V_FLAGS, V_HOST } from './layout';
import * as A from './abi';
import { NO_TASK } from './abi';
import { taskState, taskOwned, taskVarWord, hostOf } from './task';
import { curr, cget } from './cpu';
import { nrRunning, queuedLength } from './runqueue';
import { reportInvariant } from './findings';

function check(ok: bool, inv: i32, value: i32, subject: i32 = 0): i32 {
  if (ok) return 0;
  reportInvariant(inv, value, subject);
  return 1;
}

/** At rest a ticket lock serves its next ticket (next == serving), and an
 *  rw word is 0 (its serving word is never used, so 0 too): either way the
 *  two words are equal. */
function lockFree(lock: i32): i32 {
  const word = atomic.load<i32>(<usize>lock + L_WORD);
  return check(word == atomic.load<i32>(<usize>lock + L_SERVING), A.INV_LOCK_FREE, 0, lock);
}

/** Task t's task references point at tasks that exist; a `live` one (a
 *  real_parent) at a running one. */
function taskRefs(t: i32): i32 {
  let bad = 0;
  for (let v = 0; v < hget(H_NR_VARS); v++) {
    const r = varAddr(v);
    const f = load<i32>(r + V_FLAGS);
    if (load<i32>(r + V_SCOPE) != A.SCOPE_TASK || (f & A.VF_TASK) == 0) continue;
    const w = taskVarWord(t, r);
    if (w == 0) continue;
    const to = load<i32>(w) - 1;
    if (to == NO_TASK) continue;
    const s = taskState(to);
    bad += check(s != A.TASK_FREE && ((f & A.VF_LIVE) == 0 || s == A.TASK_RUNNING), A.INV_TASK_REF, v, t);
  }
  return bad;
}

/** A struct's `counts` count (sig->nr_threads, sighand->count) equals the
 *  running and zombie tasks whose struct pointer names its task. */
function structCounts(n: i32): i32 {
  let bad = 0;
  for (let v = 0; v < hget(H_NR_VARS); v++) {
    const r = varAddr(v);
    if ((load<i32>(r + V_FLAGS) & A.VF_COUNTS) == 0) continue;
    const host = load<i32>(r + V_HOST);
    for (let t = 0; t < n; t++) store<i32>(taskAddr(t) + T_SCRATCH, 0);
    for (let t = 0; t < n; t++) {
      const s = taskState(t);
      if (s != A.TASK_RUNNING && s != A.EXIT_ZOMBIE) continue;
      const h = hostOf(t, host);
      if (h >= 0) store<i32>(taskAddr(h) + T_SCRATCH, load<i32>(taskAddr(h) + T_SCRATCH) + 1);
    }
    for (let h = 0; h < n; h++) {
      const s = taskState(h);
      if (s == A.TASK_FREE || (hostOf(h, host) != h && s != A.TASK_HOST)) continue; // only a struct's own task holds its count
      const count = load<i32>(taskVarWord(h, r));
      const users = load<i32>(taskAddr(h) + T_SCRATCH);
      if (users == 0 && s != A.TASK_RUNNING && s != A.EXIT_ZOMBIE) continue; // a struct no live task uses: gone with them
      bad += check(count == users, A.INV_STRUCT_COUNT, count - users, v);
    }
  }
  return bad;
}

export function checkInvariants(): i32 {
  let bad = 0;
  let running = 0, zombies = 0, live = 0, onCpu = 0, queued = 0, pids = 0;
  const n = nrTasks();
  const pidRes = hget(H_PID_RESOURCE);
  for (let t = 0; t < n; t++) {
    const s = taskState(t);
    if (s == A.TASK_FREE || s == A.TASK_HOST) continue; // (a host: a freed task whose struct lives on)
    live++;
    if (s == A.TASK_RUNNING) running++;
    else if (s == A.EXIT_ZOMBIE) zombies++;
    else if (s != A.EXIT_DEAD) bad += check(false, A.INV_TASK_STATE, s, t); // NEW or DEAD: a fork is in flight
    // (EXIT_DEAD: released, its task_struct kept by a reference, as a vfork parent's get_task_struct())
    if (s != A.EXIT_DEAD) bad += taskRefs(t);
    if (pidRes >= 0 && (taskOwned(t) & (<u64>1 << pidRes)) != 0) pids++;
  }
  for (let c = 0; c < nrCpus(); c++) {
    const len = queuedLength(c, n);
    bad += check(len == nrRunning(c), A.INV_NR_RUNNING, nrRunning(c) - len, c);
    queued += len;
    if (curr(c) != NO_TASK) onCpu++;
    bad += check(cget(c, C_HELD_DEPTH) == 0, A.INV_IDLE_HOLDS_LOCK, cget(c, C_HELD_DEPTH), c);
  }
  bad += check(running == queued + onCpu, A.INV_TASK_STATE, running - queued - onCpu);
  bad += check(zombies == hget(H_NR_ZOMBIES), A.INV_TASK_STATE, zombies - hget(H_NR_ZOMBIES));
  bad += check(live == atomic.load<i32>(hdr(H_NR_LIVE)), A.INV_TASK_STATE, live - atomic.load<i32>(hdr(H_NR_LIVE)));
  bad += check(running + zombies == hget(H_NR_THREADS), A.INV_NR_THREADS, hget(H_NR_THREADS) - running - zombies);
  if (pidRes >= 0) bad += check(pids == (hget(H_PID_ALLOCATED) & ~PIDNS_ADDING), A.INV_PID_COUNT, (hget(H_PID_ALLOCATED) & ~PIDNS_ADDING) - pids);
  // Every lock free: nothing runs, so nothing may hold or wait for one.
  for (let l = 0; l < A.MAX_GLOBAL_LOCKS; l++) bad += lockFree(<i32>globalLockAddr(l));
  for (let c = 0; c < nrCpus(); c++) for (let l = 0; l < A.MAX_RQ_LOCKS; l++) bad += lockFree(<i32>rqAddr(c) + RQ_LOCKS + l * LOCK_SIZE);
  for (let t = 0; t < n; t++) {
    if (taskState(t) == A.TASK_FREE) continue;
    for (let l = 0; l < A.MAX_TASK_LOCKS; l++) bad += lockFree(<i32>taskAddr(t) + T_LOCKS + l * LOCK_SIZE);
  }
  bad += structCounts(n);
  // The ledger: the net count booked by all CPUs equals what live tasks own.
  for (let r = 0; r < A.MAX_RESOURCES; r++) {
    let booked = 0;
    for (let c = 0; c < nrCpus(); c++) booked += load<i32>(cpuAddr(c) + C_RES_COUNT + (<usize>r << 2));
    let owned = 0;
    for (let t = 0; t < n; t++) if (taskState(t) != A.TASK_FREE && (taskOwned(t) & (<u64>1 << r)) != 0) owned++;
    bad += check(booked == owned, A.INV_LEDGER, booked - owned, r);
  }
  return bad;
}
