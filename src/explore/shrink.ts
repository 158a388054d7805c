// Shrinking a failing schedule: delta debugging (Zeller and Hildebrandt,
// 2002) over its departures from the default choice, keeping the finding's
// key. Fewer departures is fewer preemptions; among the schedules that
// still find it, the one with the fewest preemptions, then the fewest
// points, is kept.
import type { Machine } from '../machine/machine.js';
import { groupFindings } from '../analysis/findings.js';
import { runSchedule, type ScheduleRun } from './execution.js';
import { DepartureReplay, ScheduleError, type Departures } from './schedule.js';
import { findingKey } from './key.js';

export interface Shrunk { departures: Departures; preemptions: number; points: number; tried: number; cut: boolean }
export interface ShrinkBudget { runs: number; seconds: number; stopEarly?: () => boolean }

/** Does this schedule still find `key`? Its run when it does. */
export function findsKey(m: Machine, d: Departures, key: string, maxPoints: number): ScheduleRun | null {
  let run: ScheduleRun;
  try {
    run = runSchedule(m, new DepartureReplay(d), maxPoints);
  } catch (e) {
    if (e instanceof ScheduleError) return null; // a departure no longer fits: not this bug's schedule
    throw e;
  }
  return groupFindings(m).some((g) => findingKey(m, g) === key) ? run : null;
}

const better = (a: ScheduleRun, b: ScheduleRun): boolean =>
  a.preemptions < b.preemptions || (a.preemptions === b.preemptions && a.choices.length <= b.choices.length);

export function shrink(m: Machine, departures: Departures, key: string, maxPoints: number, budget: ShrinkBudget): Shrunk {
  const started = performance.now();
  let tried = 0;
  let cut = false;
  const test = (d: Departures): ScheduleRun | null => {
    if (tried >= budget.runs || performance.now() - started > budget.seconds * 1000 || budget.stopEarly?.()) { cut = true; return null; }
    tried++;
    return findsKey(m, d, key, maxPoints);
  };
  let cur = departures;
  let best = findsKey(m, cur, key, maxPoints);
  if (!best) return { departures, preemptions: -1, points: -1, tried, cut }; // not reproducible: left as found
  let n = 2;
  while (cur.length >= 1 && !cut) {
    const size = Math.ceil(cur.length / n);
    let reduced = false;
    for (let i = 0; i < cur.length && !cut; i += size) {
      const rest = [...cur.slice(0, i), ...cur.slice(i + size)];
      const r = test(rest);
      if (r && better(r, best)) {
        cur = rest;
        best = r;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (size <= 1) break; // 1-minimal: no single departure can go
      n = Math.min(cur.length, n * 2);
    }
  }
  return { departures: cur, preemptions: best.preemptions, points: best.choices.length, tried, cut };
}
