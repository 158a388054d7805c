// step(cpu): execute one micro-op of the routine this CPU runs. Every
// driver is built on this one function.
import { insnAddr, effectAddr, siteAddr, varAddr, stopped, cpuAddr, flags, ctxFlags, hdr } from './machine';
import {
  C_DEPTH, C_FRAMES, FRAME_SIZE, FR_CALL_PC, FR_ERR, FR_FAIL_PC, FR_PATH_LEN, C_FAIL_PC, C_PATH_LEN, C_PATH, C_SPIN_LOCK, C_SPINS_NOW, C_SPIN_PC,
  C_STEPS, C_SPINS, FLAG_LOCKDEP, E_SERVICE, E_SERVICE_ARG, E_ACQUIRES, E_RELEASES, E_ASSERT0, E_ASSERT1, E_NATURAL,
  E_ERRNO, E_NR_EFFECTS, E_EFFECTS, EF_SIZE, EF_OP, EF_VAR, EF_VALUE, EF_COND, S_NATURAL, S_ERRNO, S_NATURAL_AFTER,
  H_LEDGER_BROKEN, V_RELEASE, V_RELEASE_REG, CF_LAST_REF, C_IRQ_PENDING, C_IRQS_OFF, C_PREEMPT, C_LOCK_IRQS, E_PRIM_FLAGS,
  CTXF_PREEMPT_RT, CTXF_CAN_BLOCK, C_WAIT_SINCE,
} from './layout';
import * as A from './abi';
import { cget, cset, pc, setPc, err, setErr, noteFailure, taskReg, setTaskReg, depth, curr, setCpuFlag } from './cpu';
import { lockAddr, lockClass, tryLock, lockAcquired, unlock, heldIndex, heldInfo, heldRemove, heldStep, heldPc } from './lock';
import { lockdepAcquire } from './lockdep';
import { lockstatReleased, lockClock, timed } from './lockstat';
import { bookAcquire, bookRelease } from './ledger';
import { shouldFail } from './faults';
import { service } from './prims';
import { applyState, readTaskRef } from './state';
import { cond } from './conds';
import { reportLock, reportCount, reportInvariant } from './findings';
import { insnOp, insnObj, insnSite, objMode, objSubclass, objKind, heldInfoOf, infoClass, infoMode, lockWait } from './insn';
import { enterSyscall, exitSyscall } from './syscall';
import {
  irqsOff, inHardirq, irqDisable, irqEnable, irqSave, irqRestore, preemptDisable, preemptEnable,
  mightSleep, irqEnter, interruptedHolds, reportIrqDeadlock,
} from './irq';
import { block, wakeSleepers } from './sleep';
import { taskKctx } from './context';

export function step(cpu: i32): i32 {
  if (stopped()) return A.STEP_STOPPED;
  const c = cpuAddr(cpu);
  store<u64>(c + C_STEPS, load<u64>(c + C_STEPS) + 1);
  // An interrupt comes between two micro-ops of a CPU with interrupts on.
  const pending = atomic.load<i32>(c + C_IRQ_PENDING);
  if (pending != 0 && load<i32>(c + C_IRQS_OFF) == 0) return irqEnter(cpu, pending);
  if ((load<i32>(c + C_PREEMPT) & A.HARDIRQ_MASK) != 0) {
    const r = exec(cpu);
    return r == A.STEP_PROGRESS ? A.STEP_IRQ : r; // a handler's work is not the machine's progress
  }
  return depth(cpu) == 0 ? enterSyscall(cpu) : exec(cpu);
}

