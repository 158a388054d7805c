// The step driver's batch: one thread interleaves all CPUs, one micro-op at
// a time, the next CPU chosen by the scheduling policy (sched/policy.ts).
// One call runs up to `budget` steps; the host loops over calls.
import { H_POLICY, H_SCHED_FLAGS, H_STEP_COUNT, SF_RECORD, C_SPIN_LOCK, H_CTX_FLAGS, CTXF_IRQ_RATES, POLICY_REPLAY, POLICY_TIME } from './layout';
import * as A from './abi';
import { hget, hdr, nrCpus } from './machine';
import { cget } from './cpu';
import { step } from './interp';
import { reportCount } from './findings';
import { nextCpu, quietSpell } from './sched/policy';
import { record } from './sched/schedule';
import { drawIrq, IRQ_MARK } from './sched/irqs';
import { raiseIrq } from './irq';
import { timed } from './lockstat';
import { timedStep } from './timing';
import { timeHeapBuild, timeStepped } from './sched/time';

/** Returns RUN_*: the budget spent, stopped, a deadlock (every CPU spins or
 *  idles for `quietLimit` steps, at least one spinning), the whole machine
 *  idle, the end of a replayed schedule, or the time policy's horizon. With
 *  the timed model configured every step is charged to its CPU's clock,
 *  whatever the policy (a replay of a timed run keeps its times). */
export function runStep(budget: i64, quietLimit: i32): i32 {
  const cpus = nrCpus();
  const policy = hget(H_POLICY);
  const recording = (hget(H_SCHED_FLAGS) & SF_RECORD) != 0;
  const arrivals = (hget(H_CTX_FLAGS) & CTXF_IRQ_RATES) != 0 && policy != POLICY_REPLAY;
  const clocked = timed();
  const byTime = policy == POLICY_TIME;
  if (byTime) timeHeapBuild(cpus);
  let quiet = 0;
  let result = A.RUN_BUDGET;
  let i: i64 = 0;
  while (i < budget) {
    const c = nextCpu(policy, cpus);
    if (c == A.CHOICE_SKIP) continue;
    if (c == A.CHOICE_END) { result = byTime ? A.RUN_TIME_END : A.RUN_SCHEDULE_END; break; }
    if (arrivals) {
      const h = drawIrq();
      if (h >= 0) {
        if (recording) record(IRQ_MARK | h);
        raiseIrq(c, h);
      }
    }
    if (recording) record(c);
    const r = clocked ? timedStep(c) : step(c);
    if (byTime) timeStepped(c);
    i++;
    if (r == A.STEP_PROGRESS) quiet = 0;
    else if (r == A.STEP_STOPPED) { result = A.RUN_STOPPED; break; }
    else if (++quiet > quietLimit) {
      if (quietSpell(policy)) { quiet = 0; continue; }
      let spinning = 0;
      for (let k = 0; k < cpus; k++) if (cget(k, C_SPIN_LOCK) != 0) spinning++;
      if (spinning == 0) { result = A.RUN_IDLE; break; }
      reportCount(A.FIND_DEADLOCK, -1, -1, spinning);
      result = A.RUN_DEADLOCK;
      break;
    }
  }
  store<u64>(hdr(H_STEP_COUNT), load<u64>(hdr(H_STEP_COUNT)) + <u64>i);
  return result;
}
