#!/usr/bin/env node
// forksim's command line. Exit status: 0 ran with no findings; 1 findings;
// 2 bad input or usage (one reason on stderr); 3 interrupted (SIGINT or
// SIGTERM) before the end, with nothing found in what ran — the report is
// still written, marked partial.
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseScenario, loadScenarioFile, ScenarioError, MAX_PROGRAM_CPUS, type Scenario } from './machine/scenario.js';
import type { Machine } from './machine/machine.js';
import { runScenario, buildMachine } from './commands/run.js';
import { buildReport, collectFindings, formatReport, type RunReport } from './report/run.js';
import { KasmError, ModelError } from './kasm/index.js';
import { InputFileError } from './files.js';
import { checkCommand } from './commands/check.js';
import { enumerateFaults, FaultsError } from './commands/faults.js';
import { formatFaults } from './commands/faults-text.js';
import { replayCycles } from './commands/replay.js';
import { kernelProgram } from './commands/run.js';
import { formatShow, formatDiff, ShowError } from './commands/show.js';
import { onInterrupt } from './cli/signals.js';
import { explore } from './explore/campaign.js';
import { STRATEGIES } from './explore/strategy.js';
import { ExploreError, formatExplore, formatReplay, mergeResults, readScheduleFile, replayToken, traceDefault, traceToken, type ScheduleFile } from './commands/explore.js';
import { traceText } from './trace/chrome.js';
import { traceRecorded, TRACE_STEPS } from './trace/run.js';

import { checkReportPath, OutputError, quietOnClosedStdout, writeAtomically } from './cli/output.js';

export const EXIT = { clean: 0, findings: 1, usage: 2, partial: 3 } as const;

class UsageError extends Error {}

const int = (name: string) => (v: string): number => {
  if (!/^\d{1,16}$/.test(v)) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return Number(v);
};
const num = (name: string) => (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number`);
  return n;
};

type KeyValues = Record<string, number>;

/** `fork=40,exit=20` → { fork: 40, exit: 20 }, in an object with no
 *  prototype, so that no name is taken for a built-in. */
function keyValues(text: string, what: string): KeyValues {
  const out: KeyValues = Object.create(null);
  for (const part of text.split(',').filter(Boolean)) {
    const eq = part.indexOf('=');
    const k = part.slice(0, eq), v = part.slice(eq + 1);
    const n = Number(v);
    if (eq <= 0 || v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${what}: '${part.slice(0, 60)}' is not name=number`);
    out[k] = n;
  }
  return out;
}

/** `--fail site[:probability=0.01,times=100]` (repeatable). A site name may
 *  itself hold colons (`alloc_pid:pidns_adding`): knobs are what follows the
 *  last colon, when that holds an `=`. */
function parseFail(spec: string, acc: Record<string, KeyValues> = Object.create(null)): Record<string, KeyValues> {
  const i = spec.lastIndexOf(':');
  const knobs = i >= 0 && spec.slice(i + 1).includes('=');
  const site = knobs ? spec.slice(0, i) : spec;
  if (!site) throw new InvalidArgumentError(`--fail needs SITE[:knob=value,...]`);
  acc[site] = knobs ? keyValues(spec.slice(i + 1), `--fail ${site}`) : Object.create(null);
  return acc;
}

interface RunFlags {
  scenario?: string; kernel?: string; driver?: string; cpus?: number; threads?: number; tasks?: number; forks?: number; duration?: number;
  seed?: number; population?: number; maxThreads?: number; pidMax?: number;
  weights?: string; param?: string; fail?: Record<string, KeyValues>; ledger?: boolean; lockdep?: string; stopOnFinding?: boolean;
  watchdog?: number; maxSteps?: number; stall?: string; json?: boolean; report?: string; progress?: boolean;
  irq?: string; preempt?: string; preemptRt?: boolean; hungTask?: number; programs?: string[][]; trace?: string;
}

