// Which strategy finds each mutant fastest: every entry of
// kernels/mutants/explore.yaml searched by random, pct and (closed
// scenarios) dfs, counting the schedules until its kind of finding first
// appears (at most --max schedules) and the time they took. Prints a
// markdown table and writes bench/results/<date>-mutants.{json,md}.
//
//   node dist/bench/mutants.js [--max 2000] [--out-dir bench/results]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PACKAGE_ROOT } from '../src/paths.js';
import { buildMachine } from '../src/commands/run.js';
import { explore } from '../src/explore/campaign.js';
import { mutantSearches } from '../src/explore/mutants.js';
import { hostInfo, hostLine, table } from './lib.js';

interface Cell { schedules: number | null; seconds: number }

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { max: { type: 'string', default: '2000' }, 'out-dir': { type: 'string', default: join(PACKAGE_ROOT, 'bench', 'results') } } });
  const max = Number(values.max);
  const rows: { mutant: string; finds: string; closed: boolean; cells: Record<string, Cell> }[] = [];
  for (const t of mutantSearches()) {
    const cells: Record<string, Cell> = {};
    for (const strategy of ['random', 'pct', 'dfs'] as const) {
      if (strategy === 'dfs' && !t.scenario.programs) continue;
      // One schedule at a time until the kind is found: the count is exact.
      const m = buildMachine(t.scenario);
      const started = performance.now();
      const r = await explore(m, { strategy, schedules: max, depth: 3, preemptions: 2, reduction: true, maxPoints: 100_000, shrink: false, stopWhen: (kinds) => kinds.includes(t.finds) });
      const f = r.findings.find((x) => x.kind === t.finds);
      cells[strategy] = { schedules: f ? r.coverage.schedules + r.coverage.pruned : null, seconds: (performance.now() - started) / 1000 };
    }
    rows.push({ mutant: t.mutant, finds: t.finds, closed: !!t.scenario.programs, cells });
    console.error(`  ${t.mutant}: ${Object.entries(cells).map(([k, c]) => `${k} ${c.schedules ?? '—'}`).join(', ')}`);
  }
  const show = (c?: Cell): string => (!c ? 'n/a' : c.schedules === null ? `not in ${max}` : `${c.schedules} (${c.seconds < 1 ? `${Math.round(c.seconds * 1000)} ms` : `${c.seconds.toFixed(1)} s`})`);
  // Fewest schedules; where every strategy needs the same few, any will do.
  const fastest = (cells: Record<string, Cell>): string => {
    const found = Object.entries(cells).filter(([, c]) => c.schedules !== null).sort((a, b) => a[1].schedules! - b[1].schedules! || a[1].seconds - b[1].seconds);
    if (!found.length) return '—';
    return found.length > 1 && found.length === Object.keys(cells).length && found.every(([, c]) => c.schedules === found[0][1].schedules) ? `any (${found[0][1].schedules})` : found[0][0];
  };
  const md = [
    `Host: ${hostLine(hostInfo())}. Command: \`node dist/bench/mutants.js --max ${max}\`. Schedules until the mutant's finding first appears (dfs: schedules started, bound 2, sleep sets), and the time.`,
    '',
    table(['mutant', 'finding', 'scenario', 'random', 'pct (d=3)', 'dfs', 'fastest'],
      rows.map((r) => [r.mutant, r.finds, r.closed ? 'closed' : 'open', show(r.cells.random), show(r.cells.pct), show(r.cells.dfs), fastest(r.cells)])),
  ].join('\n');
  console.log(md);
  mkdirSync(values['out-dir'], { recursive: true });
  const stamp = new Date().toISOString().slice(0, 10);
  writeFileSync(join(values['out-dir'], `${stamp}-mutants.json`), JSON.stringify({ max, host: hostInfo(), rows }, null, 2) + '\n');
  writeFileSync(join(values['out-dir'], `${stamp}-mutants.md`), md + '\n');
}

main().catch((e: unknown) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
