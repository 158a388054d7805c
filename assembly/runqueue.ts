// Per-CPU runqueues: a FIFO of runnable tasks linked through the task
// table, with nr_running. Protected by rq->lock, which the kasm routines
// take; the primitives that touch a queue assert it (lockdep_assert_held).
import { rqAddr, nrCpus } from './machine';
import { RQ_NR_RUNNING, RQ_HEAD, RQ_TAIL, RQ_STRIDE } from './layout';
import { NO_TASK } from './abi';
import { taskNext, setTaskNext, setTaskCpu } from './task';

// @ts-ignore: decorator
@inline export function nrRunning(rq: i32): i32 { return atomic.load<i32>(rqAddr(rq) + RQ_NR_RUNNING); }

export function enqueue(rq: i32, t: i32): void {
  const a = rqAddr(rq);
  setTaskNext(t, NO_TASK);
  setTaskCpu(t, rq);
  const tail = load<i32>(a + RQ_TAIL);
  if (tail == NO_TASK) store<i32>(a + RQ_HEAD, t);
  else setTaskNext(tail, t);
  store<i32>(a + RQ_TAIL, t);
  atomic.store<i32>(a + RQ_NR_RUNNING, load<i32>(a + RQ_NR_RUNNING) + 1);
}

/** Take the task at the head (NO_TASK when empty). */
export function dequeueHead(rq: i32): i32 {
  const a = rqAddr(rq);
  const t = load<i32>(a + RQ_HEAD);
  if (t == NO_TASK) return NO_TASK;
  const next = taskNext(t);
  store<i32>(a + RQ_HEAD, next);
  if (next == NO_TASK) store<i32>(a + RQ_TAIL, NO_TASK);
  atomic.store<i32>(a + RQ_NR_RUNNING, load<i32>(a + RQ_NR_RUNNING) - 1);
  return t;
}

/** Length of the queue by walking it (invariant checks only). */
export function queuedLength(rq: i32, limit: i32): i32 {
  let n = 0;
  for (let t = load<i32>(rqAddr(rq) + RQ_HEAD); t != NO_TASK && n <= limit; t = taskNext(t)) n++;
  return n;
}

export function initRunqueues(): void {
  for (let c = 0; c < nrCpus(); c++) {
    memory.fill(rqAddr(c), 0, RQ_STRIDE);
    store<i32>(rqAddr(c) + RQ_HEAD, NO_TASK);
    store<i32>(rqAddr(c) + RQ_TAIL, NO_TASK);
  }
}
