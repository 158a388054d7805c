// `forksim show MODEL [ROUTINE…]`: the effective routines of a model, each
// instruction with the file and line it came from (the base's, or the
// patch's); `forksim diff A B`: what two models differ in.
import type { Program } from '../kasm/index.js';
import { routineLines, diffPrograms, type DiffLine, type Instruction } from '../kasm/diff.js';

const where = (l: Instruction): string => `${l.file}:${l.line}`;

export function formatShow(p: Program, routines: string[]): string {
  const all = routineLines(p);
  const unknown = routines.filter((r) => !p.routines.has(r));
  if (unknown.length) throw new ShowError(`no routine ${unknown.map((r) => `'${r}'`).join(', ')} in this model`);
  const chosen = routines.length ? all.filter((r) => routines.includes(r.routine)) : all;
  const width = Math.max(...chosen.flatMap((r) => r.lines.map((l) => where(l).length)));
  return chosen.map((r) => [
    `routine ${r.returnsInt ? 'int' : 'void'} ${r.routine}`,
    ...r.lines.map((l) => `  ${where(l).padEnd(width)}  ${l.text.endsWith(':') ? '' : '    '}${l.text}`),
  ].join('\n')).join('\n\n');
}

export class ShowError extends Error {}

/** Changed lines with one line of context around them; '…' for the rest. */
function hunks(lines: DiffLine[]): DiffLine[][] {
  const changed = (i: number): boolean => lines[i] !== undefined && lines[i].op !== ' ';
  const keep = lines.map((_, i) => changed(i - 1) || changed(i) || changed(i + 1));
  const out: DiffLine[][] = [];
  let cur: DiffLine[] | null = null;
  lines.forEach((l, i) => {
    if (keep[i]) (cur ??= (out.push([]), out[out.length - 1])).push(l);
    else cur = null;
  });
  return out;
}

export function formatDiff(a: { name: string; program: Program }, b: { name: string; program: Program }): string {
  const diffs = diffPrograms(a.program, b.program);
  if (!diffs.length) return `${a.name} and ${b.name} run the same instructions`;
  const out = [`--- ${a.name}`, `+++ ${b.name}`];
  for (const d of diffs) {
    if (d.only) { out.push('', `routine ${d.routine}: only in ${d.only === 'a' ? a.name : b.name} (${d.lines.length} instruction${d.lines.length === 1 ? '' : 's'})`); continue; }
    out.push('', `routine ${d.routine}${d.returns ? `: ${d.returns.a} → ${d.returns.b}` : ''}`);
    const width = Math.max(...d.lines.map((l) => where(l).length));
    hunks(d.lines).forEach((h, i) => {
      if (i > 0) out.push('  …');
      for (const l of h) out.push(`${l.op} ${where(l).padEnd(width)}  ${l.text}`);
    });
  }
  return out.join('\n');
}
