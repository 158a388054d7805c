// The static ladder check as text, for `forksim check`: each bad path with
// its kasm lines.
import { verdictClasses, type LadderReport } from '../analysis/ladder/verdict.js';

/** `a → b → … → z (N labels)` */
export const shortLadder = (l: string[]): string => (l.length <= 4 ? l.join(' → ') : `${l.slice(0, 2).join(' → ')} → … → ${l[l.length - 1]} (${l.length} labels)`);

/** The kasm lines of each bad path, for `forksim check`. */
export function formatLadder(r: LadderReport): string[] {
  const out: string[] = [];
  const bad = r.sites.filter((s) => verdictClasses(s).length);
  for (const s of bad) {
    out.push(`  ${s.site} (${s.at}) fails ${s.errnos.join('/') || '?'}: ${verdictClasses(s).join(', ')}`);
    for (const i of s.issues) {
      out.push(`    ${i.at}: ${i.routine}: ${i.text.trim()}`);
      out.push(`      ${i.message}${i.ladder.length ? `; ladder: ${shortLadder(i.ladder)}` : ''}`);
    }
  }
  if (r.unattributed.length) {
    out.push('  on paths with no failure:');
    for (const i of r.unattributed) out.push(`    ${i.at}: ${i.routine}: ${i.text.trim()}`, `      ${i.entry}: ${i.message}`);
  }
  if (r.truncated) out.push(`  (the walk stopped after ${r.states} states: the verdict is partial)`);
  return out;
}

