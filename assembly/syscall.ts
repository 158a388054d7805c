// Entering and leaving the kernel. Between syscalls a running task picks
// what to do next from the workload weights; on the way back to user space
// the checks the kernel makes there run (locks held, a failed fork's child
// owning nothing), and the syscall is counted.
import { hget, hdr, insnAddr, siteAddr, requestStop, nrCpus, cpuAddr, rqAddr, taskAddr } from './machine';
import {
  H_WEIGHTS, H_ENTRIES, H_ACTION_CONDS, H_NR_THREADS, H_POPULATION, H_NR_ZOMBIES,
  H_FORK_ATTEMPTS, H_FORK_LIMIT, H_DRAIN, H_CLOSED, H_PROGRAM_BASE, PROGRAM_SIZE, MAX_PROGRAM_CPUS, C_PROG_POS, H_FORK_ACTIONS, H_FIRST_ACTIONS, C_LOCALS, C_DEPTH, C_ERR, C_FAIL_PC, C_PATH_LEN, C_P,
  C_ACTION, C_FLAGS, C_HELD_DEPTH, K_FORKS_OK, K_FORKS_FAILED, K_YIELDS, K_MODEL_ACTIONS,
  K_LEAKED, K_SYSCALLS, S_FORK_FAILS, S_ERRNO, S_RETURNED, C_IRQS_OFF, C_PREEMPT, C_IRQ_SAVES, RQ_HEAD, T_USER_LOCK,
} from './layout';
import * as A from './abi';
import { NO_TASK } from './abi';
import { cget, cset, curr, setPc, count, randBelow, err } from './cpu';
import { taskFlags, taskOwned, taskState, freeTaskSlot, taskNext } from './task';
import { nrRunning } from './runqueue';
import { heldLock, heldInfo, heldPc } from './lock';
import { reportLock, reportResources } from './findings';
import { infoClass, infoMode, insnSite } from './insn';
import { writeOff } from './ledger';
import { cond } from './conds';
import { needResched, inHardirq, irqExit } from './irq';
import { taskKctx, resumeContext } from './context';

// @ts-ignore: decorator
@inline function entry(act: i32): i32 { return hget(H_ENTRIES + (act << 2)); }

// What decide() answers besides an action (ACT_*).
const DECIDE_IDLE = -1; // nothing to run
const DECIDE_RESUME = -2; // a task back in the kernel where it blocked or was preempted
const DECIDE_PICK = -3; // the open workload: draw the action from the weights
const DECIDE_PROGRAM = -4; // a closed scenario: the next entry of this CPU's program

/** What this CPU does on entering the kernel. Reads only (no RNG draw), so
 *  that explore can ask which CPUs have something to do (syscallIdle). */
function decide(cpu: i32): i32 {
  const t = curr(cpu);
  // Blocked, or its slice is over (the return to user space and the end
  // of an interrupt both come here): schedule() before anything else.
  if (t != NO_TASK && (needResched(cpu) || (taskFlags(t) & A.TF_BLOCKED) != 0)) return A.ACT_SCHEDULE;
  if (t != NO_TASK && taskKctx(t) >= 0) return DECIDE_RESUME;
  if (atomic.load<i32>(hdr(H_DRAIN)) != 0) {
    // Draining: no new syscall; a task waiting here in the kernel is still
    // to finish its own, so it gets the CPU.
    return kernelTaskQueued(cpu) ? A.ACT_SCHEDULE : DECIDE_IDLE;
  }
  if (t == NO_TASK) {
    if (nrRunning(cpu) > 0) return A.ACT_SCHEDULE;
    return weight(A.ACT_BALANCE) > 0 && someRqBusy() ? A.ACT_BALANCE : DECIDE_IDLE; // newidle balance
  }
  if (hget(H_CLOSED) == 0) return DECIDE_PICK;
  const first = firstAction(cpu);
  if (first >= 0) return first;
  if ((taskFlags(t) & A.TF_SIGKILL) != 0) return A.ACT_EXIT;
  return cget(cpu, C_PROG_POS) < programLen(cpu) ? DECIDE_PROGRAM : DECIDE_IDLE;
}

/** Would this CPU, in user space, find nothing to run? */
export function syscallIdle(cpu: i32): bool {
  const d = decide(cpu);
  return d == DECIDE_IDLE || (d >= 0 && entry(d) < 0);
}

/** Does entering the kernel now write what other CPUs see? Only a resumed
 *  task does (its context slot goes back to the shared pool); the rest
 *  reads shared state (the runqueue, signals, the workload's conditions)
 *  and writes this CPU's own words. */
