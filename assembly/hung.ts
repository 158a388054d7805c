// khungtaskd's report, made when the host's watch finds a task asleep on
// one lock for longer than the scenario allows (or the whole machine idle
// with tasks asleep: nothing can wake them). It names the lock and who
// holds it — tasks running or spinning on a CPU, asleep or preempted in the
// kernel, or, when no kernel context holds it, the task that last took it
// and returned to user space with it — and what each holder waits for.
import { cpuAddr, nrCpus, kctxAddr, insnAddr, hdr, taskAddr } from './machine';
import {
  C_SPIN_LOCK, C_SPIN_PC, C_PREEMPT, KX_TASK, KX_WAIT, KX_MODE,
  H_KCTX_HWM, H_TASK_HWM, T_USER_LOCK, L_OWNER, FD_A, FD_B, FD_C, FD_D, FD_PATH, FD_PATH_LEN,
} from './layout';
import * as A from './abi';
import { NO_TASK } from './abi';
import { curr } from './cpu';
import { taskPid, taskState } from './task';
import { begin, publish } from './findings';
import { heldIndexIn } from './lock';
import { taskKctx, interruptedCtx, parkedCtx } from './context';

const MAX_HOLDERS = 15; // pairs in the record's path

/** Report the task asleep in kernel-context slot `slot`, blocked for `blockedFor` (the host's unit). */
export function reportHungTask(slot: i32, blockedFor: i32): void {
  const x = kctxAddr(slot);
  const t = load<i32>(x + KX_TASK);
  const lock = atomic.load<i32>(x + KX_WAIT);
  if (t == NO_TASK || lock == 0) return; // woken meanwhile
  const ctx = parkedCtx(slot);
  const at = load<i32>(ctx + C_SPIN_PC);
  const f = begin(-1, t, at, -1);
  store<i32>(f + FD_A, lock);
  store<i32>(f + FD_B, load<i32>(insnAddr(at) + (A.W_ARG << 2)) >> A.LOCKREF_CLASS_SHIFT);
  store<i32>(f + FD_C, load<i32>(x + KX_MODE));
  store<i32>(f + FD_D, blockedFor);
  store<i32>(f + FD_PATH_LEN, 0);
  let found = false;
  for (let c = 0; c < nrCpus(); c++) {
    const cur = curr(c);
    const pid = cur == NO_TASK ? 0 : taskPid(cur);
    const a = cpuAddr(c);
    // In an interrupt, what it interrupted is set aside; both are this task's.
    const irq = (load<i32>(a + C_PREEMPT) & A.HARDIRQ_MASK) != 0;
    const ctxs = irq ? 2 : 1;
    for (let k = 0; k < ctxs; k++) {
      const b = k == 0 ? a : interruptedCtx(c);
      if (heldIndexIn(b, lock) < 0) continue;
      const spin = load<i32>(b + C_SPIN_LOCK) != 0;
      addHolder(f, pid, spin ? A.HOLDER_SPINNING : A.HOLDER_RUNNING, spin ? load<i32>(b + C_SPIN_PC) : -1);
      found = true;
    }
  }
  const hwm = atomic.load<i32>(hdr(H_KCTX_HWM));
  for (let s = 0; s < hwm; s++) {
    const y = kctxAddr(s);
    const owner = load<i32>(y + KX_TASK);
    if (owner == NO_TASK || s == slot || taskKctx(owner) != s) continue;
    const b = parkedCtx(s);
    if (heldIndexIn(b, lock) < 0) continue;
    const asleep = atomic.load<i32>(y + KX_WAIT) != 0;
    addHolder(f, taskPid(owner), asleep ? A.HOLDER_SLEEPING : A.HOLDER_PREEMPTED, asleep ? load<i32>(b + C_SPIN_PC) : -1);
    found = true;
  }
  // The tasks that went back to user space holding it (each its last such lock).
  const tasks = atomic.load<i32>(hdr(H_TASK_HWM));
  for (let u = 0; u < tasks; u++) {
    const s = taskState(u);
    if (s == A.TASK_FREE || s == A.TASK_HOST || s == A.TASK_DEAD) continue;
    if (atomic.load<i32>(taskAddr(u) + T_USER_LOCK) == lock) { addHolder(f, taskPid(u), A.HOLDER_USER, -1); found = true; }
  }
  // Else the last to take it (a reader's pid is the last reader's).
  const last = load<i32>(<usize>lock + L_OWNER);
  if (!found && last != 0) addHolder(f, last, A.HOLDER_USER, -1);
  publish(f, A.FIND_HUNG_TASK);
}

/** One holder in the record's path: pid << 4 | HOLDER_*, then the pc it waits at (-1). */
function addHolder(f: usize, pid: i32, state: i32, waitPc: i32): void {
  const n = load<i32>(f + FD_PATH_LEN);
  if (n >= 2 * MAX_HOLDERS) return;
  store<i32>(f + FD_PATH + (<usize>n << 2), pid << 4 | state);
  store<i32>(f + FD_PATH + (<usize>(n + 1) << 2), waitPc);
  store<i32>(f + FD_PATH_LEN, n + 2);
}
