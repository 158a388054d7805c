// `forksim faults`: systematic fault enumeration, as syzkaller's fail-nth
// does it for a syscall. For every fault site of a kernel model, boot the
// machine, run a short concurrent workload (four CPUs forking, exiting,
// reaping, killing, switching sched_ext on and off) with exactly that site
// failing, and say what its failures left behind: the errno the syscall
// returned, leaks, double releases, lock misuse, hangs. The static ladder
// walk (src/ladder.ts) runs too and each row says whether they agree.
//
// Each site gets a run per workload on one reused machine (re-armed and
// rebooted between runs): the default one, with the actions the model's
// trials weigh turned off (plain forks, no sched_ext), where the site fails
// on its first `times` passes; then each trial the model declares (kasm
// `trial`): v6.10's `clones` (threads, vforks, CLONE_PIDFD clones, so that a
// failure lands in their ladders), v6.12-scx's `scx_on` (a BPF scheduler
// loaded almost at once, and disabled often enough that a leaked
// scx_fork_rwsem read hold hangs it; the site fails on every 4th pass, so
// the failures land while sched_ext is on).
// Natural failure sources stay on (kills → fatal_signal_pending, pid
// namespace teardown → pidns_adding, max_threads → nr_threads_max_threads,
// ops.init_task refusals → scx_ops_init_task); what they leave behind is
// reported in a section of its own, attributed to the site that failed
// first in that syscall. Sites outside fork are reached by the same
// workload: sys_wait's wait_task_zombie by reaping, sys_kill's
// pick_kill_target by kills, scx_ops_enable's scx_enabled check by the
// enables of run 2.
//
// A hang (the step driver's deadlock: every CPU spinning or idle, none
// making progress) is charged to the sites whose failures returned to user
// space holding a lock in that run (the leaked hold others wait for); a hang
// with no such site is listed with the other findings no failure explains.
import { Machine } from '../machine/machine.js';
import { parseScenario, type Scenario } from '../machine/scenario.js';
import type { FindingRecord } from '../machine/findings.js';
import { kernelProgram } from './run.js';
import { runStepDriver } from '../drivers/step.js';
import { runParallelDriver } from '../drivers/parallel.js';
import { failedAt } from '../analysis/findings.js';
import { checkLadders, type LadderReport, type SiteLadder } from '../analysis/ladder/walk.js';
import { verdictClasses } from '../analysis/ladder/verdict.js';
import { errnoName } from '../kasm/index.js';
import type { Program, SiteInfo } from '../kasm/index.js';
import { renderFinding } from '../report/findings.js';
import { describeHang } from '../report/waitfor.js';

export interface FaultsOptions {
  kernel: string;
  seed?: number; // default 1
  cpus?: number; // default 4
  forks?: number; // fork attempts per run, default 400
  times?: number; // failures per run, default 10
  sites?: string[]; // only these sites (default: all)
  driver?: 'step' | 'parallel'; // default step: deterministic, so the table replays exactly
}

interface Issues { leaks: string[]; heldLocks: string[]; doubleReleases: string[]; lockMisuse: string[]; hang: boolean }

export interface FaultRow extends Issues {
  site: string;
  routine: string;
  at: string;
  workload: string; // the syscall whose path reaches it
  reached: boolean;
  passes: number;
  injected: number;
  errno: string; // what the syscall returned ('0': the error was dropped; '' when not reached)
  ladder: string[]; // the labels the ladder passes (the static walk's shortest path)
  observedLadder?: string[]; // the ladder a finding recorded, when there was one
  verdict: string; // clean, LEAK, DOUBLE RELEASE, BAD UNLOCK, HANG joined by '+', or 'not reached'
  static: { verdict: string; errnos: string[]; leaks: string[]; heldLocks: string[]; doubleReleases: string[]; lockMisuse: string[] };
  agrees: boolean; // static and dynamic verdicts match (true when not reached)
  hangReport?: string[]; // the wait-for chain of the first hang charged to this site
}

export interface NaturalRow extends Issues { site: string; at: string; errno: string; count: number; verdict: string }

