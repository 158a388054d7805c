// A scaling sweep as one self-contained HTML page: the machine and scenario,
// three charts drawn as inline SVG here in Node (Vega-Lite compiled to Vega,
// rendered headless by Vega's SVG string renderer; no DOM, no script in the
// page), a table with a row per point, and each point's lock_stat. Every string from the
// report is escaped: kernel names and the command are user input.
//
// The DOM a test (or a reader's tools) can rely on:
//   svg[data-chart="throughput" | "efficiency" | "ceiling"]  each chart's root
//   .mark-line path[aria-label="<kernel>"]                    a kernel's series
//   .mark-line path[aria-label="<kernel> — linear"]           its linear reference (throughput)
//   text elements with the axis titles (LABELS below)
import { compile, type TopLevelSpec } from 'vega-lite';
import { parse, View, Warn } from 'vega';
import type { ScalingPoint, ScalingReport, TimedLockStat } from '../analysis/scaling.js';
import { fmtCount, fmtRatio, fmtSeconds, fmtShare, orderedPoints } from './scaling-md.js';

export type ChartId = 'throughput' | 'efficiency' | 'ceiling';

/** The axis titles of each chart, as the page writes them. */
export const LABELS: Record<ChartId, { x: string; y: string }> = {
  throughput: { x: 'simulated CPUs', y: 'forks per simulated second' },
  efficiency: { x: 'simulated CPUs', y: 'efficiency (forks/s ÷ linear scaling)' },
  ceiling: { x: 'simulated CPUs', y: 'CPU time waiting on the ceiling lock' },
};

/** The aria-label of a kernel's linear reference series. */
export const linearLabel = (kernel: string): string => `${kernel} — linear`;

const esc = (s: string | number): string =>
  String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Kernels in the report's order, then any the points name that the list lacks. */
function kernelsOf(r: ScalingReport): string[] {
  const ks = [...r.kernels];
  for (const p of r.points) if (!ks.includes(p.kernel)) ks.push(p.kernel);
  return ks;
}

/** The measured series and, per kernel, the linear reference: its smallest
 *  CPU count's per-CPU rate times the CPU count. */
function throughputRows(r: ScalingReport): Record<string, string | number>[] {
  const rows: Record<string, string | number>[] = [];
  const byKernel = new Map<string, ScalingPoint[]>();
  for (const p of orderedPoints(r)) byKernel.set(p.kernel, [...(byKernel.get(p.kernel) ?? []), p]);
  for (const [kernel, ps] of byKernel) {
    const perCpu = ps[0].forksPerSec / ps[0].cpus;
    for (const p of ps) {
      rows.push({ kernel, series: 'measured', label: kernel, cpus: p.cpus, value: p.forksPerSec, desc: `${kernel}, ${p.cpus} CPUs: ${fmtCount(p.forksPerSec)} forks/s` });
      rows.push({ kernel, series: 'linear', label: linearLabel(kernel), cpus: p.cpus, value: perCpu * p.cpus, desc: `${linearLabel(kernel)}, ${p.cpus} CPUs: ${fmtCount(perCpu * p.cpus)} forks/s` });
    }
  }
  return rows;
}

/** Settings every chart shares: the log-2 CPU axis, the kernel colours, the legend below. */
function common(r: ScalingReport, id: ChartId) {
  const cpus = [...new Set(r.points.map((p) => p.cpus))].sort((a, b) => a - b);
  const lo = cpus[0], hi = cpus[cpus.length - 1];
  const x = {
    field: 'cpus', type: 'quantitative' as const, title: LABELS[id].x,
    scale: { type: 'log' as const, base: 2, domain: lo === hi ? [lo / 2, hi * 2] : [lo, hi], nice: false },
    axis: { values: cpus, format: 'd', grid: true },
  };
  const color = { field: 'kernel', type: 'nominal' as const, title: 'kernel', scale: { domain: kernelsOf(r) }, legend: { symbolType: 'stroke', symbolStrokeWidth: 3 } };
  const config = {
    font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 600 as const },
    legend: { orient: 'bottom' as const, direction: 'vertical' as const, labelLimit: 0, labelFontSize: 12, titleFontSize: 12, symbolStrokeWidth: 2.5, symbolSize: 120 },
    line: { strokeWidth: 2.5 },
    view: { stroke: '#ccc' },
  };
  return { x, color, config, width: 620, height: 320 };
}

