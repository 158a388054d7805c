// The layers of src/, checked from the import statements themselves: only
// src/machine/ reads the memory layout, drivers render nothing, lower
// layers never import higher ones, and there are no import cycles. Each
// rule is also shown to catch a graph that breaks it.
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../src/paths.js';

const SRC = join(PACKAGE_ROOT, 'src');
/** Layers, lowest first; a file imports only from its own layer or lower ones. */
const LAYERS = ['leaf', 'kasm', 'machine', 'drivers', 'analysis', 'report', 'explore', 'trace', 'commands', 'cli'];
const layerOf = (file: string): number => {
  const top = file.split('/')[1];
  if (file === 'src/cli.ts') return LAYERS.indexOf('cli');
  const i = LAYERS.indexOf(top);
  return i >= 0 ? i : 0; // src/paths.ts, src/files.ts: leaves every layer may use
};

type Graph = Map<string, string[]>; // file -> files it imports (paths relative to the package root)

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

export function importGraph(): Graph {
  const g: Graph = new Map();
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    const deps = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => relative(PACKAGE_ROOT, resolve(dirname(file), m[1].replace(/\.js$/, '.ts'))));
    g.set(relative(PACKAGE_ROOT, file), deps);
  }
  return g;
}

/** Every rule broken, one line each. */
export function violations(g: Graph): string[] {
  const out: string[] = [];
  for (const [file, deps] of g) {
    for (const d of deps) {
      if (d === 'assembly/layout.ts' && !file.startsWith('src/machine/')) out.push(`${file} imports the memory layout`);
      if (!d.startsWith('src/')) continue;
      if (file.startsWith('src/drivers/') && /^src\/(analysis|report|commands)\//.test(d)) out.push(`${file} (a driver) imports ${d}`);
      if (layerOf(d) > layerOf(file)) out.push(`${file} (${LAYERS[layerOf(file)]}) imports ${d} (${LAYERS[layerOf(d)]})`);
    }
  }
  // Cycles: depth-first, reporting each back edge's cycle once.
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const d of g.get(f) ?? []) {
      if (!g.has(d)) continue;
      if (state.get(d) === 'open') out.push(`import cycle: ${[...stack.slice(stack.indexOf(d)), d].join(' -> ')}`);
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of g.keys()) if (!state.has(f)) visit(f);
  return out;
}

describe('the layers of src/', () => {
  const g = importGraph();
  it('reads every source file', () => {
    expect(g.size).toBeGreaterThan(30);
    expect(g.get('src/machine/machine.ts')).toContain('assembly/layout.ts');
  });
  it('break no rule: only src/machine imports the layout, drivers render nothing, no upward import, no cycle', () => {
    expect(violations(g)).toEqual([]);
  });
  it('each rule catches a graph that breaks it', () => {
    const bad: Graph = new Map([
      ['src/report/run.ts', ['assembly/layout.ts']],
      ['src/drivers/step.ts', ['src/report/waitfor.ts']],
      ['src/machine/machine.ts', ['src/analysis/findings.ts']],
      ['src/analysis/findings.ts', ['src/analysis/lockdep.ts']],
      ['src/analysis/lockdep.ts', ['src/analysis/findings.ts']],
    ]);
    expect(violations(bad)).toEqual([
      'src/report/run.ts imports the memory layout',
      'src/drivers/step.ts (a driver) imports src/report/waitfor.ts',
      'src/drivers/step.ts (drivers) imports src/report/waitfor.ts (report)',
      'src/machine/machine.ts (machine) imports src/analysis/findings.ts (analysis)',
      'import cycle: src/analysis/findings.ts -> src/analysis/lockdep.ts -> src/analysis/findings.ts',
    ]);
  });
});
