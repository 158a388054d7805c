// Property tests of the assembler: programs built from the real vocabulary
// and the shipped models, each with one mutation, and raw garbage. assemble()
// returns a Program or throws KasmError/AggregateKasmError whose every error
// says file:line:col, quickly; every accepted program runs on the machine.
// FUZZ_RUNS (default 10,000) and FUZZ_SEED pick the runs; `npm run fuzz`
// runs 100,000.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import * as A from '../assembly/abi.js';
import { AggregateKasmError, KasmError, assemble, loadKernel, type Program, type SourceFile } from '../src/kasm/index.js';
import { CONDITIONS, ENTRY_POINTS, ERRNOS, LOCK_OPS, PRIMITIVES, RQ_REGS, TASK_REGS } from '../src/kasm/vocabulary.js';
import { LOCK_OBJECT_NAMES, lockKindOf, parseLockObject } from '../src/kasm/locks.js';
import { machineFor } from './helpers.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 0x6b61736d);
const CASE_MS = 1000;

/** fc.assert with the seed in the failure, so `FUZZ_SEED=... npm run fuzz`
 *  replays it; the counterexample (it may hold a 100 KB line) is cut. */
function check<T>(arb: fc.Arbitrary<T>, predicate: (t: T) => void, numRuns: number): void {
  try {
    fc.assert(fc.property(fc.limitShrink(arb, 100), predicate), { numRuns, seed: SEED });
  } catch (e) {
    const m = (e as Error).message;
    throw new Error(`fuzz failed: FUZZ_SEED=${SEED} FUZZ_RUNS=${numRuns}\n${m.length > 8000 ? `${m.slice(0, 8000)}… (${m.length} chars)` : m}`);
  }
}

// The vocabulary, as lines that assemble inside a routine with a label `out`.
const ENTRIES = ENTRY_POINTS.filter((e) => e.required).map((e) => e.routine);
const KEYWORDS = ['routine', 'int', 'void', 'call', 'require', 'if', 'goto', 'return', 'mov', 'else', ',', ':', '!', ';'];
const PROTO = Object.getOwnPropertyNames(Object.prototype);
const TASK = Object.keys(TASK_REGS), ERRNO = Object.keys(ERRNOS), CONDS = Object.keys(CONDITIONS);
const WORDS = [...KEYWORDS, ...PROTO, ...Object.keys(PRIMITIVES), ...Object.keys(LOCK_OPS), ...CONDS, ...ERRNO, ...TASK, ...Object.keys(RQ_REGS), ...LOCK_OBJECT_NAMES, 'out', 'SINGLE_DEPTH_NESTING', ...ENTRIES];

const LOCK_LINES = Object.entries(LOCK_OPS).flatMap(([op, spec]) => LOCK_OBJECT_NAMES.flatMap((obj) => {
  const ref = parseLockObject(obj);
  if (typeof ref === 'string' || !spec.kinds.includes(lockKindOf(ref))) return [];
  return spec.nested ? [`${op} ${obj}, SINGLE_DEPTH_NESTING`, `${op} ${obj}, 0`] : [`${op} ${obj}`];
}));

const primLine = fc.tuple(fc.constantFrom(...Object.keys(PRIMITIVES)), fc.option(fc.constantFrom(...TASK)), fc.option(fc.constantFrom(...ERRNO)))
  .map(([name, reg, errno]) => `${name}${reg ? ` ${reg}` : ''}${PRIMITIVES[name].fails !== undefined ? ` else out${errno ? ` ${errno}` : ''}` : ''}`);
const condLine = fc.tuple(fc.boolean(), fc.constantFrom(...CONDS), fc.constantFrom(...ERRNO), fc.boolean())
  .map(([neg, c, errno, req]) => (req ? `require ${neg ? '!' : ''}${c} else out ${errno}` : `if ${neg ? '!' : ''}${c} goto out`));
const movLine = fc.tuple(fc.constantFrom(...TASK), fc.constantFrom(...TASK)).map(([a, b]) => `mov ${a}, ${b}`);
const plainLine = fc.oneof(primLine, condLine, movLine, fc.constantFrom(...LOCK_LINES));