function exec(cpu: i32): i32 {
  const at = pc(cpu);
  const a = insnAddr(at);
  const w0 = load<i32>(a);
  const op = insnOp(w0);
  const obj = insnObj(w0);
  const site = insnSite(w0);
  const arg = load<i32>(a + (A.W_ARG << 2));
  const target = load<i32>(a + (A.W_TARGET << 2));
  const errno = load<i32>(a + (A.W_ERRNO << 2));

  // An injected failure replaces the instruction: the callee or primitive
  // "returned an error" having acquired nothing.
  if (site != 0 && shouldFail(cpu, site)) {
    noteFailure(cpu, at, errno);
    setPc(cpu, target);
    return A.STEP_PROGRESS;
  }

  switch (op) {
    case A.OP_LABEL: {
      const n = cget(cpu, C_PATH_LEN);
      if (err(cpu) != 0 && n < A.MAX_PATH) {
        cset(cpu, C_PATH + (n << 2), arg);
        cset(cpu, C_PATH_LEN, n + 1);
      }
      break;
    }
    case A.OP_PRIM: return prim(cpu, at, obj, arg, target, site);
    case A.OP_LOCK: return lockOp(cpu, at, obj, arg, errno);
    case A.OP_UNLOCK: return unlockOp(cpu, at, obj, arg, errno);
    case A.OP_CTX: {
      switch (arg) {
        case A.CTX_IRQ_DISABLE: irqDisable(cpu); break;
        case A.CTX_IRQ_ENABLE: irqEnable(cpu, at); break;
        case A.CTX_IRQ_SAVE: irqSave(cpu); break;
        case A.CTX_IRQ_RESTORE: irqRestore(cpu, at); break;
        case A.CTX_PREEMPT_DISABLE: preemptDisable(cpu); break;
        case A.CTX_PREEMPT_ENABLE: setPc(cpu, at + 1); preemptEnable(cpu); return A.STEP_PROGRESS;
        case A.CTX_MIGHT_SLEEP: mightSleep(cpu, at); break;
      }
      break;
    }
    case A.OP_ASSERT_HELD: assertHeld(cpu, at, arg, obj); break;
    case A.OP_CALL: {
      // Passing a task: the callee's parameter register gets it on entry.
      if (obj != 0) setTaskReg(cpu, obj >> A.CALL_PARAM_SHIFT, taskReg(cpu, obj & ((1 << A.CALL_PARAM_SHIFT) - 1)));
      if (call(cpu, at, arg)) return A.STEP_PROGRESS;
      break;
    }
    case A.OP_STATE: {
      const reg = obj >> A.STATE_REG_SHIFT, sop = obj & 0xf;
      const zero = applyState(cpu, at, sop, arg, reg, errno);
      if (sop != A.ST_PUT) break;
      setCpuFlag(cpu, CF_LAST_REF, zero); // last_ref: atomic_dec_and_test()'s answer
      if (zero) {
        // The last reference: the declared release routine runs, on the
        // refcount's instance, as the put's callee.
        const v = varAddr(arg);
        const release = load<i32>(v + V_RELEASE);
        if (release >= 0) {
          setTaskReg(cpu, load<i32>(v + V_RELEASE_REG), taskReg(cpu, reg));
          if (call(cpu, at, release)) return A.STEP_PROGRESS;
        }
      }
      break;
    }
    case A.OP_RETURN:
      if (obj == A.RET_ZERO) setErr(cpu, 0); // return 0: a failure handled here is not the caller's
      else if (obj == A.RET_ERRNO) setErr(cpu, errno); // return -EINVAL: a failure no site injects
      return ret(cpu);
    case A.OP_GOTO: setPc(cpu, target); return A.STEP_PROGRESS;
    case A.OP_REQUIRE: {
      if (cond(cpu, arg, at)) break;
      failNaturally(cpu, at, site, errno);
      setPc(cpu, target);
      return A.STEP_PROGRESS;
    }
    case A.OP_IF: {
      if (cond(cpu, arg, at)) { setPc(cpu, target); return A.STEP_PROGRESS; }
      break;
    }
    case A.OP_WARN: if (cond(cpu, arg, at)) reportCount(A.FIND_WARN, cpu, at, arg); break;
    case A.OP_MOV: setTaskReg(cpu, arg, errno == 0 ? taskReg(cpu, obj) : readTaskRef(cpu, at, errno - 1, obj)); break;
  }
  setPc(cpu, at + 1);
  return A.STEP_PROGRESS;
}

