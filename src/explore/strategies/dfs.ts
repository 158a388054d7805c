// dfs: every schedule with at most B preemptions (CHESS's iterative context
// bounding, Musuvathi and Qadeer, PLDI 2007), depth first and stateless:
// each schedule boots the machine and replays the prefix it shares with the
// last one. With reduction on, sleep sets (Godefroid, 1996) skip a schedule
// that only reorders independent transitions of one already run: a CPU
// whose transition was explored at a point sleeps in the branches after
// it until a transition dependent with it runs.
//
// Sleep sets prune a schedule only for an equivalent one already run, but
// under a bound that one may have needed more preemptions than the bound
// allows, and so was never run (Coons, Musuvathi and McKinley, OOPSLA 2013).
// So the exhaustive claim "no finding in any schedule with at most B
// preemptions" is exact with reduction off, or when the bound never cut an
// alternative (then sleep sets run one schedule per trace of the whole
// space); with reduction on and the bound cutting, it holds for every
// schedule whose reordering of independent operations also fits the bound.
import { ABANDON, dependent, type PointView, type ScheduleRun } from '../execution.js';
import { defaultChoice, type Strategy } from '../strategy.js';

/** shard: run every count-th subtree below the first `branchings` points
 *  with a choice; every shard walks the same tree above them. */
export interface DfsOptions { preemptions: number; reduction: boolean; shard?: { index: number; count: number; branchings: number } }

interface Frame {
  enabled: number[];
  current: number; // the CPU that ran the transition before this point
  preemptionsBefore: number;
  sleep: Map<number, number>; // CPUs asleep here -> the access they would make
  done: Map<number, number>; // CPUs explored here already -> their access
  chosen: number;
  access: number; // the chosen transition's access
  branchings: number; // points with a choice before this one
}

export class DfsStrategy implements Strategy {
  readonly name = 'dfs';
  private stack: Frame[] = [];
  private started = false;
  private finished = false;
  private schedules = 0;
  private replayTo = 0; // points fixed by the search; past them, new points
  private subtrees = 0; // subtrees met at the shard boundary
  private cut = false;
  private owned: boolean | undefined; // this schedule's: decided at the boundary
  constructor(private readonly o: DfsOptions) {}

  /** Every schedule within the bound was run, or skipped as equivalent to one run. */
  get exhausted(): boolean { return this.finished; }
  /** Some alternative was skipped for the bound: the space had schedules past it. */
  get boundCut(): boolean { return this.cut; }

  next(): boolean {
    this.owned = undefined;
    if (!this.started) { this.started = true; return true; }
    this.schedules++;
    // Backtrack to the deepest point with an alternative left.
    while (this.stack.length) {
      const f = this.stack[this.stack.length - 1];
      f.done.set(f.chosen, f.access);
      const alt = this.alternative(f);
      if (alt >= 0) {
        f.chosen = alt;
        this.replayTo = this.stack.length;
        return true;
      }
      this.stack.pop();
    }
    this.finished = true;
    return false;
  }

  choose(p: PointView): number {
    const shard = this.o.shard;
    if (p.index < this.replayTo) {
      const f = this.stack[p.index];
      if (shard && f.branchings === shard.branchings) this.owned = true; // only this shard's subtrees are on the stack
      f.access = p.access(f.chosen);
      return f.chosen;
    }
    const prev = this.stack[p.index - 1];
    const f: Frame = {
      enabled: [...p.enabled], current: p.current, sleep: new Map(), done: new Map(), chosen: -1, access: 0,
      preemptionsBefore: prev ? prev.preemptionsBefore + this.cost(prev, prev.chosen) : 0,
      branchings: prev ? prev.branchings + (prev.enabled.length > 1 ? 1 : 0) : 0,
    };
    if (shard && f.branchings === shard.branchings && this.owned === undefined) {
      this.owned = this.subtrees++ % shard.count === shard.index;
      if (!this.owned) return ABANDON; // another shard's subtree
    }
    // What slept at the point before, or was explored there before its
    // choice, sleeps on here unless the transition just run touched it.
    if (this.o.reduction && prev) {
      for (const [c, a] of [...prev.sleep, ...prev.done]) if (c !== prev.chosen && !dependent(a, prev.access)) f.sleep.set(c, a);
    }
    const c = this.alternative(f);
    if (c < 0) return ABANDON; // every CPU that can go on sleeps (or is past the bound): a reordering of a schedule run
    f.chosen = c;
    f.access = p.access(c);
    this.stack.push(f);
    return c;
  }

  /** The next CPU to explore at a point: the default first, then CPU
   *  order; not asleep, not explored, inside the preemption bound. */
  private alternative(f: Frame): number {
    const first = defaultChoice(f);
    for (const c of [first, ...f.enabled.filter((x) => x !== first)]) {
      if (f.done.has(c) || f.sleep.has(c)) continue;
      if (f.preemptionsBefore + this.cost(f, c) > this.o.preemptions) { this.cut = true; continue; }
      return c;
    }
    return -1;
  }

  /** Switching away from a CPU that could go on is a preemption. */
  private cost(f: Frame, c: number): number { return c !== f.current && f.enabled.includes(f.current) ? 1 : 0; }

  done(_run: ScheduleRun): void {}
  /** A schedule that ends above the boundary belongs to shard 0. */
  mine(): boolean { return !this.o.shard || (this.owned ?? this.o.shard.index === 0); }
  label(): string { return `dfs preemptions ${this.o.preemptions}${this.o.reduction ? ' sleep-sets' : ''} schedule ${this.schedules}`; }
}