export interface FaultsReport {
  kernel: string;
  driver: 'step' | 'parallel';
  seed: number;
  cpus: number;
  forksPerRun: number;
  times: number;
  /** The workloads each site runs under: the default one (the model's
   *  trial actions off), then each trial the model declares. */
  trials: { name: string; weights: Record<string, number>; interval: number }[];
  runs: number;
  elapsedSeconds: number;
  rows: FaultRow[];
  natural: NaturalRow[];
  other: { kind: string; count: number; message: string }[]; // findings no failure explains (lockdep cycles, hangs, ...)
  staticOnly: { unattributed: string[]; states: number; truncated: boolean };
  bad: number; // rows (injected or natural) whose verdict is not clean
  disagreements: string[]; // sites where the runs saw what the static walk says cannot happen
  predicted: string[]; // what the walk predicts at reached sites that the runs did not show
  verdict: 'clean' | 'bad';
  partial?: true; // a signal ended the enumeration: the rows are the sites done
}


/** The workload action whose routine is `entry` (a syscall's routine), by name. */
const workloadOf = (p: Program, entry: string): string => p.actions.find((a) => a.routine === entry)?.name.replace(/_/g, ' ') ?? entry;

interface Trial { name: string; weights: Scenario['weights']; interval: number }

const empty = (): Issues => ({ leaks: [], heldLocks: [], doubleReleases: [], lockMisuse: [], hang: false });
const add = (xs: string[], x: string): void => { if (!xs.includes(x)) { xs.push(x); xs.sort(); } };

export function verdictOf(x: Issues): string {
  const v: string[] = verdictClasses(x);
  if (x.hang) v.push('HANG');
  return v.length ? v.join('+') : 'clean';
}

/** Book a ladder finding on the issues of its failure site; false if it is not one. */
function book(p: Program, into: Issues, f: FindingRecord): boolean {
  switch (f.kind) {
    case 'leak': for (const r of p.vocab.resourceNames(f.resources)) add(into.leaks, r); return true;
    case 'lock-held-returning-to-user': add(into.heldLocks, p.vocab.heldLockName(f.lockClass, f.mode)); return true;
    case 'double-release': case 'double-acquire': for (const r of p.vocab.resourceNames(f.resources)) add(into.doubleReleases, r); return true;
    case 'bad-unlock-balance': case 'recursive-locking': case 'lockdep-assert-held': {
      const src = f.pc >= 0 ? p.src[f.pc] : undefined;
      add(into.lockMisuse, `${p.vocab.className(f.lockClass)} @${src ? `${src.file}:${src.line}` : '?'}`);
      return true;
    }
  }
  return false;
}

/** What makes two unexplained findings the same (a failure's own findings are per site). */
function otherKey(f: FindingRecord): string {
  return f.failPc >= 0 ? `${f.kind}|` : `${f.kind}|${f.pc}|${'lockClass' in f ? f.lockClass : ''}|${'resources' in f ? f.resources : ''}|${f.kind === 'invariant' ? `${f.invariant}/${f.value}` : ''}`;
}

