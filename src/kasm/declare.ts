// Declarations: what a model adds to kasm, in its own files, inherited
// through `base` like its routines (kernels/README.md, "Declarations").
//
//   lock NAME KIND SCOPE ["CLASS"]        KIND: raw_spinlock spinlock rwlock mutex rwsem percpu_rwsem
//                                         SCOPE: global | task | rq
//   resource NAME ["doc"]                 per task, booked by the ledger
//   struct NAME ["doc"]                   a per-task pointer; per-task NAME.X live in the task it points at
//   state NAME SCOPE [flag|int|task [live]] [= N|CONST|self] [guarded_by LOCK] [counts] ["doc"]
//                                         SCOPE: global | task | rq | local (the syscall's, zeroed at entry)
//   refcount NAME SCOPE [= N] [release ROUTINE] [guarded_by LOCK] ["doc"]
//   param NAME int|ppm DEFAULT ["doc"]    global state the scenario sets (params:)
//   const NAME N ["doc"]
//   action NAME ROUTINE (weight W [fork] | first) [when COND] ["doc"]
//   trial NAME ACTION=W ... [interval N] ["doc"]   a workload `forksim faults` runs each site under
//   assume NAME implies STATE ["doc"]     the static walk takes STATE as set wherever NAME is
//                                         (global flags; say in the doc why, and what it leaves out)
//   interrupt NAME ROUTINE [rate N] [wakeup] ["doc"]
//                                         a handler: ROUTINE runs in hardirq context where it arrives,
//                                         N times per million steps of a CPU; `wakeup`: the IPI a
//                                         woken task's CPU gets (sleeping locks sleep only with one)
//   primitive NAME [REG] ["doc"]          then, one per line:
//       service SERVICE [COND]            the built-in service it runs (services.ts); an iterator's condition
//       acquires R, ...  |  releases R, ...  |  asserts LOCK, ...   (self.LOCK: its own task's)
//       fails ERRNO [when COND]           it can fail (by injection; by itself when COND holds)
//       sleeps                            it may sleep (a GFP_KERNEL allocation): might_sleep()
//       set VAR [N] | clear VAR | inc VAR | dec VAR | charge VAR limit PARAM   [if COND]
//
// Every declaration is read before any routine, so a routine may use what a
// later file declares; names are resolved once all are known.
import * as abi from '../../assembly/abi.js';
import { BUILTIN_ACTIONS, CTX_OPS, ERRNOS, LOCK_KINDS, LOCK_OPS, MAX_WEIGHT, MIN_PPM, MIN_WEIGHT, RQ_REGS, TASK_REGS, lookup } from './builtins.js';
import { SERVICES } from './services.js';
import { Cursor, stripComment, WORD, type SourceFile, type Tok } from './cursor.js';
import { KasmError, shown, type Diagnostics } from './errors.js';
import { parseCond } from './cond.js';
import { SCOPES, Vocabulary, bare, type EffectDecl, type PrimDecl, type Scope, type VarDecl } from './vocabulary.js';

export const DECLARATIONS = ['lock', 'resource', 'struct', 'state', 'refcount', 'param', 'const', 'action', 'trial', 'assume', 'interrupt', 'primitive'];
const CLAUSES = ['service', 'acquires', 'releases', 'asserts', 'fails', 'sleeps', 'set', 'clear', 'inc', 'dec', 'charge'];
// A keyword is a whole token: followed by a blank, a comment or the end.
const DECL_LINE = new RegExp(`^(${DECLARATIONS.join('|')})(?=\\s|;|$)`);
const CLAUSE_LINE = new RegExp(`^\\s+(${CLAUSES.join('|')})(?=\\s|;|$)`);
const BLANK_LINE = /^\s*(;.*)?$/;

/** Does this line start a declaration (at its first column)? It ends a routine. */
export const isDeclaration = (line: string): boolean => DECL_LINE.test(line);

