// The kasm assembler proper: lays out the parsed routines of all files, then
// resolves what needs the whole program — labels, callees, fault sites and
// their names, effects rows, entry points — and encodes the bytecode.
import * as abi from '../../assembly/abi.js';
import { decodeInsn, encodeInsn } from './insn.js';
import { BUILTIN_ACTIONS, TASK_REGS } from './builtins.js';
import { SERVICES } from './services.js';
import { AggregateKasmError, Diagnostics, KasmError, shown, type Loc } from './errors.js';
import { parseFile, type Item, type RoutineAst, type SourceFile } from './parse.js';
import { declare } from './declare.js';
import { encodeCond, regOf, type CondRow } from './cond.js';
import { SCOPES, type Cond, type Vocabulary } from './vocabulary.js';

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
/** A state effect of a primitive, as the core's effects row holds it. */
export interface StateEffect { op: number; var: number; reg: number; value: number; cond: number }
export interface EffectsRow {
  name: string; service: number; serviceArg: number; reg: number; acquires: bigint; releases: bigint; asserts: number[];
  natural: number; errno: number; effects: StateEffect[]; flags: number;
}
/** An interrupt handler: its routine's entry, its rate (per million steps of a CPU), whether it is the wakeup IPI;
 *  `threadedOnRt`: it takes a spinlock_t or rwlock_t, so PREEMPT_RT runs it in a thread (force_irqthreads). */
export interface IrqInfo { index: number; name: string; routine: string; entry: number; rate: number; wakeup: boolean; threadedOnRt: boolean; doc: string }
/** A declared variable as the core's vars table holds it. */
export interface VarRow { scope: number; slot: number; flags: number; guard: number; guardWrite: boolean; release: number; releaseReg: number; init: number; host: number }
/** A workload action: built-in or the model's; `fork`: a fork of some kind; `first`: a wait the task must finish first. */
export interface ActionInfo { action: number; name: string; routine: string; entry: number; weight: number; cond: number; builtin: boolean; fork: boolean; first: boolean; doc: string }
export interface SrcInfo { file: string; line: number; col: number; text: string; routine: string }

export interface Program {
  code: Int32Array; // INSN_WORDS per instruction
  routines: Map<string, RoutineInfo>;
  labels: LabelInfo[]; // index = label id
  sites: SiteInfo[]; // index = site id; [0] is a placeholder
  effects: EffectsRow[]; // index = OP_PRIM's arg
  conds: CondRow[]; // index = a condition's row
  vars: VarRow[]; // index = var id
  actions: ActionInfo[]; // every action the model provides a routine for
  irqs: IrqInfo[]; // index = the handler's bit
  src: SrcInfo[]; // per instruction
  entries: Map<number, number>; // ACT_* action -> entry pc
  vocab: Vocabulary;
  /** Resources a boot task owns (what dup_task_struct and idr_alloc acquire); the pid's resource. */
  bootOwned: bigint;
  pidResource: number;
  /** Per per-task lock slot: the task var slot of the struct it lives in (NO_HOST). */
  taskLockHosts: number[];
}

/** Assemble the files of one kernel model. Throws AggregateKasmError with
 *  every error found, in source order. */
