// Shared pieces of the benchmarks: the host description, machines built from
// a model or inline kasm, number formatting, markdown tables and the SVG
// scaling chart. Read-only with respect to the simulator: everything goes
// through the same exports and layout the drivers use.
import { cpus as osCpus, availableParallelism, totalmem, platform, release, arch } from 'node:os';
import { assemble, declarationsOf, type Program } from '../src/kasm/index.js';
import { Machine } from '../src/machine/machine.js';
import { parseScenario, type ScenarioInput } from '../src/machine/scenario.js';
import { kernelProgram, checkScenario } from '../src/commands/run.js';

export interface HostInfo {
  node: string;
  v8: string;
  cpuModel: string;
  cores: number;
  totalMemGiB: number;
  os: string;
}

export function hostInfo(): HostInfo {
  const c = osCpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    cpuModel: c[0]?.model?.trim() || 'unknown',
    cores: availableParallelism(),
    totalMemGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()} ${arch()}`,
  };
}

export function hostLine(h: HostInfo): string {
  return `Node ${h.node} (V8 ${h.v8}) on ${h.cpuModel}, ${h.cores} core${h.cores === 1 ? '' : 's'}, ${h.totalMemGiB} GiB, ${h.os}`;
}

/** Weights with every action of a kernel off except the ones given. */
export function onlyWeights(kernel: string | Program, w: Partial<Record<'fork' | 'exit' | 'wait' | 'kill' | 'yield', number>>): ScenarioInput['weights'] {
  const p = typeof kernel === 'string' ? kernelProgram(kernel) : kernel;
  const off = Object.fromEntries(p.actions.filter((a) => a.name !== 'schedule').map((a) => [a.name, 0]));
  return { ...off, ...w };
}

/** A kernel from inline kasm in v6.10's vocabulary: `body` plus stubs for
 *  every routine it leaves out (the same construction as test/helpers.ts). */
export function kasm(body: string): Program {
  const stubs = ['sys_fork', 'sys_exit', 'sys_wait', 'sys_kill', 'sys_sched_yield', 'schedule']
    .filter((r) => !new RegExp(`routine \\w+ ${r}\\b`).test(body))
    .map((r) => `routine void ${r}\n    return\n`);
  return assemble([...declarationsOf('v6.10'), { path: 'bench.kasm', text: `${body}\n${stubs.join('\n')}` }]);
}

/** A booted machine from a model name or an assembled program. */
export function machine(kernel: string | Program, input: ScenarioInput = {}): Machine {
  const scenario = parseScenario({ kernel: typeof kernel === 'string' ? kernel : 'inline', ...input });
  const program = typeof kernel === 'string' ? kernelProgram(kernel) : kernel;
  checkScenario(program, scenario);
  return Machine.create(program, scenario);
}

export const never = { interrupted: (): boolean => false };

// ---- numbers -------------------------------------------------------------

export function fmt(x: number | null | undefined, digits = 0): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Three significant digits, thousands separated. */
export function sig(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  return fmt(x, digits);
}

export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return a / b;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function table(head: string[], rows: string[][], align: ('l' | 'r')[] = []): string {
  const sep = head.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  const line = (cells: string[]): string => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(head), `|${sep.join('|')}|`, ...rows.map(line)].join('\n');
}

// ---- the scaling chart ---------------------------------------------------

export interface Series { name: string; color: string; points: [number, number][]; dashed?: boolean }

/** A small line chart, log2 x axis (CPU counts), linear y axis from 0. */
export function scalingSvg(title: string, xLabel: string, yLabel: string, series: Series[]): string {
  const W = 640, H = 400, L = 90, R = 170, T = 40, B = 50;
  const pts = series.flatMap((s) => s.points);
  const xs = [...new Set(pts.map((p) => p[0]))].sort((a, b) => a - b);
  const lx = (x: number): number => Math.log2(x);
  const x0 = lx(xs[0] ?? 1), x1 = Math.max(lx(xs[xs.length - 1] ?? 2), x0 + 1);
  const yMax = niceCeil(Math.max(1, ...pts.map((p) => p[1])));
  const px = (x: number): number => L + ((lx(x) - x0) / (x1 - x0)) * (W - L - R);
  const py = (y: number): number => T + (1 - y / yMax) * (H - T - B);
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`);
  for (let i = 0; i <= 5; i++) {
    const y = (yMax * i) / 5;
    out.push(`<line x1="${L}" x2="${W - R}" y1="${py(y).toFixed(1)}" y2="${py(y).toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${L - 6}" y="${(py(y) + 4).toFixed(1)}" text-anchor="end">${esc(short(y))}</text>`);
  }
  for (const x of xs) {
    out.push(`<line x1="${px(x).toFixed(1)}" x2="${px(x).toFixed(1)}" y1="${T}" y2="${H - B}" stroke="#eee"/>`);
    out.push(`<text x="${px(x).toFixed(1)}" y="${H - B + 16}" text-anchor="middle">${x}</text>`);
  }
  out.push(`<line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="black"/><line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="black"/>`);
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">${esc(xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  series.forEach((s, i) => {
    const p = [...s.points].sort((a, b) => a[0] - b[0]);
    if (p.length) {
      const d = p.map(([x, y], k) => `${k ? 'L' : 'M'}${px(x).toFixed(1)},${py(Math.min(y, yMax)).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
      for (const [x, y] of p) out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(Math.min(y, yMax)).toFixed(1)}" r="3.5" fill="${s.color}"><title>${esc(`${s.name}: ${x} → ${fmt(y)}`)}</title></circle>`);
    }
    const ly = T + 10 + i * 20;
    out.push(`<line x1="${W - R + 12}" x2="${W - R + 36}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    out.push(`<text x="${W - R + 42}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function short(v: number): string {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (v >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(1)}`;
}
