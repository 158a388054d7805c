// The scaling sweep's edge renderers: the markdown summary and the HTML page,
// first as strings, then the page in a real browser (Debian's Chromium driven
// by playwright-core): it loads with no error and no request beyond itself,
// each chart is an SVG with a series per kernel (and, for throughput, each
// kernel's linear reference) and its axis titles, and a screenshot lands in
// test-output/. Without a usable Chromium the browser part skips, saying why.
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { PACKAGE_ROOT } from '../src/paths.js';
import type { ScalingReport } from '../src/analysis/scaling.js';
import { renderScalingHtml, LABELS, linearLabel, type ChartId } from '../src/report/scaling-html.js';
import { renderScalingMarkdown, fmtCount, fmtShare } from '../src/report/scaling-md.js';

const FIXTURE: ScalingReport = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'test/fixtures/scaling-report.json'), 'utf8'));
const CHARTS: ChartId[] = ['throughput', 'efficiency', 'ceiling'];
const OUT = join(PACKAGE_ROOT, 'test-output');
const CHROMIUM = process.env.FORKSIM_CHROMIUM ?? '/usr/bin/chromium'; // another browser binary, for a test of the skip
const HOSTILE = '<script>alert("x")</script>&co';

/** The fixture with its first kernel renamed (points included). */
function renamed(r: ScalingReport, from: string, to: string): ScalingReport {
  return {
    ...r,
    kernels: r.kernels.map((k) => (k === from ? to : k)),
    points: r.points.map((p) => (p.kernel === from ? { ...p, kernel: to } : p)),
    command: `${r.command} --kernel '${to}'`,
  };
}

describe('the fixture', () => {
  it('is a sweep of two kernels over 1..64 CPUs, one point each, with lock_stat', () => {
    expect(FIXTURE.kernels.length).toBe(2);
    expect(FIXTURE.points.length).toBe(FIXTURE.kernels.length * FIXTURE.cpus.length);
    for (const p of FIXTURE.points) {
      expect(FIXTURE.kernels).toContain(p.kernel);
      expect(p.perCpu.length).toBe(p.cpus);
      expect(p.lockstat.length).toBeGreaterThan(0);
    }
  });
});

describe('the markdown summary', () => {
  it('formats counts and shares readably', () => {
    expect(fmtCount(12345)).toBe('12,345');
    expect(fmtCount(1_234_567)).toBe('1.23 M');
    expect(fmtCount(0)).toBe('0');
    expect(fmtShare(0.4123)).toBe('41.2%');
    expect(fmtShare(0.0031)).toBe('0.31%');
    expect(fmtShare(null)).toBe('—');
  });
  it('names the machine and has a row per point, every kernel in it', () => {
    const md = renderScalingMarkdown(FIXTURE);
    expect(md).toContain(FIXTURE.machine.name);
    expect(md).toContain(FIXTURE.command);
    const rows = md.split('\n').filter((l) => /^\| (?!kernel |---)/.test(l));
    expect(rows.length).toBe(FIXTURE.points.length);
    for (const k of FIXTURE.kernels) expect(rows.some((l) => l.startsWith(`| ${k} |`))).toBe(true);
  });
  it('escapes a kernel name that holds markup or a column break', () => {
    const md = renderScalingMarkdown(renamed(FIXTURE, FIXTURE.kernels[0], `${HOSTILE}|x`));
    const table = md.split('\n').filter((l) => l.startsWith('| '));
    expect(table.join('\n')).not.toContain('<script>');
    expect(table.some((l) => l.includes('&lt;script&gt;') && l.includes('\\|x'))).toBe(true);
  });
  it('renders a sweep with no points', () => {
    const md = renderScalingMarkdown({ ...FIXTURE, points: [] });
    expect(md).toContain('No points');
    expect(md).toContain(FIXTURE.machine.name);
  });
});