/** Push a frame and enter the routine at `entry` (false: the stack is full, reported). */
function call(cpu: i32, at: i32, entry: i32): bool {
  const d = depth(cpu);
  if (d >= A.MAX_CALL_DEPTH) {
    reportCount(A.FIND_CALL_OVERFLOW, cpu, at, d);
    return false;
  }
  const f = cpuAddr(cpu) + C_FRAMES + <usize>d * FRAME_SIZE;
  store<i32>(f + FR_CALL_PC, at);
  store<i32>(f + FR_ERR, err(cpu));
  store<i32>(f + FR_FAIL_PC, cget(cpu, C_FAIL_PC));
  store<i32>(f + FR_PATH_LEN, cget(cpu, C_PATH_LEN));
  setErr(cpu, 0);
  cset(cpu, C_DEPTH, d + 1);
  setPc(cpu, entry);
  return true;
}

function failNaturally(cpu: i32, at: i32, site: i32, errno: i32): void {
  noteFailure(cpu, at, errno);
  if (site != 0) {
    const s = siteAddr(site);
    atomic.add<i32>(s + S_NATURAL, 1);
    atomic.store<i32>(s + S_ERRNO, errno);
    if (atomic.load<i32>(hdr(H_LEDGER_BROKEN)) != 0) atomic.add<i32>(s + S_NATURAL_AFTER, 1);
  }
}

function prim(cpu: i32, at: i32, reg: i32, row: i32, target: i32, site: i32): i32 {
  const e = effectAddr(row);
  if ((load<i32>(e + E_PRIM_FLAGS) & A.PF_SLEEPS) != 0) mightSleep(cpu, at); // a GFP_KERNEL allocation, a sleeping wait
  const a0 = load<i32>(e + E_ASSERT0);
  if (a0 >= 0) assertHeld(cpu, at, a0, A.MODE_ANY);
  const a1 = load<i32>(e + E_ASSERT1);
  if (a1 >= 0) assertHeld(cpu, at, a1, A.MODE_ANY);
  bookRelease(cpu, taskReg(cpu, reg), load<u64>(e + E_RELEASES), at);
  // A declared failure condition first, then the service, then the state
  // effects in order (a charge over its limit fails the primitive).
  const natural = load<i32>(e + E_NATURAL);
  let r = natural >= 0 && cond(cpu, natural, at) ? load<i32>(e + E_ERRNO) : 0;
  if (r == 0) r = service(cpu, load<i32>(e + E_SERVICE), load<i32>(e + E_SERVICE_ARG), reg, taskReg(cpu, reg), at);
  const n = load<i32>(e + E_NR_EFFECTS);
  for (let i = 0; i < n && r == 0; i++) {
    const x = e + E_EFFECTS + <usize>i * EF_SIZE;
    const c = load<i32>(x + EF_COND);
    if (c >= 0 && !cond(cpu, c, at)) continue;
    const op = load<i32>(x + EF_OP);
    if (applyState(cpu, at, op & 0xff, load<i32>(x + EF_VAR), op >> 8, load<i32>(x + EF_VALUE)) && (op & 0xff) == A.ST_CHARGE) r = load<i32>(e + E_ERRNO);
  }
  if (r != 0) {
    failNaturally(cpu, at, site, r);
    setPc(cpu, target);
    return A.STEP_PROGRESS;
  }
  bookAcquire(cpu, taskReg(cpu, reg), load<u64>(e + E_ACQUIRES), at);
  setPc(cpu, at + 1);
  return A.STEP_PROGRESS;
}

/** A lock that sleeps when it cannot be taken: a mutex or rw_semaphore,
 *  and on PREEMPT_RT a spinlock_t or rwlock_t (wait type LD_WAIT_CONFIG). */
