// The walk's abstract state: pc, call stack, error, first failure site,
// ladder path, registers holding symbols, per-symbol resources, declared
// state it knows, held locks and remembered condition outcomes (see
// walk.ts for the abstraction).

export interface Frame { callPc: number; err: number; fail: number; pathLen: number }
/** `atomic`: a spinning lock (it raised preempt_count); `irqOn`: an _irqsave hold taken with interrupts on. */
export interface Held { lock: string; cls: number; mode: number; pc: number; atomic?: boolean; irqOn?: boolean }
export interface Res { known: number; held: number } // bit masks over the model's resources
export interface State {
  pc: number;
  frames: Frame[];
  err: number;
  fail: number; // site id of the first failure, 0: none
  path: number[]; // label ids
  regs: string[]; // symbol per register (abi REG_*)
  res: Record<string, Res>; // per task symbol, only those touched or created
  vars: Record<string, number>; // known values of declared state: `g:ID` or `SYMBOL:ID`
  ptrs: Record<string, string>; // known task references: `SYMBOL:ID` -> the symbol of the task it points at
  held: Held[];
  facts: Record<string, boolean>; // condition atoms read on this path, by their key
  irqOff: boolean; // interrupts disabled (contexts.ts)
  saves: boolean[]; // local_irq_save()'s stack: interrupts were off
  preempt: number; // preempt_disable() depth (spinning locks are counted by their holds)
}

export const CHILD = 'child';
export const MAX_STATES = 400_000;

export function clone(s: State): State {
  const res: Record<string, Res> = {};
  for (const k in s.res) res[k] = { known: s.res[k].known, held: s.res[k].held };
  return {
    pc: s.pc, frames: s.frames.slice(), err: s.err, fail: s.fail, path: s.path.slice(), regs: s.regs.slice(), res,
    vars: Object.assign({}, s.vars), ptrs: Object.assign({}, s.ptrs), held: s.held.slice(), facts: Object.assign({}, s.facts),
    irqOff: s.irqOff, saves: s.saves.slice(), preempt: s.preempt,
  };
}

/** A state's identity (the walk visits each once): its fields in a fixed order, maps by sorted key. */
export function key(s: State): string {
  let out = `${s.pc}|${s.err}|${s.fail}|${s.path.join('.')}|${s.regs.join(',')}|${s.irqOff ? 1 : 0}${s.saves.map((x) => (x ? 1 : 0)).join('')}/${s.preempt}|`;
  for (const f of s.frames) out += `${f.callPc}/${f.err}/${f.fail}/${f.pathLen};`;
  for (const h of s.held) out += `|${h.lock}/${h.mode}/${h.pc}`;
  out += '|';
  for (const k of sorted(s.res)) out += `${k}:${s.res[k].known}:${s.res[k].held},`;
  out += '|';
  for (const k of sorted(s.vars)) out += `${k}=${s.vars[k]},`;
  out += '|';
  for (const k of sorted(s.ptrs)) out += `${k}>${s.ptrs[k]},`;
  out += '|';
  for (const k of sorted(s.facts)) out += s.facts[k] ? `${k},` : `!${k},`;
  return out;
}

const sorted = (o: object): string[] => {
  const ks = Object.keys(o);
  return ks.length > 1 ? ks.sort() : ks;
};

/** The resources of a task symbol: the child's are all known (it starts with none). */
export function resOf(s: State, sym: string, all: number): Res {
  let r = s.res[sym];
  if (!r) {
    r = sym === CHILD ? { known: all, held: 0 } : { known: 0, held: 0 };
    s.res[sym] = r;
  }
  return r;
}
