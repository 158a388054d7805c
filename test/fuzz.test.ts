// Property tests of the assembler: programs built from a real vocabulary
// (v6.12-scx's declarations, PRELUDE) and declarations of their own, and the
// shipped models, each with one mutation, and raw garbage. assemble()
// returns a Program or throws KasmError/AggregateKasmError whose every error
// says file:line:col, quickly; every accepted program runs on the machine.
// FUZZ_RUNS (default 1,000) and FUZZ_SEED pick the runs; `npm run fuzz`
// runs 100,000.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import * as A from '../assembly/abi.js';
import { AggregateKasmError, KasmError, assemble, loadKernel, type Program, type SourceFile } from '../src/kasm/index.js';
import { BUILTIN_ACTIONS, BUILTIN_VALUES, ERRNOS, LOCK_KINDS, LOCK_OPS, RQ_REGS, TASK_REGS } from '../src/kasm/builtins.js';
import { DECLARATIONS } from '../src/kasm/declare.js';
import { SERVICES } from '../src/kasm/services.js';
import type { Scope } from '../src/kasm/vocabulary.js';
import { PRELUDE, machineFor } from './helpers.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1_000);
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

// ── The vocabulary ──────────────────────────────────────────────────────
// PRELUDE's, read from the program it assembles to, and what a generated
// program declares itself (gen_* names, their kinds and scopes random).

/** Every built-in action's routine (load_balance's too, which a model may leave out). */
const ENTRIES = BUILTIN_ACTIONS.map((e) => e.routine);
const BASE: Program = assemble([...PRELUDE, { path: 'stubs.kasm', text: ENTRIES.map((r) => `routine void ${r}\n    return\n`).join('') }]);
const V = BASE.vocab;

const TASK = Object.keys(TASK_REGS), RQ = Object.keys(RQ_REGS), ERRNO = Object.keys(ERRNOS);
const KINDS = Object.keys(LOCK_KINDS);
const SCOPE_LIST: Scope[] = ['global', 'task', 'rq'];
const CMPS = ['==', '!=', '<', '<=', '>', '>='];
const regsOf = (scope: Scope): string[] => (scope === 'global' || scope === 'local' ? [''] : scope === 'task' ? TASK : RQ);
/** `NAME`, or `REG.NAME` for each register of its scope. */
const spellings = (name: string, scope: Scope): string[] => regsOf(scope).map((r) => (r ? `${r}.${name}` : name));

interface LockV { name: string; kind: string; scope: Scope }
interface VarV { name: string; scope: Scope; type: 'flag' | 'int' | 'task' | 'refcount' | 'param' }
interface PrimV { name: string; fails: boolean }
interface Vocab { locks: LockV[]; resources: string[]; vars: VarV[]; consts: string[]; prims: PrimV[] }

const baseVocab: Vocab = {
  locks: [...V.locks.values()].map((l) => ({ name: l.name, kind: l.kind, scope: l.scope })),
  resources: [...V.resources.keys()],
  vars: [...V.vars.values()].map((d) => ({ name: d.name, scope: d.scope, type: d.type })),
  consts: [...V.consts.keys()],
  prims: [...V.prims.values()].map((p) => ({ name: p.name, fails: p.fails !== undefined })),
};
// What PRELUDE leaves room for (abi's limits less what it takes).
const ROOM = {
  task: A.MAX_TASK_LOCKS - baseVocab.locks.filter((l) => l.scope === 'task').length,
  rq: A.MAX_RQ_LOCKS - baseVocab.locks.filter((l) => l.scope === 'rq').length,
  classes: A.MAX_CLASSES - V.classes.length,
  resources: A.MAX_RESOURCES - V.resourceList.length,
};

