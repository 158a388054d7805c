// Turning a predicted lock-order cycle into a real deadlock: lockdep finds
// a cycle whether or not it deadlocked; here the step driver searches seeds
// (bounded) for a schedule that actually deadlocks on it, so the report can
// print a command that replays the deadlock exactly.
import type { Scenario } from './scenario.js';
import type { RunReport } from './report.js';
import { reproduceCommand } from './report.js';
import { buildMachine } from './run.js';
import { runStepDriver } from './drivers/step.js';
import { waiters, findCycle } from './waitfor.js';

export interface Replay { command: string; seedsTried: number; found: boolean }

export async function replayCycles(r: RunReport, s: Scenario, budget = { seeds: 16, steps: 3_000_000, seconds: 10 }): Promise<Replay | null> {
  const cycles = r.findings.groups.filter((g) => g.lockdep);
  if (!cycles.length || r.stopReason === 'deadlock') return null;
  const classes = new Set(cycles.flatMap((g) => g.lockdep!.signature.split(' ')));
  const started = performance.now();
  for (let i = 0; i < budget.seeds && performance.now() - started < budget.seconds * 1000; i++) {
    const trial: Scenario = { ...s, driver: 'step', seed: s.seed + i, forks: 0, maxSteps: budget.steps, duration: undefined, stopOnFinding: false };
    const m = buildMachine(trial);
    const o = await runStepDriver(m, { interrupted: () => false });
    if (o.stopReason !== 'deadlock') continue;
    // The deadlock must be on the cycle's classes, not some other hang.
    const ws = waiters(m);
    const onCycle = findCycle(ws) && ws.some((w) => [...classes].some((c) => w.lock.startsWith(c.split('/')[0])));
    if (onCycle) return { command: `${reproduceCommand(trial)} --max-steps ${budget.steps}`, seedsTried: i + 1, found: true };
  }
  return { command: '', seedsTried: budget.seeds, found: false };
}