// @ts-ignore: decorator
@inline export function sleeps(kind: i32, wait: i32): bool {
  return kind == A.KIND_MUTEX || kind == A.KIND_RWSEM || (wait == A.WAIT_CONFIG && (ctxFlags() & CTXF_PREEMPT_RT) != 0);
}

function lockOp(cpu: i32, at: i32, obj: i32, ref: i32, lf: i32): i32 {
  const lock = lockAddr(cpu, ref);
  const mode = objMode(obj);
  const kind = objKind(obj);
  if (lock == 0) {
    reportInvariant(A.INV_TASK_STATE, 0, 0, cpu, curr(cpu), at, lockClass(ref));
    setPc(cpu, at + 1);
    return A.STEP_PROGRESS;
  }
  const sub = objSubclass(obj);
  const wait = lockWait(lf);
  const irq = inHardirq(cpu);
  // A handler's context cannot sleep: on PREEMPT_RT handlers are threaded,
  // and their spinlock_t spins here instead.
  const sleeping = sleeps(kind, wait) && !(irq && wait == A.WAIT_CONFIG);
  if (cget(cpu, C_SPIN_LOCK) != lock) {
    // First attempt. A spinning lock's form first turns off what it says
    // (spin_lock_irqsave(): local_irq_save(); preempt_disable()), then
    // lockdep validates, before waiting; a sleeping lock may sleep.
    if (!sleeping) {
      if ((lf & A.LF_IRQSAVE) != 0) { cset(cpu, C_LOCK_IRQS, irqsOff(cpu) ? 0 : 1); irqDisable(cpu); }
      else if ((lf & A.LF_IRQ) != 0) irqDisable(cpu);
      preemptDisable(cpu);
    } else mightSleep(cpu, at);
    if (heldIndex(cpu, lock) >= 0 && !(kind == A.KIND_RWLOCK && mode == A.MODE_READ)) {
      // Taking a lock this CPU already holds: it will spin on itself for
      // ever, as the kernel would; the deadlock detector ends the run.
      reportLock(A.FIND_RECURSIVE_LOCK, cpu, at, lock, lockClass(ref), mode, 0);
    }
    if ((flags() & FLAG_LOCKDEP) != 0) lockdepAcquire(cpu, lockClass(ref), sub, mode, kind, wait, lock, at);
  }
  if (tryLock(cpu, lock, kind, mode, irq)) {
    let info = heldInfoOf(lockClass(ref), sub, mode) | (wait << A.HELD_WAIT_SHIFT);
    if (!sleeping) info |= A.HELD_ATOMIC;
    if (kind == A.KIND_RWLOCK || kind == A.KIND_RWSEM) info |= A.HELD_RW;
    if (!sleeping && (lf & A.LF_IRQSAVE) != 0 && cget(cpu, C_LOCK_IRQS) != 0) info |= A.HELD_IRQS_ON;
    // lock_stat's wait: spins, or under the timed model nanoseconds.
    const spins = cget(cpu, C_SPINS_NOW);
    const waited = spins == 0 ? 0 : timed() ? max(1, lockClock(cpu) - cget(cpu, C_WAIT_SINCE)) : spins;
    if (!lockAcquired(cpu, lock, info, at, waited)) {
      reportLock(A.FIND_HELD_OVERFLOW, cpu, at, lock, lockClass(ref), A.MAX_HELD, 0);
    }
    cset(cpu, C_SPINS_NOW, 0);
    setPc(cpu, at + 1);
    return A.STEP_PROGRESS;
  }
  if (sleeping && !irq && (ctxFlags() & CTXF_CAN_BLOCK) != 0 && curr(cpu) != A.NO_TASK && taskKctx(curr(cpu)) < 0 && block(cpu, curr(cpu), lock, kind, mode, at)) return A.STEP_PROGRESS;
  if (irq && cget(cpu, C_SPINS_NOW) == 0) {
    // A handler that waits for what the code it interrupted holds waits for ever.
    const heldAt = interruptedHolds(cpu, lock, kind, mode);
    if (heldAt >= 0) reportIrqDeadlock(cpu, at, lock, lockClass(ref), heldAt);
  }
  const c = cpuAddr(cpu);
  store<u64>(c + C_SPINS, load<u64>(c + C_SPINS) + 1);
  if (cget(cpu, C_SPINS_NOW) == 0) cset(cpu, C_WAIT_SINCE, lockClock(cpu));
  cset(cpu, C_SPINS_NOW, cget(cpu, C_SPINS_NOW) + 1);
  cset(cpu, C_SPIN_PC, at);
  return A.STEP_SPIN;
}

