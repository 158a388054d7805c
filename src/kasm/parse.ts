// The kasm parser: one line at a time (the language is line-based). It checks
// everything a single line can tell — mnemonics, registers, conditions, errnos,
// lock objects and kinds, whether a primitive needs `else` — and leaves what
// needs the whole program (labels, callees, sites, effects rows) to assemble.ts.
import * as abi from '../../assembly/abi.js';
import { lockObj } from './insn.js';
import { CONDITIONS, ERRNOS, LOCK_OPS, PRIMITIVES, RQ_REGS, TASK_REGS, errnoName, lookup } from './vocabulary.js';
import { KasmError, shown, type Diagnostics, type Loc } from './errors.js';
import { kindName, lockKindOf, parseLockObject } from './locks.js';

/** A file of kasm; `path` as shown in errors. A patched routine comes as a
 *  file whose lines each say where they came from (`origins`, per line). */
export interface SourceFile { path: string; text: string; origins?: { file: string; line: number }[] }

export interface Tok { text: string; loc: Loc }

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
  elseTok?: Tok; // the `else` keyword, if any
  prim?: string; // OP_PRIM: arg = its effects row (assembler)
  site?: { kind: 'prim' | 'call' | 'require'; what: string };
  terminator: boolean; // return or goto: control never falls through
  bad: boolean; // the line had an error; a placeholder for structure checks
}

export interface RoutineAst { name: Tok; returnsInt: boolean; items: Item[] }

const KEYWORDS = ['call', 'require', 'if', 'goto', 'return', 'mov', 'routine'];
const MNEMONICS = [...KEYWORDS, ...Object.keys(LOCK_OPS), ...Object.keys(PRIMITIVES)];
const NESTING: Record<string, number> = { SINGLE_DEPTH_NESTING: 1 };
const MAX_SUBCLASS = 7; // lockdep's MAX_LOCKDEP_SUBCLASSES is 8

const TOKEN = /[A-Za-z_][\w.]*|\d+|\S/g; // every non-blank character is in a token
const WORD = /^[A-Za-z_]/;

/** `routine int NAME` -> NAME, for the loader's whole-routine override. */
export function routineHeader(line: string): string | undefined {
  return /^\s*routine\s+\w+\s+([A-Za-z_][\w.]*)/.exec(line)?.[1];
}

/** The tokens of one line, read left to right, scanned only as far as they
 *  are read: a 100 MB line is not split up front. Errors throw KasmError. */
class Cursor {
  private readonly toks: Tok[] = [];
  private i = 0;
  private readonly re = new RegExp(TOKEN); // its own lastIndex
  private scanned = false;
  constructor(private readonly code: string, private readonly file: string, private readonly line: number, private readonly diag: Diagnostics) {}
  /** The k-th token from here. */
  peek(k = 0): Tok | undefined {
    while (!this.scanned && this.toks.length <= this.i + k) {
      const m = this.re.exec(this.code);
      if (m) this.toks.push({ text: m[0], loc: { file: this.file, line: this.line, col: m.index + 1 } });
      else this.scanned = true;
    }
    return this.toks[this.i + k];
  }
  next(): Tok | undefined {
    const t = this.peek();
    if (t) this.i++;
    return t;
  }
  /** Where a missing token would go: just past the last one, which ends at
   *  the line's last non-blank character. */
  private end(): Loc { return { file: this.file, line: this.line, col: this.code.trimEnd().length + 1 }; }
  fail(what: string, at?: Tok): never { throw new KasmError(at?.loc ?? this.end(), what); }
  suggest(word: string, candidates: Iterable<string>): string { return this.diag.suggest(word, candidates); }
  word(what: string): Tok {
    const t = this.next();
    if (!t) this.fail(`expected ${what}`);
    if (!WORD.test(t.text)) this.fail(`expected ${what}, found '${shown(t.text)}'`, t);
    return t;
  }
  accept(text: string): Tok | undefined {
    if (this.peek()?.text !== text) return undefined;
    return this.next();
  }
  expect(text: string, why: string): Tok {
    const t = this.next();
    if (t?.text !== text) this.fail(`expected '${text}' ${why}${t ? `, found '${shown(t.text)}'` : ''}`, t);
    return t;
  }
  done(): void {
    const t = this.peek();
    if (t) this.fail(`unexpected '${shown(t.text)}' at end of line`, t);
  }
}

function taskReg(t: Tok, c: Cursor): number {
  const reg = lookup(TASK_REGS, t.text);
  if (reg !== undefined) return reg;
  if (lookup(RQ_REGS, t.text) !== undefined) c.fail(`'${t.text}' is a runqueue register; a task register is needed (${Object.keys(TASK_REGS).join(', ')})`, t);
  return c.fail(`unknown register '${shown(t.text)}'${c.suggest(t.text, Object.keys(TASK_REGS))}`, t);
}