function scenarioFrom(flags: RunFlags): Scenario {
  const base = flags.scenario ? loadScenarioFile(flags.scenario) : {};
  if (typeof base !== 'object' || base === null || Array.isArray(base)) throw new ScenarioError(`${flags.scenario}: a scenario is a mapping of fields`);
  const b = base as Record<string, unknown>;
  const input: Record<string, unknown> = { ...b };
  const set = (k: string, v: unknown): void => { if (v !== undefined) input[k] = v; };
  set('kernel', flags.kernel);
  set('driver', flags.driver);
  set('cpus', flags.cpus);
  set('threads', flags.threads);
  set('tasks', flags.tasks);
  set('forks', flags.forks);
  set('duration', flags.duration);
  set('seed', flags.seed);
  set('population', flags.population);
  set('maxThreads', flags.maxThreads);
  set('pidMax', flags.pidMax);
  set('watchdogMs', flags.watchdog);
  set('maxSteps', flags.maxSteps);
  set('programs', flags.programs);
  if (flags.stall !== undefined) {
    const [rate, max] = flags.stall.split(':');
    const n = Number(rate), m = max === undefined ? undefined : Number(max);
    if (rate === '' || !Number.isFinite(n) || (m !== undefined && !Number.isInteger(m))) throw new UsageError(`--stall: '${flags.stall.slice(0, 60)}' is not RATE[:MAX_STEPS]`);
    input.stall = { rate: n, ...(m === undefined ? {} : { maxSteps: m }) };
  }
  const object = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? v as Record<string, unknown> : {});
  if (flags.weights) input.weights = { ...object(b.weights), ...keyValues(flags.weights, '--weights') };
  if (flags.param) input.params = { ...object(b.params), ...keyValues(flags.param, '--param') };
  if (flags.fail) input.faults = { ...object(b.faults), ...flags.fail };
  if (flags.ledger === false) input.ledger = false;
  if (flags.lockdep !== undefined) input.lockdep = flags.lockdep === 'on';
  if (flags.stopOnFinding) input.stopOnFinding = true;
  if (flags.irq !== undefined) {
    input.interrupts = flags.irq === 'on' || flags.irq === 'off' ? flags.irq : { ...object(b.interrupts), ...keyValues(flags.irq, '--irq') };
  }
  set('preempt', flags.preempt);
  if (flags.preemptRt) input.preemptRt = true;
  if (flags.hungTask !== undefined) input[input.driver === 'step' ? 'hungTaskSteps' : 'hungTaskMs'] = flags.hungTask;
  const s = parseScenario(input, flags.scenario ?? 'scenario');
  warnIgnored(s);
  return s;
}

/** Settings of one driver given to the other do nothing: say so. */
function warnIgnored(s: Scenario): void {
  const ignored = s.driver === 'step'
    ? [s.threads !== undefined && '--threads', s.watchdogMs !== 2000 && '--watchdog']
    : [s.stall !== undefined && '--stall', s.maxSteps !== undefined && '--max-steps'];
  const names = ignored.filter(Boolean);
  if (names.length) process.stderr.write(`forksim: warning: ${names.join(' and ')} ${names.length > 1 ? 'apply' : 'applies'} to the ${s.driver === 'step' ? 'parallel' : 'step'} driver only; ignored\n`);
}

