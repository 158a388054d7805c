// Conditions: `if COND goto L`, `require COND else L E`, a primitive's
// `fails E when COND`, an effect's `if COND`, an action's `when COND`.
//
//   COND    := ATOM ('&&' ATOM)*
//   ATOM    := ['!'] OPERAND | OPERAND CMP OPERAND      CMP: == != < <= > >=
//            | OPERAND & OPERAND | !(OPERAND & OPERAND)  a flag test: clone_flags & CLONE_THREAD
//   OPERAND := INTEGER | CONST | STATE | REG.STATE | BUILTIN | REG.cpu | REG.exit_state
//            | p | t | current | parent | rq | rq2 | this_rq | data_race(OPERAND)
//
// A task register compares with a task reference (`t.real_parent == current`).
//
// A condition becomes a row of the conditions table (one per distinct
// condition and register binding), which the core evaluates atom by atom.
import * as abi from '../../assembly/abi.js';
import { BUILTIN_VALUES, RQ_REGS, TASK_REGS, lookup } from './builtins.js';
import { Diagnostics, shown } from './errors.js';
import { Cursor } from './cursor.js';
import { bare, type Atom, type Cond, type Operand, type Vocabulary } from './vocabulary.js';

const CMPS: Record<string, number> = { '==': abi.CMP_EQ, '!=': abi.CMP_NE, '<': abi.CMP_LT, '<=': abi.CMP_LE, '>': abi.CMP_GT, '>=': abi.CMP_GE };

/** Parse a condition at the cursor. `self`: allowed as a register (in a primitive's declaration). */
export function parseCond(c: Cursor, v: Vocabulary, self = false): Cond {
  const atoms: Atom[] = [];
  const parts: string[] = [];
  do {
    const neg = c.accept('!') !== undefined;
    const paren = neg ? c.accept('(') : undefined;
    const lhs = operand(c, v, self);
    const op = c.peek();
    const cmp = op ? lookup(CMPS, op.text) : undefined;
    if (op?.text === '&' || paren) {
      c.expect('&', paren ? "in '!(A & B)'" : 'between the operands of a flag test');
      const rhs = operand(c, v, self);
      if (paren) c.expect(')', "to close '!('");
      atoms.push({ cmp: neg ? abi.CMP_NAND : abi.CMP_AND, lhs, rhs });
      parts.push(neg ? `!(${lhs.text} & ${rhs.text})` : `${lhs.text} & ${rhs.text}`);
    } else if (cmp !== undefined) {
      if (neg) c.fail(`'!' applies to a single value; write the comparison the other way round`, op);
      c.next();
      const rhs = operand(c, v, self);
      atoms.push({ cmp, lhs, rhs });
      parts.push(`${lhs.text} ${op!.text} ${rhs.text}`);
    } else {
      atoms.push({ cmp: neg ? abi.CMP_FALSE : abi.CMP_TRUE, lhs });
      parts.push(`${neg ? '!' : ''}${lhs.text}`);
    }
    if (atoms.length > abi.MAX_ATOMS) c.fail(`a condition has at most ${abi.MAX_ATOMS} atoms`);
  } while (c.accept('&&'));
  return { atoms, text: parts.join(' && ') };
}

