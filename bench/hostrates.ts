// The real kernel's fork, vfork and thread-creation rates on this host: the
// measured side of calibrating forksim's timed model. Compiles
// bench/hostrates.c with the system `cc -O2 -pthread` into a temporary folder
// at bench time and runs it `repeats` times; per worker count and per cycle
// kind it gives the median over the repeats and their spread (min..max).
// Skipped, with a note, where there is no `cc`.
//
// Each cycle is one of: fork() + child _exit(0) + waitpid; vfork() + _exit +
// waitpid; pthread_create of a thread that returns at once + pthread_join.
// Worker i is a process of its own pinned to the i-th CPU it may use; the
// rate of a point is the sum over its workers (see hostrates.c).
//
//   node dist/bench/hostrates.js [--workers 1,2] [--seconds 0.5] [--repeat 5] [--json]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { PACKAGE_ROOT } from '../src/paths.js';

export const HOSTRATES_SOURCE = join(PACKAGE_ROOT, 'bench', 'hostrates.c');

export const CYCLES = ['fork', 'vfork', 'thread'] as const;
export type Cycle = (typeof CYCLES)[number];

/** One point of one run of the C program, as it prints it: cycles/s summed over the workers, and the slowest and fastest worker. */
export interface RawPoint {
  workers: number;
  fork: number; forkMin: number; forkMax: number;
  vfork: number; vforkMin: number; vforkMax: number;
  thread: number; threadMin: number; threadMax: number;
}

/** One run of the C program: its JSON. */
export interface RawRun {
  cpusOnline: number;
  cpusAllowed: number[];
  points: RawPoint[];
  /** the measuring parent's RSS (KiB) at the end */
  rssKiB: number;
  /** the largest RSS of a forking worker, just before it measured */
  workerRssKiB: number;
  /** uname -r */
  kernel: string;
  seconds: number;
  warmupSeconds: number;
}

/** One cycle kind at one worker count, over the repeats. */
export interface CycleStat {
  /** median over the repeats of the total cycles/s */
  median: number;
  /** the spread of the total over the repeats */
  min: number;
  max: number;
  /** the slowest and fastest single worker's cycles/s, over every repeat */
  workerMin: number;
  workerMax: number;
  /** one worker's mean time per cycle at the median rate, µs */
  usPerCycle: number;
}

export interface HostRatesPoint { workers: number; fork: CycleStat; vfork: CycleStat; thread: CycleStat }

export interface HostRates {
  available: boolean;
  note: string;
  compiler?: string;
  cpusOnline?: number;
  cpusAllowed?: number[];
  kernel?: string;
  /** the largest over the repeats */
  rssKiB?: number;
  workerRssKiB?: number;
  seconds?: number;
  warmupSeconds?: number;
  repeats?: number;
  points?: HostRatesPoint[];
  /** every run's JSON as printed */
  runs?: RawRun[];
}

export interface HostRatesOptions { workers: number[]; seconds: number; repeats: number }