const lockObjects = (v: Vocab): { obj: string; lock: LockV }[] => v.locks.flatMap((l) => spellings(l.name, l.scope).map((obj) => ({ obj, lock: l })));
/** Every lock operation on every lock object of a kind it applies to. */
const lockLines = (v: Vocab): string[] => Object.entries(LOCK_OPS).flatMap(([op, spec]) => lockObjects(v).flatMap(({ obj, lock }) => {
  if (!spec.kinds.includes(lock.kind)) return [];
  return spec.nested ? [`${op} ${obj}, SINGLE_DEPTH_NESTING`, `${op} ${obj}, 0`] : [`${op} ${obj}`];
}));
/** Every value a condition may read; `self` where a primitive's declaration may say it. */
const operands = (v: Vocab, self: boolean): string[] => {
  const task = self ? [...TASK, 'self'] : TASK;
  const state = v.vars.flatMap((d) => (d.scope === 'task' ? task.map((r) => `${r}.${d.name}`) : spellings(d.name, d.scope)));
  return [
    ...state, ...state.map((s) => `data_race(${s})`), ...v.consts, '0', '1', '3', '-1', ...RQ, ...TASK,
    ...Object.entries(BUILTIN_VALUES).flatMap(([name, b]) => (b.task ? task.map((r) => `${r}.${name}`) : [name])),
  ];
};
const condOf = (v: Vocab, self: boolean): fc.Arbitrary<string> => {
  const opd = fc.constantFrom(...operands(v, self));
  const atom = fc.oneof(
    fc.tuple(fc.boolean(), opd).map(([neg, o]) => `${neg ? '!' : ''}${o}`),
    fc.tuple(opd, fc.constantFrom(...CMPS), opd).map(([a, c, b]) => `${a} ${c} ${b}`),
    fc.tuple(fc.boolean(), opd, opd).map(([neg, a, b]) => (neg ? `!(${a} & ${b})` : `${a} & ${b}`)),
  );
  return fc.array(atom, { minLength: 1, maxLength: A.MAX_ATOMS }).map((atoms) => atoms.join(' && '));
};
/** State a routine (or, with `self`, a primitive) may write, by spelling. */
const writable = (v: Vocab, self: boolean): { text: string; d: VarV }[] =>
  v.vars.flatMap((d) => (d.scope === 'task' && self ? ['self', ...TASK].map((r) => `${r}.${d.name}`) : spellings(d.name, d.scope)).map((text) => ({ text, d })));

// ── Lines that assemble inside a routine with a label `out` ─────────────
const lineOf = (v: Vocab): fc.Arbitrary<string> => {
  const prim = fc.tuple(fc.constantFrom(...v.prims), fc.option(fc.constantFrom(...TASK)), fc.option(fc.constantFrom(...ERRNO)))
    .map(([p, reg, errno]) => `${p.name}${reg ? ` ${reg}` : ''}${p.fails ? ` else out${errno ? ` ${errno}` : ''}` : ''}`);
  const cond = fc.tuple(condOf(v, false), fc.constantFrom(...ERRNO), fc.boolean())
    .map(([c, errno, req]) => (req ? `require ${c} else out ${errno}` : `if ${c} goto out`));
  const mov = fc.tuple(fc.constantFrom(...TASK), fc.constantFrom(...TASK)).map(([a, b]) => `mov ${a}, ${b}`);
  const targets = writable(v, false);
  const plain = targets.filter((t) => t.d.type !== 'refcount' && t.d.type !== 'task'), refs = targets.filter((t) => t.d.type === 'refcount');
  const tasks = targets.filter((t) => t.d.type === 'task');
  const taskSources = [...TASK, ...tasks.filter((t) => t.text.includes('.')).map((t) => t.text)];
  const state = fc.oneof(
    ...(tasks.length ? [fc.tuple(fc.constantFrom(...tasks), fc.constantFrom(...taskSources), fc.boolean()).map(([t, src, clear]) => (clear ? `clear ${t.text}` : `set ${t.text} ${src}`))] : []),
    fc.tuple(fc.constantFrom(...plain), fc.constantFrom('set', 'clear', 'inc', 'dec'), fc.option(fc.constantFrom(...v.consts, '0', '7', '-2')))
      .map(([t, op, val]) => `${op} ${t.text}${op === 'set' && val !== null && t.d.type !== 'flag' ? ` ${val}` : ''}`),
    ...(refs.length ? [fc.tuple(fc.constantFrom(...refs), fc.constantFrom('get', 'put')).map(([t, op]) => `${op} ${t.text}`)] : []),
  );
  return fc.oneof({ weight: 4, arbitrary: prim }, { weight: 2, arbitrary: cond }, { weight: 1, arbitrary: mov }, { weight: 2, arbitrary: fc.constantFrom(...lockLines(v)) }, { weight: 2, arbitrary: state });
};

