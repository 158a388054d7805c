// Pid allocation in one pid namespace (alloc_pid()'s idr, PIDNS_ADDING),
// attaching and detaching pids, nr_threads.
import { H_PID_ALLOCATED, H_LAST_PID, H_PID_MAX, H_NR_THREADS, H_TOTAL_FORKS, PIDNS_ADDING } from '../layout';
import * as A from '../abi';
import { hget, hset, hdr } from '../machine';
import { setTaskPid } from '../task';

/** idr_alloc_cyclic(): a pid number, unless pid_max are in use. Pids are
 *  not recycled: the count, not the number, is bounded. */
export function idrAlloc(t: i32): i32 {
  const v = atomic.load<i32>(hdr(H_PID_ALLOCATED));
  if ((v & ~PIDNS_ADDING) >= hget(H_PID_MAX)) return A.EAGAIN;
  atomic.store<i32>(hdr(H_PID_ALLOCATED), v + 1);
  const pid = hget(H_LAST_PID) + 1;
  hset(H_LAST_PID, pid);
  setTaskPid(t, pid);
  return 0;
}

export function idrRemove(): void { atomic.sub<i32>(hdr(H_PID_ALLOCATED), 1); }

/** attach_pid() and the accounting copy_process() does beside it. */
export function attachPid(): void {
  hset(H_NR_THREADS, hget(H_NR_THREADS) + 1);
  hset(H_TOTAL_FORKS, hget(H_TOTAL_FORKS) + 1);
}

/** __unhash_process(): nr_threads--. */
export function unhashProcess(): void { hset(H_NR_THREADS, hget(H_NR_THREADS) - 1); }

/** zap_pid_ns_processes() clears PIDNS_ADDING; a fresh namespace sets it. */
export function disablePidAllocation(): void { atomic.and<i32>(hdr(H_PID_ALLOCATED), ~PIDNS_ADDING); }
export function enablePidAllocation(): void { atomic.or<i32>(hdr(H_PID_ALLOCATED), PIDNS_ADDING); }