async function runCommand(flags: RunFlags): Promise<number> {
  const scenario = scenarioFrom(flags);
  if (flags.report) checkReportPath(flags.report);
  if (flags.trace) {
    checkReportPath(flags.trace);
    if (scenario.driver !== 'step') throw new UsageError('--trace needs --driver step: a parallel run cannot be replayed step by step');
  }
  const signals = onInterrupt('the CPUs');
  const tty = (process.stderr.isTTY && !flags.json) || flags.progress === true;
  let lastLine = 0;
  const started = performance.now();
  const progress = (m: Machine): void => {
    const now = performance.now();
    if (!tty || now - lastLine < 250) return;
    lastLine = now;
    const { forksOk: ok, forksFailed: failed } = m.counters();
    const rate = Math.round(ok / ((now - started) / 1000));
    process.stderr.write(`\r  forks ${ok.toLocaleString('en-US')} ok (${rate.toLocaleString('en-US')}/s), ${failed.toLocaleString('en-US')} failed, findings ${m.nrFindings()}   `);
  };
  try {
    const run = await runScenario(scenario, { interrupted: () => signals.interrupted, progress }, flags.trace ? { scheduleCapacity: TRACE_STEPS } : undefined);
    if (flags.trace) writeAtomically(flags.trace, traceText(traceRecorded(run.machine, buildMachine(scenario, undefined, { scheduleCapacity: TRACE_STEPS }))));
    if (tty) process.stderr.write(process.stderr.isTTY ? '\r\x1b[K' : '\n');
    const report = buildReport(run.machine, run.outcome);
    // A predicted lock-order cycle: search (bounded) for a schedule in which it
    // really deadlocks, and say how to replay it; a signal cuts the search short.
    if (!signals.hurried) {
      const replay = await replayCycles(collectFindings(run.machine).groups, report.stopReason, scenario, {
        stopEarly: () => signals.interrupted,
        progress: (i, n) => { if (tty) process.stderr.write(`\r  searching for a real deadlock on lockdep's cycle: seed ${i + 1} of ${n}   `); },
      });
      if (tty && replay?.seedsTried) process.stderr.write(process.stderr.isTTY ? '\r\x1b[K' : '\n');
      if (replay?.found) report.extra.push(`lockdep's cycle deadlocks for real under the step driver: ${replay.command}`);
      else if (replay) report.extra.push(`lockdep's cycle did not deadlock in ${replay.seedsTried} step-driver seeds (3,000,000 steps each)${replay.cut ? ', the search cut short by a signal' : ''}: possible, not yet reproduced`);
    }
    return emit(report, flags);
  } finally {
    signals.dispose();
  }
}

/** Print the report (stdout first: it is never lost to a bad report path),
 *  then write the report file. */
function emit(report: RunReport, flags: RunFlags): number {
  const json = JSON.stringify(report, null, 2);
  process.stdout.write((flags.json ? json : formatReport(report)) + '\n');
  if (flags.report) writeAtomically(flags.report, json + '\n');
  return report.findings.total > 0 ? EXIT.findings : report.partial ? EXIT.partial : EXIT.clean;
}

interface FaultsFlags { kernel?: string; seed?: number; cpus?: number; forks?: number; times?: number; site?: string[]; driver?: 'step' | 'parallel'; json?: boolean }

async function faultsCommand(flags: FaultsFlags): Promise<number> {
  if (flags.cpus !== undefined && (flags.cpus < 1 || flags.cpus > 128)) throw new UsageError('--cpus must be 1..128');
  if (flags.forks !== undefined && (flags.forks < 1 || flags.forks > 2 ** 31 - 1)) throw new UsageError('--forks must be 1..2147483647');
  if (flags.times !== undefined && (flags.times < 1 || flags.times > 2 ** 31 - 1)) throw new UsageError('--times must be 1..2147483647');
  const signals = onInterrupt('the enumeration');
  try {
    const r = await enumerateFaults({ kernel: flags.kernel ?? 'v6.12-scx', seed: flags.seed, cpus: flags.cpus, forks: flags.forks, times: flags.times, sites: flags.site, driver: flags.driver },
      () => signals.interrupted);
    process.stdout.write((flags.json ? JSON.stringify(r, null, 2) : formatFaults(r)) + '\n');
    return r.verdict !== 'clean' ? EXIT.findings : r.partial ? EXIT.partial : EXIT.clean;
  } finally {
    signals.dispose();
  }
}

interface ExploreFlags extends RunFlags {
  strategy?: 'random' | 'pct' | 'dfs'; schedules?: number; seconds?: number; depth?: number; steps?: number; preemptions?: number;
  reduction?: boolean; maxPoints?: number; shrink?: boolean; shard?: string; trace?: string; [cpu: `cpu${number}`]: string | undefined;
}

/** `--cpu0 fork,exit --cpu1 scx_enable`: a closed scenario's programs. */
function programsFrom(flags: ExploreFlags): string[][] | undefined {
  const given = Array.from({ length: MAX_PROGRAM_CPUS }, (_, c) => flags[`cpu${c}`]);
  const last = given.map((g) => g !== undefined).lastIndexOf(true);
  if (last < 0) return undefined;
  return given.slice(0, last + 1).map((g) => (g ?? '').split(',').map((x) => x.trim()).filter(Boolean));
}

