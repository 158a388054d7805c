// The walk's abstract state: pc, call stack, error, first failure site,
// ladder path, registers holding symbols, per-symbol resources, held locks
// and facts (see walk.ts for the abstraction).
import { RESOURCE_NAMES, RESOURCES } from '../../kasm/vocabulary.js';

export interface Frame { callPc: number; err: number; fail: number; pathLen: number }
export interface Held { lock: string; cls: number; mode: number; pc: number }
export interface Res { known: number; held: number; scxEnabled?: boolean } // bit masks over RESOURCES
export interface State {
  pc: number;
  frames: Frame[];
  err: number;
  fail: number; // site id of the first failure, 0: none
  path: number[]; // label ids
  regs: string[]; // symbol per register (abi REG_*)
  res: Record<string, Res>; // per task symbol, only those touched or created
  held: Held[];
  facts: Record<string, boolean>;
}

export const CHILD = 'child';
export const ALL = (1 << RESOURCE_NAMES.length) - 1;
export const SCX_TASK = 1 << RESOURCES.scx_task;
export const STICKY = new Set(['scx_enabled', 'scx_init_task_enabled', 'nproc_ok', 'dl_prio']);
export const FIXED: Record<string, boolean> = { nproc_ok: true, dl_prio: false };
export const MAX_STATES = 400_000;

export function clone(s: State): State {
  const res: Record<string, Res> = {};
  for (const k of Object.keys(s.res)) res[k] = { ...s.res[k] };
  return { ...s, frames: s.frames.slice(), path: s.path.slice(), regs: s.regs.slice(), res, held: s.held.slice(), facts: { ...s.facts } };
}

export function key(s: State): string {
  const res = Object.keys(s.res).sort().map((k) => `${k}:${s.res[k].known}:${s.res[k].held}:${s.res[k].scxEnabled ?? '?'}`).join(',');
  const facts = Object.keys(s.facts).sort().map((k) => `${k}=${s.facts[k] ? 1 : 0}`).join(',');
  return [s.pc, s.frames.map((f) => `${f.callPc}/${f.err}/${f.fail}/${f.pathLen}`).join(';'), s.err, s.fail, s.path.join('.'), s.regs.join(','), res,
    s.held.map((h) => `${h.lock}/${h.mode}/${h.pc}`).join(';'), facts].join('|');
}

/** The resources of a task symbol (a copy-on-write view is not needed: states are cloned per step). */
export function resOf(s: State, sym: string): Res {
  let r = s.res[sym];
  if (!r) {
    r = sym === CHILD ? { known: ALL, held: 0, scxEnabled: false } : { known: 0, held: 0 };
    s.res[sym] = r;
  }
  return r;
}

