// The walk's abstract state: pc, call stack, error, first failure site,
// ladder path, registers holding symbols, per-symbol resources, declared
// state it knows, held locks and remembered condition outcomes (see
// walk.ts for the abstraction).

export interface Frame { callPc: number; err: number; fail: number; pathLen: number }
export interface Held { lock: string; cls: number; mode: number; pc: number }
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
  held: Held[];
  facts: Record<string, boolean>; // condition atoms read on this path, by their key
}

export const CHILD = 'child';
export const MAX_STATES = 400_000;

export function clone(s: State): State {
  const res: Record<string, Res> = {};
  for (const k of Object.keys(s.res)) res[k] = { ...s.res[k] };
  return { ...s, frames: s.frames.slice(), path: s.path.slice(), regs: s.regs.slice(), res, vars: { ...s.vars }, held: s.held.slice(), facts: { ...s.facts } };
}

export function key(s: State): string {
  const res = Object.keys(s.res).sort().map((k) => `${k}:${s.res[k].known}:${s.res[k].held}`).join(',');
  const vars = Object.keys(s.vars).sort().map((k) => `${k}=${s.vars[k]}`).join(',');
  const facts = Object.keys(s.facts).sort().map((k) => `${k}=${s.facts[k] ? 1 : 0}`).join(',');
  return [s.pc, s.frames.map((f) => `${f.callPc}/${f.err}/${f.fail}/${f.pathLen}`).join(';'), s.err, s.fail, s.path.join('.'), s.regs.join(','), res, vars,
    s.held.map((h) => `${h.lock}/${h.mode}/${h.pc}`).join(';'), facts].join('|');
}

/** The resources of a task symbol: the child's are all known (it starts with none). */
export function resOf(s: State, sym: string, all: number): Res {
  let r = s.res[sym];
  if (!r) {
    r = sym === CHILD ? { known: all, held: 0 } : { known: 0, held: 0 };
    s.res[sym] = r;
  }
  return r;
}
