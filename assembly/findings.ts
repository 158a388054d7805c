// Findings: what the detectors report, appended to a ring in shared memory
// with the CPU's context (failure site, ladder path, step). The host turns
// them into reports; the module only records facts.
import { findingAddr, hdr, hget, requestStop, flags, cpuAddr } from './machine';
import {
  H_NR_FINDINGS, H_FINDINGS_CAP, FLAG_STOP_ON_FINDING,
  FD_KIND, FD_CPU, FD_TASK, FD_PID, FD_PC, FD_FAIL_PC, FD_ERRNO, FD_MASK, FD_LOCK, FD_CLASS,
  FD_DETAIL, FD_DETAIL2, FD_STEP, FD_PATH_LEN, FD_PATH, FD_PATH_MAX, C_FAIL_PC, C_ERR, C_STEPS,
  C_PATH_LEN, C_PATH,
} from './layout';
import { NO_TASK } from './abi';
import { taskPid } from './task';
import { cget } from './cpu';

/** Record a finding; returns its record (0 when the ring is full). */
export function report(
  kind: i32, cpu: i32, task: i32, pc: i32, lock: i32, cls: i32, mask: u64, detail: i32, detail2: i32,
): usize {
  const i = atomic.add<i32>(hdr(H_NR_FINDINGS), 1);
  if ((flags() & FLAG_STOP_ON_FINDING) != 0) requestStop();
  if (i >= hget(H_FINDINGS_CAP)) return 0; // counted, not stored
  const f = findingAddr(i);
  store<i32>(f + FD_CPU, cpu);
  store<i32>(f + FD_TASK, task);
  store<i32>(f + FD_PID, task == NO_TASK ? 0 : taskPid(task));
  store<i32>(f + FD_PC, pc);
  store<i32>(f + FD_LOCK, lock);
  store<i32>(f + FD_CLASS, cls);
  store<u64>(f + FD_MASK, mask);
  store<i32>(f + FD_DETAIL, detail);
  store<i32>(f + FD_DETAIL2, detail2);
  let n = 0;
  if (cpu >= 0) {
    const failPc = cget(cpu, C_FAIL_PC);
    store<i32>(f + FD_FAIL_PC, failPc);
    store<i32>(f + FD_ERRNO, cget(cpu, C_ERR));
    store<u64>(f + FD_STEP, load<u64>(cpuAddr(cpu) + C_STEPS));
    n = min(cget(cpu, C_PATH_LEN), FD_PATH_MAX);
    for (let k = 0; k < n; k++) store<i32>(f + FD_PATH + (<usize>k << 2), cget(cpu, C_PATH + (k << 2)));
  } else {
    store<i32>(f + FD_FAIL_PC, -1);
  }
  store<i32>(f + FD_PATH_LEN, n);
  // Written last: the host treats a zero kind as "not yet complete".
  atomic.store<i32>(f + FD_KIND, kind);
  return f;
}
