// random: at each scheduling point, a CPU drawn uniformly from those that
// can step (the step driver's policy, at the granularity of visible
// operations). Schedule i draws from its own stream of the seed.
import type { PointView, ScheduleRun } from '../execution.js';
import { Rng, type Strategy } from '../strategy.js';

export class RandomStrategy implements Strategy {
  readonly name = 'random';
  private index: number;
  private rng: Rng;
  /** Schedules first, first + stride, …: a shard's part of the seed's stream. */
  constructor(private readonly seed: number, first = 0, private readonly stride = 1) {
    this.index = first - stride;
    this.rng = new Rng(seed, 0);
  }
  next(): boolean {
    this.index += this.stride;
    this.rng = new Rng(this.seed, this.index);
    return true;
  }
  choose(p: PointView): number { return p.enabled[this.rng.below(p.enabled.length)]; }
  done(_run: ScheduleRun): void {}
  label(): string { return `random seed ${this.seed} schedule ${this.index}`; }
}
