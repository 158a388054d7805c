// Locks, built from atomics on the lock words in shared memory: fair ticket
// spinlocks (also used for mutexes) and reader-writer locks (also used for
// rwsems). One attempt per step: a CPU that does not get the lock returns
// STEP_SPIN and tries again on its next step, keeping its ticket.
import { globalLockAddr, taskAddr, rqAddr, cpuAddr, flags, hget } from './machine';
import {
  L_WORD, L_SERVING, L_OWNER, L_PARKED, T_LOCKS, RQ_LOCKS, LOCK_SIZE, C_SPIN_LOCK, C_TICKET,
  C_HELD_DEPTH, C_HELD, HELD_SIZE, HL_LOCK, HL_INFO, HL_PC, HL_STEP, C_SPIN_MODE, FLAG_LOCKDEP, H_TASK_LOCK_HOSTS,
} from './layout';
import {
  LOCKREF_REG_SHIFT, LOCKREF_CLASS_SHIFT, LOCKREF_SLOT_MASK, REG_NONE, REG_RQ, REG_RQ2, REG_THIS_RQ, KIND_RWLOCK, KIND_RWSEM, MODE_READ, NO_TASK, RW_WRITER, RW_WAITERS_MASK, RW_READERS_MASK,
  RW_WAITER, MAX_HELD,
} from './abi';
import { cget, cset, taskReg, rqReg, curr } from './cpu';
import { taskPid, hostOf } from './task';
import { lockstatAcquired, lockClock } from './lockstat';

/** Address of the lock a lock ref names on this CPU (0: its register is empty). */
// @ts-ignore: decorator
@inline export function lockAddr(cpu: i32, ref: i32): i32 {
  const reg = (ref >> LOCKREF_REG_SHIFT) & 0xff;
  const slot = ref & LOCKREF_SLOT_MASK;
  if (reg == REG_NONE) return <i32>globalLockAddr(slot);
  if (reg == REG_RQ || reg == REG_RQ2 || reg == REG_THIS_RQ) {
    const rq = rqReg(cpu, reg);
    return rq < 0 ? 0 : <i32>rqAddr(rq) + RQ_LOCKS + slot * LOCK_SIZE;
  }
  // A struct's lock (sighand.siglock) is the one of the task its struct pointer names.
  const t = hostOf(taskReg(cpu, reg), hget(H_TASK_LOCK_HOSTS + (slot << 2)));
  if (t == NO_TASK) return 0;
  return <i32>taskAddr(t) + T_LOCKS + slot * LOCK_SIZE;
}

/** lockdep's class of the lock a ref names (the model declared it). */
// @ts-ignore: decorator
@inline export function lockClass(ref: i32): i32 { return ref >> LOCKREF_CLASS_SHIFT; }

// @ts-ignore: decorator
@inline function isRw(kind: i32): bool { return kind == KIND_RWLOCK || kind == KIND_RWSEM; }

/** One attempt to take `lock`. Registers this CPU as waiting on it when it
 *  fails. `irq`: in interrupt context a reader waits only for a writer
 *  that holds the lock, not for one waiting (queued_read_lock_slowpath(),
 *  kernel/locking/qrwlock.c), or an interrupt reading tasklist_lock under
 *  a waiting writer would deadlock. */
export function tryLock(cpu: i32, lock: i32, kind: i32, mode: i32, irq: bool): bool {
  const a = <usize>lock;
  const waiting = cget(cpu, C_SPIN_LOCK) == lock;
  if (!isRw(kind)) {
    let ticket: i32;
    if (waiting) ticket = cget(cpu, C_TICKET);
    else {
      ticket = atomic.add<i32>(a + L_WORD, 1);
      cset(cpu, C_TICKET, ticket);
      cset(cpu, C_SPIN_LOCK, lock);
      cset(cpu, C_SPIN_MODE, mode);
    }
    return atomic.load<i32>(a + L_SERVING) == ticket;
  }
  if (mode == MODE_READ) {
    const v = atomic.load<i32>(a + L_WORD);
    const blocks = irq && kind == KIND_RWLOCK ? RW_WRITER : RW_WRITER | RW_WAITERS_MASK;
    if ((v & blocks) == 0 && atomic.cmpxchg<i32>(a + L_WORD, v, v + 1) == v) return true;
    cset(cpu, C_SPIN_LOCK, lock);
    cset(cpu, C_SPIN_MODE, mode);
    return false;
  }
  // Simplified: the kernel queues a writer that cannot take the lock at
  // once, and a process-context reader that cannot, on lock->wait_lock, so
  // they go in turn (queued_write_lock_slowpath() and
  // queued_read_lock_slowpath(), kernel/locking/qrwlock.c); here each
  // waiting writer keeps a waiter count in the word, and whichever finds
  // the lock free first takes it.
  if (!waiting) {
    atomic.add<i32>(a + L_WORD, RW_WAITER); // from now on new readers wait
    cset(cpu, C_SPIN_LOCK, lock);
    cset(cpu, C_SPIN_MODE, mode);
  }
  const v = atomic.load<i32>(a + L_WORD);
  return (v & (RW_READERS_MASK | RW_WRITER)) == 0 &&
    atomic.cmpxchg<i32>(a + L_WORD, v, v - RW_WAITER + RW_WRITER) == v;
}

/** Would this CPU's next attempt at the lock it waits for fail again? Reads
 *  only: what tryLock() tests once the CPU holds its ticket or its place. */