/** Why the options cannot be measured, or null. `cpus` is how many the workers may be pinned to. */
export function checkHostRatesOptions(o: HostRatesOptions, cpus = availableParallelism()): string | null {
  if (o.workers.length === 0) return '--workers: at least one worker count';
  for (const w of o.workers) if (!Number.isInteger(w) || w < 1 || w > cpus) return `--workers: ${w} is not a whole number in 1..${cpus} (this host's CPUs)`;
  if (!Number.isFinite(o.seconds) || o.seconds <= 0 || o.seconds > 60) return `--seconds: ${o.seconds} is not in (0, 60]`;
  if (!Number.isInteger(o.repeats) || o.repeats < 1 || o.repeats > 100) return `--repeat: ${o.repeats} is not a whole number in 1..100`;
  return null;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function stat(runs: RawRun[], workers: number, c: Cycle): CycleStat {
  const ps = runs.map((r) => r.points.find((p) => p.workers === workers)!);
  const totals = ps.map((p) => p[c]);
  const m = median(totals);
  return {
    median: m,
    min: Math.min(...totals),
    max: Math.max(...totals),
    workerMin: Math.min(...ps.map((p) => p[`${c}Min`])),
    workerMax: Math.max(...ps.map((p) => p[`${c}Max`])),
    usPerCycle: m > 0 ? (workers * 1e6) / m : Infinity,
  };
}

/** Compile hostrates.c and run it `repeats` times. Throws a RangeError on bad options. */
export function measureHostRates(opts: HostRatesOptions): HostRates {
  const bad = checkHostRatesOptions(opts);
  if (bad) throw new RangeError(bad);
  const cc = spawnSync('cc', ['--version'], { encoding: 'utf8' });
  if (cc.error || cc.status !== 0) {
    return { available: false, note: 'no system C compiler (`cc`): host fork/vfork/thread rates skipped (Debian: apt-get install gcc)' };
  }
  const compiler = cc.stdout.split('\n')[0].trim();
  if (!existsSync(HOSTRATES_SOURCE)) return { available: false, compiler, note: `${HOSTRATES_SOURCE} is missing` };
  const dir = mkdtempSync(join(tmpdir(), 'forksim-hostrates-'));
  try {
    const exe = join(dir, 'hostrates');
    const build = spawnSync('cc', ['-O2', '-pthread', '-std=c11', '-o', exe, HOSTRATES_SOURCE], { encoding: 'utf8' });
    if (build.status !== 0) return { available: false, compiler, note: `cc -O2 failed: ${(build.stderr || build.error?.message || '').trim().split('\n')[0]}` };
    const runs: RawRun[] = [];
    // Every point runs three kinds, each for the window plus a warm-up of at most 0.2 s.
    const timeout = (opts.workers.length * 3 * (opts.seconds + 0.2) + 30) * 1000;
    for (let i = 0; i < opts.repeats; i++) {
      const run = spawnSync(exe, [String(opts.seconds), opts.workers.join(',')], { encoding: 'utf8', timeout });
      if (run.status !== 0) {
        const why = (run.stderr || '').trim().split('\n').filter(Boolean).pop() || run.error?.message || `status ${run.status}`;
        return { available: false, compiler, note: `hostrates failed (run ${i + 1} of ${opts.repeats}): ${why}`, runs };
      }
      runs.push(JSON.parse(run.stdout) as RawRun);
    }
    const first = runs[0];
    const points = opts.workers.map((w): HostRatesPoint => ({ workers: w, fork: stat(runs, w, 'fork'), vfork: stat(runs, w, 'vfork'), thread: stat(runs, w, 'thread') }));
    return {
      available: true,
      compiler,
      note: `cc -O2 -pthread; worker i a process pinned to the i-th CPU; ${opts.seconds} s per point and kind after a ${first.warmupSeconds} s warm-up; median and spread over ${opts.repeats} run(s)`,
      cpusOnline: first.cpusOnline,
      cpusAllowed: first.cpusAllowed,
      kernel: first.kernel,
      rssKiB: Math.max(...runs.map((r) => r.rssKiB)),
      workerRssKiB: Math.max(...runs.map((r) => r.workerRssKiB)),
      seconds: opts.seconds,
      warmupSeconds: first.warmupSeconds,
      repeats: opts.repeats,
      points,
      runs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const n0 = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—');

/** The markdown table: per worker count, each kind's median cycles/s with the spread over the repeats, and µs per cycle per worker. */
export function hostRatesTable(r: HostRates): string {
  if (!r.available || !r.points) return r.note;
  const cell = (s: CycleStat): string => `${n0(s.median)} (${n0(s.min)}–${n0(s.max)}) · ${s.usPerCycle.toFixed(1)} µs`;
  const lines = [
    `kernel ${r.kernel}, ${r.cpusOnline} CPUs online; ${r.note}; parent RSS ${r.rssKiB} KiB, worker RSS ${r.workerRssKiB} KiB`,
    '',
    '| workers | fork/s | vfork/s | thread/s |',
    '|---:|---:|---:|---:|',
    ...r.points.map((p) => `| ${p.workers} | ${cell(p.fork)} | ${cell(p.vfork)} | ${cell(p.thread)} |`),
    '',
    'Each cell: median total cycles/s over the workers (spread over the repeats) · one worker\'s mean time per cycle at the median.',
  ];
  return lines.join('\n');
}

function parseList(v: string): number[] {
  return v.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
}

function main(argv: string[]): number {
  const cli = new Command('hostrates')
    .description("the real kernel's fork, vfork and pthread create+join rates on this host, one pinned worker process per CPU")
    .option('--workers <list>', 'worker counts, comma-separated (each in 1..CPUs)', '1,2')
    .option('--seconds <s>', 'measured wall time per point and kind, in (0, 60]', '0.5')
    .option('--repeat <n>', 'runs to take the median over, 1..100', '5')
    .option('--json', 'print the result as JSON')
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(s) });
  try {
    cli.parse(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
    throw e;
  }
  const f = cli.opts<{ workers: string; seconds: string; repeat: string; json?: boolean }>();
  const opts: HostRatesOptions = { workers: parseList(f.workers), seconds: Number(f.seconds), repeats: Number(f.repeat) };
  const bad = opts.workers.some(Number.isNaN) ? `--workers: '${f.workers}' is not a comma-separated list of whole numbers` : checkHostRatesOptions(opts);
  if (bad) {
    process.stderr.write(`hostrates: ${bad}\n`);
    return 2;
  }
  const r = measureHostRates(opts);
  console.log(f.json ? JSON.stringify(r, null, 2) : hostRatesTable(r));
  return r.available ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv);
  } catch (e) {
    console.error(e instanceof Error ? e.stack : e);
    process.exitCode = 1;
  }
}
