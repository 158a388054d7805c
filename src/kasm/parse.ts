// The kasm parser: one line at a time (the language is line-based). It checks
// everything a line can tell against the model's vocabulary (declare.ts) —
// mnemonics, registers, conditions, errnos, lock objects and kinds, state,
// whether a primitive needs `else` — and leaves what needs the whole program
// (labels, callees and their arguments, sites, effects rows) to assemble.ts.
import * as abi from '../../assembly/abi.js';
import { lockObj } from './insn.js';
import { CTX_OPS, ERRNOS, LOCK_KINDS, LOCK_OPS, RQ_REGS, TASK_REGS, errnoName, lookup } from './builtins.js';
import { KasmError, shown, type Diagnostics, type Loc } from './errors.js';
import { Cursor, stripComment, type SourceFile, type Tok } from './cursor.js';
import { parseCond, regOf } from './cond.js';
import { declarationOf, isDeclaration, stateRef, value } from './declare.js';
import type { Cond, Vocabulary } from './vocabulary.js';

export type { Tok } from './cursor.js';

export type { SourceFile } from './cursor.js';

/** One instruction as parsed; fields the assembler fills in are marked. */
export interface Item {
  loc: Loc; // the mnemonic (or label) token
  text: string; // the source line, comment stripped
  op: number;
  obj: number;
  arg: number;
  errno: number;
  label?: Tok; // OP_LABEL: the label defined
  target?: Tok; // label whose pc goes in w2
  callee?: Tok; // OP_CALL: arg = its entry (assembler)
  callArg?: Tok; // OP_CALL: the register passed (the assembler binds the callee's parameter)
  elseTok?: Tok; // the `else` keyword, if any
  prim?: string; // OP_PRIM: arg = its effects row (assembler)
  cond?: Cond; // OP_IF / OP_REQUIRE: arg = its condition row (assembler)
  site?: { kind: 'prim' | 'call' | 'require'; what: string };
  terminator: boolean; // return or goto: control never falls through
  bad: boolean; // the line had an error; a placeholder for structure checks
}

/** `param`: the task register the routine takes its argument in. */
export interface RoutineAst { name: Tok; returnsInt: boolean; param?: Tok; items: Item[] }

const KEYWORDS = ['call', 'require', 'if', 'WARN_ON', 'goto', 'return', 'mov', 'routine', 'set', 'clear', 'inc', 'dec', 'get', 'put'];
const NESTING: Record<string, number> = { SINGLE_DEPTH_NESTING: 1 };
const MAX_SUBCLASS = 7; // lockdep's MAX_LOCKDEP_SUBCLASSES is 8
const STATE_OPS: Record<string, number> = { set: abi.ST_SET, clear: abi.ST_SET, inc: abi.ST_INC, dec: abi.ST_DEC, get: abi.ST_GET, put: abi.ST_PUT };

/** `routine int NAME` -> NAME, for the loader's whole-routine override. */
export function routineHeader(line: string): string | undefined {
  return /^\s*routine\s+\w+\s+([A-Za-z_][\w.]*)/.exec(line)?.[1];
}

/** Does this line end the routine above it (another routine or a declaration)? */
export const endsRoutine = (line: string): boolean => routineHeader(line) !== undefined || isDeclaration(line);

function taskReg(t: Tok, c: Cursor): number {
  const reg = lookup(TASK_REGS, t.text);
  if (reg !== undefined) return reg;
  if (lookup(RQ_REGS, t.text) !== undefined) c.fail(`'${t.text}' is a runqueue register; a task register is needed (${Object.keys(TASK_REGS).join(', ')})`, t);
  return c.fail(`unknown register '${shown(t.text)}'${c.suggest(t.text, Object.keys(TASK_REGS))}`, t);
}

function errno(t: Tok, c: Cursor): number {
  return lookup(ERRNOS, t.text) ?? c.fail(`unknown errno '${shown(t.text)}'${c.suggest(t.text, Object.keys(ERRNOS))}`, t);
}