describe('the HTML page, as a string', () => {
  let html = '';
  beforeAll(async () => { html = await renderScalingHtml(FIXTURE); });

  it('is one self-contained page: no script, no URL, three charts as inline SVG', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/https?:\/\//);
    for (const id of CHARTS) expect(html.match(new RegExp(`<svg data-chart="${id}"`, 'g'))?.length).toBe(1);
  });
  it('names every kernel, every axis and the scenario', () => {
    for (const k of FIXTURE.kernels) {
      expect(html).toContain(`aria-label="${k}"`);
      expect(html).toContain(`aria-label="${linearLabel(k)}"`);
    }
    for (const id of CHARTS) for (const t of [LABELS[id].x, LABELS[id].y]) expect(html).toContain(`>${t}</text>`);
    expect(html).toContain(FIXTURE.machine.description);
    expect(html).toContain(FIXTURE.command);
    expect(html.match(/<details /g)?.length).toBe(FIXTURE.points.length);
    for (const u of FIXTURE.uncosted) expect(html).toContain(u);
  });
  it('renders the charts without a warning from the plotting library', async () => {
    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    try {
      await renderScalingHtml(FIXTURE);
      expect(warn).not.toHaveBeenCalled();
      expect(error).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
  });
  it('escapes a kernel name and a command that hold markup', async () => {
    const page = await renderScalingHtml(renamed(FIXTURE, FIXTURE.kernels[0], HOSTILE));
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;co');
    expect(page).not.toContain(FIXTURE.kernels[0] + '<');
  });
  it('renders a sweep of one point, and one whose rate is zero, with its charts and no warning', async () => {
    const warn = vi.spyOn(console, 'warn');
    try {
      const one = FIXTURE.points[0];
      for (const points of [[one], [one, { ...FIXTURE.points[1], forksPerSec: 0, efficiency: 0, ceiling: null }]]) {
        const page = await renderScalingHtml({ ...FIXTURE, kernels: [one.kernel], cpus: points.map((p) => p.cpus), points });
        for (const id of CHARTS) expect(page).toContain(`<svg data-chart="${id}"`);
        expect(page).toContain(`aria-label="${one.kernel}"`);
      }
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
  it('renders a sweep with no points', async () => {
    const page = await renderScalingHtml({ ...FIXTURE, points: [], uncosted: [] });
    expect(page).toContain('No points');
    expect(page).not.toContain('data-chart');
    expect(page).toContain(FIXTURE.machine.name);
  });
});

// ---- in a browser ----------------------------------------------------------

/** Why the browser part cannot run here, or null when it can. */
let unavailable: string | null = existsSync(CHROMIUM) ? null : `${CHROMIUM} does not exist (install Debian's chromium package)`;
if (unavailable) console.warn(`scaling-html.test: skipping the browser test: ${unavailable}`);

describe.skipIf(unavailable !== null)('the HTML page, in Chromium', () => {
  let browser: Browser | null = null;
  beforeAll(async () => {
    try {
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({
        executablePath: CHROMIUM, timeout: 30_000,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
    } catch (e) {
      unavailable = `playwright could not launch ${CHROMIUM}: ${(e as Error).message.split('\n')[0]}`;
      console.warn(`scaling-html.test: skipping the browser test: ${unavailable}`);
    }
  }, 45_000);
  afterAll(async () => {
    await Promise.race([browser?.close(), new Promise((done) => setTimeout(done, 10_000))]);
  }, 15_000);

  it('loads with no error, and each chart has its series and axis titles', async (ctx) => {
    if (!browser) return ctx.skip();
    mkdirSync(OUT, { recursive: true });
    const file = join(OUT, 'scaling-report.html');
    writeFileSync(file, await renderScalingHtml(FIXTURE));
    const url = pathToFileURL(file).href;

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
    page.on('request', (q) => requests.push(q.url()));
    try {
      await page.goto(url, { waitUntil: 'load', timeout: 15_000 });
      const charts = await page.evaluate(() => [...document.querySelectorAll('svg[data-chart]')].map((svg) => {
        const box = svg.getBoundingClientRect();
        return {
          id: svg.getAttribute('data-chart'),
          width: box.width, height: box.height,
          lines: [...svg.querySelectorAll('.mark-line path[aria-label]')].map((p) => ({ label: p.getAttribute('aria-label'), d: p.getAttribute('d') ?? '', dash: p.getAttribute('stroke-dasharray') })),
          texts: [...svg.querySelectorAll('text')].map((t) => t.textContent),
        };
      }));
      expect(charts.map((c) => c.id).sort()).toEqual([...CHARTS].sort());
      for (const c of charts) {
        const id = c.id as ChartId;
        expect(c.width, id).toBeGreaterThan(300);
        expect(c.height, id).toBeGreaterThan(200);
        expect(c.texts, id).toContain(LABELS[id].x);
        expect(c.texts, id).toContain(LABELS[id].y);
        for (const k of FIXTURE.kernels) {
          const series = c.lines.filter((l) => l.label === k);
          expect(series.length, `${id}: ${k}`).toBe(1);
          expect(series[0].d, `${id}: ${k}`).toMatch(/^M/);
          expect(c.texts, `${id}: legend`).toContain(k);
        }
        if (id === 'throughput') {
          for (const k of FIXTURE.kernels) {
            const linear = c.lines.filter((l) => l.label === linearLabel(k));
            expect(linear.length, `linear ${k}`).toBe(1);
            expect(linear[0].dash, `linear ${k} is dashed`).toBeTruthy();
          }
        }
      }
      const rows = await page.locator('table.points tbody tr[data-cpus]').count();
      expect(rows).toBe(FIXTURE.points.length);
      await page.screenshot({ path: join(OUT, 'scaling-report.png'), fullPage: true, timeout: 15_000 });
      for (const id of CHARTS) await page.locator(`figure#chart-${id}`).screenshot({ path: join(OUT, `scaling-chart-${id}.png`), timeout: 15_000 });
      expect(errors).toEqual([]);
      expect(requests.filter((u) => u !== url)).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