/** For each line, the declaration it belongs to, as `KIND NAME`
 *  (`primitive copy_files`): a declaration's own line, and a primitive's
 *  indented clause lines after it (blank and comment lines between them
 *  belong to none but do not end it); undefined for every other line. The
 *  one reading of the block structure that declare(), the parser and the
 *  loader share. */
export function declarationOf(lines: string[]): (string | undefined)[] {
  let block: string | undefined;
  return lines.map((line) => {
    if (isDeclaration(line)) {
      const m = /^(\w+)\s+([A-Za-z_][\w.]*)/.exec(line);
      block = m ? `${m[1]} ${m[2]}` : line.trim(); // a nameless one is declare()'s error
      return block;
    }
    if (BLANK_LINE.test(line)) return undefined;
    if (!(block?.startsWith('primitive ') && CLAUSE_LINE.test(line))) block = undefined;
    return block;
  });
}

const MAX_ASSERTS = 2;
/** Words that are kasm's own: no declaration may take them. */
const RESERVED = new Set([...DECLARATIONS, ...Object.keys(LOCK_OPS), ...Object.keys(CTX_OPS), 'call', 'require', 'if', 'WARN_ON', 'goto', 'return', 'mov', 'routine', 'patch',
  'set', 'clear', 'inc', 'dec', 'get', 'put', 'else', 'when', 'self', ...Object.keys(TASK_REGS), ...Object.keys(RQ_REGS)]);