/** Enumerate the fault sites of a kernel model. */
export async function enumerateFaults(opts: FaultsOptions, interrupted: () => boolean = () => false): Promise<FaultsReport> {
  const started = performance.now();
  const program = kernelProgram(opts.kernel); // an unknown model is a ModelError, bad kasm a KasmError
  const seed = opts.seed ?? 1, cpus = opts.cpus ?? 4, forks = opts.forks ?? 400, times = opts.times ?? 10;
  const all = program.sites.slice(1);
  if (opts.sites) {
    const names = new Set(all.map((s) => s.name));
    const unknown = opts.sites.filter((s) => !names.has(s));
    if (unknown.length) throw new FaultsError(`no fault site ${unknown.map((s) => `'${s}'`).join(', ')} in kernel ${opts.kernel}; its sites are: ${[...names].join(', ')}`);
  }
  const sites = opts.sites ? all.filter((s) => opts.sites!.includes(s.name)) : all;
  const ladder = checkLadders(program);
  const staticOf = new Map(ladder.sites.map((s) => [s.site, s]));

  // Under the parallel driver a hang is the watchdog's: keep it short.
  const scenario = parseScenario({ kernel: opts.kernel, driver: opts.driver ?? 'step', cpus, tasks: 512, forks, seed, findingsCap: 1024, watchdogMs: 500 });
  const m = Machine.create(program, scenario);
  // The default workload with the actions the model's trials weigh turned
  // off, then each trial the model declares (kasm `trial`).
  const declared = program.vocab.trials;
  const off = Object.fromEntries(declared.flatMap((t) => Object.keys(t.weights)).map((a) => [a, 0]));
  const trials: Trial[] = [{ name: 'default', weights: off, interval: 0 }, ...declared.map((t) => ({ name: t.name, weights: { ...off, ...t.weights }, interval: t.interval }))];

  const natural = new Map<number, NaturalRow>();
  const other = new Map<string, { kind: string; count: number; message: string }>();
  const rows: FaultRow[] = [];
  let runs = 0;

  let partial = false;
  for (const site of sites) {
    if (interrupted()) { partial = true; break; }
    const st = staticOf.get(site.name)!;
    const got = empty();
    let passes = 0, injected = 0, forkFails = 0, errno = 0;
    let returned: number | null = null; // what the syscall returned, for other entries than fork
    let observed: string[] | undefined;
    let hangReport: string[] | undefined;
    for (const trial of trials) {
      // A run that hangs before the site is reached (a natural failure
      // leaked a lock first) is retried with another seed, twice at most.
      for (let attempt = 0; attempt < 3; attempt++) {
        runs++;
        const r = await runTrial(m, scenario, trial, site, times, seed + attempt * 7919, interrupted);
        passes += r.passes;
        injected += r.injected;
        forkFails += r.forkFails;
        if (r.forkFails) errno = r.errno;
        if (r.returned !== null) returned = r.returned;
        const leakedBy = new Set<string>();
        for (const f of r.findings) {
          const by = failedAt(program, f);
          if (by && f.kind === 'lock-held-returning-to-user') leakedBy.add(by);
          if (by === site.name && book(program, got, f)) { if (!observed && f.labels.length) observed = f.labels.map((l) => program.labels[l]?.name ?? '?'); continue; }
          if (by && by !== site.name) {
            const n = naturalRow(natural, program, by);
            if (book(program, n, f)) continue;
          }
          if (f.kind === 'deadlock' || f.kind === 'hung-cpu') continue; // charged below, from the stop reason
          const k = otherKey(f);
          const o = other.get(k);
          if (o) o.count++;
          else other.set(k, { kind: f.kind, count: 1, message: renderFinding(r.machine, f).message });
        }
        for (const [id, n] of r.natural) {
          const row = naturalRow(natural, program, program.sites[id].name);
          row.count += n.count;
          if (n.errno) row.errno = `-${errnoName(n.errno)}`;
        }
        if (r.hang) {
          if (leakedBy.has(site.name)) { got.hang = true; hangReport ??= r.hang; }
          for (const by of leakedBy) if (by !== site.name) naturalRow(natural, program, by).hang = true;
          if (leakedBy.size === 0) {
            const o = other.get('hang|');
            if (o) o.count++;
            else other.set('hang|', { kind: 'hang', count: 1, message: `a run deadlocked with no leaked lock to blame: ${r.hang.slice(0, 3).join(' / ')}` });
          }
        }
        if (!(r.hang && r.injected === 0)) break;
      }
    }
    const reached = injected > 0;
    // The workload named is fork where fork reaches the site, else the first that does.
    const entry = st.entries.find((e) => program.actions.some((a) => a.routine === e && a.builtin && a.fork)) ?? st.entries[0] ?? site.routine;
    const fork = program.actions.some((a) => a.routine === entry && a.fork);
    const dynErrno = !reached ? '' : fork ? (forkFails ? `-${errnoName(errno || site.errno)}` : '0')
      : returned !== null ? (returned ? `-${errnoName(returned)}` : '0') : `-${errnoName(site.errno)}`;
    const row: FaultRow = {
      site: site.name, routine: site.routine, at: `${site.file}:${site.line}`, workload: workloadOf(program, entry),
      reached, passes, injected, errno: dynErrno, ladder: st.ladders[0] ?? [], ...got,
      verdict: reached ? verdictOf(got) : 'not reached',
      static: { verdict: st.reached ? verdictOf({ ...st, hang: false }) : 'unreachable', errnos: st.errnos, leaks: st.leaks, heldLocks: st.heldLocks, doubleReleases: st.doubleReleases, lockMisuse: st.lockMisuse },
      agrees: true,
    };
    if (observed) row.observedLadder = observed;
    if (hangReport) row.hangReport = hangReport;
    row.agrees = agree(row, st);
    rows.push(row);
  }
  const naturalRows = [...natural.values()].filter((n) => n.count > 0 || verdictOf(n) !== 'clean').map((n) => ({ ...n, verdict: verdictOf(n) }));
  naturalRows.sort((a, b) => b.count - a.count || a.site.localeCompare(b.site));
  const otherList = [...other.values()].sort((a, b) => b.count - a.count);
  const bad = rows.filter((r) => r.reached && r.verdict !== 'clean').length + naturalRows.filter((n) => n.verdict !== 'clean').length;
  const disagreements = rows.filter((r) => !r.agrees).map((r) => `${r.site}: static ${r.static.verdict} (${r.static.errnos.join('/')}), runs ${r.verdict} (${r.errno})`);
  const predicted = rows.flatMap((r) => unseen(r, staticOf.get(r.site)!) ?? []);
  return {
    kernel: opts.kernel, driver: scenario.driver, seed, cpus, forksPerRun: forks, times, trials, runs,
    elapsedSeconds: (performance.now() - started) / 1000,
    rows, natural: naturalRows, other: otherList,
    staticOnly: { unattributed: ladder.unattributed.map((i) => `${i.at}: ${i.entry}: ${i.message}`), states: ladder.states, truncated: ladder.truncated },
    bad, disagreements, predicted,
    verdict: bad || otherList.length || disagreements.length || predicted.length ? 'bad' : 'clean',
    ...(partial ? { partial: true as const } : {}),
  };
}