/** A `require` site is named after what its condition reads: `pidns_adding`
 *  for `require pidns_adding`, `nr_threads_max_threads` for
 *  `require nr_threads < max_threads` (a name a shell and --fail take). */
function siteWhat(k: Cond): string {
  const all = k.atoms.flatMap((a) => [a.lhs, ...(a.rhs ? [a.rhs] : [])]);
  const read = all.filter((o) => o.kind !== abi.OPD_CONST); // constants say nothing of where
  const names = (read.length ? read : all).map((o) => o.text.replace(/^data_race\((.*)\)$/, '$1').replace(/\./g, '_'));
  return [...new Set(names)].join('_');
}

/** `else LABEL [ERRNO]`, if present. */
function elseClause(c: Cursor): { elseTok: Tok; target: Tok; errno?: number } | undefined {
  const elseTok = c.accept('else');
  if (!elseTok) return undefined;
  const target = c.word("a label after 'else'");
  const e = c.peek() ? errno(c.word('an errno'), c) : undefined;
  return { elseTok, target, errno: e };
}

/** Parse one instruction (the cursor is at its mnemonic) into `item`. */
function instruction(c: Cursor, item: Item, v: Vocabulary): void {
  const m = c.word('an instruction');
  item.loc = m.loc;
  const op = lookup(LOCK_OPS, m.text);
  switch (m.text) {
    case 'return':
      item.op = abi.OP_RETURN;
      item.terminator = true;
      if (c.accept('0')) item.obj = abi.RET_ZERO; // `return 0`: clears the error first
      else if (c.peek()) Object.assign(item, { obj: abi.RET_ERRNO, errno: errno(c.word('an errno (or 0)'), c) }); // return -EINVAL
      break;
    case 'goto':
      item.op = abi.OP_GOTO;
      item.terminator = true;
      item.target = c.word("a label after 'goto'");
      break;
    case 'if': {
      const k = parseCond(c, v);
      c.expect('goto', `after the condition of 'if'`);
      Object.assign(item, { op: abi.OP_IF, cond: k, target: c.word("a label after 'goto'") });
      break;
    }
    case 'WARN_ON':
      Object.assign(item, { op: abi.OP_WARN, cond: parseCond(c, v) });
      break;
    case 'require': {
      const k = parseCond(c, v);
      const e = elseClause(c);
      if (!e) c.fail(`'require' needs 'else LABEL ERRNO'`);
      if (e.errno === undefined) c.fail(`'require' needs an errno after its label (e.g. EAGAIN)`);
      Object.assign(item, { op: abi.OP_REQUIRE, cond: k, target: e.target, elseTok: e.elseTok, errno: e.errno });
      item.site = { kind: 'require', what: siteWhat(k) };
      break;
    }
    case 'call': {
      const callee = c.word('a routine name');
      const a = c.peek() && c.peek()!.text !== 'else' ? c.word('the task passed to it') : undefined;
      if (a) taskReg(a, c);
      const e = elseClause(c);
      Object.assign(item, { op: abi.OP_CALL, callee, callArg: a });
      if (e) {
        Object.assign(item, { target: e.target, elseTok: e.elseTok, errno: e.errno ?? abi.ENOMEM });
        item.site = { kind: 'call', what: callee.text };
      }
      break;
    }
    case 'mov': {
      const dst = taskReg(c.word('a destination register'), c);
      c.expect(',', 'between the registers of mov');
      const st = c.word('a source register or task reference');
      if (st.text.includes('.') || v.vars.has(st.text)) {
        // mov t, current.sighand: load a task reference
        const { reg, decl } = stateRef(c, st, v, false);
        if (decl.type !== 'task') c.fail(`mov loads a task: ${decl.name} is ${decl.type} state, not a task reference`, st);
        Object.assign(item, { op: abi.OP_MOV, arg: dst, obj: regOf(reg, abi.REG_NONE), errno: decl.id + 1 });
        break;
      }
      Object.assign(item, { op: abi.OP_MOV, arg: dst, obj: taskReg(st, c) });
      break;
    }
    case 'set': case 'clear': case 'inc': case 'dec': case 'get': case 'put': {
      const t = c.word('a state');
      const { reg, decl } = stateRef(c, t, v, false);
      // A refcount is set (refcount_set), got and put; other state is set, cleared, incremented, decremented.
      const refcount = decl.type === 'refcount';
      if (refcount && m.text !== 'set' && m.text !== 'get' && m.text !== 'put') c.fail(`${decl.name} is a refcount: set, get or put it (refcount_set / refcount_inc / refcount_dec_and_test)`, m);
      if (!refcount && (m.text === 'get' || m.text === 'put')) c.fail(`get and put are for refcounts; ${decl.name} is ${decl.type} state`, m);
      if (decl.type === 'task' && (m.text === 'inc' || m.text === 'dec')) c.fail(`${decl.name} is a task reference: set it to a task (set ${t.text} current) or clear it`, m);
      let val = 0, stOp = STATE_OPS[m.text];
      if (m.text === 'set' && decl.type === 'task') {
        // set p.sighand p / set p.real_parent current.real_parent: store a task
        const src = c.word('a task register or task reference');
        if (src.text.includes('.') || v.vars.has(src.text)) {
          const from = stateRef(c, src, v, false);
          if (from.decl.type !== 'task') c.fail(`${from.decl.name} is ${from.decl.type} state, not a task reference`, src);
          [stOp, val] = [abi.ST_COPY, from.decl.id | (regOf(from.reg, abi.REG_NONE) << 16)];
        } else [stOp, val] = [abi.ST_SET_TASK, taskReg(src, c)];
      } else if (m.text === 'set') val = decl.type === 'flag' || !c.peek() ? 1 : value(c, v);
      const r = regOf(reg, abi.REG_NONE);
      Object.assign(item, { op: abi.OP_STATE, arg: decl.id, obj: stOp | (r << abi.STATE_REG_SHIFT), errno: val });
      break;
    }
    case 'routine':
      c.fail(`'routine' must start a line`, m);
    default:
      if (op) {
        const t = c.word('a lock object');
        const ref = v.parseLockObject(t.text, (w, cs) => c.suggest(w, cs));
        if (typeof ref === 'string') c.fail(ref, t);
        const l = v.lockOfRef(ref)!;
        if (!op.kinds.includes(l.kind)) c.fail(`${m.text} on ${l.kind} ${t.text}${l.kind === 'raw_spinlock' && m.text.startsWith('spin_') ? ` (use raw_${m.text})` : ''}`, m);
        let sub = 0;
        if (op.nested) {
          c.expect(',', `and a nesting level after the lock object of ${m.text}`);
          const n = c.next();
          if (!n) c.fail(`expected a nesting level (0..${MAX_SUBCLASS} or SINGLE_DEPTH_NESTING)`);
          sub = lookup(NESTING, n.text) ?? (/^\d+$/.test(n.text) ? Number(n.text) : -1);
          if (sub < 0 || sub > MAX_SUBCLASS) c.fail(`bad nesting level '${shown(n.text)}' (0..${MAX_SUBCLASS} or SINGLE_DEPTH_NESTING)`, n);
        }
        // The kind travels in the instruction so the interpreter picks the lock algorithm;
        // the errno word carries what the form does to interrupts and the class's wait type.
        const lf = op.op === abi.OP_ASSERT_HELD ? 0 : (op.irq ?? 0) | (LOCK_KINDS[l.kind].wait << abi.LF_WAIT_SHIFT);
        Object.assign(item, { op: op.op, arg: ref, obj: lockObj(op.mode, sub, op.op === abi.OP_ASSERT_HELD ? 0 : l.algo), errno: lf });
        break;
      }
      const ctx = lookup(CTX_OPS, m.text);
      if (ctx !== undefined) {
        Object.assign(item, { op: abi.OP_CTX, arg: ctx });
        break;
      }
      const spec = v.prims.get(m.text) ?? c.fail(`unknown instruction '${shown(m.text)}'${c.suggest(m.text, [...KEYWORDS, ...Object.keys(LOCK_OPS), ...Object.keys(CTX_OPS), ...v.prims.keys()])}`, m);
      const regTok = c.peek() && c.peek()!.text !== 'else' ? c.word('a task register or else') : undefined;
      const reg = regTok ? taskReg(regTok, c) : TASK_REGS[spec.reg];
      const e = elseClause(c);
      c.done();
      if (spec.fails !== undefined && !e) c.fail(`${m.text} can fail (${errnoName(spec.fails)}): it needs 'else LABEL'`, m);
      if (spec.fails === undefined && e) c.fail(`${m.text} cannot fail: remove 'else ${shown(e.target.text)}'`, e.elseTok);
      Object.assign(item, { op: abi.OP_PRIM, obj: reg, prim: m.text, errno: e ? e.errno ?? spec.fails : 0 });
      if (e) {
        Object.assign(item, { target: e.target, elseTok: e.elseTok });
        item.site = { kind: 'prim', what: m.text };
      }
  }
  c.done();
}