/** Read every declaration of `files` into a vocabulary. Errors go to `diag`. */
export function declare(files: SourceFile[], diag: Diagnostics): Vocabulary {
  const v = new Vocabulary();
  const later: (() => void)[] = [];
  const guard = (f: () => void): void => {
    try { f(); } catch (e) { if (e instanceof KasmError) diag.add(e); else throw e; }
  };
  const slots = { globalLocks: 0, taskLocks: 0, rqLocks: 0, global: 0, task: 0, rq: 0, local: 0 };
  const maxWords: Record<Scope, number> = { global: abi.MAX_GLOBAL_VARS, task: abi.MAX_TASK_VARS, rq: abi.MAX_RQ_VARS, local: abi.MAX_LOCAL_VARS };
  const addVar = (c: Cursor, name: Tok, d: Omit<VarDecl, 'id' | 'slot' | 'at'>): VarDecl => {
    const words = d.type === 'refcount' ? 2 : 1; // a refcount keeps where it last reached zero
    if (slots[d.scope] + words > maxWords[d.scope]) c.fail(`too much ${d.scope === 'global' ? 'global' : `per-${d.scope}`} state (at most ${maxWords[d.scope]} words)`, name);
    if (v.varList.length === abi.MAX_VARS) c.fail(`too many state variables (at most ${abi.MAX_VARS})`, name);
    const decl: VarDecl = { ...d, id: v.varList.length, slot: slots[d.scope], at: name.loc };
    slots[d.scope] += d.scope === 'global' ? 1 : words;
    v.vars.set(decl.name, decl);
    v.varList.push(decl);
    return decl;
  };
  for (const src of files) {
    let prim: PrimDecl | undefined;
    const lines = src.text.split(/\r?\n/);
    const owner = declarationOf(lines);
    lines.forEach((raw, i) => {
      if (owner[i] === undefined) return;
      const origin = src.origins?.[i];
      const code = stripComment(raw);
      const c = new Cursor(code, origin?.file ?? src.path, origin?.line ?? i + 1, diag);
      const first = c.peek()!;
      if (!isDeclaration(raw)) {
        // A clause line of the primitive above (none when its header had an error).
        if (!prim) return;
        const p = prim;
        c.next();
        later.push(() => guard(() => clause(c, first, p, v)));
        return;
      }
      prim = undefined;
      c.next();
      guard(() => {
        const name = c.word(`a name after '${first.text}'`);
        // One namespace for what a model declares (a lock and a state of one name would read alike).
        // A resource may share its name with a struct: the ledger's booking of a reference on it.
        const pair = (first.text === 'resource' && v.vars.get(name.text)?.struct === true && !v.resources.has(name.text))
          || (first.text === 'struct' && v.resources.has(name.text) && !v.vars.has(name.text));
        const taken = v.locks.has(name.text) || v.consts.has(name.text) || v.prims.has(name.text) || (!pair && (v.resources.has(name.text) || v.vars.has(name.text)));
        const clash = (): void => { if (taken) c.fail(`'${shown(name.text)}' is declared twice`, name); };
        if (RESERVED.has(name.text)) c.fail(`'${shown(name.text)}' is a kasm instruction or keyword: a declaration needs another name`, name);
        switch (first.text) {
          case 'lock': {
            clash();
            const kt = c.word('a lock kind');
            const kind = lookup(LOCK_KINDS, kt.text) ?? c.fail(`unknown lock kind '${shown(kt.text)}' (${Object.keys(LOCK_KINDS).join(', ')})`, kt);
            const scope = scopeOf(c);
            if (scope === 'local') c.fail(`a lock is global, per task or per rq, not local`, name);
            const cls = c.doc() ?? (scope === 'global' ? name.text : `&${scope === 'task' ? 'p' : 'rq'}->${name.text}`);
            c.done();
            if (v.classes.length === abi.MAX_CLASSES) c.fail(`too many lock classes (at most ${abi.MAX_CLASSES})`, name);
            const key = scope === 'global' ? 'globalLocks' : scope === 'task' ? 'taskLocks' : 'rqLocks';
            const max = scope === 'global' ? abi.MAX_GLOBAL_LOCKS : scope === 'task' ? abi.MAX_TASK_LOCKS : abi.MAX_RQ_LOCKS;
            if (slots[key] === max) c.fail(`too many ${scope === 'global' ? 'global' : `per-${scope}`} locks (at most ${max})`, name);
            const l = { name: name.text, kind: kt.text as keyof typeof LOCK_KINDS, algo: kind.kind, scope, cls: v.classes.length, slot: slots[key]++, className: cls, at: name.loc };
            v.locks.set(l.name, l);
            v.classes.push(l);
            return;
          }
          case 'resource': {
            clash();
            const doc = c.doc();
            c.done();
            if (v.resourceList.length === abi.MAX_RESOURCES) c.fail(`too many resources (at most ${abi.MAX_RESOURCES})`, name);
            const r = { name: name.text, bit: v.resourceList.length, at: name.loc, doc };
            v.resources.set(r.name, r);
            v.resourceList.push(r);
            return;
          }
          case 'struct': {
            clash();
            const doc = c.doc();
            c.done();
            addVar(c, name, { name: name.text, scope: 'task', type: 'task', struct: true, init: 0, doc });
            return;
          }
          case 'const': {
            clash();
            const n = value(c, v); // a number, or constants declared above or'ed
            const doc = c.doc();
            c.done();
            v.consts.set(name.text, { name: name.text, value: n, at: name.loc, doc });
            return;
          }
          case 'state': case 'refcount': case 'param': {
            clash();
            let scope: Scope = 'global', type: VarDecl['type'] = first.text === 'refcount' ? 'refcount' : 'int', init = 0, ppm = false, live = false;
            let initName: Tok | undefined;
            if (first.text === 'param') {
              const t = c.word("'int' or 'ppm'");
              if (t.text !== 'int' && t.text !== 'ppm') c.fail(`a param is 'int' or 'ppm' (a probability), not '${shown(t.text)}'`, t);
              ppm = t.text === 'ppm';
              init = ppm ? Math.round(number(c, 'a probability', ...PPM) * 1e6) : c.int('its default').value;
              type = 'param';
            } else {
              scope = scopeOf(c);
              if (first.text === 'state' && ['flag', 'int', 'task'].includes(c.peek()?.text ?? '')) type = c.next()!.text as 'flag' | 'int' | 'task';
              if (type === 'task' && c.accept('live')) live = true;
              if (live && scope === 'local') c.fail(`'live' is checked at quiescent points, where no syscall's locals exist`, name);
              if (c.peek()?.text === '=') {
                const t = c.next();
                if (scope === 'rq' || scope === 'local') c.fail(`per-${scope} state starts at zero`, t);
                // A number, or a constant (which may be declared further on).
                // Per task: the boot tasks' value (INIT_TASK's); a forked task's starts at zero.
                const n = c.peek();
                if (type === 'task') {
                  // A task reference starts NULL; `= self`: a boot task's points at itself (init's group_leader).
                  if (scope !== 'task' || n?.text !== 'self') c.fail(`a task reference starts NULL; a per-task one may say '= self' (the boot tasks point at themselves)`, n ?? t);
                  c.next();
                  init = 1;
                } else if (n && WORD.test(n.text)) { c.next(); initName = n; } else init = c.int('an initial value').value;
              }
            }
            const d = addVar(c, name, { name: name.text, scope, type, init, ppm, live });
            later.push(() => guard(() => {
              if (initName) d.init = v.consts.get(initName.text)?.value ?? c.fail(`unknown constant '${shown(initName.text)}'${c.suggest(initName.text, v.consts.keys())}`, initName);
              while (c.peek() && !c.peek()!.text.startsWith('"')) {
                const k = c.word("'guarded_by', 'release' or a doc string");
                if (k.text === 'guarded_by') {
                  const g = c.word('a lock');
                  const l = v.locks.get(g.text) ?? c.fail(`unknown lock '${shown(g.text)}'${c.suggest(g.text, v.locks.keys())}`, g);
                  if (scope === 'local') c.fail(`a syscall's locals are its own: no lock guards them`, g);
                  if (l.scope !== 'global' && l.scope !== scope) c.fail(`per-${scope} state can be guarded by a global lock or a per-${scope} one; ${l.name} is per-${l.scope}`, g);
                  d.guard = l.name;
                } else if (k.text === 'release' && type === 'refcount') d.release = c.word('a routine').text;
                else if (k.text === 'counts' && (type === 'int' || type === 'refcount')) d.counts = true; // its struct is checked once all are read
                else c.fail(`unexpected '${shown(k.text)}' (${type === 'refcount' ? "'release ROUTINE', " : ''}'guarded_by LOCK', 'counts' or a doc string)`, k);
              }
              d.doc = c.doc();
              c.done();
            }));
            return;
          }
          case 'action': {
            clash();
            if (BUILTIN_ACTIONS.some((a) => a.name === name.text) || v.actions.some((a) => a.name === name.text)) c.fail(`action '${shown(name.text)}' is declared twice (built-in: ${BUILTIN_ACTIONS.map((a) => a.name).join(', ')})`, name);
            const routine = c.word('the routine it runs');
            let weight = 0, fork = false, first = false;
            if (c.accept('first')) first = true; // a wait the task is in: no weight, it runs whenever `when` holds
            else {
              c.expect('weight', "and its default weight (or 'first')");
              weight = number(c, 'a weight', ...WEIGHT);
              fork = c.accept('fork') !== undefined;
            }
            if (v.actions.length === abi.MAX_MODEL_ACTIONS) c.fail(`too many actions (at most ${abi.MAX_MODEL_ACTIONS})`, name);
            const a: (typeof v.actions)[number] = { name: name.text, action: abi.ACT_MODEL + v.actions.length, routine: routine.text, weight, fork, first, at: name.loc };
            v.actions.push(a);
            later.push(() => guard(() => {
              if (c.accept('when')) {
                const at = c.peek();
                a.when = parseCond(c, v);
                // Picked between syscalls: only current is known then.
                if (a.when.atoms.some((x) => [x.lhs, x.rhs].some((o) => o && o.reg !== '' && o.reg !== 'current'))) c.fail(`an action's precondition is read between syscalls, where only current is known: it reads global state, built-in values and current's state`, at);
              }
              if (first && !a.when) c.fail(`a 'first' action runs whenever its precondition holds: give it one ('when COND')`, name);
              a.doc = c.doc();
              c.done();
            }));
            return;
          }
          case 'trial': {
            if (v.trials.some((t) => t.name === name.text)) c.fail(`trial '${shown(name.text)}' is declared twice`, name);
            const t = { name: name.text, weights: {} as Record<string, number>, interval: 0, at: name.loc } as (typeof v.trials)[number];
            v.trials.push(t);
            later.push(() => guard(() => {
              while (c.peek() && !c.peek()!.text.startsWith('"') && c.peek()!.text !== 'interval') {
                const a = c.word('ACTION=WEIGHT');
                if (!v.actions.some((x) => x.name === a.text) && !BUILTIN_ACTIONS.some((x) => x.name === a.text)) c.fail(`unknown action '${shown(a.text)}'`, a);
                c.expect('=', 'between an action and its weight');
                t.weights[a.text] = number(c, 'a weight', ...WEIGHT);
              }
              if (c.accept('interval')) t.interval = c.int('an interval').value;
              t.doc = c.doc();
              c.done();
            }));
            return;
          }
          case 'assume': {
            const a = { name: name.text, at: name.loc } as (typeof v.assumptions)[number];
            later.push(() => guard(() => {
              const g = v.vars.get(name.text);
              if (!g || g.scope !== 'global') c.fail(`an assumption is about global state; '${shown(name.text)}' is not`, name);
              c.expect('implies', 'after the state an assumption starts from');
              const t = c.word('a global state');
              const h = v.vars.get(t.text);
              if (!h || h.scope !== 'global') c.fail(`an assumption is about global state; '${shown(t.text)}' is not`, t);
              a.from = g!;
              a.to = h!;
              a.doc = c.doc();
              c.done();
              v.assumptions.push(a);
            }));
            return;
          }
          case 'interrupt': {
            if (v.interrupts.some((x) => x.name === name.text)) c.fail(`interrupt '${shown(name.text)}' is declared twice`, name);
            if (v.interrupts.length === abi.MAX_IRQS) c.fail(`too many interrupts (at most ${abi.MAX_IRQS})`, name);
            const routine = c.word('the routine it runs');
            const irq = { name: name.text, index: v.interrupts.length, routine: routine.text, rate: 0, wakeup: false, at: name.loc } as (typeof v.interrupts)[number];
            while (c.peek() && !c.peek()!.text.startsWith('"')) {
              const k = c.word("'rate N', 'wakeup' or a doc string");
              if (k.text === 'rate') irq.rate = c.int('a rate (per million steps of a CPU)').value;
              else if (k.text === 'wakeup') {
                if (v.interrupts.some((x) => x.wakeup)) c.fail(`only one interrupt is the wakeup IPI`, k);
                irq.wakeup = true;
              } else c.fail(`unexpected '${shown(k.text)}' ('rate N', 'wakeup' or a doc string)`, k);
            }
            if (irq.rate < 0 || irq.rate > 1_000_000) c.fail(`a rate is 0..1000000 per million steps`, name);
            irq.doc = c.doc();
            c.done();
            v.interrupts.push(irq);
            return;
          }
          case 'primitive': {
            if (v.prims.has(name.text)) c.fail(`primitive '${shown(name.text)}' is declared twice`, name);
            if (taken) c.fail(`'${shown(name.text)}' is declared twice`, name);
            const r = c.peek() && !c.peek()!.text.startsWith('"') ? c.word('a task register') : undefined;
            if (r && lookup(TASK_REGS, r.text) === undefined) c.fail(`a primitive's register is a task register (${Object.keys(TASK_REGS).join(', ')})`, r);
            const doc = c.doc();
            c.done();
            prim = { name: name.text, reg: r?.text ?? 'p', acquires: [], releases: [], asserts: [], effects: [], at: name.loc, doc };
            v.prims.set(prim.name, prim);
            return;
          }
        }
      });
    });
  }
  for (const f of later) f();
  for (const p of v.prims.values()) guard(() => checkPrim(p));
  // A per-task lock or state named STRUCT.X lives in the task STRUCT points at.
  for (const d of [...v.locks.values(), ...v.varList]) {
    const dot = d.name.indexOf('.');
    const s = dot > 0 && d.scope === 'task' ? v.vars.get(d.name.slice(0, dot)) : undefined;
    if (s?.struct) d.host = s;
  }
  for (const d of v.varList) if (d.counts && !d.host) guard(() => { throw new KasmError(d.at, `${d.name} counts the tasks sharing its struct: it must be a struct's (STRUCT.NAME, per task)`); });
  return v;
}

