// Loading a kernel model from disk: its .kasm files, sorted by name. A model
// may name a `base` model; it then consists of the base's files with every
// routine and declaration the model defines replacing the base's of that
// name, and every `patch ROUTINE` block applied to the base's routine
// (patch.ts).
import { existsSync, opendirSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { endsRoutine, routineHeader, type SourceFile } from './parse.js';
import { declarationOf } from './declare.js';
import { applyPatches, extractPatches } from './patch.js';
import { ModelError, ModelNotFoundError, shown } from './errors.js';
import { formatBytes, readInputFile } from '../files.js';
import { KERNELS_DIR } from '../paths.js';

export const defaultKernelsDir = (): string => KERNELS_DIR;

const KASM_FILE_MAX_BYTES = 1024 * 1024;
const BASE_FILE_MAX_BYTES = 4096;
const MAX_MODEL_FILES = 256; // .kasm files in one folder
const MAX_MODEL_BYTES = 16 * 1024 * 1024; // all files of a model, its bases included

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();
const isFile = (p: string): boolean => existsSync(p) && statSync(p).isFile();

/** The .kasm files of `dir`, sorted; read entry by entry, so a folder of a
 *  million files fails fast instead of being listed whole. */
function kasmFiles(dir: string): string[] {
  const out: string[] = [];
  const d = opendirSync(dir);
  try {
    for (let e = d.readSync(); e; e = d.readSync()) {
      if (!e.name.endsWith('.kasm')) continue;
      if (out.length === MAX_MODEL_FILES) throw new ModelError(`kernel model ${display(dir)} has more than ${MAX_MODEL_FILES} .kasm files`);
      out.push(e.name);
    }
  } finally {
    d.closeSync();
  }
  return out.sort();
}

/** Model names under `kernelsDir`: every folder holding .kasm files or a base. */
export function listModels(kernelsDir = defaultKernelsDir()): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (!e.isDirectory()) continue;
      const p = join(dir, e.name);
      if (isModel(p)) out.push(relative(kernelsDir, p).split('\\').join('/'));
      walk(p);
    }
  };
  if (isDir(kernelsDir)) walk(kernelsDir);
  return out;
}

function isModel(dir: string): boolean {
  if (existsSync(join(dir, 'base'))) return true;
  try {
    return kasmFiles(dir).length > 0;
  } catch (e) {
    if (e instanceof ModelError) return true; // a model, if a bad one: loading it says why
    throw e;
  }
}

const modelList = (kernelsDir: string): string => `models: ${listModels(kernelsDir).join(', ') || '(none)'}`;

/** Load a model by name (a folder under kernels/) or by path to a folder. */
export function loadKernel(nameOrPath: string, kernelsDir = defaultKernelsDir()): SourceFile[] {
  const candidates = [join(kernelsDir, nameOrPath), resolve(nameOrPath)];
  const dir = candidates.find(isDir);
  if (dir) return loadDir(dir, kernelsDir, [], { bytes: 0 });
  const file = candidates.find(isFile);
  if (file?.endsWith('.kasm')) {
    throw new ModelNotFoundError(`'${shown(nameOrPath)}' is a .kasm file, not a kernel model: use 'forksim check ${shown(nameOrPath)}' or pass its folder ${display(dirname(file))}; ${modelList(kernelsDir)}`);
  }
  throw new ModelNotFoundError(`unknown kernel model '${shown(nameOrPath)}'; ${modelList(kernelsDir)}`);
}

/** The files to check `path` (a .kasm file) with: the model it belongs to,
 *  base included, where its folder is one (it holds a base or other .kasm
 *  files); else the file alone. */
export function loadFileInModel(path: string, kernelsDir = defaultKernelsDir()): SourceFile[] {
  const dir = dirname(resolve(path));
  if (path.endsWith('.kasm') && isFile(path) && (existsSync(join(dir, 'base')) || kasmFiles(dir).some((f) => f !== basename(path)))) {
    return loadDir(dir, kernelsDir, [], { bytes: 0 });
  }
  return [{ path: display(resolve(path)), text: readInputFile(path, 'kasm file', KASM_FILE_MAX_BYTES) }];
}

