// The condition oracle of the static walk: the values a condition can have
// at a state, each with the state that then knows it.
//
// Declared state is known where the path wrote it (a child's state is all
// zero when dup_task_struct makes it; global state no instruction writes
// keeps its declared value); where it is not known, an atom over it takes
// both values and the path remembers which (sticky: another CPU's writes
// are the dynamic runs' business, ASSUMPTION stated in walk.ts). Built-in
// values (nr_threads, iter_end, task_cpu, ...) change under the path and
// take both values at every read. `rq == rq2` true makes the two registers
// one symbol (one lock, as double_rq_lock() on one runqueue).
import * as A from '../../../assembly/abi.js';
import type { Program } from '../../kasm/index.js';
import type { CondRow } from '../../kasm/cond.js';
import { regOf } from '../../kasm/cond.js';
import { decodeInsn } from '../../kasm/insn.js';
import type { Atom, Operand } from '../../kasm/vocabulary.js';
import { type State, CHILD, clone } from './state.js';

type Val = { v: number } | { key: string } | { sym: string } | { unknown: true };

export class Oracle {
  private readonly written = new Set<number>(); // global variables some instruction or primitive writes

  constructor(private readonly p: Program) {
    for (let pc = 0; pc < p.src.length; pc++) {
      const insn = decodeInsn(p.code, pc);
      if (insn.op === A.OP_STATE) this.written.add(insn.arg);
    }
    for (const e of p.effects) for (const x of e.effects) this.written.add(x.var);
  }

  /** The state key of variable `id` accessed through register `reg`. */
  varKey(s: State, id: number, reg: number): string {
    const d = this.p.vocab.varList[id];
    if (d.scope === 'global') return 'g:' + id;
    if (d.scope === 'local') return 'l:' + id;
    // A struct's state lives in the task its pointer names (sighand.count in the sighand's).
    const sym = d.host ? this.pointee(s, d.host.id, s.regs[reg]) : s.regs[reg];
    return `${sym}:${id}`;
  }

  /** The symbol of the task that task reference `id` of task `sym` points
   *  at: known where the path set it; a struct pointer no one set is the
   *  parent's for the child (dup_task_struct copies them) and its own for
   *  any other task (a boot task's; the path does not follow sharing it did
   *  not see); else `@SYMBOL>ID`, one the path knows nothing of. */
  pointee(s: State, id: number, sym: string): string {
    const k = `${sym}:${id}`;
    if (k in s.ptrs) return s.ptrs[k];
    if (!this.p.vocab.varList[id].struct) return `@${sym}>${id}`;
    return sym === CHILD ? this.pointee(s, id, s.regs[A.REG_CURRENT]) : sym;
  }

  /** What a path knows of a variable: its value, or undefined. */
  known(s: State, key: string, id: number): number | undefined {
    if (key in s.vars) return s.vars[key];
    const d = this.p.vocab.varList[id];
    if (d.scope === 'global' && d.type !== 'param' && !this.written.has(id)) return d.init;
    if (key.startsWith(`${CHILD}:`) || key.startsWith('l:')) return 0; // a child's state and a syscall's locals start at zero
    return undefined;
  }

  private operand(s: State, o: Operand, self: number): Val {
    const reg = regOf(o.reg, self);
    switch (o.kind) {
      case A.OPD_CONST: return { v: o.value };
      case A.OPD_VAR: {
        const key = this.varKey(s, o.value, reg);
        const v = this.known(s, key, o.value);
        return v === undefined ? { key } : { v };
      }
      case A.OPD_REG: case A.OPD_TASK: return { sym: s.regs[reg] };
      case A.OPD_BUILTIN:
        // last_ref: what the path's last put decided (walk.ts), where it made one
        if (o.value === A.BV_LAST_REF && LAST_REF in s.facts) return { v: s.facts[LAST_REF] ? 1 : 0 };
        return { unknown: true };
      default: return { unknown: true };
    }
  }

  /** The values condition row `row` can have at `s`, each with its state. */
  values(s: State, row: CondRow): [boolean, State][] {
    const out: [boolean, State][] = [];
    const go = (st: State, i: number): void => {
      if (i === row.cond.atoms.length) { out.push([true, st]); return; }
      for (const [v, n] of this.atom(st, row.cond.atoms[i], row.self)) {
        if (v) go(n, i + 1);
        else out.push([false, n]);
      }
    };
    go(s, 0);
    return out;
  }

