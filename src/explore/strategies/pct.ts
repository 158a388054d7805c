// pct: probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi,
// Nagarakatte, ASPLOS 2010; shuttle's PctScheduler). Each CPU gets a random
// distinct priority above d; d - 1 change points are drawn among the first
// k points; the highest-priority CPU that can step runs, and at the j-th
// change point the running CPU drops to priority d - j. One schedule finds
// a bug of depth d with probability at least 1 / (n · k^(d-1)).
import type { PointView, ScheduleRun } from '../execution.js';
import { Rng, type Strategy } from '../strategy.js';

/** steps: k, the schedule length the change points are drawn over (the
 *  campaign measures it: the length of the schedule with no preemption). */
export interface PctOptions { seed: number; depth: number; cpus: number; steps: number; first?: number; stride?: number }

export class PctStrategy implements Strategy {
  readonly name = 'pct';
  private index: number;
  private priority: number[] = [];
  private changes = new Map<number, number>(); // point -> j
  constructor(private readonly o: PctOptions) { this.index = (o.first ?? 0) - (o.stride ?? 1); }

  get steps(): number { return Math.max(1, this.o.steps); }

  /** The probability bound for one schedule. */
  bound(): number { return 1 / (this.o.cpus * this.steps ** (this.o.depth - 1)); }

  next(): boolean {
    this.index += this.o.stride ?? 1;
    const rng = new Rng(this.o.seed, this.index);
    const n = this.o.cpus, d = this.o.depth;
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) { const j = rng.below(i + 1); [order[i], order[j]] = [order[j], order[i]]; }
    this.priority = [];
    order.forEach((cpu, rank) => { this.priority[cpu] = d + rank; });
    this.changes.clear();
    for (let j = 1; j < d; j++) {
      let at = 0;
      do at = 1 + rng.below(this.steps); while (this.changes.has(at) && this.changes.size < this.steps);
      this.changes.set(at, j);
    }
    return true;
  }

  choose(p: PointView): number {
    const j = this.changes.get(p.index);
    if (j !== undefined) this.priority[this.top(p.enabled)] = this.o.depth - j;
    return this.top(p.enabled);
  }

  private top(enabled: readonly number[]): number {
    let best = enabled[0];
    for (const c of enabled) if (this.priority[c] > this.priority[best]) best = c;
    return best;
  }

  done(_run: ScheduleRun): void {}
  label(): string { return `pct depth ${this.o.depth} seed ${this.o.seed} schedule ${this.index}`; }
}