function scopeOf(c: Cursor): Scope {
  const t = c.word("'global', 'task', 'rq' or 'local'");
  if (!Object.hasOwn(SCOPES, t.text)) c.fail(`expected 'global', 'task', 'rq' or 'local', found '${shown(t.text)}'`, t);
  return t.text as Scope;
}

/** A decimal number (weights, ppm defaults): digits with an optional
 *  fraction, at most `max`, and 0 or at least `min` (what the core keeps:
 *  weights in thousandths, probabilities in parts per million). */
function number(c: Cursor, what: string, min: number, max: number): number {
  const t = c.next();
  if (!t || !/^\d+$/.test(t.text)) c.fail(`expected ${what}${t ? `, found '${shown(t.text)}'` : ''}`, t);
  let s = t.text;
  if (c.peek()?.text === '.') { c.next(); const f = c.next(); if (!f || !/^\d+$/.test(f.text)) c.fail(`expected the digits of ${what}`, f); s += `.${f.text}`; }
  const v = Number(s);
  if (v > max || (v !== 0 && v < min)) c.fail(`${what} must be 0 or between ${min} and ${max}, not ${shown(s)}`, t);
  return v;
}
const WEIGHT = [MIN_WEIGHT, MAX_WEIGHT] as const;
const PPM = [MIN_PPM, 1] as const;