async function exploreCommand(flags: ExploreFlags): Promise<number> {
  const programs = programsFrom(flags);
  const base = flags.scenario ? loadScenarioFile(flags.scenario) as Record<string, unknown> : {};
  const closed = programs ?? (base.programs as string[][] | undefined);
  // A closed scenario: as many CPUs as programs, no fork limit, a small task table.
  const scenario = scenarioFrom({
    ...flags, driver: 'step', cpus: flags.cpus ?? (closed ? closed.length : 2), tasks: flags.tasks ?? 64,
    forks: flags.forks ?? (closed ? 0 : 20), programs,
  });
  let shard: { index: number; count: number } | undefined;
  if (flags.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(flags.shard);
    if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new UsageError(`--shard: '${flags.shard.slice(0, 40)}' is not I/N with 0 <= I < N`);
    shard = { index: Number(m[1]), count: Number(m[2]) };
  }
  const strategy = flags.strategy ?? 'pct';
  if (strategy === 'dfs' && !scenario.programs) throw new UsageError('--strategy dfs needs a closed scenario (--cpu0 LIST ..., or programs in the scenario file): an open workload has no finite space');
  if (flags.report) checkReportPath(flags.report);
  if (flags.trace) checkReportPath(flags.trace);
  const signals = onInterrupt('the exploration');
  const tty = (process.stderr.isTTY && !flags.json) || flags.progress === true;
  try {
    const m = buildMachine(scenario);
    const r = await explore(m, {
      strategy, schedules: flags.schedules, seconds: flags.seconds, depth: flags.depth ?? 3, steps: flags.steps, preemptions: flags.preemptions ?? 2,
      reduction: flags.reduction !== false, maxPoints: flags.maxPoints ?? 100_000, shard, shrink: flags.shrink !== false,
      stopEarly: () => signals.interrupted,
      progress: ({ schedules, findings, elapsed }) => {
        if (tty) process.stderr.write(`\r  schedules ${schedules.toLocaleString('en-US')} (${Math.round(schedules / Math.max(elapsed, 1e-9)).toLocaleString('en-US')}/s), findings ${findings}   `);
      },
    });
    if (tty) process.stderr.write(process.stderr.isTTY ? '\r\x1b[K' : '\n');
    if (flags.trace) {
      const f = r.findings[0];
      writeAtomically(flags.trace, traceText(f ? traceToken(f.shrunk?.replay ?? f.replay).trace : traceDefault(m, flags.maxPoints ?? 100_000)));
    }
    const json = JSON.stringify(r, null, 2);
    process.stdout.write((flags.json ? json : formatExplore(r, scheduleFiles(flags.report ?? 'explore'))) + '\n');
    if (flags.report) writeAtomically(flags.report, json + '\n');
    return r.findings.length ? EXIT.findings : r.stopped === 'interrupted' ? EXIT.partial : EXIT.clean;
  } finally {
    signals.dispose();
  }
}

/** Long tokens: written next to the report, one file per schedule. */
const scheduleFiles = (stem: string): ScheduleFile => (i, shrunk, token) => {
  const path = `${stem}.finding-${i}${shrunk ? '.shrunk' : ''}.schedule`;
  writeAtomically(path, token + '\n');
  return path;
};

async function replayCommand(token: string | undefined, flags: { schedule?: string; trace?: string; json?: boolean; maxPoints?: number }): Promise<number> {
  const text = flags.schedule ? readScheduleFile(flags.schedule) : token;
  if (!text) throw new UsageError('replay: give a TOKEN or --schedule FILE');
  if (flags.trace) checkReportPath(flags.trace);
  let r;
  if (flags.trace) {
    const t = traceToken(text, flags.maxPoints);
    writeAtomically(flags.trace, traceText(t.trace));
    r = t.result;
  } else r = replayToken(text, { maxPoints: flags.maxPoints });
  process.stdout.write((flags.json ? JSON.stringify(r, null, 2) : formatReplay(r)) + '\n');
  return r.findings.length ? EXIT.findings : EXIT.clean;
}