// ── Declarations of a generated program's own ──────────────────────────
// What can fail is settled here, before any line calls a primitive: a
// primitive fails where it says so, where its service fails by itself,
// where it fails when a condition holds, or where it charges.
interface PrimGen { name: string; reg: string | null; service: string | null; fails: boolean; failsWhen: boolean; charge: boolean }
interface Decls { text: string[]; vocab: Vocab; prims: PrimGen[]; release: boolean }
const SERVICE_NAMES = Object.keys(SERVICES);
/** A per-task flag a service's condition can read (t.FLAG), and a global one an assumption can imply (PRELUDE has both). */
const TASK_FLAG = baseVocab.vars.find((x) => x.scope === 'task' && x.type === 'flag')!.name;
const GLOBAL_FLAG = baseVocab.vars.find((x) => x.scope === 'global' && x.type === 'flag')!.name;
const decls: fc.Arbitrary<Decls> = fc.record({
  locks: fc.array(fc.tuple(fc.constantFrom(...KINDS), fc.constantFrom(...SCOPE_LIST), fc.boolean()), { maxLength: Math.min(3, ROOM.classes) }),
  resources: fc.nat(Math.min(3, ROOM.resources)),
  vars: fc.array(fc.tuple(fc.constantFrom('flag', 'int', 'refcount', 'param', 'ppm'), fc.constantFrom(...SCOPE_LIST), fc.boolean(), fc.boolean()), { maxLength: 4 }),
  consts: fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 2 }),
  prims: fc.array(fc.record({
    reg: fc.option(fc.constantFrom(...TASK)), service: fc.option(fc.constantFrom(...SERVICE_NAMES)), fails: fc.boolean(), failsWhen: fc.boolean(), charge: fc.boolean(),
  }), { maxLength: 3 }),
  assume: fc.boolean(),
}).map((d): Decls => {
  const text: string[] = [];
  const vocab: Vocab = { ...baseVocab, locks: [...baseVocab.locks], resources: [...baseVocab.resources], vars: [...baseVocab.vars], consts: [...baseVocab.consts], prims: [...baseVocab.prims] };
  const used = { task: 0, rq: 0 };
  d.locks.forEach(([kind, scope0, named], i) => {
    // Within the per-task and per-rq slots PRELUDE leaves.
    const scope: Scope = scope0 !== 'global' && used[scope0] === ROOM[scope0] ? 'global' : scope0;
    if (scope !== 'global') used[scope]++;
    const name = scope === 'task' && i % 2 ? `gen_obj.lock${i}` : `gen_lock${i}`;
    text.push(`lock ${name} ${kind} ${scope}${named ? ` "&gen->${name}"` : ''}`);
    vocab.locks.push({ name, kind, scope });
  });
  for (let i = 0; i < d.resources; i++) { text.push(`resource gen_res${i} "a resource"`); vocab.resources.push(`gen_res${i}`); }
  let release = false;
  d.vars.forEach(([type, scope, guarded, extra], i) => {
    const name = `gen_${type}${i}`;
    if (type === 'param' || type === 'ppm') {
      text.push(`param ${name} ${type === 'ppm' ? 'ppm 0.25' : 'int 3'} "a param"`);
      vocab.vars.push({ name, scope: 'global', type: 'param' });
      return;
    }
    const guard = guarded ? vocab.locks.find((l) => l.scope === scope) ?? vocab.locks.find((l) => l.scope === 'global') : undefined;
    const guardedBy = guard ? ` guarded_by ${guard.name}` : '';
    if (type === 'refcount') {
      // A per-task refcount's release routine takes the task (gen_release(t)); others take none.
      const rel = scope === 'task';
      release ||= rel;
      text.push(`refcount ${name} ${scope}${rel ? ' release gen_release' : ''}${guardedBy} "a refcount"`);
    } else {
      text.push(`state ${name} ${scope} ${type}${extra && scope === 'global' ? ' = 2' : ''}${guardedBy} "state"`);
    }
    vocab.vars.push({ name, scope, type: type as VarV['type'] });
  });
  d.consts.forEach((n, i) => { text.push(`const gen_const${i} ${n}`); vocab.consts.push(`gen_const${i}`); });
  const flag = vocab.vars.find((x) => x.scope === 'global' && x.type === 'flag' && x.name.startsWith('gen_'));
  if (d.assume && flag) text.push(`assume ${flag.name} implies ${GLOBAL_FLAG} "generated"`);
  const prims = d.prims.map((p, i): PrimGen => {
    const fails = p.fails || p.failsWhen || p.charge || (p.service !== null && SERVICES[p.service].fails !== undefined);
    vocab.prims.push({ name: `gen_prim${i}`, fails });
    return { ...p, name: `gen_prim${i}`, fails };
  });
  return { text, vocab, prims, release };
});

