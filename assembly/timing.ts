// The timed model's charges: what one step costs on the machine file's
// hardware, added to the stepping CPU's clock. A step is classified before
// it runs (what it is about to touch) and charged after (whether it got its
// lock): a primitive costs what the machine file says its work costs; a
// lock attempt, a release and an access to declared state pay for their
// cache line (coherence.ts); a syscall, an interrupt and a context switch
// their fixed cost; an idle CPU waits a wakeup latency; anything else is
// one plain micro-op.
//
// Spinlocks follow qspinlock by default (kernel/locking/qspinlock.c): a
// waiter spins on its own MCS node, so a failed attempt costs cpu_relax()
// and no traffic on the lock's line, and the handoff is the next owner's
// read-for-ownership of the line. With TF_TICKET every waiter polls the lock
// word instead (the pre-4.2 x86 ticket lock): each release invalidates every
// waiter's copy and each re-reads it, one after another. Simplified: rwlocks
// (qrwlock) are costed like spinlocks, although readers' RMWs on the count
// are modelled; percpu rwsems are costed as rwsems (their readers' per-CPU
// counters are not told apart).
import { cpuAddr, hget, hdr, insnAddr, effectAddr } from './machine';
import {
  C_CLOCK, C_TIME_SPIN, C_TIME_IDLE, C_DEPTH, C_PC, C_SPIN_LOCK, C_IRQ_PENDING, C_IRQS_OFF, H_TIME_FLAGS, H_TIME_NOW,
  TF_TICKET, E_COST, E_COST_WHEN, E_COST_ALT, E_NR_EFFECTS, COST_OP, COST_SPIN, COST_SYSCALL, COST_IRQ, COST_SWITCH, COST_IDLE,
} from './layout';
import * as A from './abi';
import { insnOp, insnObj, objKind } from './insn';
import { lockAddr } from './lock';
import { curr } from './cpu';
import { step } from './interp';
import { cond } from './conds';
import { nextAccess } from './sched/points';
import { access, cost } from './coherence';
import { timePark, timeReleased } from './sched/time';

const K_OP = 0, K_LOCK = 1, K_UNLOCK = 2, K_SYSCALL = 3, K_IRQ = 4;

/** One step of `cpu`, charged to its clock. A CPU that failed to take its
 *  lock is parked until its release (sched/time.ts); under a replay too, so
 *  that the replayed clocks are the recorded run's. */
export function timedStep(cpu: i32): i32 {
  const c = cpuAddr(cpu);
  const now = load<u64>(c + C_CLOCK);
  store<u64>(hdr(H_TIME_NOW), now);
  const task = curr(cpu);
  let work = cost(COST_OP); // a plain micro-op's, or a primitive's
  let kind = K_OP, key = 0, rw = false, first = false, write = false;
  if (atomic.load<i32>(c + C_IRQ_PENDING) != 0 && load<i32>(c + C_IRQS_OFF) == 0) kind = K_IRQ;
  else if (load<i32>(c + C_DEPTH) == 0) kind = K_SYSCALL;
  else {
    const a = insnAddr(load<i32>(c + C_PC));
    const w0 = load<i32>(a);
    const op = insnOp(w0);
    if (op == A.OP_LOCK || op == A.OP_UNLOCK) {
      kind = op == A.OP_LOCK ? K_LOCK : K_UNLOCK;
      key = lockAddr(cpu, load<i32>(a + (A.W_ARG << 2)));
      const k = objKind(insnObj(w0));
      rw = k == A.KIND_RWLOCK || k == A.KIND_RWSEM;
      first = load<i32>(c + C_SPIN_LOCK) != key;
    } else {
      let oneWord = true;
      if (op == A.OP_PRIM) {
        // The machine's cost of its work, or the other one when its condition
        // holds (copy_mm with CLONE_VM is mmget(), not dup_mm()); none: a micro-op.
        const e = effectAddr(load<i32>(a + (A.W_ARG << 2)));
        const when = load<i32>(e + E_COST_WHEN);
        const p = <u64>load<u32>(e + (when >= 0 && cond(cpu, when, load<i32>(c + C_PC)) ? E_COST_ALT : E_COST));
        if (p != 0) work = p;
        oneWord = load<i32>(e + E_NR_EFFECTS) == 1;
      }
      // Declared state: the variable's word (a primitive's, only when its
      // one effect is that; the ledger is the simulator's, not memory).
      if (oneWord) {
        const acc = nextAccess(cpu);
        const k = acc & A.ACC_KIND_MASK;
        const obj = acc & ~A.ACC_KIND_MASK;
        if (k != A.ACC_LOCAL && obj != A.OBJ_MACHINE) { key = obj; write = k == A.ACC_WRITE; }
      }
    }
  }
  const r = step(cpu);
  let spent: u64 = 0;
  let spin = false, idle = false;
  switch (kind) {
    case K_IRQ: spent = cost(COST_IRQ); break;
    case K_SYSCALL:
      if (r == A.STEP_IDLE) { spent = cost(COST_IDLE); idle = true; } else spent = cost(COST_SYSCALL);
      break;
    case K_LOCK:
      if (key == 0) { spent = cost(COST_OP); break; }
      if (r == A.STEP_SPIN) {
        // Queued: the first attempt's RMW took the line; a waiter then spins
        // locally (qspinlock) or re-reads the word (ticket).
        spin = true;
        spent = cost(COST_SPIN) + (first ? access(cpu, key, true, true, now) : (hget(H_TIME_FLAGS) & TF_TICKET) != 0 ? access(cpu, key, false, false, now) : 0);
        timePark(cpu);
      } else spent = access(cpu, key, true, true, now);
      break;
    case K_UNLOCK:
      // A spinlock's release is a store (qspinlock: the locked byte), a
      // reader's or writer's release of an rwlock an atomic RMW.
      spent = key == 0 ? cost(COST_OP) : access(cpu, key, true, rw, now);
      break;
    default: spent = work + (key != 0 ? access(cpu, key, write, false, now) : 0);
  }
  if (curr(cpu) != task) spent += cost(COST_SWITCH);
  store<u64>(c + C_CLOCK, now + spent);
  if (spin) store<u64>(c + C_TIME_SPIN, load<u64>(c + C_TIME_SPIN) + spent);
  else if (idle) store<u64>(c + C_TIME_IDLE, load<u64>(c + C_TIME_IDLE) + spent);
  if (kind == K_UNLOCK && key != 0) timeReleased(key, now + spent);
  return r;
}