/** One clause line of a primitive. */
function clause(c: Cursor, kw: Tok, p: PrimDecl, v: Vocabulary): void {
  const list = (): Tok[] => {
    const out = [c.word('a name')];
    while (c.accept(',')) out.push(c.word('a name'));
    return out;
  };
  switch (kw.text) {
    case 'service': {
      if (p.service) c.fail(`${p.name} has a service already (${p.service})`, kw);
      const s = c.word('a built-in service');
      const spec = lookup(SERVICES, s.text) ?? c.fail(`unknown service '${shown(s.text)}'${c.suggest(s.text, Object.keys(SERVICES))}`, s);
      p.service = s.text;
      if (spec.arg) {
        if (!c.peek()) c.fail(`${s.text} takes ${spec.arg}`);
        p.serviceCond = parseCond(c, v, true);
      }
      break;
    }
    case 'acquires': case 'releases':
      for (const t of list()) {
        if (!v.resources.has(t.text)) c.fail(`unknown resource '${shown(t.text)}'${c.suggest(t.text, v.resources.keys())}`, t);
        (kw.text === 'acquires' ? p.acquires : p.releases).push(t.text);
      }
      break;
    case 'asserts':
      for (const t of list()) {
        const ref = v.parseLockObject(t.text.replace(/^self\./, `${p.reg}.`), (w, cs) => c.suggest(w, cs));
        if (typeof ref === 'string') c.fail(ref, t);
        p.asserts.push(t.text);
      }
      if (p.asserts.length > MAX_ASSERTS) c.fail(`a primitive asserts at most ${MAX_ASSERTS} locks`, kw);
      break;
    case 'sleeps':
      p.sleeps = true;
      break;
    case 'fails': {
      const e = c.word('an errno');
      p.fails = lookup(ERRNOS, e.text) ?? c.fail(`unknown errno '${shown(e.text)}'${c.suggest(e.text, Object.keys(ERRNOS))}`, e);
      if (c.accept('when')) p.failsWhen = parseCond(c, v, true);
      break;
    }
    default: {
      const target = c.word('a state');
      const { reg, decl } = stateRef(c, target, v, true);
      const e: EffectDecl = { op: abi.ST_SET, reg, var: decl, value: 0, text: '' };
      if (kw.text === 'set') {
        e.value = decl.type === 'flag' || !c.peek() || c.peek()!.text === 'if' ? 1 : value(c, v);
      } else if (kw.text === 'clear') e.value = 0;
      else if (kw.text === 'inc') e.op = abi.ST_INC;
      else if (kw.text === 'dec') e.op = abi.ST_DEC;
      else {
        e.op = abi.ST_CHARGE;
        c.expect('limit', 'after the state a charge counts');
        const l = c.word('a param');
        const lv = v.vars.get(l.text);
        if (!lv || lv.scope !== 'global') c.fail(`a charge's limit is global state (a param), not '${shown(l.text)}'`, l);
        e.limit = lv;
        e.value = lv.id;
      }
      if (decl.type === 'refcount') c.fail(`${decl.name} is a refcount: get and put it in a routine`, target);
      if (c.accept('if')) e.when = parseCond(c, v, true);
      e.text = `${kw.text} ${target.text}`;
      p.effects.push(e);
      if (p.effects.length > abi.MAX_PRIM_EFFECTS) c.fail(`a primitive has at most ${abi.MAX_PRIM_EFFECTS} state effects`, kw);
    }
  }
  c.done();
}

