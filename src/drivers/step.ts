// The step driver: one thread interleaves every simulated CPU one micro-op
// at a time, the next CPU drawn from a seeded RNG inside the core, so a run
// is replayable from (kernel, scenario, seed). A deadlock is every CPU
// spinning (or idle) with none making progress.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Machine } from '../machine.js';
import type { RunOutcome, StopReason } from '../report.js';
import { describeWaiters, waiters } from '../waitfor.js';
import { K_SYSCALLS, C_SPIN_LOCK } from '../../assembly/layout.js';
import { FIND_HANG } from '../../assembly/abi.js';

const CHUNK = 1n << 20n;
const enum Result { Budget = 0, Stopped = 1, Deadlock = 2, Idle = 3 }

export interface DriverControl {
  interrupted(): boolean;
  progress?(m: Machine): void;
}

/** Steps with no progress anywhere before a deadlock is declared: long
 *  enough that a CPU holding a lock is surely picked in between. */
export const quietLimit = (cpus: number): number => 4096 + 512 * cpus;

export async function runStepDriver(m: Machine, ctl: DriverControl): Promise<RunOutcome> {
  const s = m.scenario;
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  const maxSteps = s.maxSteps ?? (s.forks > 0 ? s.forks * 5000 + 10_000_000 : Number.MAX_SAFE_INTEGER);
  let stop: StopReason | undefined;
  let extra: string[] = [];
  let steps = 0;
  // Soft-lockup check: a CPU inside the same syscall for STUCK_CHUNKS chunks
  // (millions of its own steps) is hung even if it keeps stepping.
  const seen = Array.from({ length: s.cpus }, () => ({ syscalls: -1, chunks: 0 }));
  while (!stop) {
    const r: Result = m.core.runStep(CHUNK, quietLimit(s.cpus));
    steps += Number(CHUNK);
    const stuck = stuckCpu(m, seen);
    if (stuck >= 0) {
      stop = 'hang';
      m.core.reportHang(FIND_HANG, stuck, m.at(m.cpuAddr(stuck) + C_SPIN_LOCK), 0);
      extra = [`CPU${stuck} has been inside one syscall for about ${Math.round((STUCK_CHUNKS * Number(CHUNK)) / s.cpus / 1e6)}M of its steps (a soft lockup)`, ...describeWaiters(waiters(m))];
    } else if (r === Result.Stopped) stop = m.stopCause();
    else if (r === Result.Deadlock) stop = 'deadlock';
    else if (r === Result.Idle) stop = 'idle';
    else if (s.duration !== undefined && elapsed() >= s.duration) stop = 'duration';
    else if (steps >= maxSteps) stop = 'max-steps';
    else {
      ctl.progress?.(m);
      await yieldToEventLoop(); // let Ctrl-C be noticed
      if (ctl.interrupted()) stop = 'interrupted';
    }
  }
  if (stop === 'deadlock') extra = describeWaiters(waiters(m));
  else if (stop !== 'hang' && !drain(m)) {
    stop = 'deadlock';
    extra = ['while letting in-flight syscalls finish:', ...describeWaiters(waiters(m))];
  }
  return { stopReason: stop, elapsedSeconds: elapsed(), quiescent: m.quiescent(), extra, partial: stop === 'interrupted' };
}

const STUCK_CHUNKS = 32;

function stuckCpu(m: Machine, seen: { syscalls: number; chunks: number }[]): number {
  for (let c = 0; c < seen.length; c++) {
    const syscalls = m.cpuCounter(c, K_SYSCALLS);
    if (syscalls !== seen[c].syscalls || !m.cpuBusy(c)) seen[c] = { syscalls, chunks: 0 };
    else if (++seen[c].chunks >= STUCK_CHUNKS) return c;
  }
  return -1;
}

/** Let in-flight syscalls finish (no new ones start). False on a deadlock. */
export function drain(m: Machine): boolean {
  m.drain();
  for (let i = 0; i < 64 && !m.quiescent(); i++) {
    const r: Result = m.core.runStep(CHUNK, quietLimit(m.scenario.cpus));
    if (r === Result.Deadlock) return false;
  }
  return m.quiescent();
}

