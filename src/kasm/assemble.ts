// The kasm assembler proper: lays out the parsed routines of all files, then
// resolves what needs the whole program — labels, callees, fault sites and
// their names, effects rows, entry points — and encodes the bytecode.
import * as abi from '../../assembly/abi.js';
import { encodeInsn } from './insn.js';
import { ENTRY_POINTS, PRIMITIVES, RESOURCES, TASK_REGS, lookup } from './vocabulary.js';
import { AggregateKasmError, Diagnostics, KasmError, shown, type Loc } from './errors.js';
import { parseLockObject } from './locks.js';
import { parseFile, type Item, type RoutineAst, type SourceFile } from './parse.js';

export interface RoutineInfo { name: string; entry: number; returnsInt: boolean; file: string; line: number }
export interface LabelInfo { id: number; name: string; routine: string; pc: number }
export interface SiteInfo {
  id: number;
  name: string;
  routine: string;
  pc: number;
  kind: 'prim' | 'call' | 'require';
  what: string; // the primitive, routine or condition
  errno: number;
  target: string; // label name
  file: string;
  line: number;
  col: number;
}
export interface EffectsRow { name: string; behaviour: number; reg: number; acquires: bigint; releases: bigint; asserts: number[] }
export interface SrcInfo { file: string; line: number; col: number; text: string; routine: string }

export interface Program {
  code: Int32Array; // INSN_WORDS per instruction
  routines: Map<string, RoutineInfo>;
  labels: LabelInfo[]; // index = label id
  sites: SiteInfo[]; // index = site id; [0] is a placeholder
  effects: EffectsRow[]; // index = OP_PRIM's arg
  src: SrcInfo[]; // per instruction
  entries: Map<number, number>; // ACT_* action -> entry pc
}

const MAX_ASSERTS = 2;

/** Assemble the files of one kernel model. Throws AggregateKasmError with
 *  every error found, in source order. */
export function assemble(files: SourceFile[]): Program {
  const diag = new Diagnostics();
  const err = (at: Loc, what: string): void => diag.add(new KasmError(at, what));

  // Parse, and lay out: every item is one instruction.
  const routines: RoutineAst[] = files.flatMap((f) => parseFile(f, diag));
  const byName = new Map<string, { ast: RoutineAst; entry: number }>();
  const items: { item: Item; routine: RoutineAst }[] = [];
  for (const r of routines) {
    const prev = byName.get(r.name.text);
    if (prev) err(r.name.loc, `duplicate routine '${shown(r.name.text)}' (first defined at ${where(prev.ast.name.loc)})`);
    else byName.set(r.name.text, { ast: r, entry: items.length });
    for (const item of r.items) items.push({ item, routine: r });
    checkStructure(r, err);
  }
  if (items.length > abi.MAX_INSNS) err(items[abi.MAX_INSNS].item.loc, `too many instructions (at most ${abi.MAX_INSNS})`);

  // Labels: global ids in program order, names local to their routine.
  const labels: LabelInfo[] = [];
  const local = new Map<RoutineAst, Map<string, LabelInfo & { loc: Loc }>>();
  items.forEach(({ item, routine }, pc) => {
    if (!item.label) return;
    const scope = local.get(routine) ?? new Map<string, LabelInfo & { loc: Loc }>();
    local.set(routine, scope);
    const prev = scope.get(item.label.text);
    if (prev) return err(item.label.loc, `duplicate label '${shown(item.label.text)}' in routine '${shown(routine.name.text)}' (first defined at line ${prev.loc.line})`);
    const info = { id: labels.length, name: item.label.text, routine: routine.name.text, pc };
    labels.push(info);
    scope.set(info.name, { ...info, loc: item.label.loc });
    item.arg = info.id;
  });

  // Resolve and encode.
  const code = new Int32Array(items.length * abi.INSN_WORDS);
  const effects: EffectsRow[] = [];
  const effectsIndex = new Map<string, number>();
  const sites: SiteInfo[] = [{ id: 0, name: '', routine: '', pc: -1, kind: 'prim', what: '', errno: 0, target: '', file: '', line: 0, col: 0 }];
  const src: SrcInfo[] = [];
  items.forEach(({ item, routine }, pc) => {
    const rname = routine.name.text;
    src.push({ ...item.loc, text: item.text, routine: rname });
    let target = abi.NO_TARGET;
    if (item.target) {
      const l = local.get(routine)?.get(item.target.text);
      if (l) target = l.pc;
      else err(item.target.loc, `unknown label '${shown(item.target.text)}' in routine '${shown(rname)}'${diag.suggest(item.target.text, local.get(routine)?.keys() ?? [])}`);
    }
    if (item.callee) {
      const callee = byName.get(item.callee.text);
      if (!callee) err(item.callee.loc, `unknown routine '${shown(item.callee.text)}'${diag.suggest(item.callee.text, byName.keys())}`);
      else {
        item.arg = callee.entry;
        if (callee.ast.returnsInt && !item.elseTok) err(item.callee.loc, `${shown(item.callee.text)} is an int routine and can fail: it needs 'else LABEL'`);
        if (!callee.ast.returnsInt && item.elseTok) err(item.elseTok.loc, `${shown(item.callee.text)} is a void routine and cannot fail: remove 'else ${shown(item.target?.text ?? '')}'`);
      }
    }
    if (item.prim) {
      const key = `${item.prim}/${item.obj}`;
      let row = effectsIndex.get(key);
      if (row === undefined) {
        row = effects.length;
        effectsIndex.set(key, row);
        effects.push(effectsRow(item.prim, item.obj));
        if (row === abi.MAX_PRIMS) err(item.loc, `too many (primitive, register) pairs (at most ${abi.MAX_PRIMS})`);
      }
      item.arg = row;
    }
    let site = 0;
    if (item.site && item.target) {
      site = sites.length;
      if (site === abi.MAX_SITES) err(item.loc, `too many fault sites (at most ${abi.MAX_SITES - 1})`);
      sites.push({ id: site, name: '', routine: rname, pc, kind: item.site.kind, what: item.site.what, errno: item.errno, target: item.target.text, ...item.loc });
    }
    encodeInsn(code, pc, { op: item.op, obj: item.obj, site, arg: item.arg, target, errno: item.errno });
  });
  nameSites(sites);

  // Entry points the workload calls.
  const entries = new Map<number, number>();
  for (const e of ENTRY_POINTS) {
    const r = byName.get(e.routine);
    if (r) entries.set(e.action, r.entry);
    else if (e.required) err({ file: files[0]?.path ?? '<no files>', line: 1, col: 1 }, `missing required entry point: routine '${e.routine}'`);
  }

  const errors = diag.errors;
  if (errors.length) {
    const order = new Map(files.map((f, i) => [f.path, i]));
    errors.sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || a.line - b.line || a.col - b.col);
    throw new AggregateKasmError(errors);
  }
  const routineInfo = new Map<string, RoutineInfo>();
  for (const [name, r] of byName) routineInfo.set(name, { name, entry: r.entry, returnsInt: r.ast.returnsInt, file: r.ast.name.loc.file, line: r.ast.name.loc.line });
  return { code, routines: routineInfo, labels, sites, effects, src, entries };
}