/** Log-axis ticks on the 1-2-5 sequence within [lo, hi]. */
function ticks125(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) { const t = m * 10 ** e; if (t >= lo && t <= hi) out.push(t); }
  }
  return out;
}

function throughputSpec(r: ScalingReport): TopLevelSpec {
  const { x, color, config, width, height } = common(r, 'throughput');
  const rows = throughputRows(r);
  const logY = rows.every((d) => (d.value as number) > 0) && new Set(rows.map((d) => d.cpus)).size > 1;
  const values = rows.map((d) => d.value as number);
  const lo = Math.min(...values) / 1.25, hi = Math.max(...values) * 1.25;
  const y = {
    field: 'value', type: 'quantitative' as const, title: LABELS.throughput.y,
    scale: logY ? { type: 'log' as const, domain: [lo, hi], nice: false } : { zero: true },
    axis: logY ? { format: '~s', values: ticks125(lo, hi) } : { format: '~s' },
  };
  return {
    width, height, config, data: { values: rows },
    layer: [
      { mark: { type: 'line' }, encoding: { x, y, color, description: { field: 'label' },
        strokeDash: { field: 'series', type: 'nominal', title: 'series', scale: { domain: ['measured', 'linear'], range: [[1, 0], [6, 4]] } } } },
      { transform: [{ filter: { field: 'series', equal: 'measured' } }], mark: { type: 'point', filled: true, size: 50 },
        encoding: { x, y, color, description: { field: 'desc' } } },
    ],
  };
}

function efficiencySpec(r: ScalingReport): TopLevelSpec {
  const { x, color, config, width, height } = common(r, 'efficiency');
  const rows = orderedPoints(r).map((p) => ({ kernel: p.kernel, label: p.kernel, cpus: p.cpus, value: p.efficiency, desc: `${p.kernel}, ${p.cpus} CPUs: efficiency ${fmtRatio(p.efficiency)}` }));
  const top = Math.max(1, ...rows.map((d) => d.value));
  const y = { field: 'value', type: 'quantitative' as const, title: LABELS.efficiency.y, scale: { domain: [0, top] }, axis: { format: '.0%' } };
  return {
    width, height, config,
    layer: [
      { data: { values: [{ value: 1, label: 'linear scaling' }] }, mark: { type: 'rule', color: '#888', strokeDash: [6, 4], strokeWidth: 1.5 },
        encoding: { y: { field: 'value', type: 'quantitative' }, description: { field: 'label' } } },
      { data: { values: rows }, layer: [
        { mark: { type: 'line' }, encoding: { x, y, color, description: { field: 'label' } } },
        { mark: { type: 'point', filled: true, size: 50 }, encoding: { x, y, color, description: { field: 'desc' } } },
      ] },
    ],
  };
}

function ceilingSpec(r: ScalingReport): TopLevelSpec {
  const { x, color, config, width, height } = common(r, 'ceiling');
  const rows = orderedPoints(r).map((p) => {
    const lock = p.ceiling ? `${p.ceiling.lock} (${p.ceiling.mode})` : 'none (below 1%)';
    const value = p.ceiling?.waitShare ?? 0;
    return { kernel: p.kernel, label: p.kernel, cpus: p.cpus, value, lock, desc: `${p.kernel}, ${p.cpus} CPUs: ${lock}, ${fmtShare(value)} of CPU time waiting` };
  });
  const top = Math.max(0.05, ...rows.map((d) => d.value));
  const y = { field: 'value', type: 'quantitative' as const, title: LABELS.ceiling.y, scale: { domain: [0, Math.min(1, top * 1.1)] }, axis: { format: '.0%' } };
  return {
    width, height, config, data: { values: rows },
    layer: [
      { mark: { type: 'line' }, encoding: { x, y, color, description: { field: 'label' } } },
      { mark: { type: 'point', filled: true, size: 70 }, encoding: { x, y, color, description: { field: 'desc' },
        shape: { field: 'lock', type: 'nominal', title: 'ceiling lock' } } },
    ],
  };
}

