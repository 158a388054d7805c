// Turning a predicted lock-order cycle into a real deadlock: lockdep finds
// a cycle whether or not it deadlocked; here the step driver searches seeds
// (bounded) for a schedule that actually deadlocks on it, so the report can
// print a command that replays the deadlock exactly.
import type { Machine } from '../machine/machine.js';
import type { LockId } from '../machine/views.js';
import type { Scenario } from '../machine/scenario.js';
import type { FindingGroup } from '../analysis/findings.js';
import { nodeClass } from '../analysis/lockdep.js';
import { waiters, findCycle } from '../analysis/waitfor.js';
import { reproduceCommand } from '../report/reproduce.js';
import { buildMachine } from './run.js';
import { runStepDriver } from '../drivers/step.js';
import type { StopReason } from '../drivers/outcome.js';

export interface Replay { command: string; seedsTried: number; found: boolean; cut: boolean } // cut: a signal ended the search early

/** The lockdep class of the lock at an address. */
const classOfLock = (id: LockId): number => ('cls' in id ? id.cls : -1);

/** Does the machine, stopped in a deadlock, wait on one of these classes? */
function deadlockedOn(m: Machine, classes: Set<number>): boolean {
  const ws = waiters(m.program, m.waitState(), m.findings().records);
  return findCycle(ws) !== null && ws.some((w) => classes.has(classOfLock(m.identifyLock(w.lock))));
}

export interface ReplaySearch {
  budget?: { seeds: number; steps: number; seconds: number };
  stopEarly?: () => boolean; // a signal: end the search with what is known
  progress?: (seedsTried: number, seeds: number) => void;
}

export async function replayCycles(groups: FindingGroup[], stopReason: StopReason, s: Scenario, opts: ReplaySearch = {}): Promise<Replay | null> {
  const budget = opts.budget ?? { seeds: 16, steps: 3_000_000, seconds: 10 };
  const stopEarly = opts.stopEarly ?? ((): boolean => false);
  const cycles = groups.filter((g) => g.cycle);
  if (!cycles.length || stopReason === 'deadlock') return null;
  const classes = new Set(cycles.flatMap((g) => g.cycle!.nodes.map(nodeClass)));
  const started = performance.now();
  let tried = 0;
  for (let i = 0; i < budget.seeds && performance.now() - started < budget.seconds * 1000 && !stopEarly(); i++) {
    tried = i + 1;
    opts.progress?.(i, budget.seeds);
    const trial: Scenario = { ...s, driver: 'step', seed: s.seed + i, forks: 0, maxSteps: budget.steps, duration: undefined, stopOnFinding: false };
    const m = buildMachine(trial);
    const o = await runStepDriver(m, { interrupted: stopEarly });
    // The deadlock must be on the cycle's classes, not some other hang.
    if (o.stopReason === 'deadlock' && deadlockedOn(m, classes)) return { command: reproduceCommand(trial), seedsTried: tried, found: true, cut: false };
  }
  return { command: '', seedsTried: tried, found: false, cut: stopEarly() };
}
