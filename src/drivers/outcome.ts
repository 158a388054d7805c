// What a driver returns: why it stopped and, for a hang or a dead worker,
// the structured state the report layer renders (drivers render nothing).
import type { WaitState, LockId } from '../machine/views.js';

export type StopReason = 'forks' | 'duration' | 'deadlock' | 'hang' | 'livelock' | 'interrupted' | 'finding' | 'idle' | 'max-steps' | 'worker-died' | 'schedule-end' | 'horizon';

/** A run that stopped making progress, and the machine as it was then. */
export interface Hang {
  /** deadlock: every CPU spins (step driver); drain: the same while letting
   *  in-flight syscalls finish; soft-lockup: one CPU inside one syscall for
   *  millions of its steps (step driver); watchdog: the same for a wall-clock
   *  time (parallel driver); livelock: no fork attempt completes while
   *  syscalls do (both drivers, when the run waits for a fork count);
   *  hung-task: every CPU idle while tasks sleep on a lock (step driver, or
   *  either driver's drain). */
  cause: 'deadlock' | 'drain' | 'soft-lockup' | 'watchdog' | 'livelock' | 'hung-task';
  cpu: number; // the CPU found stuck (-1 for a deadlock or a livelock)
  stuckFor: number; // soft-lockup and livelock (step driver): about this many steps; watchdog and livelock (parallel): milliseconds
  unit: 'steps' | 'ms';
  syscalls?: number; // livelock: syscalls completed meanwhile
  state: WaitState;
}

/** A worker thread that died, with the simulated CPUs it drove. */
export interface DeadWorker { cpu: number; why: string; held: LockId[] }

export interface RunOutcome {
  stopReason: StopReason;
  elapsedSeconds: number;
  quiescent: boolean;
  partial: boolean;
  hang?: Hang;
  deadWorkers: DeadWorker[];
  steps?: number; // step driver: the steps its loop ran (what --max-steps bounds)
}

export interface DriverControl {
  interrupted(): boolean;
  progress?(m: import('../machine/machine.js').Machine): void;
}
