#!/usr/bin/env node
// forksim's command line. Exit status: 0 ran with no findings, 1 findings,
// 2 bad input or usage (one reason on stderr).
import { Command, InvalidArgumentError, Option } from 'commander';
import { writeFileSync, renameSync } from 'node:fs';
import { parseScenario, loadScenarioFile, ScenarioError, type ScenarioInput } from './machine/scenario.js';
import type { Machine } from './machine/machine.js';
import { runScenario } from './commands/run.js';
import { buildReport, collectFindings, formatReport, type RunReport } from './report/run.js';
import { KasmError } from './kasm/index.js';
import { checkCommand } from './commands/check.js';
import { enumerateFaults, FaultsError } from './commands/faults.js';
import { formatFaults } from './commands/faults-text.js';
import { replayCycles } from './commands/replay.js';

class UsageError extends Error {}

const int = (name: string) => (v: string): number => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return Number(v);
};
const num = (name: string) => (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number`);
  return n;
};

/** `fork=40,exit=20` → { fork: 40, exit: 20 } */
function keyValues(text: string, what: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(',').filter(Boolean)) {
    const [k, v] = part.split('=');
    const n = Number(v);
    if (!k || v === undefined || !Number.isFinite(n)) throw new UsageError(`${what}: '${part}' is not name=number`);
    out[k] = n;
  }
  return out;
}

/** `--fail site:probability=0.01,times=100` (repeatable). */
function parseFail(spec: string, acc: Record<string, Record<string, number>> = {}): Record<string, Record<string, number>> {
  const i = spec.indexOf(':');
  const site = i < 0 ? spec : spec.slice(0, i);
  if (!site) throw new InvalidArgumentError(`--fail needs SITE[:knob=value,...]`);
  acc[site] = i < 0 ? {} : keyValues(spec.slice(i + 1), `--fail ${site}`);
  return acc;
}

interface RunFlags {
  scenario?: string; kernel?: string; driver?: string; cpus?: number; threads?: number; tasks?: number; forks?: number; duration?: number;
  seed?: number; population?: number; maxThreads?: number; pidMax?: number; pidsLimit?: number; scxInitTaskFail?: number;
  weights?: string; fail?: Record<string, Record<string, number>>; ledger?: boolean; lockdep?: string; stopOnFinding?: boolean;
  watchdog?: number; maxSteps?: number; stall?: string; json?: boolean; report?: string; progress?: boolean;
}

function scenarioFrom(flags: RunFlags): ReturnType<typeof parseScenario> {
  const base = (flags.scenario ? loadScenarioFile(flags.scenario) : {}) as ScenarioInput;
  if (typeof base !== 'object' || base === null || Array.isArray(base)) throw new ScenarioError(`${flags.scenario}: a scenario is a mapping of fields`);
  const input: Record<string, unknown> = { ...base };
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
  set('pidsLimit', flags.pidsLimit);
  set('scxInitTaskFail', flags.scxInitTaskFail);
  set('watchdogMs', flags.watchdog);
  set('maxSteps', flags.maxSteps);
  if (flags.stall !== undefined) {
    const [rate, max] = flags.stall.split(':');
    const n = Number(rate), m = max === undefined ? undefined : Number(max);
    if (rate === '' || !Number.isFinite(n) || (m !== undefined && !Number.isInteger(m))) throw new UsageError(`--stall: '${flags.stall}' is not RATE[:MAX_STEPS]`);
    input.stall = { rate: n, ...(m === undefined ? {} : { maxSteps: m }) };
  }
  if (flags.weights) input.weights = { ...(base.weights ?? {}), ...keyValues(flags.weights, '--weights') };
  if (flags.fail) input.faults = { ...(base.faults ?? {}), ...flags.fail };
  if (flags.ledger === false) input.ledger = false;
  if (flags.lockdep !== undefined) input.lockdep = flags.lockdep === 'on';
  if (flags.stopOnFinding) input.stopOnFinding = true;
  return parseScenario(input, flags.scenario ?? 'scenario');
}

function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

async function runCommand(flags: RunFlags): Promise<number> {
  const scenario = scenarioFrom(flags);
  let interrupts = 0;
  const onSigint = (): void => {
    if (++interrupts > 1) process.exit(130);
    process.stderr.write('\ninterrupted: stopping the CPUs and writing the report (Ctrl-C again to abort)\n');
  };
  process.on('SIGINT', onSigint);
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
  let report: RunReport;
  let machine: Machine;
  try {
    const run = await runScenario(scenario, { interrupted: () => interrupts > 0, progress });
    machine = run.machine;
    report = buildReport(machine, run.outcome);
  } finally {
    process.off('SIGINT', onSigint);
    if (tty) process.stderr.write(process.stderr.isTTY ? '\r\x1b[K' : '\n');
  }
  // A predicted lock-order cycle: search (bounded) for a schedule in which it
  // really deadlocks, and say how to replay it.
  const replay = interrupts === 0 ? await replayCycles(collectFindings(machine).groups, report.stopReason, scenario) : null;
  if (replay) {
    report.extra.push(replay.found
      ? `lockdep's cycle deadlocks for real under the step driver: ${replay.command}`
      : `lockdep's cycle did not deadlock in ${replay.seedsTried} step-driver seeds (3,000,000 steps each): possible, not yet reproduced`);
  }
  const json = JSON.stringify(report, null, 2);
  if (flags.report) writeAtomically(flags.report, json + '\n');
  process.stdout.write((flags.json ? json : formatReport(report)) + '\n');
  return report.findings.total > 0 ? 1 : 0;
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
    .option('--population <n>', 'target number of live tasks (default: 64)', int('--population'))
    .option('--max-threads <n>', 'max_threads (default: 64)', int('--max-threads'))
    .option('--pid-max <n>', 'pid_max (default: 4194304)', int('--pid-max'))
    .option('--pids-limit <n>', 'pids cgroup limit, 0 for none (default: 0)', int('--pids-limit'))
    .option('--scx-init-task-fail <p>', 'probability that ops.init_task() refuses a fork (default: 0.001)', num('--scx-init-task-fail'))
    .option('-w, --weights <k=v,...>', 'workload weights: fork, exit, wait, kill, yield, scxEnable, scxDisable, loadBalance, zapPidNs, reopenPidNs')
    .option('-f, --fail <site[:knob=v,...]>', 'inject faults at a site: probability, interval, times, nth (repeatable)', parseFail)
    .option('--no-ledger', 'do not book resources (to measure its cost)')
    .addOption(new Option('--lockdep <on|off>', 'lock validation (default: on)').choices(['on', 'off']))
    .option('--stop-on-finding', 'stop at the first finding')
    .option('--watchdog <ms>', 'parallel driver: a CPU without progress this long is hung (default: 2000)', int('--watchdog'))
    .option('--max-steps <n>', 'step driver: stop after this many steps', int('--max-steps'))
    .option('--stall <rate[:max]>', 'step driver: now and then stall a CPU (chance per step, longest stall in steps; default max 2000), as a preempted vCPU')
    .option('--progress', 'print a progress line on stderr even when it is not a terminal')
    .option('--json', 'print the report as JSON')
    .option('--report <file>', 'also write the JSON report to this file (atomically)')
    .action(async (flags: RunFlags) => { process.exitCode = await runCommand(flags); });
  cli.command('check')
    .description('assemble a kernel model or .kasm files and report errors as file:line:col (exit 2), then walk every failure path of the error ladders and report each that leaks, keeps a lock or releases what it never took, with its kasm lines (exit 1; with no arguments, mutants do not count)')
    .argument('[model|path...]', 'kernel models, folders or .kasm files', [])
    .option('--list', 'print the kasm vocabulary (primitives and their effects)')
    .action((targets: string[], flags: { list?: boolean }) => { process.exitCode = checkCommand(targets, flags); });
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
    .action(async (flags: { kernel?: string; seed?: number; cpus?: number; forks?: number; times?: number; site?: string[]; driver?: 'step' | 'parallel'; json?: boolean }) => {
      if (flags.cpus !== undefined && flags.cpus < 1) throw new UsageError('--cpus must be at least 1');
      if (flags.forks !== undefined && flags.forks < 1) throw new UsageError('--forks must be at least 1');
      if (flags.times !== undefined && flags.times < 1) throw new UsageError('--times must be at least 1');
      const r = await enumerateFaults({ kernel: flags.kernel ?? 'v6.12-scx', seed: flags.seed, cpus: flags.cpus, forks: flags.forks, times: flags.times, sites: flags.site, driver: flags.driver });
      process.stdout.write((flags.json ? JSON.stringify(r, null, 2) : formatFaults(r)) + '\n');
      process.exitCode = r.verdict === 'clean' ? 0 : 1;
    });
  return cli;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (e) {
    const err = e as { code?: string; exitCode?: number; message?: string };
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
    if (err.code?.startsWith('commander.')) return 2; // commander printed the reason
    if (e instanceof KasmError || e instanceof ScenarioError || e instanceof UsageError || e instanceof FaultsError) {
      process.stderr.write(`forksim: ${(e as Error).message}\n`);
      return 2;
    }
    process.stderr.write(`forksim: ${(e as Error).stack ?? e}\n`);
    return 2;
  }
}

process.exitCode = await main(process.argv);