interface Shape { int: boolean; body: string[]; calls: number[] }
/** Routines f0..fN and the required entry points; a routine calls only later
 *  ones, so the call graph has no cycle (the mutations add them). */
const program = fc.array(fc.record({
  int: fc.boolean(),
  body: fc.array(plainLine, { maxLength: 8 }),
  calls: fc.array(fc.nat(20), { maxLength: 3 }),
}), { minLength: ENTRIES.length, maxLength: ENTRIES.length + 5 }).map((shapes: Shape[]): string => {
  const names = shapes.map((_, i) => (i < ENTRIES.length ? ENTRIES[i] : `f${i}`));
  return shapes.map((s, i) => {
    const calls = s.calls.map((c) => i + 1 + c).filter((j) => j < shapes.length)
      .map((j) => `call ${names[j]}${shapes[j].int ? ' else out' : ''}`);
    const body = [...s.body, ...calls].map((l) => `    ${l}`);
    return [`routine ${s.int ? 'int' : 'void'} ${names[i]}`, ...body, '    return', 'out:', '    return', ''].join('\n');
  }).join('\n');
});

/** The shipped models' files, read once. */
const MODELS: SourceFile[][] = ['v6.10', 'v6.10-patched', 'v6.12-scx'].map((m) => loadKernel(m));

/** A program: generated text as one file, or a shipped model. */
const source = fc.oneof(
  { weight: 3, arbitrary: program.map((text): SourceFile[] => [{ path: 'gen.kasm', text }]) },
  { weight: 1, arbitrary: fc.constantFrom(...MODELS) },
);

const odd = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.constantFrom(...PROTO),
  fc.nat(40).map((n) => '9'.repeat(n + 1)),
  fc.constantFrom('18446744073709551616', '-1', '0x10', '1e309', 'NaN', 'Infinity'),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.nat(200).map((n) => 'x'.repeat(n)),
);

type Mutation = (lines: string[]) => string[];
const at = (n: number, len: number): number => (len ? n % len : 0);
const tokensOf = (line: string): string[] => line.split(/(\s+)/);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // swap two tokens of one line, or of two lines
  fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat()).map(([l1, t1, l2, t2]): Mutation => (lines) => {
    const a = at(l1, lines.length), b = at(l2, lines.length);
    const ta = tokensOf(lines[a] ?? ''), tb = a === b ? ta : tokensOf(lines[b] ?? '');
    const i = at(t1, ta.length), j = at(t2, tb.length);
    [ta[i], tb[j]] = [tb[j], ta[i]];
    return lines.map((l, k) => (k === a ? ta.join('') : k === b ? tb.join('') : l));
  }),
  // replace a token with an odd one
  fc.tuple(fc.nat(), fc.nat(), odd).map(([l, t, w]): Mutation => (lines) => {
    const a = at(l, lines.length), toks = tokensOf(lines[a] ?? '');
    toks[at(t, toks.length)] = w;
    return lines.map((x, k) => (k === a ? toks.join('') : x));
  }),
  // delete, duplicate, or insert a line
  fc.nat().map((l): Mutation => (lines) => lines.filter((_, k) => k !== at(l, lines.length))),
  fc.nat().map((l): Mutation => (lines) => lines.flatMap((x, k) => (k === at(l, lines.length) ? [x, x] : [x]))),
  fc.tuple(fc.nat(), fc.oneof(plainLine, fc.array(odd, { maxLength: 6 }).map((w) => w.join(' ')))).map(([l, line]): Mutation => (lines) => {
    const a = at(l, lines.length + 1);
    return [...lines.slice(0, a), `    ${line}`, ...lines.slice(a)];
  }),
  // a deep call chain, or a cycle, called from a random line
  fc.tuple(fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 2000 })), fc.boolean(), fc.nat()).map(([depth, cyclic, l]): Mutation => (lines) => {
    const chain = Array.from({ length: depth }, (_, i) => `routine void chain${i}\n    call chain${i + 1 < depth ? i + 1 : cyclic ? 0 : depth}\n    return`);
    const a = 1 + at(l, Math.max(1, lines.length - 1));
    return [...lines.slice(0, a), '    call chain0', ...lines.slice(a), ...chain, `routine void chain${depth}\n    return`];
  }),
  // a huge line
  fc.tuple(fc.nat(), fc.integer({ min: 1000, max: 100_000 }), fc.constantFrom('a', 'call ', ' ', '9', '\u00e9', ';')).map(([l, n, unit]): Mutation => (lines) => {
    const a = at(l, lines.length);
    return lines.map((x, k) => (k === a ? `${x} ${unit.repeat(n)}` : x));
  }),
  // unicode or raw bytes at a random place
  fc.tuple(fc.nat(), fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 6 })).map(([l, c, s]): Mutation => (lines) => {
    const a = at(l, lines.length), x = lines[a] ?? '', i = at(c, x.length + 1);
    return lines.map((y, k) => (k === a ? x.slice(0, i) + s + x.slice(i) : y));
  }),
);

