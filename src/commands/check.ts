// `forksim check`: assemble models or files and print what is wrong; then
// walk every failure path statically (src/analysis/ladder/) and print each
// bad one with its kasm lines.
import { statSync } from 'node:fs';
import { assemble, loadKernel, loadFileInModel, listModels, type SourceFile } from '../kasm/index.js';
import { PRIMITIVES, CONDITIONS, RESOURCE_NAMES, errnoName } from '../kasm/vocabulary.js';
import { checkLadders } from '../analysis/ladder/walk.js';
import { ladderBad, verdictClasses } from '../analysis/ladder/verdict.js';
import { formatLadder } from '../report/ladder.js';

/** A model by name or folder, or a .kasm file inside the model it belongs to. */
function filesOf(target: string): SourceFile[] {
  let isFile = false;
  try { isFile = statSync(target).isFile(); } catch { /* a model name */ }
  return isFile ? loadFileInModel(target) : loadKernel(target);
}

export function vocabulary(): string {
  const lines = ['primitives (register, acquires, releases, asserts held, errno):'];
  for (const [name, p] of Object.entries(PRIMITIVES)) {
    const parts = [
      p.reg,
      p.acquires?.length ? `+${p.acquires.join(' +')}` : '',
      p.releases?.length ? `-${p.releases.join(' -')}` : '',
      p.asserts?.length ? `held: ${p.asserts.join(', ')}` : '',
      p.fails !== undefined ? `fails -${errnoName(p.fails)}${p.natural ? ` (${p.natural})` : ''}` : '',
    ].filter(Boolean);
    lines.push(`  ${name.padEnd(28)} ${parts.join('  ')}`);
  }
  lines.push('', 'conditions:');
  for (const [name, c] of Object.entries(CONDITIONS)) lines.push(`  ${name.padEnd(28)} ${c.doc}`);
  lines.push('', `resources: ${RESOURCE_NAMES.join(', ')}`);
  return lines.join('\n');
}

export function checkCommand(targets: string[], flags: { list?: boolean }): number {
  if (flags.list) {
    process.stdout.write(vocabulary() + '\n');
    return 0;
  }
  const all = targets.length ? targets : listModels();
  let bad = 0, badLadders = 0;
  for (const t of all) {
    try {
      const p = assemble(filesOf(t));
      const r = checkLadders(p);
      const badSites = r.sites.filter((s) => verdictClasses(s).length);
      const ladder = ladderBad(r)
        ? `ladders: ${badSites.length} bad site(s)${r.unattributed.length ? `, ${r.unattributed.length} problem(s) on paths with no failure` : ''}`
        : 'ladders: clean';
      process.stdout.write(`${t}: ok (${p.routines.size} routines, ${p.code.length / 4} instructions, ${p.sites.length - 1} fault sites); ${ladder}\n`);
      if (ladderBad(r)) {
        process.stdout.write(formatLadder(r).join('\n') + '\n');
        // With no arguments every shipped model is checked, and mutants are
        // meant to be bad: only the others count against the exit status.
        if (targets.length || !t.startsWith('mutants/')) badLadders++;
      }
    } catch (e) {
      bad++;
      process.stderr.write(`${(e as Error).message}\n`);
    }
  }
  return bad ? 2 : badLadders ? 1 : 0;
}
