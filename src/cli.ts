#!/usr/bin/env node
// forksim's command line. Exit status: 0 ran with no findings; 1 findings;
// 2 bad input or usage (one reason on stderr); 3 interrupted (SIGINT or
// SIGTERM) before the end, with nothing found in what ran — the report is
// still written, marked partial.
import { Command, Option } from 'commander';
import { ScenarioError } from './machine/scenario.js';
import type { Machine } from './machine/machine.js';
import { runScenario, buildMachine, kernelProgram } from './commands/run.js';
import { buildReport, collectFindings, formatReport, type RunReport } from './report/run.js';
import { KasmError, ModelError } from './kasm/index.js';
import { InputFileError } from './files.js';
import { checkCommand } from './commands/check.js';
import { enumerateFaults, FaultsError } from './commands/faults.js';
import { formatFaults } from './commands/faults-text.js';
import { replayCycles } from './commands/replay.js';
import { formatShow, formatDiff, ShowError } from './commands/show.js';
import { ExploreError } from './commands/explore.js';
import { traceText } from './trace/chrome.js';
import { traceRecorded, TRACE_STEPS } from './trace/run.js';
import { onInterrupt } from './cli/signals.js';
import { EXIT, UsageError, contextOptions, int, num, parseFail, scenarioFrom, type RunFlags } from './cli/flags.js';
import { addExploreCommands } from './cli/explore.js';
import { addBenchCommand } from './cli/bench.js';
import { BenchError } from './commands/bench.js';
import { HardwareError } from './machine/hardware.js';
import { checkReportPath, OutputError, quietOnClosedStdout, writeAtomically } from './cli/output.js';

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


export function program(): Command {
  const cli = new Command('forksim')
    .description('A multicore machine simulated in WebAssembly that runs the Linux fork path')
    .showHelpAfterError()
    .exitOverride();
  const run = cli.command('run')
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
    .option('--stop-on-finding', 'stop at the first finding')
    .option('--watchdog <ms>', 'parallel driver: a CPU without progress this long is hung (default: 2000)', int('--watchdog'))
    .option('--max-steps <n>', 'step driver: stop after this many steps', int('--max-steps'))
    .option('--stall <rate[:max]>', 'step driver: now and then stall a CPU (chance per step, longest stall in steps; default max 2000), as a preempted vCPU')
    .option('-m, --machine <name|file>', 'the timed model: simulate this hardware (machines/: host, desktop-8c, server-2s-64c, single-128c, or a file), CPUs stepped in time order; rates and lock_stat in simulated time')
    .option('--sim-time <seconds>', 'with --machine: simulated seconds to run (default: 0.01)', num('--sim-time'));
  contextOptions(run)
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
  addExploreCommands(cli);
  addBenchCommand(cli);
  return cli;
  return cli;
}

/** The errors a user causes: one line (or one per kasm error), no stack. */
const userError = (e: unknown): boolean => [KasmError, ModelError, ScenarioError, UsageError, FaultsError, InputFileError, OutputError, ShowError, ExploreError, BenchError, HardwareError].some((c) => e instanceof c);

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
