// The command line that replays a scenario under the step driver: printed
// with every finding, and used by the lockdep replay search.
import { defaultScenario, FaultKnobs, type Scenario } from '../machine/scenario.js';

const DEFAULT_KNOBS = FaultKnobs.parse({});

/** How a run ended, where that changes the command (a run stopped by time
 *  replays to the same step count instead). */
export interface Ending { stopReason: string; steps?: number }

/** The command that replays this scenario under the step driver. */
export function reproduceCommand(s: Scenario, end?: Ending): string {
  const d = defaultScenario(s.cpus);
  const args = ['forksim run --driver step', `--kernel ${s.kernel}`, `--cpus ${s.cpus}`, `--seed ${s.seed}`, `--forks ${s.forks}`];
  if (s.machine !== undefined) args.push(`--machine ${s.machine}`, `--sim-time ${s.simTime}`);
  const flag = (name: string, v: unknown, dv: unknown): void => { if (v !== dv && v !== undefined) args.push(`--${name} ${v}`); };
  flag('tasks', s.tasks, d.tasks);
  flag('population', s.population, d.population);
  flag('max-threads', s.maxThreads, d.maxThreads);
  flag('pid-max', s.pidMax, d.pidMax);
  const w = Object.entries(s.weights).map(([k, v]) => `${k}=${v}`);
  if (w.length) args.push(`--weights ${w.join(',')}`);
  const params = Object.entries(s.params).map(([k, v]) => `${k}=${v}`);
  if (params.length) args.push(`--param ${params.join(',')}`);
  for (const [site, k] of Object.entries(s.faults)) {
    const knobs = Object.entries(k).filter(([n, v]) => v !== DEFAULT_KNOBS[n as keyof typeof DEFAULT_KNOBS]).map(([n, v]) => `${n}=${v}`);
    args.push(`--fail ${site}${knobs.length ? `:${knobs.join(',')}` : ''}`);
  }
  if (s.stall) args.push(`--stall ${s.stall.rate}:${s.stall.maxSteps}`);
  if (s.interrupts !== 'off') args.push(`--irq ${typeof s.interrupts === 'string' ? s.interrupts : Object.entries(s.interrupts).map(([k, v]) => `${k}=${v}`).join(',')}`);
  flag('preempt', s.preempt, d.preempt);
  if (s.preemptRt) args.push('--preempt-rt');
  flag('hung-task', s.hungTaskSteps, d.hungTaskSteps);
  // A run that ends by a step count, or one ended by time: the step driver
  // replays the steps it ran; a parallel run's time is its best bound.
  const byTime = end && (end.stopReason === 'duration' || end.stopReason === 'interrupted');
  if (byTime && s.driver === 'step' && end.steps) args.push(`--max-steps ${end.steps}`);
  else if (s.maxSteps !== undefined) args.push(`--max-steps ${s.maxSteps}`);
  else if (s.duration !== undefined) args.push(`--duration ${s.duration}`);
  if (s.stopOnFinding) args.push('--stop-on-finding');
  if (!s.ledger) args.push('--no-ledger');
  if (!s.lockdep) args.push('--lockdep off');
  return args.join(' ');
}
