// The command line that replays a scenario under the step driver: printed
// with every finding, and used by the lockdep replay search.
import { Scenario, Weights } from '../machine/scenario.js';

/** The command that replays this scenario under the step driver. */
export function reproduceCommand(s: Scenario): string {
  const d = Scenario.parse({ cpus: s.cpus });
  const args = ['forksim run --driver step', `--kernel ${s.kernel}`, `--cpus ${s.cpus}`, `--seed ${s.seed}`, `--forks ${s.forks}`];
  const flag = (name: string, v: unknown, dv: unknown): void => { if (v !== dv && v !== undefined) args.push(`--${name} ${v}`); };
  flag('tasks', s.tasks, d.tasks);
  flag('population', s.population, d.population);
  flag('max-threads', s.maxThreads, d.maxThreads);
  flag('pid-max', s.pidMax, d.pidMax);
  flag('pids-limit', s.pidsLimit, d.pidsLimit);
  flag('scx-init-task-fail', s.scxInitTaskFail, d.scxInitTaskFail);
  const dw = Weights.parse({});
  const w = Object.entries(s.weights).filter(([k, v]) => dw[k as keyof Weights] !== v).map(([k, v]) => `${k}=${v}`);
  if (w.length) args.push(`--weights ${w.join(',')}`);
  for (const [site, k] of Object.entries(s.faults)) {
    const knobs = Object.entries(k).filter(([n, v]) => !(n === 'times' && v === -1) && !(n === 'probability' && v === 1) && v !== 0).map(([n, v]) => `${n}=${v}`);
    args.push(`--fail ${site}${knobs.length ? `:${knobs.join(',')}` : ''}`);
  }
  if (s.stall) args.push(`--stall ${s.stall.rate}:${s.stall.maxSteps}`);
  if (!s.ledger) args.push('--no-ledger');
  if (!s.lockdep) args.push('--lockdep off');
  return args.join(' ');
}