const where = (l: Loc): string => `${l.file}:${l.line}`;

/** Every instruction must be reachable by falling through or by a label, and
 *  a routine must not run off its end. Lines with errors are not judged. */
function checkStructure(r: RoutineAst, err: (at: Loc, what: string) => void): void {
  const items = r.items;
  for (let i = 1; i < items.length; i++) {
    const prev = items[i - 1], cur = items[i];
    if (prev.terminator && !cur.label && !cur.bad && !prev.bad) {
      err(cur.loc, `unreachable instruction: it follows '${shown(prev.text)}' (line ${prev.loc.line}) and has no label`);
    }
  }
  const last = items[items.length - 1];
  if (!last) err(r.name.loc, `routine '${shown(r.name.text)}' is empty: it must end in return or goto`);
  else if (!last.terminator && !last.bad) err(last.loc, `routine '${shown(r.name.text)}' falls off its end: its last instruction must be return or goto`);
}

/** The effects row of a primitive run on task register `reg`. */
function effectsRow(name: string, reg: number): EffectsRow {
  const spec = lookup(PRIMITIVES, name)!; // parse checked the name
  const mask = (rs: (keyof typeof RESOURCES)[] = []): bigint => rs.reduce((m, r) => m | (1n << BigInt(RESOURCES[r])), 0n);
  const regName = Object.keys(TASK_REGS).find((k) => TASK_REGS[k] === reg)!;
  const asserts = (spec.asserts ?? []).map((a) => {
    const ref = parseLockObject(a.replace(/^self\./, `${regName}.`));
    if (typeof ref === 'string') throw new Error(`vocabulary: ${name} asserts ${a}: ${ref}`);
    return ref;
  });
  if (asserts.length > MAX_ASSERTS) throw new Error(`vocabulary: ${name} asserts more than ${MAX_ASSERTS} locks`);
  return { name, behaviour: spec.behaviour, reg, acquires: mask(spec.acquires), releases: mask(spec.releases), asserts };
}

/** A site is named after its primitive, routine or condition; where that name
 *  has several sites, `ROUTINE:NAME`, and `ROUTINE:NAME#K` where one routine
 *  has several. */
function nameSites(sites: SiteInfo[]): void {
  const count = (key: (s: SiteInfo) => string): Map<string, number> => {
    const m = new Map<string, number>();
    for (const s of sites.slice(1)) m.set(key(s), (m.get(key(s)) ?? 0) + 1);
    return m;
  };
  const byWhat = count((s) => s.what);
  const byRoutine = count((s) => `${s.routine}:${s.what}`);
  const seen = new Map<string, number>();
  for (const s of sites.slice(1)) {
    const qualified = `${s.routine}:${s.what}`;
    const k = (seen.get(qualified) ?? 0) + 1;
    seen.set(qualified, k);
    s.name = byWhat.get(s.what) === 1 ? s.what : byRoutine.get(qualified) === 1 ? qualified : `${qualified}#${k}`;
  }
}