export function syscallEntryWrites(cpu: i32): bool { return decide(cpu) == DECIDE_RESUME; }

export function enterSyscall(cpu: i32): i32 {
  const t = curr(cpu);
  let act = decide(cpu);
  if (act == DECIDE_IDLE) return A.STEP_IDLE;
  if (act == DECIDE_RESUME) {
    resumeContext(cpu, t); // back in the kernel where it blocked or was preempted
    return A.STEP_PROGRESS;
  }
  if (act == DECIDE_PICK) act = pickAction(cpu, t);
  else if (act == DECIDE_PROGRAM) {
    const pos = cget(cpu, C_PROG_POS);
    cset(cpu, C_PROG_POS, pos + 1);
    act = programAction(cpu, pos);
    // Not allowed now (a boot task's exit, a wait with no zombie): the
    // syscall returns an error at once, and the program goes on.
    if (!allowedNow(cpu, act, taskFlags(t), atomic.load<i32>(hdr(H_NR_THREADS)))) return A.STEP_PROGRESS;
  }
  if (entry(act) < 0) return A.STEP_IDLE; // no schedule routine: nothing to switch with
  cset(cpu, C_ACTION, act);
  cset(cpu, C_ERR, 0);
  cset(cpu, C_FAIL_PC, -1);
  cset(cpu, C_PATH_LEN, 0);
  cset(cpu, C_P, NO_TASK);
  cset(cpu, C_FLAGS, 0);
  cset(cpu, C_DEPTH, 1);
  cset(cpu, C_IRQS_OFF, 0);
  cset(cpu, C_PREEMPT, 0);
  cset(cpu, C_IRQ_SAVES, 0);
  memory.fill(cpuAddr(cpu) + C_LOCALS, 0, A.MAX_LOCAL_VARS << 2); // the syscall's locals start at zero
  setPc(cpu, entry(act));
  count(cpu, K_SYSCALLS);
  return A.STEP_PROGRESS;
}

/** Is a task with a kernel context (preempted, or woken) queued here? */
function kernelTaskQueued(cpu: i32): bool {
  for (let t = load<i32>(rqAddr(cpu) + RQ_HEAD); t != NO_TASK; t = taskNext(t)) if (taskKctx(t) >= 0) return true;
  return false;
}

/** Is there a runqueue with a task waiting behind another (worth pulling)? */
function someRqBusy(): bool {
  for (let c = 0; c < nrCpus(); c++) if (nrRunning(c) >= 2) return true;
  return false;
}

function weight(act: i32): i32 {
  return entry(act) >= 0 ? hget(H_WEIGHTS + (act << 2)) : 0;
}

/** A fork of any kind: fork, or a model's clone, vfork, thread creation. */
// @ts-ignore: decorator
@inline function isFork(act: i32): bool { return act == A.ACT_FORK || (hget(H_FORK_ACTIONS) & (1 << act)) != 0; }

// @ts-ignore: decorator
@inline function programLen(cpu: i32): i32 { return cpu < MAX_PROGRAM_CPUS ? <i32>load<u8>(hdr(H_PROGRAM_BASE + cpu * PROGRAM_SIZE)) : 0; }
// @ts-ignore: decorator
@inline function programAction(cpu: i32, pos: i32): i32 { return <i32>load<u8>(hdr(H_PROGRAM_BASE + cpu * PROGRAM_SIZE + 1 + pos)); }

/** What a task waiting in the kernel must do before anything else (a
 *  vfork parent waiting for its child), even with SIGKILL pending: the
 *  wait itself is killable, and ends. -1: none. */
function firstAction(cpu: i32): i32 {
  const first = hget(H_FIRST_ACTIONS);
  if (first == 0) return -1;
  for (let a = A.ACT_MODEL; a < A.NR_ACTIONS; a++) {
    if ((first & (1 << a)) == 0) continue;
    const c = hget(H_ACTION_CONDS + (a << 2));
    if (c < 0 || cond(cpu, c, -1)) return a;
  }
  return -1;
}