/** One file of the program mutated once; truncation cuts the UTF-8 bytes. */
const mutated = fc.tuple(source, fc.nat(), fc.oneof({ weight: 8, arbitrary: mutation.map((m) => ({ m })) }, { weight: 1, arbitrary: fc.nat().map((cut) => ({ cut })) }))
  .map(([files, f, how]): SourceFile[] => {
    const i = at(f, files.length);
    const text = 'm' in how
      ? how.m(files[i].text.split('\n')).join('\n')
      : Buffer.from(files[i].text).subarray(0, at(how.cut, Buffer.byteLength(files[i].text) + 1)).toString('utf8');
    return files.map((x, k) => (k === i ? { path: x.path, text } : x));
  });

const garbage = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.array(fc.oneof(odd, fc.constantFrom('\n', '\n    ', ' ', ',', ':')), { maxLength: 60 }).map((w) => w.join(' ')),
).map((text): SourceFile[] => [{ path: 'garbage.kasm', text }]);

/** assemble(), checking how it may fail: a Program, or KasmErrors each
 *  located `file:line:col: ` in one of the files. */
function assembleChecked(files: SourceFile[]): Program | undefined {
  const t0 = performance.now();
  let program: Program | undefined;
  try {
    program = assemble(files);
  } catch (e) {
    if (!(e instanceof KasmError)) throw e;
    const errors = e instanceof AggregateKasmError ? e.errors : [e];
    expect(errors.length).toBeGreaterThan(0);
    for (const x of errors) {
      expect(x).toBeInstanceOf(KasmError);
      expect(files.map((f) => f.path)).toContain(x.file);
      expect(Number.isInteger(x.line) && x.line >= 1 && Number.isInteger(x.col) && x.col >= 1, x.message).toBe(true);
      expect(x.message.startsWith(`${x.file}:${x.line}:${x.col}: `), x.message).toBe(true);
    }
  }
  const ms = performance.now() - t0;
  expect(ms, `one case took ${Math.round(ms)} ms`).toBeLessThan(CASE_MS);
  return program;
}

describe('fuzzing the assembler', () => {
  it('the generator makes programs that assemble', () => {
    for (const files of fc.sample(program.map((text) => [{ path: 'gen.kasm', text }]), { numRuns: 50, seed: SEED })) assemble(files);
  });

  it(`assembles or rejects with located errors, ${RUNS} cases`, () => {
    check(fc.oneof({ weight: 6, arbitrary: mutated }, { weight: 1, arbitrary: garbage }), (files) => { assembleChecked(files); }, RUNS);
  }, 60_000 + RUNS * 20);

  it('runs every accepted program 10,000 steps without a trap', () => {
    const accepted = fc.oneof(program.map((text): SourceFile[] => [{ path: 'gen.kasm', text }]), mutated);
    check(accepted, (files) => {
      const p = assembleChecked(files);
      if (!p) return;
      const m = machineFor(p, { driver: 'step', cpus: 2, tasks: 64, forks: 0 });
      const r = m.core.runStep(10_000n, 10_000);
      expect([A.RUN_BUDGET, A.RUN_STOPPED, A.RUN_DEADLOCK, A.RUN_IDLE]).toContain(r);
    }, Math.min(RUNS, 300));
  });
});
