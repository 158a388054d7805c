// What primitives do to the machine beyond their ledger effects. Each
// returns 0 or the errno of a natural failure. Locks a primitive relies on
// are asserted from the effects table before it runs, as lockdep_assert_held().
import { hget, hset, hdr, nrCpus } from './machine';
import {
  H_PID_ALLOCATED, H_LAST_PID, H_PID_MAX, H_PIDS_CHARGED, H_PIDS_LIMIT, H_NR_THREADS, H_TOTAL_FORKS,
  H_ZOMBIE_HEAD, H_ZOMBIE_TAIL, H_NR_ZOMBIES, H_SCX_ENABLED, H_SCX_INIT_TASK_ENABLED, H_SCX_INIT_FAIL_PPM,
  H_TASK_HWM, H_LITMUS, C_SCRATCH, PIDNS_ADDING, C_P, C_T, C_RQ, C_RQ2, C_PARENT,
  K_KILLS, K_MIGRATIONS, K_EXITS, K_REAPS, K_LEAKED, CF_ITER_END, CF_LAST_REF,
} from './layout';
import * as A from './abi';
import { NO_TASK } from './abi';
import {
  taskState, setTaskState, setTaskPid, taskPid, setTaskParent, taskParent, taskParentPid, setTaskCpu, taskCpu,
  taskFlags, setTaskFlag, clearTaskFlag, setTaskNext, taskNext, setTaskUsage, taskUsageDec, setTaskOwned,
  taskOwned, setTaskScxState, taskScxState, allocTaskSlot, freeTaskSlot,
} from './task';
import { cget, cset, curr, setCurr, count, randBelow, setCpuFlag, iter, setIter } from './cpu';
import { enqueue, dequeueHead, nrRunning } from './runqueue';
import { report } from './findings';
import { writeOff } from './ledger';

