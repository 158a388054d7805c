// The step driver: one thread interleaves every simulated CPU one micro-op
// at a time, the next CPU chosen inside the core by the scheduling policy
// (random by default; replay follows a recorded schedule), so a run is
// replayable from (kernel, scenario, seed) or from its schedule. A deadlock
// is every CPU spinning (or idle) with none making progress.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import * as A from '../../assembly/abi.js';
import type { Machine } from '../machine/machine.js';
import type { DriverControl, Hang, RunOutcome, StopReason } from './outcome.js';

const CHUNK = 1n << 20n;

/** Steps with no progress anywhere before a deadlock is declared: long
 *  enough that a CPU holding a lock is surely picked in between. */
export const quietLimit = (cpus: number): number => 4096 + 512 * cpus;

// Soft-lockup check: a CPU inside the same syscall for STUCK_CHUNKS chunks
// (millions of its own steps) is hung even if it keeps stepping.
const STUCK_CHUNKS = 32;

export async function runStepDriver(m: Machine, ctl: DriverControl): Promise<RunOutcome> {
  const s = m.scenario;
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  const maxSteps = s.maxSteps ?? (s.forks > 0 ? s.forks * 5000 + 10_000_000 : Number.MAX_SAFE_INTEGER);
  let stop: StopReason | undefined;
  let hang: Hang | undefined;
  let steps = 0;
  const seen = Array.from({ length: s.cpus }, () => ({ syscalls: -1, chunks: 0 }));
  while (!stop) {
    const r = m.core.runStep(CHUNK, quietLimit(s.cpus));
    steps += Number(CHUNK);
    const stuck = stuckCpu(m, seen);
    if (stuck >= 0) {
      stop = 'hang';
      m.core.reportHang(stuck, m.cpu(stuck).spinLock);
      hang = { cause: 'soft-lockup', cpu: stuck, stuckFor: Math.round((STUCK_CHUNKS * Number(CHUNK)) / s.cpus), state: m.waitState() };
    } else if (r === A.RUN_STOPPED) stop = m.stopCause();
    else if (r === A.RUN_DEADLOCK) stop = 'deadlock';
    else if (r === A.RUN_IDLE) stop = 'idle';
    else if (r === A.RUN_SCHEDULE_END) stop = 'schedule-end';
    else if (s.duration !== undefined && elapsed() >= s.duration) stop = 'duration';
    else if (steps >= maxSteps) stop = 'max-steps';
    else {
      ctl.progress?.(m);
      await yieldToEventLoop(); // let Ctrl-C be noticed
      if (ctl.interrupted()) stop = 'interrupted';
    }
  }
  if (stop === 'deadlock') hang = { cause: 'deadlock', cpu: -1, stuckFor: 0, state: m.waitState() };
  else if (stop !== 'hang' && stop !== 'schedule-end' && !drain(m)) {
    stop = 'deadlock';
    hang = { cause: 'drain', cpu: -1, stuckFor: 0, state: m.waitState() };
  }
  return { stopReason: stop, elapsedSeconds: elapsed(), quiescent: m.quiescent(), hang, deadWorkers: [], partial: stop === 'interrupted' };
}

function stuckCpu(m: Machine, seen: { syscalls: number; chunks: number }[]): number {
  for (let c = 0; c < seen.length; c++) {
    const syscalls = m.syscalls(c);
    if (syscalls !== seen[c].syscalls || !m.cpuBusy(c)) seen[c] = { syscalls, chunks: 0 };
    else if (++seen[c].chunks >= STUCK_CHUNKS) return c;
  }
  return -1;
}

/** Let in-flight syscalls finish (no new ones start). False on a deadlock. */
export function drain(m: Machine): boolean {
  m.drain();
  for (let i = 0; i < 64 && !m.quiescent(); i++) {
    const r = m.core.runStep(CHUNK, quietLimit(m.scenario.cpus));
    if (r === A.RUN_DEADLOCK) return false;
    if (r === A.RUN_SCHEDULE_END) break;
  }
  return m.quiescent();
}
