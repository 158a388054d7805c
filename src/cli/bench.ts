// `forksim bench`: a CPU-count sweep of kernel models under the timed
// model, as a markdown table (default), JSON (--json) and a self-contained
// HTML report (--html FILE).
import type { Command } from 'commander';
import { bench, BENCH_DEFAULTS } from '../commands/bench.js';
import { listHardware } from '../machine/hardware.js';
import { renderScalingMarkdown } from '../report/scaling-md.js';
import { onInterrupt } from './signals.js';
import { checkReportPath, writeAtomically } from './output.js';
import { EXIT, UsageError, int, num, keyValues } from './flags.js';

interface BenchFlags {
  kernel: string[]; cpus?: string; machine: string; seed: number; warmup: number; window: number; weights?: string; tasksPerCpu: number; repeat: number;
  json?: boolean; html?: string; out?: string; progress?: boolean;
}

const collect = (v: string, acc: string[]): string[] => [...acc, v];

function cpuList(text: string): number[] {
  const list = text.split(',').map((x) => x.trim());
  if (!list.every((x) => /^\d{1,3}$/.test(x) && Number(x) >= 1)) throw new UsageError(`--cpus: '${text.slice(0, 60)}' is not a list of CPU counts (1,2,4,...)`);
  return [...new Set(list.map(Number))].sort((a, b) => a - b);
}

async function benchCommand(flags: BenchFlags, argv: string[]): Promise<number> {
  const cpus = cpuList(flags.cpus ?? '1,2,4,8,16,32,64');
  if (flags.window <= 0 || flags.window > 1 || flags.warmup < 0 || flags.warmup > 1) throw new UsageError('--window must be in (0, 1] and --warmup in [0, 1] simulated seconds');
  if (flags.repeat < 1 || flags.repeat > 100) throw new UsageError('--repeat must be 1..100');
  for (const f of [flags.html, flags.out]) if (f) checkReportPath(f);
  const weights = flags.weights ? Object.fromEntries(Object.entries(keyValues(flags.weights, '--weights')).map(([k, v]) => [k, Number(v)])) : {};
  const kernels = flags.kernel.length ? flags.kernel : ['v6.10-patched'];
  const signals = onInterrupt('the sweep');
  const tty = process.stderr.isTTY || flags.progress;
  const started = Date.now();
  try {
    const { report, partial } = await bench({
      kernels, cpus, machine: flags.machine, seed: flags.seed, warmup: flags.warmup, window: flags.window, weights, tasksPerCpu: flags.tasksPerCpu, repeat: flags.repeat,
      command: ['forksim', ...argv].join(' '),
    }, {
      interrupted: () => signals.interrupted,
      progress: tty ? (done, total, p) => {
        const s = (Date.now() - started) / 1000;
        process.stderr.write(`\r${done}/${total} points (${(done / Math.max(s, 1e-3)).toFixed(1)}/s): ${p.kernel} at ${p.cpus} CPUs ${Math.round(p.forksPerSec).toLocaleString('en-US')} forks/s${p.ceiling ? `, ceiling ${p.ceiling.lock}` : ''}; findings ${p.findings}\x1b[K`);
        if (done === total) process.stderr.write('\n');
      } : undefined,
    });
    if (flags.html) {
      const { renderScalingHtml } = await import('../report/scaling-html.js'); // Vega loads only when a page is asked for
      writeAtomically(flags.html, await renderScalingHtml(report));
    }
    if (flags.out) writeAtomically(flags.out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderScalingMarkdown(report));
    if (partial) {
      process.stderr.write(`forksim: interrupted: the report holds the ${report.points.length} points measured\n`);
      return EXIT.partial;
    }
    return report.points.some((p) => p.findings > 0) ? EXIT.findings : EXIT.clean;
  } finally {
    signals.dispose();
  }
}

export function addBenchCommand(cli: Command): void {
  cli.command('bench')
    .description('predict fork throughput on N cores: kernel models across a CPU-count sweep on a machine file\'s hardware, in simulated time (timed model); markdown, --json, --html')
    .option('-k, --kernel <model|dir>', 'a kernel model to measure (repeatable; default: v6.10-patched)', collect, [])
    .option('-c, --cpus <list>', 'CPU counts (default: 1,2,4,8,16,32,64)')
    .option('-m, --machine <name|file>', `the hardware (${listHardware().join(', ')}, or a file; default: server-2s-64c)`, 'server-2s-64c')
    .option('-s, --seed <n>', 'seed (default: 1)', int('--seed'), BENCH_DEFAULTS.seed)
    .option('--warmup <seconds>', `simulated seconds before each point's window (default: ${BENCH_DEFAULTS.warmup})`, num('--warmup'), BENCH_DEFAULTS.warmup)
    .option('--window <seconds>', `simulated seconds measured per point (default: ${BENCH_DEFAULTS.window})`, num('--window'), BENCH_DEFAULTS.window)
    .option('-r, --repeat <n>', `runs per point, seeds seed, seed+1, …, taken together (default: ${BENCH_DEFAULTS.repeat})`, int('--repeat'), BENCH_DEFAULTS.repeat)
    .option('-w, --weights <k=v,...>', "workload weights by action (default: the model's own mix)")
    .option('--tasks-per-cpu <n>', `live tasks the workload keeps per CPU (default: ${BENCH_DEFAULTS.tasksPerCpu})`, int('--tasks-per-cpu'), BENCH_DEFAULTS.tasksPerCpu)
    .option('--json', 'print the data as JSON instead of the markdown table')
    .option('--html <file>', 'write the self-contained HTML report (scaling curves, ceilings, lock_stat per point)')
    .option('--out <file>', 'write the JSON data to this file too')
    .option('--progress', 'print progress on stderr even when it is not a terminal')
    .action(async (flags: BenchFlags, cmd: Command) => { process.exitCode = await benchCommand(flags, cmd.parent ? process.argv.slice(2) : []); });
}