export function behave(cpu: i32, b: i32, t: i32, pc: i32): i32 {
  switch (b) {
    case A.B_NONE: return 0;
    case A.B_DUP_TASK_STRUCT: return dupTaskStruct(cpu);
    case A.B_FREE_TASK: setTaskState(t, A.TASK_DEAD); return 0; // the slot is reclaimed at return to user
    case A.B_SCHED_FORK: {
      // task_should_scx(): ext only while enabled and not disabling (the
      // disable path clears init_task_enabled first, under the rwsem).
      if (hget(H_SCX_ENABLED) != 0 && hget(H_SCX_INIT_TASK_ENABLED) != 0) setTaskFlag(t, A.TF_CLASS_EXT);
      else clearTaskFlag(t, A.TF_CLASS_EXT);
      return 0;
    }
    case A.B_SET_TASK_CPU: setTaskCpu(t, cpu); return 0;
    case A.B_IDR_ALLOC: {
      const v = atomic.load<i32>(hdr(H_PID_ALLOCATED));
      if ((v & ~PIDNS_ADDING) >= hget(H_PID_MAX)) return A.EAGAIN;
      atomic.store<i32>(hdr(H_PID_ALLOCATED), v + 1);
      const pid = hget(H_LAST_PID) + 1; // pids are not recycled: the count, not the number, is bounded
      hset(H_LAST_PID, pid);
      setTaskPid(t, pid);
      return 0;
    }
    case A.B_IDR_REMOVE: atomic.sub<i32>(hdr(H_PID_ALLOCATED), 1); return 0;
    case A.B_PIDS_CHARGE: {
      const limit = hget(H_PIDS_LIMIT);
      const n = atomic.add<i32>(hdr(H_PIDS_CHARGED), 1) + 1;
      if (limit > 0 && n > limit) { atomic.sub<i32>(hdr(H_PIDS_CHARGED), 1); return A.EAGAIN; }
      return 0;
    }
    case A.B_PIDS_UNCHARGE: atomic.sub<i32>(hdr(H_PIDS_CHARGED), 1); return 0;
    case A.B_OPS_INIT_TASK: {
      if (<i32>randBelow(cpu, 1000000) < hget(H_SCX_INIT_FAIL_PPM)) return A.ENOMEM;
      setTaskScxState(t, A.SCX_TASK_INIT);
      return 0;
    }
    case A.B_OPS_EXIT_TASK: setTaskScxState(t, A.SCX_TASK_NONE); return 0;
    case A.B_SCX_SET_READY: if (taskScxState(t) == A.SCX_TASK_INIT) setTaskScxState(t, A.SCX_TASK_READY); return 0;
    case A.B_SCX_ENABLE_TASK: if (taskScxState(t) == A.SCX_TASK_READY) setTaskScxState(t, A.SCX_TASK_ENABLED); return 0;
    case A.B_SCX_DISABLE_TASK: if (taskScxState(t) == A.SCX_TASK_ENABLED) setTaskScxState(t, A.SCX_TASK_READY); return 0;
    case A.B_SCX_TASKS_ADD: setTaskFlag(t, A.TF_ON_SCX_LIST); return 0;
    case A.B_SCX_TASKS_DEL: clearTaskFlag(t, A.TF_ON_SCX_LIST); return 0;
    case A.B_ATTACH_PID: {
      hset(H_NR_THREADS, hget(H_NR_THREADS) + 1);
      hset(H_TOTAL_FORKS, hget(H_TOTAL_FORKS) + 1);
      return 0;
    }
    case A.B_SELECT_TASK_RQ: {
      let best = cpu, load = nrRunning(cpu);
      for (let c = 0; c < nrCpus(); c++) {
        const n = nrRunning(c);
        if (n < load) { best = c; load = n; }
      }
      cset(cpu, C_RQ, best);
      setTaskCpu(t, best);
      return 0;
    }
    case A.B_ACTIVATE_TASK: {
      enqueue(cget(cpu, C_RQ), t);
      setTaskState(t, A.TASK_RUNNING);
      return 0;
    }
    case A.B_PUT_PREV_TASK: {
      const c = curr(cpu);
      if (c != NO_TASK && taskState(c) == A.TASK_RUNNING) enqueue(cpu, c);
      setCurr(cpu, NO_TASK);
      return 0;
    }
    case A.B_PICK_NEXT_TASK: setCurr(cpu, dequeueHead(cpu)); return 0;
    case A.B_EXIT_ZOMBIE: {
      setTaskState(t, A.EXIT_ZOMBIE);
      setTaskNext(t, NO_TASK);
      const tail = hget(H_ZOMBIE_TAIL);
      if (tail == NO_TASK) hset(H_ZOMBIE_HEAD, t); else setTaskNext(tail, t);
      hset(H_ZOMBIE_TAIL, t);
      atomic.add<i32>(hdr(H_NR_ZOMBIES), 1);
      count(cpu, K_EXITS);
      return 0;
    }
    case A.B_DO_TASK_DEAD: setCurr(cpu, NO_TASK); return 0;
    case A.B_WAIT_TASK_ZOMBIE: {
      // Reapers hold tasklist_lock for reading, so several pop at once; the
      // claim is a compare-and-swap on the queue head, as the kernel claims
      // with cmpxchg on exit_state. Pushes hold it for writing, so a popped
      // task cannot come back while a reaper is mid-pop (no ABA).
      let z = atomic.load<i32>(hdr(H_ZOMBIE_HEAD));
      while (true) {
        if (z == NO_TASK) return A.ECHILD;
        const seen = atomic.cmpxchg<i32>(hdr(H_ZOMBIE_HEAD), z, taskNext(z));
        if (seen == z) break;
        z = seen;
      }
      if (taskNext(z) == NO_TASK) atomic.store<i32>(hdr(H_ZOMBIE_TAIL), NO_TASK);
      atomic.sub<i32>(hdr(H_NR_ZOMBIES), 1);
      setTaskState(z, A.EXIT_DEAD);
      cset(cpu, C_T, z);
      count(cpu, K_REAPS);
      return 0;
    }
    case A.B_UNHASH_PROCESS: hset(H_NR_THREADS, hget(H_NR_THREADS) - 1); return 0;
    case A.B_PUT_RCU_USER: setCpuFlag(cpu, CF_LAST_REF, taskUsageDec(t) == 0); return 0;
    case A.B_FREE_TASK_STRUCT: {
      const left = taskOwned(t);
      if (left != 0) {
        report(A.FIND_FREE_OWNED, cpu, t, pc, 0, -1, left, 0, 0);
        writeOff(cpu, t, left);
        count(cpu, K_LEAKED, <i32>popcnt(left));
      }
      freeTaskSlot(t);
      return 0;
    }
    case A.B_PICK_KILL_TARGET: {
      const v = <i32>randBelow(cpu, <u32>atomic.load<i32>(hdr(H_TASK_HWM)));
      if (taskState(v) != A.TASK_RUNNING || (taskFlags(v) & A.TF_UNKILLABLE) != 0) return A.ESRCH;
      cset(cpu, C_T, v);
      return 0;
    }
    case A.B_SEND_SIGKILL: {
      // The slot may have been reaped and reused since it was picked, as a
      // pid may be: the check under siglock decides.
      if (taskState(t) == A.TASK_RUNNING && (taskFlags(t) & A.TF_UNKILLABLE) == 0) {
        setTaskFlag(t, A.TF_SIGKILL);
        count(cpu, K_KILLS);
      }
      return 0;
    }
    case A.B_PIDNS_DISABLE: atomic.and<i32>(hdr(H_PID_ALLOCATED), ~PIDNS_ADDING); return 0;
    case A.B_PIDNS_ENABLE: atomic.or<i32>(hdr(H_PID_ALLOCATED), PIDNS_ADDING); return 0;
    case A.B_SCX_SET_INIT_TASK_ENABLED: atomic.store<i32>(hdr(H_SCX_INIT_TASK_ENABLED), 1); return 0;
    case A.B_SCX_CLEAR_INIT_TASK_ENABLED: atomic.store<i32>(hdr(H_SCX_INIT_TASK_ENABLED), 0); return 0;
    case A.B_SCX_SET_ENABLED: atomic.store<i32>(hdr(H_SCX_ENABLED), 1); return 0;
    case A.B_SCX_CLEAR_ENABLED: atomic.store<i32>(hdr(H_SCX_ENABLED), 0); return 0;
    case A.B_SCX_TASK_ITER_START: setIter(cpu, 0); return 0;
    case A.B_SCX_TASK_ITER_NEXT: {
      const hwm = atomic.load<i32>(hdr(H_TASK_HWM));
      let i = iter(cpu);
      while (i < hwm && (taskFlags(i) & A.TF_ON_SCX_LIST) == 0) i++;
      setCpuFlag(cpu, CF_ITER_END, i >= hwm);
      if (i < hwm) cset(cpu, C_T, i);
      setIter(cpu, i + 1);
      return 0;
    }
    case A.B_TASK_RQ: cset(cpu, C_RQ, taskCpu(t)); return 0;
    case A.B_SCX_INIT_TASK_LOADED: setTaskScxState(t, A.SCX_TASK_READY); return 0;
    case A.B_SCX_SWITCH_CLASS: {
      setTaskFlag(t, A.TF_CLASS_EXT);
      if (taskScxState(t) == A.SCX_TASK_READY) setTaskScxState(t, A.SCX_TASK_ENABLED);
      return 0;
    }
    case A.B_SCX_RESET_CLASS: clearTaskFlag(t, A.TF_CLASS_EXT); return 0;
    case A.B_FIND_BUSIEST_RQ: {
      let busiest = -1, most = nrRunning(cpu) + 1;
      for (let c = 0; c < nrCpus(); c++) {
        const n = nrRunning(c);
        if (c != cpu && n > most) { busiest = c; most = n; }
      }
      setCpuFlag(cpu, CF_ITER_END, busiest < 0);
      cset(cpu, C_RQ, cpu);
      cset(cpu, C_RQ2, busiest < 0 ? cpu : busiest);
      return 0;
    }
    case A.B_DOUBLE_RQ_ORDER: {
      const a = cget(cpu, C_RQ), b = cget(cpu, C_RQ2);
      if (b < a) { cset(cpu, C_RQ, b); cset(cpu, C_RQ2, a); }
      return 0;
    }
    case A.B_MIGRATE_TASK: {
      const a = cget(cpu, C_RQ), b = cget(cpu, C_RQ2);
      const src = nrRunning(a) > nrRunning(b) ? a : b;
      const dst = src == a ? b : a;
      if (nrRunning(src) <= nrRunning(dst) + 1) return 0; // balanced meanwhile
      const m = dequeueHead(src);
      enqueue(dst, m);
      cset(cpu, C_T, m);
      count(cpu, K_MIGRATIONS);
      return 0;
    }
    case A.B_LITMUS_LOAD: cset(cpu, C_SCRATCH, atomic.load<i32>(hdr(H_LITMUS))); return 0;
    case A.B_LITMUS_STORE: atomic.store<i32>(hdr(H_LITMUS), cget(cpu, C_SCRATCH) + 1); return 0;
    case A.B_GET_PARENT: {
      // forget_original_parent(): a child whose parent is gone is reparented
      // to the child reaper (the boot task of CPU 0 here).
      let p = taskParent(t);
      if (p == NO_TASK || taskPid(p) != taskParentPid(t) || taskState(p) != A.TASK_RUNNING) p = 0;
      cset(cpu, C_PARENT, p);
      return 0;
    }
  }
  return 0;
}

function dupTaskStruct(cpu: i32): i32 {
  const p = allocTaskSlot();
  if (p == NO_TASK) return A.ENOMEM;
  setTaskPid(p, 0);
  setTaskParent(p, curr(cpu));
  setTaskCpu(p, cpu); // dup_task_struct copies the parent's cpu
  setTaskNext(p, NO_TASK);
  setTaskUsage(p, 2); // rcu_users: one for the reaper, one for the scheduler
  setTaskOwned(p, 0);
  setTaskScxState(p, A.SCX_TASK_NONE);
  clearTaskFlag(p, -1);
  setTaskState(p, A.TASK_NEW);
  cset(cpu, C_P, p);
  return 0;
}