export function spinBlocked(cpu: i32, kind: i32, irq: bool): bool {
  const lock = cget(cpu, C_SPIN_LOCK);
  if (lock == 0) return false;
  const a = <usize>lock;
  if (!isRw(kind)) return atomic.load<i32>(a + L_SERVING) != cget(cpu, C_TICKET);
  const v = atomic.load<i32>(a + L_WORD);
  if (cget(cpu, C_SPIN_MODE) == MODE_READ) return (v & (irq && kind == KIND_RWLOCK ? RW_WRITER : RW_WRITER | RW_WAITERS_MASK)) != 0;
  return (v & (RW_READERS_MASK | RW_WRITER)) != 0;
}

/** Bookkeeping once a lock is taken: owner, lock_stat, held-lock stack.
 *  False: the stack is full. */
export function lockAcquired(cpu: i32, lock: i32, info: i32, atPc: i32, waited: i32): bool {
  if ((flags() & FLAG_LOCKDEP) != 0) lockstatAcquired(cpu, info & 0xff, (info >> 12) & 3, lock, waited, atPc);
  // The holder's pid (0: the idle task), for reports: slots are reused, pids
  // are not. For read holds it is the last reader. Informational only, so a
  // plain store (readers may see a stale pid; the lock word is what counts).
  const t = curr(cpu);
  store<i32>(<usize>lock + L_OWNER, t == NO_TASK ? 0 : taskPid(t));
  cset(cpu, C_SPIN_LOCK, 0);
  const d = cget(cpu, C_HELD_DEPTH);
  if (d >= MAX_HELD) return false;
  const h = cpuAddr(cpu) + C_HELD + <usize>d * HELD_SIZE;
  store<i32>(h + HL_LOCK, lock);
  store<i32>(h + HL_INFO, info);
  store<i32>(h + HL_PC, atPc);
  store<i32>(h + HL_STEP, lockClock(cpu));
  cset(cpu, C_HELD_DEPTH, d + 1);
  return true;
}

/** Release a lock this CPU holds (the held-lock entry is removed by the caller). */
export function unlock(lock: i32, kind: i32, mode: i32): void {
  const a = <usize>lock;
  if (!isRw(kind)) {
    store<i32>(a + L_OWNER, 0);
    atomic.store<i32>(a + L_SERVING, load<i32>(a + L_SERVING) + 1); // only the holder writes it
  } else if (mode == MODE_READ) {
    atomic.sub<i32>(a + L_WORD, 1);
  } else {
    store<i32>(a + L_OWNER, 0);
    atomic.sub<i32>(a + L_WORD, RW_WRITER);
  }
  // Parked CPUs are the low half of the word (lock_stat keeps the last CPU
  // in the high half); notify only when one waits: it costs a futex lock.
  if ((atomic.load<i32>(a + L_PARKED) & 0xffff) != 0) atomic.notify(a + (isRw(kind) ? L_WORD : L_SERVING), -1);
}

/** Index of `lock` in this CPU's held-lock stack, searching from the top (-1: not held). */
export function heldIndex(cpu: i32, lock: i32): i32 { return heldIndexIn(cpuAddr(cpu), lock); }

/** The same in the held-lock stack of context `c`: a CPU block, or a saved
 *  context addressed as one (another CPU's, read racily: bounded). */
export function heldIndexIn(c: usize, lock: i32): i32 {
  for (let i = min(load<i32>(c + C_HELD_DEPTH), MAX_HELD) - 1; i >= 0; i--) {
    if (load<i32>(c + C_HELD + <usize>i * HELD_SIZE + HL_LOCK) == lock) return i;
  }
  return -1;
}
// @ts-ignore: decorator
@inline export function heldInfo(cpu: i32, i: i32): i32 { return load<i32>(cpuAddr(cpu) + C_HELD + <usize>i * HELD_SIZE + HL_INFO); }
// @ts-ignore: decorator
@inline export function heldLock(cpu: i32, i: i32): i32 { return load<i32>(cpuAddr(cpu) + C_HELD + <usize>i * HELD_SIZE + HL_LOCK); }
// @ts-ignore: decorator
@inline export function heldStep(cpu: i32, i: i32): i32 { return load<i32>(cpuAddr(cpu) + C_HELD + <usize>i * HELD_SIZE + HL_STEP); }
// @ts-ignore: decorator
@inline export function heldPc(cpu: i32, i: i32): i32 { return load<i32>(cpuAddr(cpu) + C_HELD + <usize>i * HELD_SIZE + HL_PC); }

/** Remove entry i, keeping the others in acquisition order. */
export function heldRemove(cpu: i32, i: i32): void {
  const d = cget(cpu, C_HELD_DEPTH);
  const base = cpuAddr(cpu) + C_HELD;
  if (i < d - 1) memory.copy(base + <usize>i * HELD_SIZE, base + <usize>(i + 1) * HELD_SIZE, <usize>(d - 1 - i) * HELD_SIZE); // (the top: nothing moves)
  cset(cpu, C_HELD_DEPTH, d - 1);
}

/** Park a CPU that has spun too long on the lock it waits for, until the
 *  word changes or a millisecond passes (so stop requests are still seen). */
export function park(cpu: i32, kind: i32): void {
  const lock = cget(cpu, C_SPIN_LOCK);
  if (lock == 0) return;
  const w = <usize>lock + (isRw(kind) ? L_WORD : L_SERVING);
  const seen = atomic.load<i32>(w);
  if (!isRw(kind) && seen == cget(cpu, C_TICKET)) return; // our turn came meanwhile
  atomic.add<i32>(<usize>lock + L_PARKED, 1);
  atomic.wait<i32>(w, seen, 1000000);
  atomic.sub<i32>(<usize>lock + L_PARKED, 1);
}