function operand(c: Cursor, v: Vocabulary, self: boolean): Operand {
  const t = c.peek();
  if (!t) c.fail('expected a value (a state, a constant, a number or a built-in value)');
  if (t.text === '-' || /^\d+$/.test(t.text)) {
    const n = c.int('a number');
    return { kind: abi.OPD_CONST, reg: '', value: n.value, racy: false, text: String(n.value) };
  }
  const w = c.word('a value');
  if (w.text === 'data_race') {
    c.expect('(', 'after data_race');
    const inner = operand(c, v, self);
    c.expect(')', 'to close data_race(');
    if (inner.kind !== abi.OPD_VAR) c.fail(`data_race() marks a racy read of declared state; '${inner.text}' is not state`, w);
    return { ...inner, racy: true, text: `data_race(${inner.text})` };
  }
  const k = v.consts.get(w.text);
  if (k) return { kind: abi.OPD_CONST, reg: '', value: k.value, racy: false, text: w.text };
  const g = v.vars.get(w.text);
  if (g) {
    if (!bare(g.scope)) c.fail(`${g.name} is per-${g.scope} state: write it with a register (${g.scope === 'task' ? 'p' : 'rq'}.${g.name})`, w);
    return { kind: abi.OPD_VAR, reg: '', value: g.id, racy: false, text: w.text };
  }
  if (lookup(TASK_REGS, w.text) !== undefined || (self && w.text === 'self')) return { kind: abi.OPD_TASK, reg: w.text, value: 0, racy: false, text: w.text };
  const b = lookup(BUILTIN_VALUES, w.text);
  if (b && !b.task) return { kind: abi.OPD_BUILTIN, reg: '', value: b.id, racy: false, text: w.text };
  if (lookup(RQ_REGS, w.text) !== undefined) return { kind: abi.OPD_REG, reg: w.text, value: 0, racy: false, text: w.text };
  const dot = w.text.indexOf('.');
  if (dot > 0) {
    const reg = w.text.slice(0, dot), name = w.text.slice(dot + 1);
    const isTask = lookup(TASK_REGS, reg) !== undefined || (self && reg === 'self');
    const isRq = lookup(RQ_REGS, reg) !== undefined;
    if (!isTask && !isRq) c.fail(`unknown register '${shown(reg)}' in '${shown(w.text)}'`, w);
    const tb = lookup(BUILTIN_VALUES, name);
    if (tb?.task && isTask) return { kind: abi.OPD_BUILTIN, reg, value: tb.id, racy: false, text: w.text };
    const s = v.vars.get(name);
    if (s && s.scope === (isTask ? 'task' : 'rq')) return { kind: abi.OPD_VAR, reg, value: s.id, racy: false, text: w.text };
    if (s) c.fail(`${s.name} is ${bare(s.scope) ? `${s.scope} state: write it without a register` : `per-${s.scope} state`}`, w);
    c.fail(`unknown state '${shown(name)}' of ${reg}${c.suggest(name, [...v.vars.keys()])}`, w);
  }
  const names = [...v.vars.keys(), ...v.consts.keys(), ...Object.keys(BUILTIN_VALUES)];
  return c.fail(`unknown condition '${shown(w.text)}' (not a declared state or constant, nor a built-in value)${c.suggest(w.text, names)}`, w);
}

/** The register number an operand's register name denotes, `self` bound to `selfReg`. */
export function regOf(name: string, selfReg: number): number {
  if (name === '') return abi.REG_NONE;
  if (name === 'self') return selfReg;
  return lookup(TASK_REGS, name) ?? lookup(RQ_REGS, name) ?? abi.REG_NONE;
}

/** A condition as the core's table row holds it (its words, in order). */
export interface CondRow { cond: Cond; self: number; words: number[] }

export function encodeCond(cond: Cond, selfReg: number): CondRow {
  const words = [cond.atoms.length];
  const opd = (o: Operand): number[] => [o.kind | (regOf(o.reg, selfReg) << abi.OPD_REG_SHIFT) | (o.racy ? abi.OPD_RACY : 0), o.value];
  for (const a of cond.atoms) words.push(a.cmp, ...opd(a.lhs), ...(a.rhs ? opd(a.rhs) : [0, 0]), 0);
  return { cond, self: selfReg, words };
}

/** A condition written outside a model file (a machine file's cost that
 *  depends on it), compiled against the model's vocabulary; a bad one
 *  throws KasmError at `file:line` with the column in `text`. */
export function compileCond(text: string, v: Vocabulary, file: string, line: number): CondRow {
  const diag = new Diagnostics();
  const c = new Cursor(text, file, line, diag);
  const cond = parseCond(c, v);
  const extra = c.peek();
  if (extra) c.fail(`unexpected '${shown(extra.text)}' after the condition`, extra);
  return encodeCond(cond, abi.REG_NONE);
}