/** Each generated primitive's declaration and clause lines (they read the whole vocabulary). */
const primClauses = (d: Decls): fc.Arbitrary<string[]> => {
  const v = d.vocab;
  const assertable = [...lockObjects(v).map((x) => x.obj), ...v.locks.filter((l) => l.scope === 'task').map((l) => `self.${l.name}`)];
  const targets = writable(v, true).filter((t) => t.d.type !== 'refcount');
  const limits = v.vars.filter((x) => x.scope === 'global');
  const perPrim = d.prims.map((p) => fc.record({
    acquires: fc.subarray(v.resources, { maxLength: 2 }), releases: fc.subarray(v.resources, { maxLength: 2 }),
    asserts: fc.subarray(assertable, { maxLength: 2 }),
    errno: fc.constantFrom(...ERRNO), when: condOf(v, true),
    charge: fc.tuple(fc.constantFrom(...targets), fc.constantFrom(...limits), fc.option(condOf(v, true))),
    effects: fc.array(fc.tuple(fc.constantFrom(...targets), fc.constantFrom('set', 'clear', 'inc', 'dec'), fc.constantFrom(...v.consts, '1', '-1'), fc.option(condOf(v, true))),
      { maxLength: A.MAX_PRIM_EFFECTS - (p.charge ? 1 : 0) }),
  }).map((s) => {
    const out = [`primitive ${p.name}${p.reg ? ` ${p.reg}` : ''} "generated"`];
    if (p.service) out.push(`    service ${p.service}${SERVICES[p.service].arg ? ` t.${TASK_FLAG}` : ''}`);
    if (s.acquires.length) out.push(`    acquires ${s.acquires.join(', ')}`);
    if (s.releases.length) out.push(`    releases ${s.releases.join(', ')}`);
    if (s.asserts.length) out.push(`    asserts ${s.asserts.join(', ')}`);
    if (p.fails) out.push(`    fails ${s.errno}${p.failsWhen ? ` when ${s.when}` : ''}`);
    const when = (c: string | null): string => (c ? ` if ${c}` : '');
    if (p.charge) out.push(`    charge ${s.charge[0].text} limit ${s.charge[1].name}${when(s.charge[2])}`);
    for (const [t, op, val, c] of s.effects) out.push(`    ${op} ${t.text}${op === 'set' && t.d.type !== 'flag' ? ` ${val}` : ''}${when(c)}`);
    return out;
  }));
  return perPrim.length ? fc.tuple(...perPrim).map((ls) => ls.flat()) : fc.constant([]);
};

interface Shape { int: boolean; param: string | null; body: string[]; calls: number[]; action: boolean }
/** Declarations, then routines: the entry points and f0..fN; a routine calls
 *  only later ones, so the call graph has no cycle (the mutations add them). */
const program: fc.Arbitrary<string> = decls.chain((d) => primClauses(d).chain((clauses) => {
  const v = d.vocab;
  return fc.array(fc.record({
    int: fc.boolean(),
    param: fc.option(fc.constantFrom(...TASK), { freq: 3 }),
    body: fc.array(lineOf(v), { maxLength: 8 }),
    calls: fc.array(fc.tuple(fc.nat(20), fc.constantFrom(...TASK)), { maxLength: 3 }),
    action: fc.boolean(),
  }), { minLength: ENTRIES.length, maxLength: ENTRIES.length + 5 }).map((raw): string => {
    const shapes: (Shape & { args: string[] })[] = raw.map((s, i) => ({ ...s, param: i < ENTRIES.length ? null : s.param, calls: s.calls.map(([c]) => c), args: s.calls.map(([, a]) => a) }));
    const names = shapes.map((_, i) => (i < ENTRIES.length ? ENTRIES[i] : `f${i}`));
    const routines = shapes.map((s, i) => {
      const calls = s.calls.map((c, k) => [i + 1 + c, k]).filter(([j]) => j < shapes.length)
        .map(([j, k]) => `call ${names[j]}${shapes[j].param ? ` ${s.args[k]}` : ''}${shapes[j].int ? ' else out' : ''}`);
      const body = [...s.body, ...calls].map((l) => `    ${l}`);
      return [`routine ${s.int ? 'int' : 'void'} ${names[i]}${s.param ? `(${s.param})` : ''}`, ...body, '    return', 'out:', '    return', ''].join('\n');
    });
    // The model's own actions run its routines that take no task.
    const actions = shapes.map((s, i) => [s, names[i]] as const).filter(([s], i) => i >= ENTRIES.length && s.action && !s.param).slice(0, A.MAX_MODEL_ACTIONS)
      .map(([, name], k) => `action gen_act${k} ${name} weight ${k + 1}${k % 2 ? '.5' : ''}${k === 1 ? ` when ${v.vars.find((x) => x.scope === 'global')?.name ?? '1'}` : ''} "generated"`);
    const trial = actions.length ? [`trial gen_trial fork=2 gen_act0=1${actions.length > 1 ? ' gen_act1=3' : ''} interval 3 "generated"`] : [];
    const release = d.release ? ['routine void gen_release(t)', '    return', ''] : [];
    return [...d.text, ...clauses, ...actions, ...trial, ...routines, ...release].join('\n');
  });
}));
const generated = program.map((text): SourceFile[] => [...PRELUDE, { path: 'gen.kasm', text }]);

