// A scaling sweep under the timed model: one point per (kernel, CPU count),
// every rate in simulated time, and the lock that bounds each point. This is
// the data `forksim bench` prints as JSON and renders as markdown and HTML.

/** One lock class and mode of one point, in simulated nanoseconds (the
 *  columns of /proc/lock_stat). */
export interface TimedLockStat {
  lock: string; // the lockdep class name, e.g. "tasklist_lock"
  mode: 'write' | 'read'; // exclusive or shared holds
  contentions: number;
  waitNsTotal: number; waitNsMax: number; waitNsAvg: number;
  acquisitions: number;
  holdNsTotal: number; holdNsMax: number; holdNsAvg: number;
  bounces: number; // acquisitions on a CPU other than the last one to take it
  /** Time CPUs spent waiting for it, as a share of all CPU time of the run. */
  waitShare: number;
  /** Exclusive holds: the share of the run some CPU held it (1: held all the
   *  time, the lock is saturated). Null for read holds and for locks with an
   *  instance per task or runqueue, where holds overlap. */
  holdShare: number | null;
}

/** A critical section, by the instruction that takes its lock (lock_stat by site). */
export interface HoldSite {
  at: string; // file:line of the lock instruction
  routine: string; text: string; // the routine it is in, and the instruction as written
  lock: string;
  mode: 'write' | 'read'; // exclusive holds serialise, shared ones overlap
  holdNsTotal: number; // its locks' hold time in the window, every CPU's
  holdNsPerFork: number;
}

/** The lock that bounds a point's throughput: the one CPUs wait for most. */
export interface Ceiling {
  lock: string;
  mode: 'write' | 'read';
  waitShare: number; // of all CPU time
  holdShare: number | null; // of the run (exclusive holds of a global lock)
  holdNsPerFork: number; // its exclusive hold time per completed fork cycle
  /** Forks per simulated second the lock allows at most: one fork cycle's
   *  exclusive hold time, back to back (null when it has no exclusive holds). */
  boundForksPerSec: number | null;
  /** Its longest exclusive section: the site whose write holds of it take the most time. */
  site: HoldSite | null;
}

export interface ScalingPoint {
  kernel: string;
  cpus: number;
  simSeconds: number; // the measured window, after the warm-up
  forks: number; exits: number; threads: number; vforks: number; // completed in the window
  forksPerSec: number; exitsPerSec: number; threadsPerSec: number; vforksPerSec: number;
  /** forksPerSec / (cpus × the same kernel's forksPerSec at its smallest CPU count ÷ that count). */
  efficiency: number;
  utilisation: number; // mean share of CPU time not idle
  perCpu: { cpu: number; busy: number; spin: number; idle: number }[]; // shares of the window
  ceiling: Ceiling | null; // null: no lock takes a measurable share (below 1% of CPU time)
  lockstat: TimedLockStat[]; // sorted by waitNsTotal, descending
  holdSites: HoldSite[]; // the longest-held sections, by the instruction that takes the lock
  runs: number; // runs taken together (seeds seed, seed+1, …)
  forksPerSecMin: number; forksPerSecMax: number; // the spread of the runs' own rates
  findings: number; // findings the runs reported (a correct kernel has none)
  steps: number; // simulated micro-ops the point took
}

export interface MachineSummary {
  name: string;
  description: string;
  sockets: number; coresPerSocket: number; threadsPerCore: number; ghz: number;
  file: string; // where it was read from
}

export interface ScalingReport {
  machine: MachineSummary;
  kernels: string[];
  cpus: number[];
  seed: number;
  repeat: number; // runs per point
  warmupSeconds: number; // simulated, before each point's window
  windowSeconds: number; // simulated, measured
  workload: Record<string, number>; // the action weights the sweep ran
  command: string; // the command line that reproduces it
  generated: string; // ISO date
  points: ScalingPoint[];
  uncosted: string[]; // primitives the machine gives no cost (charged as one micro-op)
}