/** Parse a file's routines (declarations were read by declare()). Errors go
 *  to `diag`; a bad line becomes a placeholder item so one mistake does not
 *  cascade into structure errors. */
export function parseFile(src: SourceFile, v: Vocabulary, diag: Diagnostics): RoutineAst[] {
  const routines: RoutineAst[] = [];
  let cur: RoutineAst | undefined;
  let skipping = false; // a patch block the loader did not apply: skipped to the next routine
  const lines = src.text.split(/\r?\n/);
  const owner = declarationOf(lines); // declare() read those lines
  lines.forEach((raw, i) => {
    if (owner[i] !== undefined) {
      if (isDeclaration(raw)) { cur = undefined; skipping = false; }
      return;
    }
    if (skipping && routineHeader(raw) === undefined) return;
    skipping = false;
    const origin = src.origins?.[i];
    const code = stripComment(raw);
    const c = new Cursor(code, origin?.file ?? src.path, origin?.line ?? i + 1, diag);
    const first = c.peek();
    if (!first) return;
    const text = code.trim();
    try {
      if (first.text === 'patch' && first.loc.col === 1) {
        skipping = true;
        cur = undefined;
        c.fail(`a patch changes a routine of the base model: put it in a model whose folder has a 'base' file`, first);
      }
      if (first.text === 'routine') {
        // Until the header parses, its body goes to a routine no one sees.
        cur = { name: first, returnsInt: false, items: [] };
        c.next();
        const type = c.word("'int' or 'void'");
        if (type.text !== 'int' && type.text !== 'void') c.fail(`expected 'int' or 'void' after 'routine', found '${shown(type.text)}'`, type);
        const name = c.word('a routine name');
        cur = { name, returnsInt: type.text === 'int', items: [] };
        routines.push(cur);
        if (c.accept('(')) {
          cur.param = c.word('the task register it takes');
          taskReg(cur.param, c);
          c.expect(')', 'after its parameter');
        }
        c.done();
        return;
      }
      const r = cur ?? c.fail('instruction outside a routine (start one with `routine int|void NAME`)', first);
      const blank = (): Item => ({ loc: first.loc, text, op: abi.OP_NOP, obj: 0, arg: 0, errno: 0, terminator: false, bad: false });
      if (c.peek(1)?.text === ':') {
        const name = c.word('a label');
        c.next();
        r.items.push({ ...blank(), op: abi.OP_LABEL, label: name });
        if (!c.peek()) return;
      }
      const item = blank();
      const mnemonic = c.peek()!;
      r.items.push(item);
      try {
        instruction(c, item, v);
      } catch (e) {
        // Keep the line's place in the control flow, as far as it is known.
        Object.assign(item, { loc: mnemonic.loc, bad: true, terminator: mnemonic.text === 'return' || mnemonic.text === 'goto' });
        throw e;
      }
    } catch (e) {
      if (!(e instanceof KasmError)) throw e;
      diag.add(e);
    }
  });
  return routines;
}
