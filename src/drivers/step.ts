// The step driver: one thread interleaves every simulated CPU one micro-op
// at a time, the next CPU chosen inside the core by the scheduling policy
// (random by default; replay follows a recorded schedule), so a run is
// replayable from (kernel, scenario, seed) or from its schedule. A deadlock
// is every CPU spinning (or idle) with none making progress.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import * as A from '../../assembly/abi.js';
import type { Machine } from '../machine/machine.js';
import type { DriverControl, Hang, RunOutcome, StopReason } from './outcome.js';
import { HungTaskWatch } from './hung.js';

const CHUNK = 1n << 20n;

/** Steps with no progress anywhere before a deadlock is declared: long
 *  enough that a CPU holding a lock is surely picked in between. */
export const quietLimit = (cpus: number): number => 4096 + 512 * cpus;

// Soft-lockup check: a CPU inside the same syscall for STUCK_CHUNKS chunks
// (millions of its own steps) is hung even if it keeps stepping. The same
// span with syscalls finishing but no fork attempt is a livelock.
const STUCK_CHUNKS = 32;
const stuckSteps = (cpus: number): number => Math.round((STUCK_CHUNKS * Number(CHUNK)) / cpus);

/** Watches a CPU per chunk: the one inside the same syscall for STUCK_CHUNKS chunks. */
class StuckWatch {
  private seen: { syscalls: number; chunks: number }[];
  constructor(cpus: number) { this.seen = Array.from({ length: cpus }, () => ({ syscalls: -1, chunks: 0 })); }
  stuck(m: Machine): number {
    for (let c = 0; c < this.seen.length; c++) {
      const syscalls = m.syscalls(c);
      if (syscalls !== this.seen[c].syscalls || !m.cpuBusy(c)) this.seen[c] = { syscalls, chunks: 0 };
      else if (++this.seen[c].chunks >= STUCK_CHUNKS) return c;
    }
    return -1;
  }
}

/** A run waiting for a fork count whose fork attempts stop while syscalls go on. */
export class LivelockWatch {
  private forks = -1;
  private syscalls = 0;
  private since = 0;
  constructor(private readonly limit: number) {}
  /** `now` in the caller's unit; the syscalls completed meanwhile when it is a livelock, else -1. */
  check(m: Machine, now: number): number {
    const forks = m.forkAttempts(), syscalls = m.counters().syscalls;
    if (m.scenario.forks === 0 || forks !== this.forks) { this.forks = forks; this.syscalls = syscalls; this.since = now; return -1; }
    return now - this.since >= this.limit && syscalls > this.syscalls ? syscalls - this.syscalls : -1;
  }
}

export async function runStepDriver(m: Machine, ctl: DriverControl): Promise<RunOutcome> {
  const s = m.scenario;
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  const maxSteps = s.maxSteps ?? (s.forks > 0 ? s.forks * 5000 + 10_000_000 : Number.MAX_SAFE_INTEGER);
  let stop: StopReason | undefined;
  let hang: Hang | undefined;
  let steps = 0;
  const stuck = new StuckWatch(s.cpus);
  const livelock = new LivelockWatch(STUCK_CHUNKS * Number(CHUNK));
  const hung = new HungTaskWatch(s.hungTaskSteps);
  while (!stop) {
    const r = m.core.runStep(CHUNK, quietLimit(s.cpus));
    steps += Number(CHUNK);
    hung.check(m, steps);
    const c = stuck.stuck(m);
    const lost = livelock.check(m, steps);
    if (c >= 0) {
      stop = 'hang';
      m.core.reportHang(c, m.cpu(c).spinLock);
      hang = { cause: 'soft-lockup', cpu: c, stuckFor: stuckSteps(s.cpus), unit: 'steps', state: m.waitState() };
    } else if (lost >= 0) {
      stop = 'livelock';
      m.core.reportLivelock(lost);
      hang = { cause: 'livelock', cpu: -1, stuckFor: STUCK_CHUNKS * Number(CHUNK), unit: 'steps', syscalls: lost, state: m.waitState() };
    } else if (r === A.RUN_STOPPED) stop = m.stopCause();
    else if (r === A.RUN_DEADLOCK) stop = 'deadlock';
    else if (r === A.RUN_IDLE && hung.idle(m) > 0) {
      stop = 'hang';
      hang = { cause: 'hung-task', cpu: -1, stuckFor: 0, unit: 'steps', state: m.waitState() };
    } else if (r === A.RUN_IDLE) stop = 'idle';
    else if (r === A.RUN_SCHEDULE_END) stop = 'schedule-end';
    else if (r === A.RUN_TIME_END) {
      stop = 'horizon'; // the timed model's simulated time is up
      m.noteHorizon();
    }
    else if (s.duration !== undefined && elapsed() >= s.duration) stop = 'duration';
    else if (steps >= maxSteps) stop = 'max-steps';
    else {
      ctl.progress?.(m);
      await yieldToEventLoop(); // let Ctrl-C be noticed
      if (ctl.interrupted()) stop = 'interrupted';
    }
  }
  if (stop === 'deadlock') hang = { cause: 'deadlock', cpu: -1, stuckFor: 0, unit: 'steps', state: m.waitState() };
  else if (stop !== 'hang' && stop !== 'livelock' && stop !== 'schedule-end') {
    const drained = drain(m);
    if (drained) {
      stop = drained.cause === 'soft-lockup' || drained.cause === 'hung-task' ? 'hang' : 'deadlock';
      hang = drained;
    }
  }
  return { stopReason: stop, elapsedSeconds: elapsed(), quiescent: m.quiescent(), hang, deadWorkers: [], partial: stop === 'interrupted', steps };
}

/** Let in-flight syscalls finish (no new ones start), on the caller's
 *  thread. Null once the machine is quiescent; else the hang that stops it:
 *  a deadlock, or a CPU that never leaves its syscall (a soft lockup, also
 *  reported as a finding). */
export function drain(m: Machine): Hang | null {
  m.drain();
  const stuck = new StuckWatch(m.scenario.cpus);
  for (let i = 0; i < 2 * STUCK_CHUNKS && !m.quiescent(); i++) {
    const r = m.core.runStep(CHUNK, quietLimit(m.scenario.cpus));
    if (r === A.RUN_DEADLOCK) return { cause: 'drain', cpu: -1, stuckFor: 0, unit: 'steps', state: m.waitState() };
    if (r === A.RUN_IDLE && new HungTaskWatch(0).idle(m) > 0) return { cause: 'hung-task', cpu: -1, stuckFor: 0, unit: 'steps', state: m.waitState() };
    if (r === A.RUN_SCHEDULE_END) break;
    if (r === A.RUN_TIME_END) m.setHorizon(0); // draining goes on past the horizon
    const c = stuck.stuck(m);
    if (c >= 0) {
      m.core.reportHang(c, m.cpu(c).spinLock);
      return { cause: 'soft-lockup', cpu: c, stuckFor: stuckSteps(m.scenario.cpus), unit: 'steps', state: m.waitState() };
    }
  }
  return null;
}
