// What an exploration reached: how many schedules ran, how many of them
// were distinct once independent transitions are allowed to commute (each
// schedule's happens-before graph, hashed), and the lock orders and error
// ladders they took. Sets of strings, so shards merge by union.
import type { Machine } from '../machine/machine.js';
import { dependent, type ScheduleRun } from './execution.js';
import { nodeName } from '../report/names.js';

/** A hash of the schedule's happens-before graph: equal for two schedules
 *  that differ only in the order of independent transitions (one
 *  Mazurkiewicz trace). Each transition is named by its CPU, its index on
 *  that CPU and the names of the latest transitions of other CPUs it
 *  depends on; the trace is the set of names. */
export function traceHash(run: Pick<ScheduleRun, 'choices' | 'accesses'>): string {
  const cpus = run.choices.reduce((n, c) => Math.max(n, c + 1), 0);
  const names: number[] = new Array(run.choices.length);
  const last: number[][] = Array.from({ length: cpus }, () => []); // each CPU's transitions (indices into run)
  const deps: number[] = [];
  run.choices.forEach((cpu, i) => {
    const a = run.accesses[i];
    deps.length = 0;
    for (let other = 0; other < cpus; other++) {
      if (other === cpu) continue;
      const events = last[other];
      for (let j = events.length - 1; j >= 0; j--) if (dependent(run.accesses[events[j]], a)) { deps.push(names[events[j]]); break; }
    }
    deps.sort((x, y) => x - y);
    let h = mix(mix(SEED, cpu), last[cpu].length);
    for (const d of deps) h = mix(mix(h, d >>> 0), Math.floor(d / 4294967296));
    names[i] = (h >>> 0) * 2097152 + (mix(h, 0x5bd1e995) & 0x1fffff); // 53 bits
    last[cpu].push(i);
  });
  // The set of names, folded in order into two 32-bit lanes: a numeric
  // hash, because this runs after every schedule of a campaign.
  names.sort((x, y) => x - y);
  let lo = SEED, hi = ~SEED >>> 0;
  for (const n of names) {
    lo = mix(mix(lo, n >>> 0), Math.floor(n / 4294967296));
    hi = mix(mix(hi, Math.floor(n / 4294967296)), n >>> 0);
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

const SEED = 0x811c9dc5;
/** One round of a multiplicative 32-bit hash (murmur3's finaliser shape). */
function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0xcc9e2d51);
  h = Math.imul((h << 15) | (h >>> 17), 0x1b873593);
  return (h ^ (h >>> 13)) >>> 0;
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
