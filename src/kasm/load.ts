// Loading a kernel model from disk: its .kasm files, sorted by name. A model
// may name a `base` model; it then consists of the base's files with every
// routine the model defines replacing the base's routine of that name.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, isAbsolute } from 'node:path';
import { routineHeader, type SourceFile } from './parse.js';
import { KERNELS_DIR } from '../paths.js';

export const defaultKernelsDir = (): string => KERNELS_DIR;

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();
const kasmFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.kasm')).sort();

/** Model names under `kernelsDir`: every folder holding .kasm files or a base. */
export function listModels(kernelsDir = defaultKernelsDir()): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (!e.isDirectory()) continue;
      const p = join(dir, e.name);
      if (kasmFiles(p).length || existsSync(join(p, 'base'))) out.push(relative(kernelsDir, p).split('\\').join('/'));
      walk(p);
    }
  };
  if (isDir(kernelsDir)) walk(kernelsDir);
  return out;
}

/** Load a model by name (a folder under kernels/) or by path to a folder. */
export function loadKernel(nameOrPath: string, kernelsDir = defaultKernelsDir()): SourceFile[] {
  const dir = [join(kernelsDir, nameOrPath), resolve(nameOrPath)].find(isDir);
  if (!dir) throw new Error(`unknown kernel model '${nameOrPath}': no folder ${join(kernelsDir, nameOrPath)}; models: ${listModels(kernelsDir).join(', ') || '(none)'}`);
  return loadDir(dir, kernelsDir, []);
}

function loadDir(dir: string, kernelsDir: string, chain: string[]): SourceFile[] {
  if (chain.includes(dir)) throw new Error(`kernel model base cycle: ${[...chain, dir].map((d) => display(d)).join(' -> ')}`);
  const own = kasmFiles(dir).map((f) => ({ path: display(join(dir, f)), text: readFileSync(join(dir, f), 'utf8') }));
  const baseFile = join(dir, 'base');
  if (!existsSync(baseFile)) {
    if (!own.length) throw new Error(`kernel model ${display(dir)} has no .kasm files`);
    return own;
  }
  const baseName = readFileSync(baseFile, 'utf8').replace(/[;#].*/g, '').trim();
  const baseDir = join(kernelsDir, baseName);
  if (!baseName || !isDir(baseDir)) {
    throw new Error(`${display(baseFile)}: unknown base model '${baseName}'; models: ${listModels(kernelsDir).join(', ') || '(none)'}`);
  }
  const base = loadDir(baseDir, kernelsDir, [...chain, dir]);
  const overridden = new Set(own.flatMap((f) => f.text.split(/\r?\n/).map(routineHeader).filter((n) => n !== undefined)));
  return [...base.map((f) => ({ path: f.path, text: dropRoutines(f.text, overridden) })), ...own];
}

/** Blank out (keeping line numbers for error messages) the named routines:
 *  each runs from its `routine` line to the next one. */
function dropRoutines(text: string, names: Set<string>): string {
  let dropping = false;
  return text.split(/(?<=\n)/).map((line) => {
    const name = routineHeader(line);
    if (name !== undefined) dropping = names.has(name);
    return dropping ? line.replace(/[^\r\n]/g, '') : line;
  }).join('');
}

/** Paths in messages: relative to the working directory when inside it. */
function display(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r.split('\\').join('/') : p;
}
