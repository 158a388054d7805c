// The pids controller: one cgroup, charged per task against --pids-limit.
import { H_PIDS_CHARGED, H_PIDS_LIMIT } from '../layout';
import * as A from '../abi';
import { hget, hdr } from '../machine';

/** pids_can_fork(): charge, or -EAGAIN over the limit. */
export function pidsCharge(): i32 {
  const limit = hget(H_PIDS_LIMIT);
  const n = atomic.add<i32>(hdr(H_PIDS_CHARGED), 1) + 1;
  if (limit > 0 && n > limit) { atomic.sub<i32>(hdr(H_PIDS_CHARGED), 1); return A.EAGAIN; }
  return 0;
}

export function pidsUncharge(): void { atomic.sub<i32>(hdr(H_PIDS_CHARGED), 1); }
