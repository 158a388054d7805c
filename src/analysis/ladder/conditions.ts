// The condition oracle of the static walk: the values a `require` or `if`
// condition can have at a state, each with the state that then knows it
// (walk.ts says which conditions are sticky and why).
import * as A from '../../../assembly/abi.js';
import { type State, CHILD, ALL, SCX_TASK, STICKY, clone, resOf } from './state.js';
import { condName } from './names.js';

/** The values a condition can have here, each with the state that knows it. */
export function condValues(s: State, id: number): [boolean, State][] {
  const name = condName(id);
  const both = (k?: string, allowed: boolean[] = [true, false]): [boolean, State][] => allowed.map((v) => {
    const n = clone(s);
    if (k) n.facts[k] = v;
    return [v, n];
  });
  const taskScx = (reg: number, what: 'none' | 'enabled'): [boolean, State][] => {
    const sym = s.regs[reg];
    const r = s.res[sym] ?? (sym === CHILD ? { known: ALL, held: 0, scxEnabled: false } : { known: 0, held: 0 });
    if (what === 'none') {
      if (r.known & SCX_TASK) return [[(r.held & SCX_TASK) === 0, clone(s)]];
      return [true, false].map((v) => {
        const n = clone(s);
        const nr = resOf(n, sym);
        nr.known |= SCX_TASK;
        if (v) nr.held &= ~SCX_TASK; else nr.held |= SCX_TASK;
        return [v, n];
      });
    }
    if ((r.known & SCX_TASK) && (r.held & SCX_TASK) === 0) return [[false, clone(s)]];
    if (r.scxEnabled !== undefined) return [[r.scxEnabled, clone(s)]];
    return [true, false].map((v) => {
      const n = clone(s);
      const nr = resOf(n, sym);
      nr.scxEnabled = v;
      if (v) { nr.known |= SCX_TASK; nr.held |= SCX_TASK; }
      return [v, n];
    });
  };
  switch (name) {
    case 't_scx_state_none': return taskScx(A.REG_T, 'none');
    case 'p_scx_state_none': return taskScx(A.REG_P, 'none');
    case 't_scx_state_enabled': return taskScx(A.REG_T, 'enabled');
    case 'p_class_ext': return sticky(s, `p_class_ext:${s.regs[A.REG_P]}`);
    case 'same_rq': {
      // rq == rq2: one lock; make the registers one symbol.
      if (s.regs[A.REG_RQ] === s.regs[A.REG_RQ2]) return [[true, clone(s)]];
      const k = `differ:${[s.regs[A.REG_RQ], s.regs[A.REG_RQ2]].sort().join(':')}`;
      if (s.facts[k]) return [[false, clone(s)]];
      return [true, false].map((v) => {
        const n = clone(s);
        if (v) n.regs[A.REG_RQ2] = n.regs[A.REG_RQ];
        else n.facts[k] = true;
        return [v, n];
      });
    }
  }
  if (!STICKY.has(name)) return both();
  let allowed = [true, false];
  if (name === 'scx_enabled' && s.facts.scx_init_task_enabled === true) allowed = [true];
  if (name === 'scx_init_task_enabled' && s.facts.scx_enabled === false) allowed = [false];
  if (name in s.facts) allowed = [s.facts[name]];
  return both(name, allowed);
}

function sticky(s: State, k: string): [boolean, State][] {
  if (k in s.facts) return [[s.facts[k], clone(s)]];
  return [true, false].map((v) => { const n = clone(s); n.facts[k] = v; return [v, n]; });
}

