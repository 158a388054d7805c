// What an exploration reached: how many schedules ran, how many of them
// were distinct once independent transitions are allowed to commute (each
// schedule's happens-before graph, hashed), and the lock orders and error
// ladders they took. Sets of strings, so shards merge by union.
import { createHash } from 'node:crypto';
import type { Machine } from '../machine/machine.js';
import { dependent, type ScheduleRun } from './execution.js';
import { nodeName } from '../report/names.js';

/** A hash of the schedule's happens-before graph: equal for two schedules
 *  that differ only in the order of independent transitions (one
 *  Mazurkiewicz trace). Each transition is named by its CPU, its index on
 *  that CPU and the names of the latest transitions of other CPUs it
 *  depends on; the trace is the set of names. */
export function traceHash(run: Pick<ScheduleRun, 'choices' | 'accesses'>): string {
  const byCpu = new Map<number, { name: string; access: number }[]>();
  const names: string[] = [];
  run.choices.forEach((cpu, i) => {
    const a = run.accesses[i];
    const deps: string[] = [];
    for (const [other, events] of byCpu) {
      if (other === cpu) continue;
      for (let j = events.length - 1; j >= 0; j--) if (dependent(events[j].access, a)) { deps.push(events[j].name); break; }
    }
    const own = byCpu.get(cpu) ?? [];
    const name = createHash('sha1').update(`${cpu}:${own.length}:${deps.sort().join(',')}`).digest('base64url').slice(0, 12);
    own.push({ name, access: a });
    byCpu.set(cpu, own);
    names.push(name);
  });
  return createHash('sha1').update(names.sort().join('')).digest('base64url').slice(0, 16);
}

export class Coverage {
  schedules = 0; // run to their end (not abandoned)
  pruned = 0; // abandoned as equivalent to one run (sleep sets)
  points = 0;
  steps = 0;
  cutByMaxPoints = 0; // schedules that hit the per-schedule point limit
  readonly traces = new Set<string>();
  readonly lockOrders = new Set<string>();
  readonly ladders = new Set<string>();

  add(m: Machine, run: ScheduleRun): void {
    this.schedules++;
    this.points += run.choices.length;
    this.steps += run.steps;
    if (run.ending === 'max-points') this.cutByMaxPoints++;
    this.traces.add(traceHash(run));
    const v = m.program.vocab;
    for (const [from, to] of m.lockOrderEdges()) this.lockOrders.add(`${nodeName(v, from)} -> ${nodeName(v, to)}`);
    // A fork failed at a site: the ladder entered there was taken.
    for (const site of m.program.sites.slice(1)) if (m.site(site.id).forkFails > 0) this.ladders.add(site.name);
  }
}
