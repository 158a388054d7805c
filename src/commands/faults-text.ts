// `forksim faults` as a table: one row per site, the natural failures, what
// no failure explains, and the verdict.
import type { FaultsReport } from './faults.js';

const dash = (xs: string[]): string => (xs.length ? xs.map((x) => x.replace(/@kernels\/(mutants\/)?/, '@')).join(', ') : '-');
const ladderText = (l: string[]): string => (l.length === 0 ? '-' : l.length <= 2 ? l.join(' → ') : `${l[0]} … ${l[l.length - 1]} (${l.length})`);

function table(head: string[], rows: string[][]): string[] {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

const ordinal = (n: number): string => `${n}${n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : 'th'}`;

export function formatFaults(r: FaultsReport): string {
  const out: string[] = [];
  out.push(`forksim faults: kernel ${r.kernel}, ${r.rows.length} fault sites, ${r.driver} driver, ${r.cpus} CPUs, seed ${r.seed}${r.partial ? '  [PARTIAL: interrupted]' : ''}`);
  const how = r.trials.map((t) => `${t.name}: ${t.interval > 1 ? `every ${ordinal(t.interval)} pass` : 'its first passes'}`).join('; ');
  out.push(`  ${r.runs} runs of ${r.forksPerRun} fork attempts, each with one site failing ${r.times} times (${how}); natural failures on`);
  out.push(`  errno: what the syscall returned (none: a void routine dropped the error and the syscall went on); ladder: the labels the unwinding passes; static: the ladder walk's verdict`);
  out.push('');
  out.push(...table(
    ['site', 'workload', 'errno', 'ladder (first … last)', 'leaks', 'double-rel', 'lock-misuse', 'hang', 'static', 'verdict'],
    r.rows.map((x) => [
      x.site, x.workload, !x.reached ? '-' : x.errno === '0' ? 'none' : x.errno, ladderText(x.ladder), dash([...x.leaks, ...x.heldLocks.map((l) => `${l} held`)]),
      dash(x.doubleReleases), dash(x.lockMisuse), x.hang ? 'HANG' : '-', x.static.verdict + (x.agrees ? '' : ' ≠'), x.verdict,
    ]),
  ).map((l) => `  ${l}`));
  if (r.natural.length) {
    out.push('', 'natural failures seen during the enumeration (not injected):');
    out.push(...table(
      ['site', 'errno', 'count', 'leaks', 'double-rel', 'lock-misuse', 'hang', 'verdict'],
      r.natural.map((n) => [n.site, n.errno || '-', String(n.count), dash([...n.leaks, ...n.heldLocks.map((l) => `${l} held`)]), dash(n.doubleReleases), dash(n.lockMisuse), n.hang ? 'HANG' : '-', n.verdict]),
    ).map((l) => `  ${l}`));
  }
  if (r.other.length) {
    out.push('', 'findings no failure explains:');
    for (const o of r.other) out.push(`  [${o.kind}] ×${o.count}  ${o.message}`);
  }
  if (r.staticOnly.unattributed.length) {
    out.push('', 'the static walk, on paths with no failure:');
    for (const u of r.staticOnly.unattributed) out.push(`  ${u}`);
  }
  const hung = r.rows.find((x) => x.hangReport);
  if (hung) {
    out.push('', `the first hang (${hung.site}):`);
    for (const l of hung.hangReport!) out.push(`  ${l}`);
  }
  out.push('');
  const reached = r.rows.filter((x) => x.reached).length;
  const badSites = r.rows.filter((x) => x.reached && x.verdict !== 'clean');
  out.push(r.disagreements.length
    ? `static vs runs: ${r.disagreements.length} disagreement(s):\n${r.disagreements.map((d) => `  ${d}`).join('\n')}`
    : `static vs runs: agree on all ${reached} reached sites`);
  if (r.predicted.length) out.push(`predicted by the static walk, not seen in these runs (an interleaving they did not hit, or the walk's over-approximation):\n${r.predicted.map((d) => `  ${d}`).join('\n')}`);
  out.push(r.verdict === 'clean'
    ? `verdict: clean — every failure unwinds its ladder cleanly (${reached}/${r.rows.length} sites reached, ${r.elapsedSeconds.toFixed(1)} s)`
    : `verdict: BAD — ${badSites.length} site(s) bad${badSites.length ? ` (${badSites.map((x) => x.site).join(', ')})` : ''}, ${r.natural.filter((n) => n.verdict !== 'clean').length} natural, ${r.predicted.length} predicted only, ${r.other.length} other finding kind(s) (${reached}/${r.rows.length} sites reached, ${r.elapsedSeconds.toFixed(1)} s)`);
  return out.join('\n');
}