  private atom(s: State, a: Atom, self: number): [boolean, State][] {
    const l = this.operand(s, a.lhs, self);
    const r = a.rhs ? this.operand(s, a.rhs, self) : { v: 0 };
    const cmp = a.cmp === A.CMP_TRUE ? A.CMP_NE : a.cmp === A.CMP_FALSE ? A.CMP_EQ : a.cmp;
    if ('v' in l && 'v' in r) return [[compare(cmp, l.v, r.v), clone(s)]];
    if ('sym' in l && 'sym' in r && (cmp === A.CMP_EQ || cmp === A.CMP_NE)) {
      const same = l.sym === r.sym;
      const k = `differ:${[l.sym, r.sym].sort().join(':')}`;
      if (same) return [[cmp === A.CMP_EQ, clone(s)]];
      if (s.facts[k]) return [[cmp === A.CMP_NE, clone(s)]];
      return [true, false].map((eq) => {
        const n = clone(s);
        if (eq) n.regs[regOf(a.rhs!.reg, self)] = l.sym; // one runqueue: one symbol
        else n.facts[k] = true;
        return [eq === (cmp === A.CMP_EQ), n];
      });
    }
    const sticky = ('key' in l || 'v' in l) && ('key' in r || 'v' in r);
    const k = sticky ? `${cmp}|${opKey(l)}|${opKey(r)}` : '';
    if (sticky && k in s.facts) return [[s.facts[k], clone(s)]];
    // A global flag read against zero: what the model's assumptions say of it.
    if ('key' in l && 'v' in r && r.v === 0 && (cmp === A.CMP_EQ || cmp === A.CMP_NE)) {
      const set = this.assumed(s, l.key);
      if (set !== undefined) {
        const n = clone(s);
        n.facts[k] = set === (cmp === A.CMP_NE);
        return [[n.facts[k], n]];
      }
    }
    return [true, false].map((v) => {
      const n = clone(s);
      if (sticky) {
        n.facts[k] = v;
        // An equality that holds tells the value.
        if ((cmp === A.CMP_EQ) === v && (cmp === A.CMP_EQ || cmp === A.CMP_NE)) {
          if ('key' in l && 'v' in r) n.vars[l.key] = r.v;
          if ('key' in r && 'v' in l) n.vars[r.key] = l.v;
        }
      }
      return [v, n];
    });
  }

  /** Is the global flag `key` set (true), clear (false) or unknown by the
   *  assumptions, from what the path read of the others? */
  private assumed(s: State, key: string): boolean | undefined {
    const isSet = (id: number): boolean | undefined => {
      const k = `g:${id}`;
      const v = this.known(s, k, id);
      if (v !== undefined) return v !== 0;
      const ne = s.facts[`${A.CMP_NE}|[${k}]|#0`], eq = s.facts[`${A.CMP_EQ}|[${k}]|#0`];
      return ne !== undefined ? ne : eq !== undefined ? !eq : undefined;
    };
    for (const a of this.p.vocab.assumptions) {
      if (key === `g:${a.to.id}` && isSet(a.from.id) === true) return true;
      if (key === `g:${a.from.id}` && isSet(a.to.id) === false) return false;
    }
    return undefined;
  }

  /** A write to `key`: what the path remembered about it goes. */
  forget(s: State, key: string): void {
    for (const f of Object.keys(s.facts)) if (f.includes(`[${key}]`)) delete s.facts[f];
  }
}

/** The fact a put leaves: whether it dropped the last reference (the builtin `last_ref`). */
export const LAST_REF = 'last_ref';

const opKey = (v: Val): string => ('key' in v ? `[${v.key}]` : 'v' in v ? `#${v.v}` : '?');

function compare(cmp: number, l: number, r: number): boolean {
  switch (cmp) {
    case A.CMP_EQ: return l === r;
    case A.CMP_NE: return l !== r;
    case A.CMP_LT: return l < r;
    case A.CMP_LE: return l <= r;
    case A.CMP_GT: return l > r;
    case A.CMP_GE: return l >= r;
    case A.CMP_AND: return (l & r) !== 0;
    default: return (l & r) === 0;
  }
}
