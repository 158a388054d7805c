// `forksim check`: assemble models or files and print what is wrong.
import { statSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { assemble, loadKernel, listModels, type SourceFile } from './kasm/index.js';
import { PRIMITIVES, CONDITIONS, RESOURCE_NAMES } from './kasm/vocabulary.js';
import { errnoName } from './names.js';

function filesOf(target: string): SourceFile[] {
  let isFile = false;
  try { isFile = statSync(target).isFile(); } catch { /* a model name */ }
  return isFile ? [{ path: target, text: readFileSync(target, 'utf8') }] : loadKernel(target);
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
  let bad = 0;
  for (const t of all) {
    try {
      const p = assemble(filesOf(t));
      process.stdout.write(`${t}: ok (${p.routines.size} routines, ${p.code.length / 4} instructions, ${p.sites.length - 1} fault sites)\n`);
    } catch (e) {
      bad++;
      process.stdout.write(`${(e as Error).message}\n`);
    }
  }
  return bad ? 2 : 0;
}