export class FaultsError extends Error {}

/** Static and dynamic agree: what the runs saw, the walk predicts (verdict
 *  classes, held locks, leaks, double releases), and the errno is one it
 *  predicts. The walk takes every interleaving its abstraction allows and
 *  the runs sample some, so a prediction the runs did not see is listed
 *  apart (`predicted`), not a disagreement: a walk that misses what a run
 *  shows is. */
function agree(row: FaultRow, st: SiteLadder): boolean {
  if (!row.reached) return true;
  const stat = verdictClasses(st);
  return verdictClasses(row).every((c) => stat.includes(c))
    && row.heldLocks.every((l) => st.heldLocks.includes(l))
    && row.leaks.every((r) => st.leaks.includes(r))
    && row.doubleReleases.every((r) => st.doubleReleases.includes(r))
    && (st.errnos.length === 0 || st.errnos.includes(row.errno));
}

/** What the walk predicts at a reached site that its runs did not show. */
function unseen(row: FaultRow, st: SiteLadder): string | undefined {
  if (!row.reached) return undefined;
  const dyn = verdictClasses(row);
  const missing = verdictClasses(st).filter((c) => !dyn.includes(c));
  if (!missing.length) return undefined;
  const what = [...st.leaks, ...st.heldLocks, ...st.doubleReleases, ...st.lockMisuse].join(', ');
  return `${row.site}: ${missing.join('+')} (${what})`;
}

function naturalRow(map: Map<number, NaturalRow>, p: Program, name: string): NaturalRow {
  const s = p.sites.find((x) => x.name === name)!;
  let n = map.get(s.id);
  if (!n) map.set(s.id, (n = { site: s.name, at: `${s.file}:${s.line}`, errno: '', count: 0, verdict: 'clean', ...empty() }));
  return n;
}

interface TrialResult {
  passes: number; injected: number; forkFails: number; errno: number; returned: number | null;
  findings: FindingRecord[]; machine: Machine; hang?: string[]; // the hang's wait-for chain
  natural: Map<number, { count: number; errno: number }>;
}

async function runTrial(m: Machine, s: Scenario, trial: Trial, site: SiteInfo, times: number, seed: number, interrupted: () => boolean): Promise<TrialResult> {
  m.reconfigure({ seed, forks: s.forks, weights: { ...s.weights, ...trial.weights } });
  m.armFaults({ [site.name]: { probability: 1, interval: trial.interval, times, nth: 0 } });
  m.reboot();
  const ctl = { interrupted };
  const outcome = s.driver === 'parallel' ? await runParallelDriver(m, ctl) : await runStepDriver(m, ctl);
  const natural = new Map<number, { count: number; errno: number }>();
  for (const x of m.program.sites.slice(1)) {
    const c = m.site(x.id);
    if (c.natural) natural.set(x.id, { count: c.natural, errno: c.errno });
  }
  const c = m.site(site.id);
  const findings = m.findings().records;
  const hung = outcome.stopReason === 'deadlock' || outcome.stopReason === 'hang';
  return {
    passes: c.passes, injected: c.injected, forkFails: c.forkFails, errno: c.errno, returned: c.returned, findings, machine: m,
    hang: hung ? (outcome.hang ? describeHang(m.program, outcome.hang, findings) : []) : undefined, natural,
  };
}

export type { LadderReport };
