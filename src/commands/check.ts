// `forksim check`: assemble models or files and print what is wrong; then
// walk every failure path statically (src/analysis/ladder/) and print each
// bad one with its kasm lines.
import { statSync } from 'node:fs';
import { assemble, loadKernel, loadFileInModel, listModels, kernelVocabulary, type SourceFile } from '../kasm/index.js';
import { checkLadders } from '../analysis/ladder/walk.js';
import { ladderBad, verdictClasses } from '../analysis/ladder/verdict.js';
import { formatLadder } from '../report/ladder.js';

/** A model by name or folder, or a .kasm file inside the model it belongs to. */
function filesOf(target: string): SourceFile[] {
  let isFile = false;
  try { isFile = statSync(target).isFile(); } catch { /* a model name */ }
  return isFile ? loadFileInModel(target) : loadKernel(target);
}

export function checkCommand(targets: string[], flags: { list?: boolean }): number {
  if (flags.list) {
    // The vocabulary of each model named (default: the default model's).
    for (const t of targets.length ? targets : ['v6.12-scx']) process.stdout.write(`${t}:\n${kernelVocabulary(assemble(filesOf(t)))}\n`);
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
        if (targets.length || !t.split('/').includes('mutants')) badLadders++;
      }
    } catch (e) {
      bad++;
      process.stderr.write(`${(e as Error).message}\n`);
    }
  }
  return bad ? 2 : badLadders ? 1 : 0;
}
