// One schedule, run at scheduling points: at each point the host asks the
// core which CPUs can make a step that changes the machine and what each
// would touch, the strategy picks one, and the core runs that CPU's
// transition (its visible operation, then its local steps). One call per
// visible operation, never per micro-op. A schedule ends when no CPU can
// step: done, a deadlock (some CPU spins), or tasks asleep for ever.
import * as A from '../../assembly/abi.js';
import type { Machine } from '../machine/machine.js';
import { HungTaskWatch } from '../drivers/hung.js';

/** Local steps a transition may run before the host sees the CPU again
 *  (a loop of local micro-ops is cut there, not run for ever). */
export const MAX_LOCAL_STEPS = 100_000;

/** What a strategy sees at a scheduling point. */
export interface PointView {
  readonly index: number; // points before this one in the schedule
  readonly enabled: readonly number[]; // CPUs that can step, ascending
  readonly current: number; // the CPU that ran the last transition (-1: none yet)
  access(cpu: number): number; // its next operation's object | ACC_*
}

/** A strategy's pick: a CPU of `enabled`, or ABANDON to end this schedule
 *  here (it is equivalent to one already run). */
export const ABANDON = -1;
export interface Chooser { choose(p: PointView): number }

export type Ending = 'done' | 'deadlock' | 'hung-task' | 'stopped' | 'max-points' | 'abandoned';

export interface ScheduleRun {
  choices: number[]; // the CPU run at each point
  accesses: number[]; // the access of each point's transition
  preemptions: number; // points where a CPU that could go on was switched away from
  ending: Ending;
  steps: number; // micro-ops run
}

/** Two accesses are dependent when they touch the same object (the
 *  machine-wide one overlaps all) and at least one writes. */
export function dependent(a: number, b: number): boolean {
  const ka = a & A.ACC_KIND_MASK, kb = b & A.ACC_KIND_MASK;
  if (ka === A.ACC_LOCAL || kb === A.ACC_LOCAL || (ka === A.ACC_READ && kb === A.ACC_READ)) return false;
  const oa = a & ~A.ACC_KIND_MASK, ob = b & ~A.ACC_KIND_MASK;
  return oa === A.OBJ_MACHINE || ob === A.OBJ_MACHINE || oa === ob;
}

/** Sees every micro-op of a schedule (a trace, the shrunk interleaving):
 *  `before` with the CPU about to step, `after` with what the step returned. */
export interface StepObserver {
  before(cpu: number, point: number): void;
  after(cpu: number, point: number, result: number): void;
}

/** One transition run from the host, a micro-op at a time, for an observer
 *  (the core's runTransition() without the observer). */
function observedTransition(m: Machine, cpu: number, point: number, o: StepObserver, arrivals: boolean): number {
  let r: number;
  let n = 0;
  do {
    if (arrivals) m.core.arriveIrq(cpu); // as runTransition() does
    o.before(cpu, point);
    r = m.core.step(cpu);
    o.after(cpu, point, r);
  } while (r === A.STEP_PROGRESS && ++n < MAX_LOCAL_STEPS && (m.core.nextAccess(cpu) & A.ACC_KIND_MASK) === A.ACC_LOCAL);
  return r;
}

/** Boot the machine and run one schedule chosen by `chooser`. */
export function runSchedule(m: Machine, chooser: Chooser, maxPoints: number, observer?: StepObserver): ScheduleRun {
  m.reboot();
  const core = m.core;
  const cpus = m.scenario.cpus;
  const choices: number[] = [], accesses: number[] = [];
  const cache = new Map<number, number>();
  const access = (cpu: number): number => {
    let a = cache.get(cpu);
    if (a === undefined) cache.set(cpu, (a = core.nextAccess(cpu)));
    return a;
  };
  const stepsBefore = m.steps();
  let current = -1, preemptions = 0;
  const arrivals = observer !== undefined && Object.values(m.irqRates()).some((x) => x > 0); // interrupts drawn per step
  let ending: Ending = 'max-points';
  for (let i = 0; i < maxPoints; i++) {
    const enabled: number[] = [];
    for (let c = 0; c < cpus; c++) if (core.enabledNow(c)) enabled.push(c);
    if (enabled.length === 0) { ending = m.stopped() ? 'stopped' : endOfSchedule(m); break; }
    cache.clear();
    const c = chooser.choose({ index: i, enabled, current, access });
    if (c === ABANDON) { ending = 'abandoned'; break; }
    if (!enabled.includes(c)) throw new Error(`the strategy chose CPU ${c}, which cannot step at point ${i} (enabled: ${enabled.join(', ')})`);
    if (current >= 0 && c !== current && enabled.includes(current)) preemptions++;
    accesses.push(access(c));
    choices.push(c);
    current = c;
    const r = observer ? observedTransition(m, c, i, observer, arrivals) : core.runTransition(c, MAX_LOCAL_STEPS);
    if (r === A.STEP_STOPPED) { ending = 'stopped'; break; }
  }
  return { choices, accesses, preemptions, ending, steps: Number(m.steps() - stepsBefore) };
}

/** No CPU can step: a deadlock if one spins, hung tasks if some sleep, else done. */
function endOfSchedule(m: Machine): Ending {
  const spinning = m.cpus().filter((c) => c.busy && c.spinLock !== 0).length;
  if (spinning > 0) {
    m.core.reportDeadlock(spinning);
    return 'deadlock';
  }
  return new HungTaskWatch(0).idle(m) > 0 ? 'hung-task' : 'done';
}
