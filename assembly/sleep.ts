// Sleeping locks that sleep. A task that cannot take a mutex or a
// rw_semaphore (on PREEMPT_RT also a spinlock_t or rwlock_t) blocks: it is
// TASK_UNINTERRUPTIBLE (TF_BLOCKED), its kernel context parked in a slot
// that names the lock, on no runqueue, and its CPU schedules another task. A release looks
// for sleepers on the lock it freed and wakes them in the kernel's order —
// a mutex's next ticket (FIFO); for a rw_semaphore the writer that blocked
// first, else every reader (writers are preferred, as the lock word
// prefers them) — by queueing each on its CPU's wake list and raising the
// model's wakeup IPI there (ttwu_queue_wakelist()); the handler's
// sched_ttwu_pending() moves them onto the runqueue under its lock. A
// woken task tries its lock again: it is not handed the lock.
//
// No wakeup is lost: a sleeper publishes the lock it sleeps on before it
// looks at the lock once more, and a release frees the lock before it
// looks for sleepers; of the two, the later in the atomics' total order
// sees the other. A waker claims a sleeper with cmpxchg, so it is woken once.
import { hdr, hget, kctxAddr, cpuAddr } from './machine';
import {
  H_NR_SLEEPING, H_BLOCK_SEQ, H_KCTX_HWM, H_IRQ_IPI, KX_WAIT, KX_TASK, KX_SEQ, KX_MODE, C_TICKET, C_SPIN_PC,
  C_WAKE_LIST, L_WORD, L_SERVING, K_BLOCKS, K_WAKEUPS, K_NO_KCTX,
} from './layout';
import * as A from './abi';
import { NO_TASK } from './abi';
import { cget, cset, curr, count } from './cpu';
import { setTaskFlag, clearTaskFlag, taskCpu, taskNext, setTaskNext } from './task';
import { parkContext, clearContext, setTaskKctx, kctxFree, parkedCtx } from './context';
import { raiseIrq } from './irq';
import { enqueue } from './runqueue';

// @ts-ignore: decorator
@inline function isRw(kind: i32): bool { return kind == A.KIND_RWLOCK || kind == A.KIND_RWSEM; }

/** Would `mode` get the lock now (a look, no change)? */
function lockFree(lock: i32, kind: i32, mode: i32, ticket: i32): bool {
  const a = <usize>lock;
  if (!isRw(kind)) return atomic.load<i32>(a + L_SERVING) == ticket;
  const v = atomic.load<i32>(a + L_WORD);
  return mode == A.MODE_READ ? (v & (A.RW_WRITER | A.RW_WAITERS_MASK)) == 0 : (v & (A.RW_READERS_MASK | A.RW_WRITER)) == 0;
}

/** Task t, running on this CPU, failed to take `lock` at `at`: block it.
 *  False when it must spin instead (no slot free, or the lock came free). */
export function block(cpu: i32, t: i32, lock: i32, kind: i32, mode: i32, at: i32): bool {
  cset(cpu, C_SPIN_PC, at);
  const s = parkContext(cpu, t); // it resumes at this lock instruction, still waiting (its ticket kept)
  if (s < 0) { count(cpu, K_NO_KCTX); return false; }
  const x = kctxAddr(s);
  store<i32>(x + KX_MODE, mode);
  store<i32>(x + KX_SEQ, atomic.add<i32>(hdr(H_BLOCK_SEQ), 1) + 1);
  setTaskFlag(t, A.TF_BLOCKED);
  atomic.add<i32>(hdr(H_NR_SLEEPING), 1);
  atomic.store<i32>(x + KX_WAIT, lock);
  if (lockFree(lock, kind, mode, cget(cpu, C_TICKET)) && atomic.cmpxchg<i32>(x + KX_WAIT, lock, 0) == lock) {
    // Freed meanwhile, and no waker claimed us: take it on the next step.
    atomic.sub<i32>(hdr(H_NR_SLEEPING), 1);
    clearTaskFlag(t, A.TF_BLOCKED);
    setTaskKctx(t, -1);
    kctxFree(s);
    return false;
  }
  // Asleep (or claimed by a waker already: the wakeup finds it still
  // current here and only makes it runnable). The CPU schedules next.
  clearContext(cpu);
  count(cpu, K_BLOCKS);
  return true;
}

/** `lock` of `kind` was just released: wake whom the kernel would. */
export function wakeSleepers(cpu: i32, lock: i32, kind: i32): void {
  if (atomic.load<i32>(hdr(H_NR_SLEEPING)) == 0) return;
  const a = <usize>lock;
  const n = atomic.load<i32>(hdr(H_KCTX_HWM));
  if (!isRw(kind)) {
    const serving = atomic.load<i32>(a + L_SERVING);
    if (atomic.load<i32>(a + L_WORD) == serving) return; // nobody holds a ticket
    for (let s = 0; s < n; s++) {
      const x = kctxAddr(s);
      if (atomic.load<i32>(x + KX_WAIT) == lock && load<i32>(parkedCtx(s) + C_TICKET) == serving) { claim(cpu, x, lock); return; }
    }
    return;
  }
  const v = atomic.load<i32>(a + L_WORD);
  if ((v & (A.RW_READERS_MASK | A.RW_WRITER)) != 0) return; // still held
  if ((v & A.RW_WAITERS_MASK) != 0) {
    let first = -1, firstSeq = 0x7fffffff;
    for (let s = 0; s < n; s++) {
      const x = kctxAddr(s);
      if (atomic.load<i32>(x + KX_WAIT) != lock || load<i32>(x + KX_MODE) == A.MODE_READ) continue;
      const q = load<i32>(x + KX_SEQ);
      if (q < firstSeq) { first = s; firstSeq = q; }
    }
    if (first >= 0) claim(cpu, kctxAddr(first), lock);
    return; // a waiting writer goes first; readers wake at its release
  }
  for (let s = 0; s < n; s++) {
    const x = kctxAddr(s);
    if (atomic.load<i32>(x + KX_WAIT) == lock && load<i32>(x + KX_MODE) == A.MODE_READ) claim(cpu, x, lock);
  }
}

/** Claim the sleeper in slot `x` and wake it (another waker may win). */
function claim(cpu: i32, x: usize, lock: i32): void {
  if (atomic.cmpxchg<i32>(x + KX_WAIT, lock, 0) != lock) return;
  atomic.sub<i32>(hdr(H_NR_SLEEPING), 1);
  const t = load<i32>(x + KX_TASK);
  const to = taskCpu(t);
  const head = cpuAddr(to) + C_WAKE_LIST;
  while (true) {
    const old = atomic.load<i32>(head);
    setTaskNext(t, old);
    if (atomic.cmpxchg<i32>(head, old, t) == old) break;
  }
  raiseIrq(to, hget(H_IRQ_IPI));
  count(cpu, K_WAKEUPS);
}

/** sched_ttwu_pending(): the tasks woken onto this CPU become runnable on
 *  its runqueue, in the order they were woken (the caller holds its lock).
 *  One still current here never left (it was claimed as it blocked): it
 *  only becomes runnable again (ttwu_runnable()). */
export function ttwuPending(cpu: i32): void {
  let t = atomic.xchg<i32>(cpuAddr(cpu) + C_WAKE_LIST, NO_TASK);
  let rev = NO_TASK;
  while (t != NO_TASK) { const next = taskNext(t); setTaskNext(t, rev); rev = t; t = next; }
  while (rev != NO_TASK) {
    const next = taskNext(rev);
    clearTaskFlag(rev, A.TF_BLOCKED);
    if (rev != curr(cpu)) enqueue(cpu, rev);
    rev = next;
  }
}
