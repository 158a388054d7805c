// A scaling sweep as a markdown summary: the machine, the scenario's command,
// and one row per (kernel, CPU count). The number formats here are shared
// with the HTML page (scaling-html.ts) so both read the same.
import type { ScalingPoint, ScalingReport } from '../analysis/scaling.js';

/** A count or a rate: 12,345 below a million, 1.23 M from there. */
export function fmtCount(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  return Math.round(x).toLocaleString('en-US');
}

/** A share of 0..1 as a percentage: 41.2%, 0.31%, 0%. */
export function fmtShare(x: number | null): string {
  if (x === null) return '—';
  const pct = x * 100;
  return `${pct === 0 ? '0' : Math.abs(pct) < 1 ? pct.toFixed(2) : pct.toFixed(1)}%`;
}

/** A ratio such as efficiency: 0.87. */
export const fmtRatio = (x: number): string => x.toFixed(2);

/** Seconds of simulated time: 20 ms, 5 ms, 1.5 s. */
export function fmtSeconds(s: number): string {
  if (s >= 1) return `${+s.toFixed(3)} s`;
  if (s >= 1e-3) return `${+(s * 1e3).toFixed(3)} ms`;
  return `${+(s * 1e6).toFixed(3)} µs`;
}

/** The machine in one line: name (2 sockets × 32 cores × 1 thread, 3 GHz). */
export function machineLine(r: ScalingReport): string {
  const m = r.machine;
  return `${m.name} — ${m.description} (${m.sockets} sockets × ${m.coresPerSocket} cores × ${m.threadsPerCore} threads/core, ${m.ghz} GHz; ${m.file})`;
}

/** The points in report order: kernels as listed, then by CPU count. Kernels
 *  the points name but the list lacks come last. */
export function orderedPoints(r: ScalingReport): ScalingPoint[] {
  const rank = (k: string): number => { const i = r.kernels.indexOf(k); return i < 0 ? r.kernels.length : i; };
  return [...r.points].sort((a, b) => rank(a.kernel) - rank(b.kernel) || a.kernel.localeCompare(b.kernel) || a.cpus - b.cpus);
}

/** Text made inert for a markdown table cell: no markup, no column break. */
export function mdText(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/([\\`*[\]|#~])/g, '\\$1')
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_'); // an underscore inside a word (tasklist_lock) emphasises nothing
}

export function renderScalingMarkdown(r: ScalingReport): string {
  const out: string[] = [];
  out.push(`# forksim bench: ${mdText(r.machine.name)}`, '');
  out.push(`**Machine:** ${mdText(machineLine(r))}`, '');
  out.push(`**Scenario:** kernels ${r.kernels.map(mdText).join(', ') || '—'}; CPUs ${r.cpus.join(', ') || '—'}; seed ${r.seed}${r.repeat > 1 ? ` (${r.repeat} runs per point: seeds ${r.seed}–${r.seed + r.repeat - 1})` : ''}; ` +
    `warm-up ${fmtSeconds(r.warmupSeconds)}, window ${fmtSeconds(r.windowSeconds)} of simulated time; generated ${mdText(r.generated)}`, '');
  const weights = Object.entries(r.workload);
  if (weights.length) out.push(`**Workload:** ${weights.map(([k, v]) => `${mdText(k)}=${v}`).join(', ')}`, '');
  const fence = '`'.repeat(Math.max(3, ...(r.command.match(/`+/g) ?? []).map((m) => m.length + 1)));
  out.push('Reproduce:', '', `${fence}sh`, r.command, fence, '');
  if (!r.points.length) {
    out.push('No points: the sweep measured nothing.', '');
  } else {
    out.push('| kernel | CPUs | forks/s | runs: min–max | threads/s | exits/s | efficiency | utilisation | ceiling lock | wait share | its longest section | findings |');
    out.push('|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---:|');
    for (const p of orderedPoints(r)) {
      const c = p.ceiling;
      out.push(`| ${mdText(p.kernel)} | ${p.cpus} | ${fmtCount(p.forksPerSec)} | ${p.runs > 1 ? `${fmtCount(p.forksPerSecMin)}–${fmtCount(p.forksPerSecMax)}` : '—'} | ${fmtCount(p.threadsPerSec)} | ${fmtCount(p.exitsPerSec)} | ` +
        `${fmtRatio(p.efficiency)} | ${fmtShare(p.utilisation)} | ${c ? `${mdText(c.lock)} (${c.mode})` : '—'} | ${c ? fmtShare(c.waitShare) : '—'} | ` +
        `${c?.site ? `${mdText(c.site.routine)}() ${mdText(c.site.at.replace(/^.*\//, ''))}, ${fmtCount(c.site.holdNsPerFork)} ns/fork` : '—'} | ${p.findings} |`);
    }
    out.push('');
    out.push('Rates per simulated second, over every run\'s window taken together; min–max: the runs\' own fork rates. Efficiency: forks/s ÷ (CPUs × the kernel\'s per-CPU rate at its smallest CPU count). ' +
      'Ceiling: the lock CPUs wait for most, and the share of all CPU time spent waiting for it; its longest section: the lock instruction whose exclusive holds of it take the most time, per fork.', '');
  }
  if (r.uncosted.length) out.push(`**Uncosted primitives** (charged as one micro-op): ${r.uncosted.map(mdText).join(', ')}`, '');
  return out.join('\n');
}