/** The shipped models' files, read once. */
const MODELS: SourceFile[][] = ['v6.10', 'v6.10-patched', 'v6.12-scx'].map((m) => loadKernel(m));

/** A program: generated text after PRELUDE's declarations, or a shipped model. */
const source = fc.oneof({ weight: 3, arbitrary: generated }, { weight: 1, arbitrary: fc.constantFrom(...MODELS) });

// Words to put where they do not belong.
const KEYWORDS = ['routine', 'int', 'void', 'call', 'require', 'if', 'goto', 'return', 'mov', 'else', 'set', 'clear', 'inc', 'dec', 'get', 'put', ',', ':', '!', ';', '(', ')', '&&', '==', '<', '-', '.', '"doc"', '"'];
const DECL_WORDS = [...DECLARATIONS, 'service', 'acquires', 'releases', 'asserts', 'fails', 'charge', 'limit', 'when', 'weight', 'interval', 'implies', 'guarded_by', 'release', 'self', 'data_race', 'flag', 'ppm', 'global', 'task', 'rq', ...KINDS, ...Object.keys(SERVICES)];
const PROTO = Object.getOwnPropertyNames(Object.prototype);
const WORDS = [
  ...KEYWORDS, ...DECL_WORDS, ...PROTO, ...V.prims.keys(), ...Object.keys(LOCK_OPS), ...V.vars.keys(), ...V.consts.keys(), ...V.resources.keys(),
  ...Object.keys(BUILTIN_VALUES), ...ERRNO, ...TASK, ...RQ, ...V.lockObjectNames(), 'out', 'SINGLE_DEPTH_NESTING', ...ENTRIES, ...BUILTIN_ACTIONS.map((a) => a.name),
];

const odd = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.constantFrom(...PROTO),
  fc.nat(40).map((n) => '9'.repeat(n + 1)),
  fc.constantFrom('18446744073709551616', '2147483648', '-2147483649', '-1', '0x10', '1e309', 'NaN', 'Infinity', '0.5', '1.', '.5'),
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
  // delete, duplicate, or insert a line (an instruction, a declaration, a clause, or odd words)
  fc.nat().map((l): Mutation => (lines) => lines.filter((_, k) => k !== at(l, lines.length))),
  fc.nat().map((l): Mutation => (lines) => lines.flatMap((x, k) => (k === at(l, lines.length) ? [x, x] : [x]))),
  fc.tuple(fc.nat(), fc.oneof(
    lineOf(baseVocab).map((x) => `    ${x}`),
    decls.map((d) => d.text.join('\n')),
    fc.tuple(fc.constantFrom('    acquires', '    releases', '    asserts', '    fails', '    set', '    service', 'primitive', 'lock', 'state', 'action'), fc.array(odd, { maxLength: 4 })).map(([k, w]) => [k, ...w].join(' ')),
    fc.array(odd, { maxLength: 6 }).map((w) => `    ${w.join(' ')}`),
  )).map(([l, line]): Mutation => (lines) => {
    const a = at(l, lines.length + 1);
    return [...lines.slice(0, a), line, ...lines.slice(a)];
  }),
  // a deep call chain, or a cycle, called from a random line
  fc.tuple(fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 2000 })), fc.boolean(), fc.nat()).map(([depth, cyclic, l]): Mutation => (lines) => {
    const chain = Array.from({ length: depth }, (_, i) => `routine void chain${i}\n    call chain${i + 1 < depth ? i + 1 : cyclic ? 0 : depth}\n    return`);
    const a = 1 + at(l, Math.max(1, lines.length - 1));
    return [...lines.slice(0, a), '    call chain0', ...lines.slice(a), ...chain, `routine void chain${depth}\n    return`];
  }),
  // a huge line
  fc.tuple(fc.nat(), fc.integer({ min: 1000, max: 100_000 }), fc.constantFrom('a', 'call ', ' ', '9', '\u00e9', ';', '"', ', x', ' && x')).map(([l, n, unit]): Mutation => (lines) => {
    const a = at(l, lines.length);
    return lines.map((x, k) => (k === a ? `${x} ${unit.repeat(n)}` : x));
  }),
  // unicode or raw bytes at a random place
  fc.tuple(fc.nat(), fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 6 })).map(([l, c, s]): Mutation => (lines) => {
    const a = at(l, lines.length), x = lines[a] ?? '', i = at(c, x.length + 1);
    return lines.map((y, k) => (k === a ? x.slice(0, i) + s + x.slice(i) : y));
  }),
);

