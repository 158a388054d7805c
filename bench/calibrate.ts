// Calibration of the timed model against the real kernel on this host: the
// real fork+exit+wait, vfork+exit+wait and thread create+join rates
// (hostrates.c) at 1 CPU fix the host machine file's primitive costs — their
// common scale from vfork and threads (least squares), then copy_mm's work
// from forks — and the simulated rates at more CPUs are then predictions,
// printed next to what the real kernel does there.
//
//   node dist/bench/calibrate.js [--workers 1,2] [--seconds 0.5] [--repeat 5] [--machine host] [--write]
//
// --write puts the fitted primitiveScale and copy_mm cost into the machine
// file (machines/host.yaml), keeping its comments.
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { loadHardware, type Hardware } from '../src/machine/hardware.js';
import { COST_SWITCH } from '../assembly/layout.js';
import { kernelProgram } from '../src/commands/run.js';
import { benchPoint, type BenchOptions } from '../src/commands/bench.js';
import { measureHostRates, type HostRates } from './hostrates.js';
import { PACKAGE_ROOT } from '../src/paths.js';

export type Kind = 'fork' | 'vfork' | 'thread';
export const KINDS: Kind[] = ['fork', 'vfork', 'thread'];
const KERNEL = 'v6.10-patched';

/** The workload of each cycle: that clone, the exit, the wait; nothing else. */
function weights(kind: Kind): Record<string, number> {
  const w: Record<string, number> = {};
  for (const a of kernelProgram(KERNEL).actions) if (!a.first && a.name !== 'schedule') w[a.name] = 0;
  for (const name of ['fork', 'exit', 'wait', 'kill', 'yield', 'load_balance']) w[name] = 0;
  w.exit = 1;
  if (kind === 'fork') { w.fork = 1; w.wait = 1; }
  if (kind === 'vfork') { w.vfork = 1; w.wait = 1; }
  if (kind === 'thread') w.clone_thread = 1; // a thread releases itself at exit; pthread_join() is a futex wait (not modelled)
  return w;
}

/** Simulated cycles per second of `kind` on `cpus` CPUs of `hw`. */
export async function simRate(hw: Hardware, kind: Kind, cpus: number, seconds = 0.05): Promise<number> {
  // One forking task per CPU, as one hostrates worker per CPU.
  const o: BenchOptions = { kernels: [KERNEL], cpus: [cpus], machine: hw.name, seed: 1, warmup: seconds / 10, window: seconds, weights: weights(kind), tasksPerCpu: 1, repeat: 1, command: '' };
  const p = await benchPoint(o, hw, KERNEL, cpus, { interrupted: () => false });
  if (p === 'interrupted') throw new Error('interrupted');
  return kind === 'fork' ? p.forksPerSec : kind === 'vfork' ? p.vforksPerSec : p.threadsPerSec;
}

/** The machine file's primitive costs with its own primitiveScale taken out: what a scale multiplies. */
function unscaled(file: Hardware): Hardware['primitives'] {
  const k = file.primitiveScale;
  return new Map([...file.primitives].map(([name, v]) => [name, { ...v, ps: v.ps / k, elsePs: v.elsePs === undefined ? undefined : v.elsePs / k }]));
}

/** What calibration sets: the scale of every primitive's work and copy_mm's
 *  own work (before the scale; dup_mm() is most of a fork). The machine's
 *  other costs (a context switch, a syscall) stay as the file says. */
export interface Params { scale: number; copyMmPs: number }

/** `file` with the fitted costs in place of its own. */
export function withParams(file: Hardware, p: Params): Hardware {
  const primitives = new Map([...unscaled(file)].map(([name, v]) => [name, { ...v, ps: Math.round((name === 'copy_mm' ? p.copyMmPs : v.ps) * p.scale), elsePs: v.elsePs === undefined ? undefined : Math.round(v.elsePs * p.scale) }]));
  return { ...file, primitives };
}

export interface Fit extends Params { rates: Record<Kind, number> }

/** Fit the primitives' costs so that the simulated 1-CPU rates are the
 *  measured ones: their common scale from the vfork and thread cycles
 *  (least squares), then copy_mm's own work from the fork cycle (exact).
 *  A cycle's period (1 / rate) is linear in each, so two runs give each
 *  line; a second pass starts from the first one's answer. The machine's
 *  other costs (a context switch, a syscall) stay as the file says. */
export async function fit(file: Hardware, measured: Record<Kind, number>): Promise<Fit> {
  const mm = unscaled(file).get('copy_mm')?.ps ?? 0;
  if (mm <= 0) throw new Error(`${file.file}: no copy_mm cost to fit`);
  const period = async (p: Params, k: Kind): Promise<number> => 1 / await simRate(withParams(file, p), k, 1);
  let p: Params = { scale: file.primitiveScale, copyMmPs: mm };
  for (let pass = 0; pass < 2; pass++) {
    let num = 0, den = 0;
    for (const k of ['vfork', 'thread'] as const) {
      const p1 = await period(p, k), p2 = await period({ ...p, scale: p.scale * 2 }, k);
      const b = (p2 - p1) / p.scale, a = p1 - b * p.scale; // period = a + b·scale
      num += b * (1 / measured[k] - a);
      den += b * b;
    }
    p = { ...p, scale: Math.max(0.01, num / den) };
    const f1 = await period(p, 'fork'), f2 = await period({ ...p, copyMmPs: p.copyMmPs * 2 }, 'fork');
    const d = (f2 - f1) / p.copyMmPs, c = f1 - d * p.copyMmPs; // period = c + d·copy_mm
    p = { ...p, copyMmPs: Math.max(1000, (1 / measured.fork - c) / d) };
  }
  const fitted = withParams(file, p);
  const rates = { fork: await simRate(fitted, 'fork', 1), vfork: await simRate(fitted, 'vfork', 1), thread: await simRate(fitted, 'thread', 1) };
  return { ...p, rates };
}