/** `NAME` (global), `REG.NAME` (task or rq); `self.` where `self` is allowed. */
export function stateRef(c: Cursor, t: Tok, v: Vocabulary, self: boolean): { reg: string; decl: VarDecl } {
  const dot = t.text.indexOf('.');
  const g = v.vars.get(t.text);
  if (dot < 0 || (g && bare(g.scope))) {
    if (!g) c.fail(`unknown state '${shown(t.text)}'${c.suggest(t.text, v.vars.keys())}`, t);
    if (!bare(g.scope)) c.fail(`${g.name} is per-${g.scope} state: name its ${g.scope} (${g.scope === 'task' ? 'p' : 'rq'}.${g.name})`, t);
    return { reg: '', decl: g };
  }
  const reg = t.text.slice(0, dot), name = t.text.slice(dot + 1);
  const scope = (self && reg === 'self') || lookup(TASK_REGS, reg) !== undefined ? 'task' : lookup(RQ_REGS, reg) !== undefined ? 'rq' : undefined;
  if (!scope) c.fail(`unknown register '${shown(reg)}' in '${shown(t.text)}'`, t);
  const d = v.vars.get(name) ?? c.fail(`unknown state '${shown(name)}'${c.suggest(name, v.vars.keys())}`, t);
  if (d.scope !== scope) c.fail(`${d.name} is ${bare(d.scope) ? d.scope : `per-${d.scope}`} state, not per-${scope}`, t);
  return { reg, decl: d };
}

/** A value to store: a number or a constant, or several or'ed
 *  (`CLONE_VFORK|CLONE_VM`, as the C writes flag sets). */
export function value(c: Cursor, v: Vocabulary): number {
  let n = 0;
  do {
    const t = c.peek();
    if (t && (t.text === '-' || /^(\d|0x)/.test(t.text))) n |= c.int('a value').value;
    else {
      const w = c.word('a value');
      n |= v.consts.get(w.text)?.value ?? c.fail(`unknown constant '${shown(w.text)}'${c.suggest(w.text, v.consts.keys())}`, w);
    }
  } while (c.accept('|'));
  return n;
}

function checkPrim(p: PrimDecl): void {
  const s = p.service ? SERVICES[p.service] : undefined;
  const fallible = s?.fails || p.failsWhen || p.effects.some((e) => e.op === abi.ST_CHARGE);
  if (fallible && p.fails === undefined) {
    const why = s?.fails ? `its service ${p.service} fails by itself when ${s.fails.when}` : p.failsWhen ? 'it fails when a condition holds' : 'a charge can go over its limit';
    throw new KasmError(p.at, `primitive ${p.name} can fail (${why}): declare 'fails ERRNO'`);
  }
}