/** One chart as inline SVG, its root marked `data-chart`. */
async function chartSvg(id: ChartId, title: string, spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none', logLevel: Warn });
  try {
    const svg = await view.toSVG();
    // Inline SVG in HTML needs no namespace declarations (and the page then names no URL at all).
    return svg.replace(/^<svg\b[^>]*>/, (tag) =>
      tag.replace(/\s+xmlns(?::xlink)?="[^"]*"/g, '').replace(/^<svg/, `<svg data-chart="${id}" role="graphics-document" aria-label="${esc(title)}"`));
  } finally {
    view.finalize();
  }
}

const CSS = `
  :root { color-scheme: light; }
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2330; margin: 2rem auto; max-width: 1180px; padding: 0 1.25rem; }
  h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #e3e6ec; padding-bottom: .2rem; }
  .sub { color: #5b6475; margin-top: 0; }
  dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .5rem 0; }
  dl.facts dt { color: #5b6475; } dl.facts dd { margin: 0; }
  pre { background: #f5f6f8; border: 1px solid #e3e6ec; border-radius: 4px; padding: .6rem .8rem; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
  figure { margin: 1.2rem 0; } figcaption { font-weight: 600; margin-bottom: .3rem; } figure p { color: #5b6475; margin: .2rem 0 0; max-width: 60rem; }
  figure svg { max-width: 100%; height: auto; }
  table { border-collapse: collapse; margin: .5rem 0; font-variant-numeric: tabular-nums; }
  th, td { padding: .25rem .6rem; border-bottom: 1px solid #e3e6ec; text-align: left; vertical-align: top; }
  th { background: #f5f6f8; font-weight: 600; position: sticky; top: 0; }
  td.num, th.num { text-align: right; white-space: nowrap; }
  tr.kernel th { background: #eef1f6; text-align: left; padding-top: .5rem; position: static; }
  td.bad { color: #b00020; font-weight: 600; }
  td code { white-space: nowrap; }
  table.lockstat { font-size: .93em; } table.lockstat th, table.lockstat td { padding: .2rem .45rem; white-space: nowrap; }
  details { margin: .3rem 0; } summary { cursor: pointer; }
  .scroll { overflow-x: auto; }
  code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .92em; }
`;

const num = (s: string): string => `<td class="num">${s}</td>`;
const nsFmt = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: 1 });

function pointsTable(r: ScalingReport): string {
  const head = ['CPUs', 'forks/s', 'runs: min–max', 'exits/s', 'threads/s', 'vforks/s', 'efficiency', 'utilisation', 'ceiling lock', 'wait share', 'hold share', 'bound forks/s', 'its longest section', 'findings'];
  const rows = orderedPoints(r).map((p, i, all) => {
    const c = p.ceiling;
    const group = i === 0 || all[i - 1].kernel !== p.kernel ? `<tr class="kernel"><th colspan="${head.length}"><code>${esc(p.kernel)}</code></th></tr>\n` : '';
    return `${group}<tr data-kernel="${esc(p.kernel)}" data-cpus="${p.cpus}">${num(String(p.cpus))}` +
      `${num(fmtCount(p.forksPerSec))}${num(p.runs > 1 ? `${fmtCount(p.forksPerSecMin)}–${fmtCount(p.forksPerSecMax)}` : '—')}${num(fmtCount(p.exitsPerSec))}${num(fmtCount(p.threadsPerSec))}${num(fmtCount(p.vforksPerSec))}` +
      `${num(fmtRatio(p.efficiency))}${num(fmtShare(p.utilisation))}` +
      `<td>${c ? `<code>${esc(c.lock)}</code> (${c.mode})` : '—'}</td>` +
      `${num(c ? fmtShare(c.waitShare) : '—')}${num(c ? fmtShare(c.holdShare) : '—')}${num(c?.boundForksPerSec != null ? fmtCount(c.boundForksPerSec) : '—')}` +
      `<td>${c?.site ? `<code>${esc(c.site.routine)}()</code> ${esc(c.site.at)}, ${fmtCount(c.site.holdNsPerFork)} ns/fork` : '—'}</td>` +
      `<td class="num${p.findings ? ' bad' : ''}">${p.findings}</td></tr>`;
  });
  return `<div class="scroll"><table class="points"><thead><tr>${head.map((h, i) => `<th${i === 8 || i === 12 ? '' : ' class="num"'}>${h}</th>`).join('')}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody></table></div>`;
}