function loadDir(dir: string, kernelsDir: string, chain: string[], total: { bytes: number }): SourceFile[] {
  if (chain.includes(dir)) throw new ModelError(`kernel model base cycle: ${[...chain, dir].map((d) => display(d)).join(' -> ')}`);
  const read = (path: string, what: string, max: number): string => {
    const text = readInputFile(path, what, max);
    total.bytes += Buffer.byteLength(text);
    if (total.bytes > MAX_MODEL_BYTES) throw new ModelError(`kernel model ${display(chain[0] ?? dir)} is larger than ${formatBytes(MAX_MODEL_BYTES)} in all`);
    return text;
  };
  const own = kasmFiles(dir).map((f) => ({ path: display(join(dir, f)), text: read(join(dir, f), 'kasm file', KASM_FILE_MAX_BYTES) }));
  const baseFile = join(dir, 'base');
  if (!existsSync(baseFile)) {
    if (!own.length) throw new ModelError(`kernel model ${display(dir)} has no .kasm files`);
    return own;
  }
  const baseName = read(baseFile, 'base file', BASE_FILE_MAX_BYTES).replace(/[;#].*/g, '').trim();
  const baseDir = join(kernelsDir, baseName);
  if (!baseName || !isDir(baseDir)) {
    throw new ModelError(`${display(baseFile)}: unknown base model '${shown(baseName)}'; ${modelList(kernelsDir)}`);
  }
  const base = loadDir(baseDir, kernelsDir, [...chain, dir], total);
  const split = own.map(extractPatches);
  const mine = split.map((s) => s.rest);
  const overridden = new Set(mine.flatMap((f) => f.text.split(/\r?\n/).map(routineHeader).filter((n) => n !== undefined)));
  const redeclared = new Set(mine.flatMap((f) => declarationOf(f.text.split(/\r?\n/)).filter((d) => d !== undefined)));
  const kept = base.map((f) => ({ ...f, text: blankLines(dropRoutines(f.text, overridden), (d) => d !== undefined && redeclared.has(d)) }));
  return [...applyPatches(kept, split.flatMap((s) => s.patches)), ...mine];
}

/** Blank out (keeping line numbers for error messages) the named routines:
 *  each runs from its `routine` line to the next one. */
function dropRoutines(text: string, names: Set<string>): string {
  let dropping = false;
  return text.split(/(?<=\n)/).map((line) => {
    if (endsRoutine(line)) dropping = names.has(routineHeader(line) ?? '');
    return dropping ? line.replace(/[^\r\n]/g, '') : line;
  }).join('');
}

/** A model's declarations alone (its routines, actions and trials blanked,
 *  line numbers kept): the vocabulary other kasm can be written in, as
 *  tests write it. */
export function declarationsOf(nameOrPath: string, kernelsDir = defaultKernelsDir()): SourceFile[] {
  // Its actions, trials and interrupts name its routines: they are not vocabulary.
  const kept = (d: string | undefined): boolean => d !== undefined && !/^(action|trial|interrupt) /.test(d);
  return loadKernel(nameOrPath, kernelsDir).map((f) => ({ ...f, text: blankLines(f.text, (d) => !kept(d)) }));
}

/** Blank out (keeping line numbers) each line whose declaration `blank`
 *  says (undefined: the line is in no declaration). */
function blankLines(text: string, blank: (d: string | undefined) => boolean): string {
  const lines = text.split(/(?<=\n)/);
  const owner = declarationOf(lines.map((l) => l.replace(/\r?\n$/, '')));
  return lines.map((line, i) => (blank(owner[i]) ? line.replace(/[^\r\n]/g, '') : line)).join('');
}

/** Paths in messages: relative to the working directory when inside it. */
function display(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r.split('\\').join('/') : p;
}