export function assemble(files: SourceFile[]): Program {
  const diag = new Diagnostics();
  const err = (at: Loc, what: string): void => diag.add(new KasmError(at, what));

  // Declarations first (any file may use what another declares), then the
  // routines; lay out: every item is one instruction (a call passing a task
  // binds the callee's parameter as it enters it).
  const vocab = declare(files, diag);
  const routines: RoutineAst[] = files.flatMap((f) => parseFile(f, vocab, diag));
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
  const conds: CondRow[] = [];
  const condIndex = new Map<string, number>();
  const condRow = (c: Cond, self: number, at: Loc): number => {
    const row = encodeCond(c, self);
    const k = row.words.join(',');
    let id = condIndex.get(k);
    if (id === undefined) {
      id = conds.length;
      if (id === abi.MAX_CONDS) err(at, `too many distinct conditions (at most ${abi.MAX_CONDS})`);
      condIndex.set(k, id);
      conds.push(row);
    }
    return id;
  };
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
      item.obj = binding(item, callee?.ast, err);
      if (!callee) err(item.callee.loc, `unknown routine '${shown(item.callee.text)}'${diag.suggest(item.callee.text, byName.keys())}`);
      else {
        item.arg = callee.entry;
        if (callee.ast.returnsInt && !item.elseTok) err(item.callee.loc, `${shown(item.callee.text)} is an int routine and can fail: it needs 'else LABEL'`);
        if (!callee.ast.returnsInt && item.elseTok) err(item.elseTok.loc, `${shown(item.callee.text)} is a void routine and cannot fail: remove 'else ${shown(item.target?.text ?? '')}'`);
      }
    }
    if (item.cond) item.arg = condRow(item.cond, abi.REG_NONE, item.loc);
    if (item.prim) {
      const key = `${item.prim}/${item.obj}`;
      let row = effectsIndex.get(key);
      if (row === undefined) {
        row = effects.length;
        effectsIndex.set(key, row);
        effects.push(effectsRow(vocab, item.prim, item.obj, (c, self) => condRow(c, self, item.loc)));
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

  // Entry points the workload calls: the built-in actions' and the model's.
  const entries = new Map<number, number>();
  const actions: ActionInfo[] = [];
  for (const e of BUILTIN_ACTIONS) {
    const r = byName.get(e.routine);
    if (r) {
      entries.set(e.action, r.entry);
      actions.push({ action: e.action, name: e.name, routine: e.routine, entry: r.entry, weight: e.weight, cond: -1, builtin: true, fork: e.action === abi.ACT_FORK, first: false, doc: e.doc });
    } else if (e.required) err({ file: files[0]?.path ?? '<no files>', line: 1, col: 1 }, `missing required entry point: routine '${e.routine}'`);
  }
  for (const a of vocab.actions) {
    const r = byName.get(a.routine);
    if (!r) { err(a.at, `action ${a.name}: unknown routine '${shown(a.routine)}'${diag.suggest(a.routine, byName.keys())}`); continue; }
    entries.set(a.action, r.entry);
    actions.push({ action: a.action, name: a.name, routine: a.routine, entry: r.entry, weight: a.weight, cond: a.when ? condRow(a.when, abi.REG_NONE, a.at) : -1, builtin: false, fork: a.fork, first: a.first, doc: a.doc ?? '' });
  }

  const irqs: IrqInfo[] = [];
  for (const q of vocab.interrupts) {
    const r = byName.get(q.routine);
    if (!r) { err(q.at, `interrupt ${q.name}: unknown routine '${shown(q.routine)}'${diag.suggest(q.routine, byName.keys())}`); continue; }
    if (r.ast.param) err(q.at, `interrupt ${q.name}: its routine ${q.routine} takes no task (a handler runs on whatever it interrupted)`);
    irqs.push({ index: q.index, name: q.name, routine: q.routine, entry: r.entry, rate: q.rate, wakeup: q.wakeup, threadedOnRt: false, doc: q.doc ?? '' });
  }

  // The vars table: guards and release routines resolved.
  const vars: VarRow[] = vocab.varList.map((d) => {
    const g = d.guard ? vocab.locks.get(d.guard)! : undefined;
    const guard = g ? (g.cls << abi.LOCKREF_CLASS_SHIFT) | ((g.scope === 'global' ? abi.REG_NONE : abi.REG_P) << abi.LOCKREF_REG_SHIFT) | g.slot : -1;
    let release = -1, releaseReg = abi.REG_NONE;
    if (d.release) {
      const r = byName.get(d.release);
      if (!r) err(d.at, `refcount ${d.name}: unknown release routine '${shown(d.release)}'${diag.suggest(d.release, byName.keys())}`);
      else {
        release = r.entry;
        if (r.ast.returnsInt) err(d.at, `refcount ${d.name}: its release routine ${d.release} must be void (a put cannot fail)`);
        if (d.scope === 'task' && !r.ast.param) err(r.ast.name.loc, `${d.release} releases a per-task refcount: it takes the task (routine void ${d.release}(t))`);
        if (d.scope !== 'task' && r.ast.param) err(r.ast.name.loc, `${d.release} releases a ${d.scope === 'global' ? 'global' : 'per-rq'} refcount: it takes no task`);
        if (r.ast.param) releaseReg = TASK_REGS[r.ast.param.text];
      }
    }
    const flags = (d.type === 'refcount' ? abi.VF_REFCOUNT : 0) | (d.type === 'task' ? abi.VF_TASK : 0) | (d.struct ? abi.VF_STRUCT : 0) | (d.live ? abi.VF_LIVE : 0) | (d.counts ? abi.VF_COUNTS : 0);
    return {
      scope: SCOPES[d.scope], slot: d.slot, flags, guard, guardWrite: g ? g.kind === 'rwlock' || g.kind === 'rwsem' || g.kind === 'percpu_rwsem' : false,
      release, releaseReg, init: d.init, host: d.host?.slot ?? abi.NO_HOST,
    };
  });

  // What boot tasks own: what the primitives running the task-table and pid services acquire.
  let bootOwned = 0n, pidResource = -1;
  for (const p of vocab.prims.values()) {
    if (!p.service || !SERVICES[p.service].bootOwns) continue;
    const m = vocab.resourceMask(p.acquires);
    bootOwned |= m;
    if (p.service === 'idr_alloc' && p.acquires.length) pidResource = vocab.resources.get(p.acquires[0])!.bit;
  }

  const errors = diag.errors;
  if (errors.length) {
    const order = new Map(files.map((f, i) => [f.path, i]));
    errors.sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || a.line - b.line || a.col - b.col);
    throw new AggregateKasmError(errors);
  }
  const routineInfo = new Map<string, RoutineInfo>();
  for (const [name, r] of byName) routineInfo.set(name, { name, entry: r.entry, returnsInt: r.ast.returnsInt, file: r.ast.name.loc.file, line: r.ast.name.loc.line });
  const starts = [...byName.values()].map((r) => r.entry).sort((a, b) => a - b);
  for (const q of irqs) q.threadedOnRt = takesConfigLock(code, starts, q.entry);
  const taskLockHosts = new Array<number>(abi.MAX_TASK_LOCKS).fill(abi.NO_HOST);
  for (const l of vocab.locks.values()) if (l.scope === 'task' && l.host) taskLockHosts[l.slot] = l.host.slot;
  return { code, routines: routineInfo, labels, sites, effects, conds, vars, actions, irqs, src, entries, vocab, bootOwned, pidResource, taskLockHosts };
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

/** The effects row of a primitive run on task register `reg`; `cond`
 *  interns a condition with `self` bound to the register. */
function effectsRow(v: Vocabulary, name: string, reg: number, cond: (c: Cond, self: number) => number): EffectsRow {
  const spec = v.prims.get(name)!; // parse checked the name
  const regName = Object.keys(TASK_REGS).find((k) => TASK_REGS[k] === reg)!;
  const asserts = spec.asserts.map((a) => v.parseLockObject(a.replace(/^self\./, `${regName}.`)) as number); // declare() checked them
  const service = spec.service ? SERVICES[spec.service] : undefined;
  return {
    name, service: service?.id ?? abi.B_NONE, serviceArg: spec.serviceCond ? cond(spec.serviceCond, reg) : 0, reg,
    acquires: v.resourceMask(spec.acquires), releases: v.resourceMask(spec.releases), asserts,
    natural: spec.failsWhen ? cond(spec.failsWhen, reg) : -1, errno: spec.fails ?? 0,
    effects: spec.effects.map((e) => ({ op: e.op, var: e.var.id, reg: regOf(e.reg, reg), value: e.value, cond: e.when ? cond(e.when, reg) : -1 })),
    flags: spec.sleeps ? abi.PF_SLEEPS : 0,
  };
}

/** A call's obj: the register it passes and the callee's parameter
 *  register (abi OP_CALL), 0 when nothing is bound. */
function binding(call: Item, callee: RoutineAst | undefined, err: (at: Loc, what: string) => void): number {
  if (!callee) return 0; // reported with the callee
  const arg = call.callArg;
  if (!callee.param) {
    if (arg) err(arg.loc, `${callee.name.text} takes no task: remove '${arg.text}'`);
    return 0;
  }
  if (!arg) { err(call.loc, `${callee.name.text} takes a task (${callee.param.text}): pass it (call ${callee.name.text} REG)`); return 0; }
  if (arg.text === callee.param.text) return 0;
  return TASK_REGS[arg.text] | (TASK_REGS[callee.param.text] << abi.CALL_PARAM_SHIFT);
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

/** Does the routine at `entry` (or one it calls) take a lock of wait type
 *  LD_WAIT_CONFIG (spinlock_t, rwlock_t)? A routine's code runs from its
 *  entry to the next routine's. */
function takesConfigLock(code: Int32Array, entries: number[], entry: number, seen = new Set<number>()): boolean {
  if (seen.has(entry)) return false;
  seen.add(entry);
  const end = entries.find((e) => e > entry) ?? code.length / abi.INSN_WORDS;
  for (let pc = entry; pc < end; pc++) {
    const { op, arg, errno } = decodeInsn(code, pc);
    if (op === abi.OP_LOCK && ((errno >> abi.LF_WAIT_SHIFT) & abi.LF_WAIT_MASK) === abi.WAIT_CONFIG) return true;
    if (op === abi.OP_CALL && takesConfigLock(code, entries, arg, seen)) return true;
  }
  return false;
}
