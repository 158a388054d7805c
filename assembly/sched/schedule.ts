// Recording a schedule: each CPU the step driver steps, one byte per step,
// into the schedule buffer (a prefix when it fills up).
import { H_SCHED_LEN, H_SCHED_CAP, H_SCHED_FLAGS, SF_OVERFLOW } from '../layout';
import { hget, hset, schedAddr } from '../machine';

export function record(cpu: i32): void {
  const len = hget(H_SCHED_LEN);
  if (len >= hget(H_SCHED_CAP)) { hset(H_SCHED_FLAGS, hget(H_SCHED_FLAGS) | SF_OVERFLOW); return; }
  store<u8>(schedAddr(len), <u8>cpu);
  hset(H_SCHED_LEN, len + 1);
}