function unlockOp(cpu: i32, at: i32, obj: i32, ref: i32, lf: i32): i32 {
  const lock = lockAddr(cpu, ref);
  const mode = objMode(obj);
  const i = lock == 0 ? -1 : heldIndex(cpu, lock);
  setPc(cpu, at + 1);
  if (i < 0) {
    // Unlocking what this CPU does not hold: report it and leave the
    // lock word alone (the kernel would corrupt it).
    reportLock(A.FIND_BAD_UNLOCK, cpu, at, lock, lockClass(ref), mode, -1);
    return A.STEP_PROGRESS;
  }
  const info = heldInfo(cpu, i);
  const heldMode = infoMode(info);
  if (heldMode != mode) reportLock(A.FIND_BAD_UNLOCK, cpu, at, lock, lockClass(ref), mode, heldMode);
  if ((flags() & FLAG_LOCKDEP) != 0) lockstatReleased(cpu, infoClass(info), heldMode, heldStep(cpu, i), heldPc(cpu, i));
  heldRemove(cpu, i);
  const kind = objKind(obj);
  unlock(lock, kind, heldMode);
  if (sleeps(kind, lockWait(lf))) wakeSleepers(cpu, lock, kind); // (a handler's hold spun, but tasks may sleep on it)
  if ((info & A.HELD_ATOMIC) == 0) return A.STEP_PROGRESS;
  // What the lock's form turned off comes back: interrupts (restored, for
  // _irqrestore), then preempt_enable(), a preemption point.
  if ((lf & A.LF_IRQSAVE) != 0) { if ((info & A.HELD_IRQS_ON) != 0) irqEnable(cpu, at); }
  else if ((lf & A.LF_IRQ) != 0) irqEnable(cpu, at);
  preemptEnable(cpu);
  return A.STEP_PROGRESS;
}

function assertHeld(cpu: i32, at: i32, ref: i32, mode: i32): void {
  const lock = lockAddr(cpu, ref);
  const i = lock == 0 ? -1 : heldIndex(cpu, lock);
  if (i < 0 || (mode != A.MODE_ANY && infoMode(heldInfo(cpu, i)) != mode)) {
    reportLock(A.FIND_ASSERT_HELD, cpu, at, lock, lockClass(ref), mode, 0);
  }
}

function ret(cpu: i32): i32 {
  const d = depth(cpu);
  if (d <= 1) return exitSyscall(cpu);
  const f = cpuAddr(cpu) + C_FRAMES + <usize>(d - 1) * FRAME_SIZE;
  const callAt = load<i32>(f + FR_CALL_PC);
  cset(cpu, C_DEPTH, d - 1);
  const elseTarget = load<i32>(insnAddr(callAt) + (A.W_TARGET << 2));
  if (err(cpu) != 0 && elseTarget >= 0) {
    setPc(cpu, elseTarget); // the callee failed: the caller's ladder runs
    return A.STEP_PROGRESS;
  }
  // Back in the caller as it was: a failure the callee handled itself is
  // forgotten, and a ladder in progress goes on.
  setErr(cpu, load<i32>(f + FR_ERR));
  cset(cpu, C_FAIL_PC, load<i32>(f + FR_FAIL_PC));
  cset(cpu, C_PATH_LEN, load<i32>(f + FR_PATH_LEN));
  setPc(cpu, callAt + 1);
  return A.STEP_PROGRESS;
}