function errno(t: Tok, c: Cursor): number {
  return lookup(ERRNOS, t.text) ?? c.fail(`unknown errno '${shown(t.text)}'${c.suggest(t.text, Object.keys(ERRNOS))}`, t);
}

function cond(c: Cursor): { neg: boolean; id: number; name: string } {
  const neg = c.accept('!') !== undefined;
  const t = c.word('a condition');
  const k = lookup(CONDITIONS, t.text) ?? c.fail(`unknown condition '${shown(t.text)}'${c.suggest(t.text, Object.keys(CONDITIONS))}`, t);
  return { neg, id: k.id, name: t.text };
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
function instruction(c: Cursor, item: Item): void {
  const m = c.word('an instruction');
  item.loc = m.loc;
  const op = lookup(LOCK_OPS, m.text);
  switch (m.text) {
    case 'return':
      item.op = abi.OP_RETURN;
      item.terminator = true;
      break;
    case 'goto':
      item.op = abi.OP_GOTO;
      item.terminator = true;
      item.target = c.word("a label after 'goto'");
      break;
    case 'if': {
      const k = cond(c);
      c.expect('goto', `after the condition of 'if'`);
      Object.assign(item, { op: abi.OP_IF, obj: k.neg ? 1 : 0, arg: k.id, target: c.word("a label after 'goto'") });
      break;
    }
    case 'require': {
      const k = cond(c);
      const e = elseClause(c);
      if (!e) c.fail(`'require' needs 'else LABEL ERRNO'`);
      if (e.errno === undefined) c.fail(`'require' needs an errno after its label (e.g. EAGAIN)`);
      Object.assign(item, { op: abi.OP_REQUIRE, obj: k.neg ? 1 : 0, arg: k.id, target: e.target, elseTok: e.elseTok, errno: e.errno });
      item.site = { kind: 'require', what: k.name };
      break;
    }
    case 'call': {
      const callee = c.word('a routine name');
      const e = elseClause(c);
      Object.assign(item, { op: abi.OP_CALL, callee });
      if (e) {
        Object.assign(item, { target: e.target, elseTok: e.elseTok, errno: e.errno ?? abi.ENOMEM });
        item.site = { kind: 'call', what: callee.text };
      }
      break;
    }
    case 'mov': {
      const dst = taskReg(c.word('a destination register'), c);
      c.expect(',', 'between the registers of mov');
      const src = taskReg(c.word('a source register'), c);
      Object.assign(item, { op: abi.OP_MOV, arg: dst, obj: src });
      break;
    }
    case 'routine':
      c.fail(`'routine' must start a line`, m);
    default:
      if (op) {
        const t = c.word('a lock object');
        const ref = parseLockObject(t.text, (w, cs) => c.suggest(w, cs));
        if (typeof ref === 'string') c.fail(ref, t);
        const kind = lockKindOf(ref);
        if (!op.kinds.includes(kind)) c.fail(`${m.text} on ${kindName(kind)} ${t.text}`, m);
        let sub = 0;
        if (op.nested) {
          c.expect(',', `and a nesting level after the lock object of ${m.text}`);
          const n = c.next();
          if (!n) c.fail(`expected a nesting level (0..${MAX_SUBCLASS} or SINGLE_DEPTH_NESTING)`);
          sub = lookup(NESTING, n.text) ?? (/^\d+$/.test(n.text) ? Number(n.text) : -1);
          if (sub < 0 || sub > MAX_SUBCLASS) c.fail(`bad nesting level '${shown(n.text)}' (0..${MAX_SUBCLASS} or SINGLE_DEPTH_NESTING)`, n);
        }
        // The kind travels in the instruction so the interpreter picks the lock algorithm.
        Object.assign(item, { op: op.op, arg: ref, obj: lockObj(op.mode, sub, op.op === abi.OP_ASSERT_HELD ? 0 : kind) });
        break;
      }
      const spec = lookup(PRIMITIVES, m.text) ?? c.fail(`unknown instruction '${shown(m.text)}'${c.suggest(m.text, MNEMONICS)}`, m);
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

/** Parse a file into routines. Errors go to `errors`; a bad line becomes a
 *  placeholder item so one mistake does not cascade into structure errors. */
export function parseFile(src: SourceFile, diag: Diagnostics): RoutineAst[] {
  const routines: RoutineAst[] = [];
  let cur: RoutineAst | undefined;
  let inPatch = false; // a patch block the loader did not apply: skipped to the next routine
  src.text.split(/\r?\n/).forEach((raw, i) => {
    if (inPatch && routineHeader(raw) === undefined) return;
    inPatch = false;
    const origin = src.origins?.[i];
    const code = raw.replace(/;.*/, '');
    const c = new Cursor(code, origin?.file ?? src.path, origin?.line ?? i + 1, diag);
    const first = c.peek();
    if (!first) return;
    const text = code.trim();
    try {
      if (first.text === 'patch' && first.loc.col === 1) {
        inPatch = true;
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
        instruction(c, item);
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