/** One file of the program mutated once (mostly the last: a generated
 *  program's own; else any, PRELUDE's declarations included); truncation
 *  cuts the UTF-8 bytes. */
const which = fc.oneof({ weight: 2, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat() });
const mutated = fc.tuple(source, which, fc.oneof({ weight: 8, arbitrary: mutation.map((m) => ({ m })) }, { weight: 1, arbitrary: fc.nat().map((cut) => ({ cut })) }))
  .map(([files, f, how]): SourceFile[] => {
    const i = f < 0 ? files.length - 1 : at(f, files.length);
    const text = 'm' in how
      ? how.m(files[i].text.split('\n')).join('\n')
      : Buffer.from(files[i].text).subarray(0, at(how.cut, Buffer.byteLength(files[i].text) + 1)).toString('utf8');
    return files.map((x, k) => (k === i ? { path: x.path, text } : x));
  });

const garbage = fc.tuple(fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.array(fc.oneof(odd, fc.constantFrom('\n', '\n    ', ' ', ',', ':')), { maxLength: 60 }).map((w) => w.join(' ')),
), fc.boolean()).map(([text, prelude]): SourceFile[] => [...(prelude ? PRELUDE : []), { path: 'garbage.kasm', text }]);

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
  it('the generator makes programs that assemble, using their own declarations', () => {
    const samples = fc.sample(program, { numRuns: 50, seed: SEED });
    for (const text of samples) {
      try {
        assemble([...PRELUDE, { path: 'gen.kasm', text }]);
      } catch (e) {
        throw new Error(`${(e as Error).message}\n--- gen.kasm:\n${text.split('\n').map((l, i) => `${i + 1}: ${l}`).join('\n')}`);
      }
    }
    // the generator reaches what the vocabulary adds: declarations, state, arguments
    const all = samples.join('\n');
    for (const w of [/^lock gen_/m, /^primitive gen_prim/m, /^ {4}charge /m, /^state gen_/m, /^refcount gen_\w+ task release/m, /^action gen_act/m, /^trial /m, /^ {4}(set|clear|inc|dec) /m, / && /, /^routine \w+ f\d+\([a-z]+\)$/m, /^ {4}call f\d+ (p|t|current|parent)( else out)?$/m]) {
      expect(all).toMatch(w);
    }
  });

  it(`assembles or rejects with located errors, ${RUNS} cases`, () => {
    check(fc.oneof({ weight: 6, arbitrary: mutated }, { weight: 1, arbitrary: garbage }), (files) => { assembleChecked(files); }, RUNS);
  }, 60_000 + RUNS * 20);

  it('runs every accepted program 10,000 steps without a trap', () => {
    const accepted = fc.oneof(generated, mutated);
    check(accepted, (files) => {
      const p = assembleChecked(files);
      if (!p) return;
      const m = machineFor(p, { driver: 'step', cpus: 2, tasks: 64, forks: 0 });
      const r = m.core.runStep(10_000n, 10_000);
      expect([A.RUN_BUDGET, A.RUN_STOPPED, A.RUN_DEADLOCK, A.RUN_IDLE]).toContain(r);
    }, Math.min(RUNS, 300));
  });
});