function lockStatTable(rows: TimedLockStat[]): string {
  if (!rows.length) return '<p>No lock was taken.</p>';
  const head = ['class name', 'mode', 'contentions', 'wait total', 'wait max', 'wait avg', 'acquisitions', 'hold total', 'hold max', 'hold avg', 'bounces', 'wait share', 'hold share'];
  const body = rows.map((l) => `<tr><td><code>${esc(l.lock)}</code></td><td>${l.mode}</td>${num(fmtCount(l.contentions))}` +
    `${num(nsFmt(l.waitNsTotal))}${num(nsFmt(l.waitNsMax))}${num(nsFmt(l.waitNsAvg))}${num(fmtCount(l.acquisitions))}` +
    `${num(nsFmt(l.holdNsTotal))}${num(nsFmt(l.holdNsMax))}${num(nsFmt(l.holdNsAvg))}${num(fmtCount(l.bounces))}` +
    `${num(fmtShare(l.waitShare))}${num(fmtShare(l.holdShare))}</tr>`);
  return `<div class="scroll"><table class="lockstat"><thead><tr>${head.map((h, i) => `<th${i > 1 ? ' class="num"' : ''}>${h}</th>`).join('')}</tr></thead>\n<tbody>\n${body.join('\n')}\n</tbody></table></div>`;
}

function lockStatSection(r: ScalingReport): string {
  return orderedPoints(r).map((p) => {
    const c = p.ceiling;
    const n = p.perCpu.length || 1;
    const mean = (k: 'busy' | 'spin' | 'idle'): number => p.perCpu.reduce((a, x) => a + x[k], 0) / n;
    const summary = `<code>${esc(p.kernel)}</code> · ${p.cpus} CPUs — ${c ? `ceiling <code>${esc(c.lock)}</code> (${c.mode}), ${fmtShare(c.waitShare)} waiting` : 'no ceiling lock'}`;
    return `<details data-kernel="${esc(p.kernel)}" data-cpus="${p.cpus}"><summary>${summary}</summary>\n` +
      `<p>Window ${fmtSeconds(p.simSeconds)}: ${fmtCount(p.forks)} forks, ${fmtCount(p.threads)} threads, ${fmtCount(p.vforks)} vforks, ${fmtCount(p.exits)} exits; ` +
      `${fmtCount(p.steps)} micro-ops. CPU time (mean of ${p.perCpu.length}): busy ${fmtShare(mean('busy'))}, spinning ${fmtShare(mean('spin'))}, idle ${fmtShare(mean('idle'))}.` +
      `${c ? ` Ceiling hold per fork cycle ${nsFmt(c.holdNsPerFork)} ns.` : ''}</p>\n${lockStatTable(p.lockstat)}</details>`;
  }).join('\n');
}

