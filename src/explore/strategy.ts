// The exploration strategies' common shape (shuttle's Scheduler: start an
// execution, choose at each point, hear how it ended). One file each under
// strategies/.
import type { Chooser, PointView, ScheduleRun } from './execution.js';

export const STRATEGIES = ['random', 'pct', 'dfs'] as const;
export type StrategyName = (typeof STRATEGIES)[number] | 'replay';

export interface Strategy extends Chooser {
  readonly name: StrategyName;
  /** Prepare the next schedule; false when there is none (dfs: the
   *  bounded space is exhausted). */
  next(): boolean;
  /** The schedule just run. */
  done(run: ScheduleRun): void;
  /** Where this schedule came from, for its replay token (seed and index). */
  label(): string;
  /** Sharded: whether the schedule just run is this shard's (absent: all are). */
  mine?(): boolean;
}

/** The choice that is no choice: stay on the CPU that ran last while it can
 *  go on, else the next one that can, in CPU order after it. A schedule is
 *  written as its departures from this rule (schedule.ts). */
export function defaultChoice(p: Pick<PointView, 'enabled' | 'current'>): number {
  if (p.enabled.includes(p.current)) return p.current;
  return p.enabled.find((c) => c > p.current) ?? p.enabled[0];
}

/** xorshift64*, seeded per schedule: schedule i of a campaign is the same
 *  whichever shard runs it. */
export class Rng {
  private x: bigint;
  constructor(seed: number, stream: number) {
    this.x = BigInt.asUintN(64, (BigInt(seed) * 0x9E3779B97F4A7C15n) ^ (BigInt(stream) + 0x2545F4914F6CDD1Dn)) || 1n;
    for (let i = 0; i < 4; i++) this.u32();
  }
  u32(): number {
    let x = this.x;
    x ^= x >> 12n; x ^= BigInt.asUintN(64, x << 25n); x ^= x >> 27n;
    this.x = x;
    return Number(BigInt.asUintN(64, x * 0x2545F4914F6CDD1Dn) >> 32n);
  }
  below(n: number): number { return Math.floor((this.u32() / 2 ** 32) * n); }
}