function pickAction(cpu: i32, t: i32): i32 {
  const first = hget(H_FIRST_ACTIONS);
  const now = firstAction(cpu);
  if (now >= 0) return now;
  const f = taskFlags(t);
  if ((f & A.TF_SIGKILL) != 0) return A.ACT_EXIT;
  const live = atomic.load<i32>(hdr(H_NR_THREADS));
  // Whether each action is allowed is decided once per pick (a condition
  // may draw from the RNG or read state another CPU changes).
  let allowed: u32 = 0;
  let sum = 0;
  for (let a = 0; a < A.NR_ACTIONS; a++) {
    if (a == A.ACT_SCHEDULE || weight(a) == 0 || (first & (1 << a)) != 0 || !allowedNow(cpu, a, f, live)) continue;
    allowed |= 1 << a;
    sum += weight(a);
  }
  if (sum == 0) return A.ACT_YIELD;
  let r = <i32>randBelow(cpu, <u32>sum);
  for (let a = 0; a < A.NR_ACTIONS; a++) {
    const w = (allowed & (1 << a)) != 0 ? weight(a) : 0;
    if (r < w) return a;
    r -= w;
  }
  return A.ACT_YIELD;
}

/** Population control (forks of every kind), and the model's precondition
 *  of its own actions (a one-way switch: enable only while disabled). */
function allowedNow(cpu: i32, a: i32, flags: i32, live: i32): bool {
  switch (a) {
    case A.ACT_FORK: return live < hget(H_POPULATION);
    case A.ACT_EXIT: return (flags & A.TF_UNKILLABLE) == 0;
    case A.ACT_WAIT: return atomic.load<i32>(hdr(H_NR_ZOMBIES)) > 0;
  }
  if (isFork(a) && live >= hget(H_POPULATION)) return false;
  const c = hget(H_ACTION_CONDS + (a << 2));
  return c < 0 || cond(cpu, c, -1);
}

/** Return to user space. */
export function exitSyscall(cpu: i32): i32 {
  const act = cget(cpu, C_ACTION);
  const e = err(cpu);
  // Locks held on the way out: reported and forgotten by lockdep (the lock
  // itself stays held, so whoever needs it next waits for ever).
  const held = cget(cpu, C_HELD_DEPTH);
  for (let i = 0; i < held; i++) {
    const info = heldInfo(cpu, i);
    reportLock(A.FIND_LOCK_HELD_RETURN, cpu, heldPc(cpu, i), heldLock(cpu, i), infoClass(info), infoMode(info), act);
    const t = curr(cpu);
    if (t != NO_TASK && !inHardirq(cpu)) atomic.store<i32>(taskAddr(t) + T_USER_LOCK, heldLock(cpu, i)); // who keeps it, for a hung task's report
  }
  cset(cpu, C_HELD_DEPTH, 0);
  if (inHardirq(cpu)) return irqExit(cpu); // the end of an interrupt handler
  // What a syscall whose first failure was at a site returned (0: the
  // failure was handled, or dropped by a void routine).
  const failAt = cget(cpu, C_FAIL_PC);
  const failSite = failAt >= 0 ? insnSite(load<i32>(insnAddr(failAt))) : 0;
  if (failSite != 0) atomic.store<i32>(siteAddr(failSite) + S_RETURNED, e + 1);
  if (isFork(act)) {
    if (e == 0) count(cpu, K_FORKS_OK);
    else {
      count(cpu, K_FORKS_FAILED);
      if (failSite != 0) {
        atomic.add<i32>(siteAddr(failSite) + S_FORK_FAILS, 1);
        atomic.store<i32>(siteAddr(failSite) + S_ERRNO, e);
      }
      const p = cget(cpu, C_P);
      if (p != NO_TASK) reclaimChild(cpu, p);
    }
    const limit = hget(H_FORK_LIMIT);
    if (atomic.add<i32>(hdr(H_FORK_ATTEMPTS), 1) + 1 >= limit && limit > 0) requestStop();
  }
  if (act == A.ACT_YIELD) count(cpu, K_YIELDS);
  else if (act >= A.ACT_MODEL) count(cpu, K_MODEL_ACTIONS + act - A.ACT_MODEL);
  cset(cpu, C_DEPTH, 0);
  cset(cpu, C_P, NO_TASK);
  return A.STEP_PROGRESS;
}

/** A failed fork's child must own nothing once its ladder has run. */
function reclaimChild(cpu: i32, p: i32): void {
  const left = taskOwned(p);
  if (left != 0) {
    reportResources(A.FIND_LEAK, cpu, p, cget(cpu, C_FAIL_PC), left);
    writeOff(cpu, p, left);
    count(cpu, K_LEAKED, <i32>popcnt(left));
  }
  const s = taskState(p);
  if (s == A.TASK_NEW || s == A.TASK_DEAD) freeTaskSlot(p);
}