/** The sweep as one HTML page (charts rendered here, as SVG; the page runs no script). */
export async function renderScalingHtml(r: ScalingReport): Promise<string> {
  const m = r.machine;
  const title = `forksim bench: fork scaling on ${m.name}`;
  const weights = Object.entries(r.workload);
  const facts = (pairs: [string, string][]): string => `<dl class="facts">${pairs.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
  const parts: string[] = [];
  parts.push(`<h1>${esc(title)}</h1>`, `<p class="sub">Generated ${esc(r.generated)}. Rates are per simulated second, under the timed model.</p>`);
  parts.push('<h2>Machine</h2>', facts([
    ['name', `<code>${esc(m.name)}</code>`],
    ['description', esc(m.description)],
    ['topology', `${esc(m.sockets)} sockets × ${esc(m.coresPerSocket)} cores/socket × ${esc(m.threadsPerCore)} threads/core = ${esc(m.sockets * m.coresPerSocket * m.threadsPerCore)} CPUs, ${esc(m.ghz)} GHz`],
    ['file', `<code>${esc(m.file)}</code>`],
  ]));
  parts.push('<h2>Scenario</h2>', facts([
    ['kernels', r.kernels.map((k) => `<code>${esc(k)}</code>`).join(', ') || '—'],
    ['CPU counts', esc(r.cpus.join(', ')) || '—'],
    ['seed', r.repeat > 1 ? `${esc(r.seed)} (${r.repeat} runs per point: seeds ${r.seed}–${r.seed + r.repeat - 1})` : esc(r.seed)],
    ['warm-up', `${esc(fmtSeconds(r.warmupSeconds))} of simulated time, before each point's window`],
    ['window', `${esc(fmtSeconds(r.windowSeconds))} of simulated time, measured`],
    ['workload', weights.length ? weights.map(([k, v]) => `<code>${esc(k)}</code>=${esc(v)}`).join(', ') : '—'],
    ['generated', esc(r.generated)],
  ]), `<p>Reproduce:</p><pre><code>${esc(r.command)}</code></pre>`);

  if (!r.points.length) {
    parts.push('<h2>Results</h2>', '<p class="empty">No points: the sweep measured nothing.</p>');
  } else {
    const charts: [ChartId, string, string, TopLevelSpec][] = [
      ['throughput', 'Forks per simulated second', 'Solid: measured. Dashed: linear scaling from the kernel\'s smallest CPU count (its per-CPU rate × CPUs). Both axes logarithmic.', throughputSpec(r)],
      ['efficiency', 'Scaling efficiency', 'Forks/s ÷ the linear reference; 100% is perfect scaling (dashed rule).', efficiencySpec(r)],
      ['ceiling', 'Waiting on the ceiling lock', 'The share of all CPU time spent waiting for the lock CPUs wait for most; the marker\'s shape names that lock.', ceilingSpec(r)],
    ];
    parts.push('<h2>Charts</h2>');
    for (const [id, caption, note, spec] of charts) {
      parts.push(`<figure id="chart-${id}"><figcaption>${esc(caption)}</figcaption>\n${await chartSvg(id, caption, spec)}\n<p>${esc(note)}</p></figure>`);
    }
    parts.push('<h2>Points</h2>', pointsTable(r),
      '<p>Efficiency: forks/s ÷ (CPUs × the kernel\'s per-CPU rate at its smallest CPU count). Utilisation: mean share of CPU time not idle. ' +
      'Ceiling: the lock CPUs wait for most; wait share is of all CPU time, hold share of the run (exclusive holds of a global lock); ' +
      'bound: the forks/s its exclusive hold time per fork cycle allows at most.</p>');
    parts.push('<h2>lock_stat per point</h2>', '<p>Times in simulated nanoseconds; sorted by total wait.</p>', lockStatSection(r));
  }
  if (r.uncosted.length) {
    parts.push('<h2>Uncosted primitives</h2>', '<p>The machine gives these no cost; each was charged as one micro-op.</p>',
      `<ul class="uncosted">${r.uncosted.map((u) => `<li><code>${esc(u)}</code></li>`).join('')}</ul>`);
  }
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<title>${esc(title)}</title>\n<style>${CSS}</style>\n</head>\n<body>\n${parts.join('\n')}\n</body>\n</html>\n`;
}
