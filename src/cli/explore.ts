// The exploration commands: explore (a strategy over a scenario's
// schedules), replay (a token, exactly) and merge (shards combined).
import { Option, type Command } from 'commander';
import { MAX_PROGRAM_CPUS } from '../machine/scenario.js';
import { buildMachine } from '../commands/run.js';
import { explore } from '../explore/campaign.js';
import { STRATEGIES } from '../explore/strategy.js';
import { formatExplore, formatReplay, mergeResults, readScheduleFile, replayToken, traceDefault, traceToken, type ScheduleFile } from '../commands/explore.js';
import { traceText } from '../trace/chrome.js';
import { onInterrupt } from './signals.js';
import { checkReportPath, writeAtomically } from './output.js';
import { EXIT, UsageError, contextOptions, int, num, parseFail, scenarioFile, scenarioFrom, type RunFlags } from './flags.js';

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
  const base = scenarioFile(flags);
  const closed = programs ?? (base.programs as string[][] | undefined);
  // Unless the flags or the file say otherwise: a closed scenario has as
  // many CPUs as programs and no fork limit; a small task table.
  const given = (k: string): number | undefined => (typeof base[k] === 'number' ? base[k] as number : undefined);
  const scenario = scenarioFrom({
    ...flags, driver: 'step', cpus: flags.cpus ?? given('cpus') ?? (closed ? closed.length : 2), tasks: flags.tasks ?? given('tasks') ?? 64,
    forks: flags.forks ?? given('forks') ?? (closed ? 0 : 20), programs,
  }, base);
  let shard: { index: number; count: number } | undefined;
  if (flags.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(flags.shard);
    if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new UsageError(`--shard: '${flags.shard.slice(0, 40)}' is not I/N with 0 <= I < N`);
    shard = { index: Number(m[1]), count: Number(m[2]) };
  }
  if (flags.depth !== undefined && (flags.depth < 1 || flags.depth > 64)) throw new UsageError('--depth must be 1..64 (the bug depth: 1 + the priority change points)');
  if (flags.steps !== undefined && flags.steps < 1) throw new UsageError('--steps must be at least 1');
  if (flags.maxPoints !== undefined && flags.maxPoints < 1) throw new UsageError('--max-points must be at least 1');
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

/** explore, replay and merge, on the program's command line. */
export function addExploreCommands(cli: Command): void {
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
  ex.option('--cpu0 <syscalls>', `a closed scenario: what CPU 0 runs, as syscalls in order (fork,exit,wait,kill,yield or the model's actions); --cpu1 ... --cpu${MAX_PROGRAM_CPUS - 1} likewise`);
  for (let c = 1; c < MAX_PROGRAM_CPUS; c++) ex.addOption(new Option(`--cpu${c} <syscalls>`).hideHelp());
  ex.option('--scenario <file>', 'scenario file (YAML or JSON; `programs` gives a closed scenario); flags override its fields')
    .option('-k, --kernel <model|dir>', 'kernel model or folder of .kasm files (default: v6.12-scx)')
    .option('-c, --cpus <n>', 'simulated CPUs (default: one per program; open workloads 2)', int('--cpus'))
    .option('--tasks <n>', 'task slots (default: 64)', int('--tasks'))
    .option('-n, --forks <n>', 'open workloads: fork attempts per schedule (default: 20)', int('--forks'))
    .option('-s, --seed <n>', 'seed (default: 1)', int('--seed'))
    .option('-w, --weights <k=v,...>', 'open workloads: workload weights by action')
    .option('-p, --param <k=v,...>', "the model's params")
    .option('-f, --fail <site[:knob=v,...]>', 'a fault plan: fail a site (nth=N: its Nth pass) (repeatable)', parseFail);
  contextOptions(ex)
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
}