function mergeCommand(files: string[], flags: { json?: boolean; report?: string }): number {
  const r = mergeResults(files);
  const json = JSON.stringify(r, null, 2);
  process.stdout.write((flags.json ? json : formatExplore(r, (i, shrunk) => `${flags.report ?? 'merge'}.finding-${i}${shrunk ? '.shrunk' : ''}.schedule`)) + '\n');
  if (flags.report) writeAtomically(flags.report, json + '\n');
  return r.findings.length ? EXIT.findings : EXIT.clean;
}

export function program(): Command {
  const cli = new Command('forksim')
    .description('A multicore machine simulated in WebAssembly that runs the Linux fork path')
    .showHelpAfterError()
    .exitOverride();
  cli.command('run')
    .description('run a kernel model under a workload and report findings, failures and throughput')
    .option('--scenario <file>', 'scenario file (YAML or JSON); flags override its fields')
    .option('-k, --kernel <model|dir>', 'kernel model (v6.10, v6.10-patched, v6.12-scx, mutants/...) or a folder of .kasm files (default: v6.12-scx)')
    .addOption(new Option('--driver <driver>', 'parallel: one worker per CPU; step: deterministic, one thread (default: parallel)').choices(['parallel', 'step']))
    .option('-c, --cpus <n>', 'simulated CPUs (default: host cores)', int('--cpus'))
    .option('-t, --threads <n>', 'parallel driver: worker threads, each driving cpus/threads CPUs round robin (default: one per CPU)', int('--threads'))
    .option('--tasks <n>', 'task slots (default: 4096)', int('--tasks'))
    .option('-n, --forks <n>', 'stop after this many fork attempts, 0 for no limit (default: 100000)', int('--forks'))
    .option('-d, --duration <seconds>', 'stop after this long', num('--duration'))
    .option('-s, --seed <n>', 'seed (default: 1)', int('--seed'))
    .option('--population <n>', 'target number of live tasks, boot tasks included (default: cpus + 60)', int('--population'))
    .option('--max-threads <n>', 'max_threads (default: cpus + 60)', int('--max-threads'))
    .option('--pid-max <n>', 'pid_max (default: 4194304)', int('--pid-max'))
    .option('-w, --weights <k=v,...>', "workload weights by action: fork, exit, wait, kill, yield, load_balance and the model's own (check --list shows them)")
    .option('-p, --param <k=v,...>', "the model's params (check --list shows them), e.g. pids_limit=100")
    .option('-f, --fail <site[:knob=v,...]>', 'inject faults at a site: probability, interval, times, nth (repeatable)', parseFail)
    .option('--no-ledger', 'do not book resources (to measure its cost)')
    .addOption(new Option('--lockdep <on|off>', 'lock validation (default: on)').choices(['on', 'off']))
    .option('--stop-on-finding', 'stop at the first finding')
    .option('--watchdog <ms>', 'parallel driver: a CPU without progress this long is hung (default: 2000)', int('--watchdog'))
    .option('--max-steps <n>', 'step driver: stop after this many steps', int('--max-steps'))
    .option('--stall <rate[:max]>', 'step driver: now and then stall a CPU (chance per step, longest stall in steps; default max 2000), as a preempted vCPU')
    .option('--irq <on|off|name=rate,...>', "interrupts: the model's declared rates (on), none (off, the default), or rates per million steps of a CPU by handler (check --list shows them)")
    .option('--preempt <none|full>', 'none: kernel code runs to completion (default); full: a tick may preempt a task in the kernel at preempt_count 0')
    .option('--preempt-rt', 'PREEMPT_RT: spinlock_t and rwlock_t sleep, their _irq forms leave interrupts on, and they nest only in sleeping contexts')
    .option('--hung-task <n>', 'a task blocked this long on one lock is hung: steps (step driver; default 4000000) or ms (parallel; default 2000)', int('--hung-task'))
    .option('--progress', 'print a progress line on stderr even when it is not a terminal')
    .option('--json', 'print the report as JSON')
    .option('--report <file>', 'also write the JSON report to this file (atomically)')
    .option('--trace <file>', `step driver: write a Chrome trace (Perfetto) of the run (its first ${TRACE_STEPS.toLocaleString('en-US')} steps, at most 1,000,000 events)`)
    .action(async (flags: RunFlags) => { process.exitCode = await runCommand(flags); });
  cli.command('check')
    .description('assemble a kernel model or .kasm files and report errors as file:line:col (exit 2), then walk every failure path of the error ladders and report each that leaks, keeps a lock or releases what it never took, with its kasm lines (exit 1; with no arguments, mutants do not count)')
    .argument('[model|path...]', 'kernel models, folders or .kasm files (a file inside a model folder is checked inside its model)', [])
    .option('--list', 'print the kasm vocabulary (primitives and their effects)')
    .action((targets: string[], flags: { list?: boolean }) => { process.exitCode = checkCommand(targets, flags); });
  cli.command('show')
    .description('print the effective routines of a model (base, overrides and patches applied), each instruction with the file:line it comes from')
    .argument('<model>', 'kernel model or folder')
    .argument('[routine...]', 'only these routines (default: all)', [])
    .action((model: string, routines: string[]) => { process.stdout.write(formatShow(kernelProgram(model), routines) + '\n'); process.exitCode = EXIT.clean; });
  cli.command('diff')
    .description('print what two models differ in, routine by routine and instruction by instruction, with where each instruction comes from')
    .argument('<model-a>', 'kernel model or folder')
    .argument('<model-b>', 'kernel model or folder')
    .action((a: string, b: string) => {
      process.stdout.write(formatDiff({ name: a, program: kernelProgram(a) }, { name: b, program: kernelProgram(b) }) + '\n');
      process.exitCode = EXIT.clean;
    });
  cli.command('faults')
    .description('fail every fault site in turn under a concurrent workload (fail-nth style) and report, per site, what its error ladder leaves behind; the static ladder walk runs too')
    .option('-k, --kernel <model|dir>', 'kernel model or folder of .kasm files (default: v6.12-scx)')
    .option('-s, --seed <n>', 'seed (default: 1)', int('--seed'))
    .option('-c, --cpus <n>', 'simulated CPUs (default: 4)', int('--cpus'))
    .option('-n, --forks <n>', 'fork attempts per run (default: 400)', int('--forks'))
    .option('--times <n>', 'failures injected per run (default: 10)', int('--times'))
    .option('--site <name>', 'only this site (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .addOption(new Option('--driver <driver>', 'step: deterministic, replayable (default); parallel: real workers').choices(['parallel', 'step']))
    .option('--json', 'print the report as JSON')
    .action(async (flags: FaultsFlags) => { process.exitCode = await faultsCommand(flags); });
  const ex = cli.command('explore')
    .description('search the schedules of a scenario systematically (pct, dfs with a preemption bound and sleep sets, random) for findings; print each with a replay token and its schedule shrunk to a minimal interleaving')
    .addOption(new Option('--strategy <name>', 'pct (default), dfs (closed scenarios: exhaustive within the bound) or random').choices([...STRATEGIES]))
    .option('--schedules <n>', 'at most this many schedules (default: 1000; dfs: until the space is exhausted)', int('--schedules'))
    .option('--seconds <s>', 'at most this long', num('--seconds'))
    .option('--depth <d>', 'pct: the bug depth d (default: 3)', int('--depth'))
    .option('--steps <k>', 'pct: the schedule length k the change points are drawn over (default: the length of the schedule with no preemption)', int('--steps'))
    .option('--preemptions <b>', 'dfs: the preemption bound (default: 2)', int('--preemptions'))
    .option('--no-reduction', 'dfs: no sleep sets (run every schedule within the bound)')
    .option('--max-points <n>', 'scheduling points per schedule (default: 100000)', int('--max-points'))
    .option('--no-shrink', 'do not shrink the schedules that found something')
    .option('--shard <I/N>', 'run shard I of N of the same space (schedules I, I+N, ...; dfs: every Nth subtree); merge the JSON with forksim merge')
    .option('--trace <file>', 'write a Chrome trace (Perfetto) of the first finding\'s shrunk schedule (or of the schedule with no preemption)');
  for (let c = 0; c < MAX_PROGRAM_CPUS; c++) ex.option(`--cpu${c} <syscalls>`, c === 0 ? 'a closed scenario: what CPU 0 runs, as syscalls in order (fork,exit,wait,kill,yield or the model\'s actions); --cpu1 ... likewise' : undefined as unknown as string);
  ex.option('--scenario <file>', 'scenario file (YAML or JSON; `programs` gives a closed scenario); flags override its fields')
    .option('-k, --kernel <model|dir>', 'kernel model or folder of .kasm files (default: v6.12-scx)')
    .option('-c, --cpus <n>', 'simulated CPUs (default: one per program; open workloads 2)', int('--cpus'))
    .option('--tasks <n>', 'task slots (default: 64)', int('--tasks'))
    .option('-n, --forks <n>', 'open workloads: fork attempts per schedule (default: 20)', int('--forks'))
    .option('-s, --seed <n>', 'seed (default: 1)', int('--seed'))
    .option('-w, --weights <k=v,...>', 'open workloads: workload weights by action')
    .option('-p, --param <k=v,...>', "the model's params")
    .option('-f, --fail <site[:knob=v,...]>', 'a fault plan: fail a site (nth=N: its Nth pass) (repeatable)', parseFail)
    .addOption(new Option('--lockdep <on|off>', 'lock validation (default: on)').choices(['on', 'off']))
    .option('--irq <on|off|name=rate,...>', "interrupts: the model's declared rates (on), none (off, the default), or rates per million steps of a CPU by handler")
    .option('--preempt <none|full>', 'none: kernel code runs to completion (default); full: a tick may preempt a task in the kernel')
    .option('--preempt-rt', 'PREEMPT_RT: spinlock_t and rwlock_t sleep')
    .option('--progress', 'print a progress line on stderr even when it is not a terminal')
    .option('--json', 'print the result as JSON (each finding with its replay token)')
    .option('--report <file>', 'also write the JSON result to this file (atomically)')
    .action(async (flags: ExploreFlags) => { process.exitCode = await exploreCommand(flags); });
  cli.command('replay')
    .description('replay a schedule from its token exactly, and print it as an interleaving of kasm lines per CPU with what it found')
    .argument('[token]', 'a replay token (fs1-...) from explore')
    .option('--schedule <file>', 'read the token from this file (long schedules)')
    .option('--trace <file>', 'write a Chrome trace (Perfetto) of the replay')
    .option('--max-points <n>', 'scheduling points at most (default: 1000000)', int('--max-points'))
    .option('--json', 'print the result as JSON')
    .action(async (token: string | undefined, flags: { schedule?: string; trace?: string; json?: boolean; maxPoints?: number }) => { process.exitCode = await replayCommand(token, flags); });
  cli.command('merge')
    .description('combine the JSON results of explore shards (--shard I/N): findings deduplicated, coverage summed')
    .argument('<file...>', 'the shards\' JSON (explore --json or --report)')
    .option('--json', 'print the result as JSON')
    .option('--report <file>', 'also write the JSON result to this file')
    .action((files: string[], flags: { json?: boolean; report?: string }) => { process.exitCode = mergeCommand(files, flags); });
  return cli;
}

/** The errors a user causes: one line (or one per kasm error), no stack. */
const userError = (e: unknown): boolean => [KasmError, ModelError, ScenarioError, UsageError, FaultsError, InputFileError, OutputError, ShowError, ExploreError].some((c) => e instanceof c);

export async function main(argv: string[]): Promise<number> {
  quietOnClosedStdout();
  try {
    await program().parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (e) {
    const err = e as { code?: string };
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.clean;
    if (err.code?.startsWith('commander.')) return EXIT.usage; // commander printed the reason
    if (userError(e)) process.stderr.write(`forksim: ${(e as Error).message}\n`);
    else {
      // A bug, not bad input: one line, with the stack on request.
      process.stderr.write(`forksim: internal error: ${(e as Error).message ?? e} (FORKSIM_DEBUG=1 shows where)\n`);
      if (process.env.FORKSIM_DEBUG) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
    }
    return EXIT.usage;
  }
}

process.exitCode = await main(process.argv);