const abs = (file: string): string => (file.startsWith('/') ? file : `${PACKAGE_ROOT}/${file}`);

/** Put the fit into the machine file, keeping everything else as written. */
export function writeFit(file: string, f: Fit, host: HostRates): void {
  const text = readFileSync(abs(file), 'utf8');
  const where = `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${availableParallelism()} CPUs, Linux ${host.kernel ?? '?'}; calibrated ${new Date().toISOString().slice(0, 10)}`;
  const us = (ps: number): string => `${(ps / 1e6).toFixed(1)}us`; // copy_mm's cost as written: before the scale
  const out = text.replace(/^description:.*$/m, `description: ${JSON.stringify(`This host: ${where}`)}`)
    .replace(/^primitiveScale:\s*[\d.]+/m, `primitiveScale: ${f.scale.toFixed(3)}`)
    .replace(/(^  copy_mm:[^\n]*\n\s+cost:\s*)[\d.]+\s*us/m, `$1${us(f.copyMmPs)}`);
  if (out === text && !/primitiveScale/.test(text)) throw new Error(`${file}: no primitiveScale line to write the fit into`);
  writeFileSync(abs(file), out);
}

export interface Calibration {
  machine: string;
  fit: Fit;
  rows: { kind: Kind; workers: number; measured: number; spread: [number, number]; predicted: number; errorPct: number }[];
  host: HostRates;
}

export async function calibrate(opts: { machine: string; workers: number[]; seconds: number; repeats: number }): Promise<Calibration | { skipped: string }> {
  const host = measureHostRates({ workers: opts.workers, seconds: opts.seconds, repeats: opts.repeats });
  if (!host.available) return { skipped: host.note };
  const rate = (kind: Kind, workers: number) => {
    const p = host.points?.find((x) => x.workers === workers);
    if (!p) throw new Error(`no measurement at ${workers} workers`);
    return p[kind];
  };
  const file = loadHardware(opts.machine);
  const f = await fit(file, { fork: rate('fork', 1).median, vfork: rate('vfork', 1).median, thread: rate('thread', 1).median });
  const model = withParams(file, f);
  const rows: Calibration['rows'] = [];
  for (const workers of opts.workers) {
    for (const kind of KINDS) {
      const m = rate(kind, workers);
      const predicted = workers === 1 ? f.rates[kind] : await simRate({ ...model, coresPerSocket: Math.max(model.coresPerSocket, workers), coresPerLlc: Math.max(model.coresPerLlc, workers) }, kind, workers);
      rows.push({ kind, workers, measured: m.median, spread: [m.min, m.max], predicted, errorPct: (100 * (predicted - m.median)) / m.median });
    }
  }
  return { machine: opts.machine, fit: f, rows, host };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const cli = new Command('calibrate')
    .option('--workers <list>', 'CPU counts to measure and predict (the fit uses 1)', '1,2')
    .option('--seconds <s>', 'wall seconds per measurement', '0.5')
    .option('--repeat <n>', 'measurements per point (median and spread)', '5')
    .option('--machine <name|file>', 'the machine file to fit', 'host')
    .option('--write', 'write the fit into the machine file')
    .option('--json', 'print the result as JSON');
  cli.parse();
  const o = cli.opts<{ workers: string; seconds: string; repeat: string; machine: string; write?: boolean; json?: boolean }>();
  const workers = o.workers.split(',').map(Number);
  if (!workers.every((w) => Number.isInteger(w) && w >= 1 && w <= availableParallelism()) || !workers.includes(1)) {
    console.error(`calibrate: --workers must list CPU counts from 1 to ${availableParallelism()}, 1 among them (the fit)`);
    process.exit(2);
  }
  const r = await calibrate({ machine: o.machine, workers, seconds: Number(o.seconds), repeats: Number(o.repeat) });
  if ('skipped' in r) {
    console.log(`calibration skipped: ${r.skipped}`);
    process.exit(0);
  }
  if (o.write) writeFit(loadHardware(o.machine).file, r.fit, r.host);
  if (o.json) console.log(JSON.stringify(r, null, 2));
  else {
    const n = (x: number): string => Math.round(x).toLocaleString('en-US');
    console.log(`fit (1 CPU): primitiveScale ${r.fit.scale.toFixed(3)}, copy_mm ${(r.fit.copyMmPs / 1e6).toFixed(1)} us before the scale, contextSwitch ${(loadHardware(o.machine).costs[COST_SWITCH] / 1e6).toFixed(2)} us as the file says (${r.host.kernel}, parent RSS ${r.host.rssKiB} KiB)${o.write ? ` — written to ${loadHardware(o.machine).file}` : ''}`);
    console.log('');
    console.log('| cycle | CPUs | measured /s (min–max) | predicted /s | error |');
    console.log('|---|---|---|---|---|');
    for (const row of r.rows) console.log(`| ${row.kind} | ${row.workers} | ${n(row.measured)} (${n(row.spread[0])}–${n(row.spread[1])}) | ${n(row.predicted)} | ${row.errorPct >= 0 ? '+' : ''}${row.errorPct.toFixed(1)}% |`);
  }
}
