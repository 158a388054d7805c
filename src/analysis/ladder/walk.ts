// The static ladder check: from the bytecode and the effects table alone,
// walk every path of every workload entry point (callees inlined: the call
// graph is acyclic) and say, for each fault site, what a failure there
// leaves behind when the syscall returns — resources the child still owns,
// locks still held — and what the unwinding releases or unlocks that was
// never taken. The walk mirrors the interpreter (assembly/interp.ts): the
// error register, the first failure of the syscall (C_FAIL_PC), the labels a
// failing routine passes, frames saving and restoring them, an `else` taken
// when a callee returns an error.
//
// Abstraction. A state is (pc, call stack, error, first failure site, ladder
// path, registers, resources, held locks, facts). Registers hold symbols: the
// child made by dup_task_struct (whose resources are all known, starting with
// none), or an opaque task/runqueue named after the instruction that loaded
// it (whose resources are unknown until this path acquires or releases
// them). Held locks are a list of (lock instance, mode, where taken): lock
// instances are named by the symbol in their register, so `mov t, p` then
// `t.pi_lock` is `p.pi_lock`. Contention is not modelled: a lock is always
// granted, except one this CPU already holds (recursive locking: the CPU
// would spin on itself, so the path ends there).
//
// Conditions (conditions.ts) fork both ways where the path does not know
// their value: declared state the path has not written is sticky once read
// (ASSUMPTION: no other CPU changes it during the syscall; the walk does not
// consider, for one, a fork that ran scx_fork() while scx_ops_enable() sat
// between setting scx_ops_init_task_enabled and flipping scx_enabled(), and
// then failed: a real window, README "A finding about the real kernel");
// built-in values take both values at every read; `rq == rq2` true makes
// the registers one symbol. `require` and a primitive or call with `else`
// always have a failure successor (the site can be injected), a `require` a
// pass successor when its condition can pass; a primitive that can fail by
// itself (its service, a `fails ... when`, a charge) a natural one.
//
// Declared state: a write or read of state `guarded_by` a lock not held
// here is an issue (as lockdep_assert_held() at the access); a refcount's
// count is followed where known: a put below zero or a get from zero is an
// issue, a put reaching zero calls the release routine.
// Every (state) is visited once, so loops (task_rq_lock's retry, the scx
// task iterators) end.
import * as A from '../../../assembly/abi.js';
import { errnoName, type Program, type SiteInfo } from '../../kasm/index.js';
import { SERVICES } from '../../kasm/services.js';
import { regOf } from '../../kasm/cond.js';
import { decodeInsn, objMode, objKind } from '../../kasm/insn.js';
import type { IssueKind, LadderIssue, LadderReport, SiteLadder } from './verdict.js';
import { type State, CHILD, MAX_STATES, clone, key, resOf } from './state.js';
import { Oracle, LAST_REF } from './conditions.js';
import { modeName } from './names.js';
import { ContextRules } from './contexts.js';

export type { LadderReport, SiteLadder } from './verdict.js';

const reports = new WeakMap<Program, LadderReport>(); // a program is never changed once assembled

/** Run the static ladder check over every entry point of a program. */
export function checkLadders(program: Program): LadderReport {
  let r = reports.get(program);
  if (!r) reports.set(program, (r = walkAll(program)));
  return r;
}

function walkAll(program: Program): LadderReport {
  const w = new Walker(program);
  const walked = new Set<string>(); // actions that share a routine (exit and a vfork child's exit) are one walk
  for (const a of program.actions) {
    const k = `${a.entry}:${a.fork}`;
    if (!walked.has(k)) w.walk(a.routine, a.fork, a.entry);
    walked.add(k);
  }
  for (const q of program.irqs) w.walk(q.routine, false, q.entry, q.name);
  return w.report();
}

class Walker {
  private issues = new Map<string, LadderIssue>();
  private returns = new Map<number, { entries: Set<string>; errnos: Set<string>; ladders: Map<string, string[]> }>();
  private states = 0;
  private truncated = false;
  private entry = '';
  private fork = false;
  private readonly oracle: Oracle;
  private readonly all: number; // every resource: what the child's ledger knows
  private readonly rules: ContextRules;

  constructor(private readonly p: Program) {
    this.oracle = new Oracle(p);
    // A context issue is the code's, whatever failed before it on the path.
    this.rules = new ContextRules(p, (s, i) => this.issue({ ...s, fail: 0, err: 0, path: [] }, i.kind, i.pc, i.what, i.message));
    this.all = p.vocab.resourceList.length === 32 ? -1 >>> 0 : (1 << p.vocab.resourceList.length) - 1;
  }

  private siteOf(pc: number): number { return decodeInsn(this.p.code, pc).site; }
  private resNames(mask: number): string[] { return this.p.vocab.resourceNames(BigInt(mask >>> 0)); }
  private lockDesc(h: { cls: number; mode: number }): string { return this.p.vocab.heldLockName(h.cls, h.mode); }
  private className(cls: number): string { return this.p.vocab.className(cls); }

  /** `handler`: an interrupt handler's routine, walked in hardirq context. */
  walk(routine: string, fork: boolean, entry: number, handler = ''): void {
    this.entry = routine;
    this.fork = fork;
    this.rules.handler = handler;
    const regs = new Array<string>(A.NR_REGS).fill('');
    regs[A.REG_P] = 'none';
    regs[A.REG_T] = 't0';
    regs[A.REG_CURRENT] = 'current0';
    regs[A.REG_PARENT] = 'parent0';
    regs[A.REG_RQ] = 'rq0';
    regs[A.REG_RQ2] = 'rq2_0';
    regs[A.REG_THIS_RQ] = 'this_rq';
    const start: State = { pc: entry, frames: [], err: 0, fail: 0, path: [], regs, res: {}, vars: {}, ptrs: {}, held: [], facts: {}, irqOff: false, saves: [], preempt: 0 };
    this.rules.start(start);
    const seen = new Set<string>();
    const work: State[] = [start];
    while (work.length) {
      const s = work.pop()!;
      const k = key(s);
      if (seen.has(k)) continue;
      seen.add(k);
      if (++this.states > MAX_STATES) { this.truncated = true; return; }
      for (const n of this.step(s)) work.push(n);
    }
  }

  private issue(s: State, kind: IssueKind, pc: number, what: string, message: string): void {
    const src = this.p.src[pc];
    const site = s.fail ? this.p.sites[s.fail].name : null;
    const k = [kind, this.entry, site, pc, what].join('|');
    if (this.issues.has(k)) return;
    this.issues.set(k, {
      kind, entry: this.entry, site, errno: s.err ? `-${errnoName(s.err)}` : null, what,
      at: src ? `${src.file}:${src.line}` : '?', routine: src?.routine ?? '?', text: src?.text ?? '', ladder: this.ladder(s), message,
    });
  }

  private ladder(s: State): string[] { return s.path.map((l) => this.p.labels[l]?.name ?? '?'); }

  private fail(s: State, errno: number, target: number): State {
    const n = clone(s);
    n.err = errno;
    if (!n.fail) n.fail = this.siteOf(s.pc);
    n.pc = target;
    return n;
  }

  private next(s: State): State { const n = clone(s); n.pc = s.pc + 1; return n; }

  /** A lock instance as the path names it: a global's slot, or the symbol in its register and the class. */
  private lockId(s: State, ref: number): string {
    const reg = (ref >> A.LOCKREF_REG_SHIFT) & 0xff, cls = ref >> A.LOCKREF_CLASS_SHIFT;
    if (reg === A.REG_NONE) return `g${cls}`;
    const host = this.p.vocab.classes[cls]?.host; // a struct's lock is the one of the task its pointer names
    return `${host ? this.oracle.pointee(s, host.id, s.regs[reg]) : s.regs[reg]}.${cls}`;
  }

  private heldIndex(s: State, lock: string): number {
    for (let i = s.held.length - 1; i >= 0; i--) if (s.held[i].lock === lock) return i;
    return -1;
  }

  private assertHeld(s: State, pc: number, ref: number, mode: number): void {
    const i = this.heldIndex(s, this.lockId(s, ref));
    const cls = ref >> A.LOCKREF_CLASS_SHIFT;
    if (i < 0 || (mode !== A.MODE_ANY && s.held[i].mode !== mode)) {
      this.issue(s, 'assert-held', pc, this.className(cls), `lockdep_assert_held(${this.className(cls)}) fails`);
    }
  }

  /** A declared variable accessed here must have its guard held (for a write, its write side). */
  private checkGuard(s: State, pc: number, id: number, reg: number, write: boolean): void {
    const v = this.p.vars[id];
    if (v.guard < 0) return;
    let ref = v.guard;
    if (((ref >> A.LOCKREF_REG_SHIFT) & 0xff) !== A.REG_NONE) ref = (ref & ~(0xff << A.LOCKREF_REG_SHIFT)) | (reg << A.LOCKREF_REG_SHIFT);
    const i = this.heldIndex(s, this.lockId(s, ref));
    if (i < 0 || (write && v.guardWrite && s.held[i].mode === A.MODE_READ)) {
      const name = this.p.vocab.varName(id, reg), lock = this.className(ref >> A.LOCKREF_CLASS_SHIFT);
      this.issue(s, 'guarded', pc, `${name} (${lock})`, `${name} is guarded by ${lock}, which is not held${write && v.guardWrite ? ' for writing' : ''} here: ${write ? 'written' : 'read'}`);
    }
  }

  /** The values of condition row `row` read at `s` (its guarded reads checked). */
  private cond(s: State, row: number): [boolean, State][] {
    const c = this.p.conds[row];
    for (const a of c.cond.atoms) {
      for (const o of [a.lhs, a.rhs]) {
        if (o && o.kind === A.OPD_VAR && !o.racy) this.checkGuard(s, s.pc, o.value, regOf(o.reg, c.self), false);
      }
    }
    return this.oracle.values(s, c);
  }

  /** Set a variable on the path (what it remembered about it goes). */
  private setVar(s: State, id: number, reg: number, v: number | undefined): void {
    const k = this.oracle.varKey(s, id, reg);
    this.oracle.forget(s, k);
    if (v === undefined) delete s.vars[k];
    else s.vars[k] = v;
  }

  private getVar(s: State, id: number, reg: number): number | undefined {
    return this.oracle.known(s, this.oracle.varKey(s, id, reg), id);
  }

  private step(s: State): State[] {
    const pc = s.pc;
    const { op, obj, site, arg, target, errno } = decodeInsn(this.p.code, pc);
    const out: State[] = [];
    // An injected failure replaces the instruction.
    if (site !== 0 && op !== A.OP_REQUIRE) out.push(this.fail(s, errno, target));
    switch (op) {
      case A.OP_LABEL: {
        const n = this.next(s);
        if (n.err !== 0 && n.path.length < A.MAX_PATH) n.path.push(arg);
        out.push(n);
        break;
      }
      case A.OP_PRIM: out.push(...this.prim(s, obj, arg, target, site)); break;
      case A.OP_LOCK: {
        const n = this.next(s);
        const lock = this.lockId(s, arg), mode = objMode(obj), kind = objKind(obj), cls = arg >> A.LOCKREF_CLASS_SHIFT;
        if (this.heldIndex(s, lock) >= 0 && !(kind === A.KIND_RWLOCK && mode === A.MODE_READ)) {
          this.issue(s, 'recursive-lock', pc, this.className(cls), `possible recursive locking: ${this.className(cls)} is already held (the CPU spins on it)`);
          break; // this CPU hangs here
        }
        if (n.held.length >= A.MAX_HELD) { this.issue(s, 'overflow', pc, '', `more than ${A.MAX_HELD} locks held`); break; }
        const irqOn = !n.irqOff;
        const atomic = this.rules.lock(n, pc, cls, mode, kind, errno);
        n.held.push({ lock, cls, mode, pc, atomic, irqOn: errno & A.LF_IRQSAVE ? irqOn : undefined });
        out.push(n);
        break;
      }
      case A.OP_UNLOCK: {
        const n = this.next(s);
        const lock = this.lockId(s, arg), mode = objMode(obj), cls = arg >> A.LOCKREF_CLASS_SHIFT;
        const i = this.heldIndex(n, lock);
        if (i < 0) this.issue(s, 'bad-unlock', pc, this.className(cls), `bad unlock balance: releases ${this.lockDesc({ cls, mode })}, which is not held here`);
        else {
          if (n.held[i].mode !== mode) this.issue(s, 'bad-unlock', pc, this.className(cls), `bad unlock balance: releases ${this.className(cls)} for ${modeName(mode)} but holds it for ${modeName(n.held[i].mode)}`);
          const [h] = n.held.splice(i, 1);
          this.rules.unlock(n, h, errno, pc);
        }
        out.push(n);
        break;
      }
      case A.OP_ASSERT_HELD: this.assertHeld(s, pc, arg, obj); out.push(this.next(s)); break;
      case A.OP_CALL: {
        const n = clone(s);
        if (obj !== 0) n.regs[obj >> A.CALL_PARAM_SHIFT] = s.regs[obj & ((1 << A.CALL_PARAM_SHIFT) - 1)];
        const e = this.enter(n, pc, arg);
        if (e) out.push(e);
        break;
      }
      case A.OP_RETURN: {
        if (obj === A.RET_ZERO && s.err !== 0) { const z = clone(s); z.err = 0; out.push(...this.step(z)); break; } // return 0
        if (obj === A.RET_ERRNO && s.err !== errno) { const z = clone(s); z.err = errno; out.push(...this.step(z)); break; } // return -EINVAL
        if (s.frames.length === 0) { this.exit(s); break; }
        const n = clone(s);
        const f = n.frames.pop()!;
        const elseTarget = decodeInsn(this.p.code, f.callPc).target;
        if (n.err !== 0 && elseTarget >= 0) n.pc = elseTarget;
        else {
          // A failure inside a void callee is forgotten at its return: the
          // syscall goes on as if it had not happened (the error is dropped).
          if (n.fail && n.fail !== f.fail) this.record(n, '0');
          n.err = f.err;
          n.fail = f.fail;
          n.path.length = Math.min(n.path.length, f.pathLen);
          n.pc = f.callPc + 1;
        }
        out.push(n);
        break;
      }
      case A.OP_GOTO: { const n = clone(s); n.pc = target; out.push(n); break; }
      case A.OP_REQUIRE: {
        // Fails to target unless the condition holds; the site can always be injected.
        out.push(this.fail(s, errno, target));
        for (const [v, n] of this.cond(s, arg)) if (v) { n.pc = pc + 1; out.push(n); }
        break;
      }
      case A.OP_IF: {
        for (const [v, n] of this.cond(s, arg)) { n.pc = v ? target : pc + 1; out.push(n); }
        break;
      }
      case A.OP_WARN: this.cond(s, arg); out.push(this.next(s)); break; // its guarded reads are checked; whether it fires is the runs' to see
      case A.OP_MOV: {
        const n = this.next(s);
        if (errno === 0) n.regs[arg] = s.regs[obj];
        else {
          this.checkGuard(s, pc, errno - 1, obj, false);
          const to = this.oracle.pointee(s, errno - 1, s.regs[obj]);
          if (to.startsWith('@')) fresh(n, arg, `@${pc}`); // a task the path knows nothing of
          else n.regs[arg] = to;
        }
        out.push(n);
        break;
      }
      case A.OP_STATE: out.push(...this.state(s, obj & 0xf, arg, obj >> A.STATE_REG_SHIFT, errno)); break;
      case A.OP_CTX: { const n = this.next(s); this.rules.ctx(n, arg, pc); out.push(n); break; }
      default: out.push(this.next(s));
    }
    return out;
  }

  /** Enter the routine at `entry` from the call (or put) at `pc`. */
  private enter(s: State, pc: number, entry: number): State | undefined {
    if (s.frames.length + 1 >= A.MAX_CALL_DEPTH) { this.issue(s, 'overflow', pc, '', `call stack overflow`); return undefined; }
    s.frames.push({ callPc: pc, err: s.err, fail: s.fail, pathLen: s.path.length });
    s.err = 0;
    s.pc = entry;
    return s;
  }

  /** set/inc/dec/get/put of declared state. */
  private state(s: State, op: number, id: number, reg: number, value: number): State[] {
    const pc = s.pc;
    const n = this.next(s);
    this.checkGuard(s, pc, id, reg, true);
    const d = this.p.vocab.varList[id];
    const v = this.getVar(n, id, reg);
    const name = this.p.vocab.varName(id, reg);
    switch (op) {
      case A.ST_SET: this.setVar(n, id, reg, value); return [n];
      case A.ST_SET_TASK: case A.ST_COPY: {
        // A task reference: the path follows which task it points at.
        const to = op === A.ST_SET_TASK ? s.regs[value] : this.oracle.pointee(s, value & 0xffff, s.regs[value >> 16]);
        this.setVar(n, id, reg, undefined);
        n.ptrs[this.oracle.varKey(n, id, reg)] = to;
        return [n];
      }
      case A.ST_INC: this.setVar(n, id, reg, v === undefined ? undefined : v + 1); return [n];
      case A.ST_DEC: this.setVar(n, id, reg, v === undefined ? undefined : v - 1); return [n];
      case A.ST_GET:
        if (v !== undefined && v <= 0) this.issue(s, 'refcount', pc, d.name, `refcount_t: addition on 0; use-after-free: gets ${name}, which is ${v}`);
        this.setVar(n, id, reg, v === undefined ? undefined : v + 1);
        return [n];
      case A.ST_PUT: {
        if (v !== undefined && v <= 0) { this.issue(s, 'refcount', pc, d.name, `refcount_t: underflow; use-after-free: puts ${name}, which is ${v}`); return [n]; }
        const release = this.p.vars[id].release;
        delete n.facts[LAST_REF]; // last_ref after a refcount's put: not followed, so read both ways
        const zero = (): State[] => {
          const z = clone(n);
          this.setVar(z, id, reg, 0);
          if (release < 0) return [z];
          // The last reference: the release routine runs as the put's callee.
          z.pc = pc;
          if (this.p.vars[id].releaseReg !== A.REG_NONE) z.regs[this.p.vars[id].releaseReg] = s.regs[reg];
          const e = this.enter(z, pc, release);
          return e ? [e] : [];
        };
        if (v === 1) return zero();
        if (v !== undefined) { this.setVar(n, id, reg, v - 1); return [n]; }
        this.setVar(n, id, reg, undefined);
        // Unknown: it may or may not be the last reference; with no release
        // routine the two differ in nothing the path follows.
        return release < 0 ? [n] : [n, ...zero()];
      }
    }
    return [n];
  }

  private prim(s: State, reg: number, row: number, target: number, site: number): State[] {
    const pc = s.pc;
    const e = this.p.effects[row];
    const spec = this.p.vocab.prims.get(e.name)!;
    const service = spec.service ? SERVICES[spec.service] : undefined;
    const out: State[] = [];
    for (const a of e.asserts) this.assertHeld(s, pc, a, A.MODE_ANY);
    if (e.flags & A.PF_SLEEPS) this.rules.sleeps(s, pc, e.name);
    const n = this.next(s);
    const sym = n.regs[reg];
    const rel = Number(e.releases), acq = Number(e.acquires);
    if (rel) {
      const r = resOf(n, sym, this.all);
      const twice = rel & r.known & ~r.held;
      if (twice) this.issue(s, 'double-release', pc, this.resNames(twice).join(', '), `double release: ${e.name} releases ${this.resNames(twice).join(', ')}, which ${sym === CHILD ? 'the child' : 'the task'} does not hold here`);
      r.known |= rel;
      r.held &= ~rel;
    }
    // A natural failure (one the primitive itself returns) with its own
    // errno, after its releases; the injected one is added by the caller
    // with the instruction's errno.
    const naturalErrno = service?.fails ? service.fails.errno : spec.failsWhen || e.effects.some((x) => x.op === A.ST_CHARGE) ? e.errno : 0;
    if (site !== 0 && naturalErrno && naturalErrno !== decodeInsn(this.p.code, pc).errno) {
      const f = clone(n);
      f.err = naturalErrno;
      if (!f.fail) f.fail = site;
      f.pc = target;
      out.push(f);
    }
    // The registers the service loads.
    for (const r of service?.sets ?? []) {
      if (r === 'swap rq rq2') [n.regs[A.REG_RQ], n.regs[A.REG_RQ2]] = [n.regs[A.REG_RQ2], n.regs[A.REG_RQ]];
      else if (r === 'p' && service === SERVICES.dup_task_struct) fresh(n, A.REG_P, CHILD);
      else fresh(n, regOf(r, reg), `@${pc}${r === 'rq2' ? '.2' : ''}`);
    }
    // State effects, in order (one under a condition forks the path).
    let states = [n];
    for (const x of e.effects) {
      const next: State[] = [];
      for (const st of states) {
        const branches = x.cond >= 0 ? this.cond(st, x.cond) : [[true, st] as [boolean, State]];
        for (const [v, b] of branches) {
          if (v) {
            this.checkGuard(b, pc, x.var, x.reg, true);
            const cur = this.getVar(b, x.var, x.reg);
            const val = x.op === A.ST_SET ? x.value : cur === undefined ? undefined : x.op === A.ST_DEC ? cur - 1 : cur + 1;
            this.setVar(b, x.var, x.reg, val);
          }
          next.push(b);
        }
      }
      states = next;
    }
    // put_task_struct_rcu_user: the last reference goes once per task, so a
    // path where it went decides every later put of that task.
    if (service === SERVICES.put_task_struct_rcu_user) {
      const gone = `freed:${sym}`;
      states = states.flatMap((st) => {
        const kept = clone(st);
        kept.facts[LAST_REF] = false;
        if (st.facts[gone]) return [kept];
        const last = clone(st);
        last.facts[LAST_REF] = true;
        last.facts[gone] = true;
        return [kept, last];
      });
    }
    for (const st of states) {
      if (acq) {
        const r = resOf(st, st.regs[reg], this.all);
        const twice = acq & r.known & r.held;
        if (twice) this.issue(s, 'double-acquire', pc, this.resNames(twice).join(', '), `double acquire: ${e.name} acquires ${this.resNames(twice).join(', ')}, already held`);
        r.known |= acq;
        r.held |= acq;
      }
      st.pc = pc + 1;
      out.push(st);
    }
    return out;
  }

  /** Return to user space: locks still held; a failed fork's child must own nothing. */
  private exit(s: State): void {
    for (const h of s.held) {
      this.issue(s, 'lock-held', h.pc, this.lockDesc(h), `returns to user space holding ${this.lockDesc(h)}`);
    }
    if (this.fork && s.err !== 0 && s.regs[A.REG_P] === CHILD) {
      const left = resOf(clone(s), CHILD, this.all).held;
      if (left) this.issue(s, 'leak', s.pc, this.resNames(left).join(', '), `leak: the child still owns ${this.resNames(left).join(', ')} after its error ladder`);
    }
    if (s.fail) this.record(s, s.err ? `-${errnoName(s.err)}` : '0');
  }

  /** What a failure at the state's first failure site returns ('0': dropped). */
  private record(s: State, errno: string): void {
    let r = this.returns.get(s.fail);
    if (!r) this.returns.set(s.fail, (r = { entries: new Set(), errnos: new Set(), ladders: new Map() }));
    r.entries.add(this.entry);
    r.errnos.add(errno);
    const l = this.ladder(s);
    r.ladders.set(l.join(' '), l);
  }

  report(): LadderReport {
    for (const i of this.rules.finish()) {
      const src = this.p.src[i.pc];
      const k = [i.kind, '', null, i.pc, i.what].join('|');
      this.issues.set(k, { kind: i.kind, entry: src?.routine ?? '?', site: null, errno: null, what: i.what, at: src ? `${src.file}:${src.line}` : '?', routine: src?.routine ?? '?', text: src?.text ?? '', ladder: [], message: i.message });
    }
    const all = [...this.issues.values()];
    const sites: SiteLadder[] = this.p.sites.slice(1).map((si: SiteInfo) => {
      const issues = all.filter((i) => i.site === si.name);
      const r = this.returns.get(si.id);
      const uniq = (xs: string[]): string[] => [...new Set(xs)].sort();
      const of = (...kinds: IssueKind[]): LadderIssue[] => issues.filter((i) => kinds.includes(i.kind));
      return {
        site: si.name,
        routine: si.routine,
        at: `${si.file}:${si.line}`,
        reached: r !== undefined,
        entries: r ? [...r.entries].sort() : [],
        errnos: r ? [...r.errnos].sort() : [],
        ladders: r ? [...r.ladders.values()].sort((a, b) => a.length - b.length || a.join().localeCompare(b.join())) : [],
        leaks: uniq(of('leak').flatMap((i) => i.what.split(', '))),
        heldLocks: uniq(of('lock-held').map((i) => i.what)),
        doubleReleases: uniq([...of('double-release', 'double-acquire').flatMap((i) => i.what.split(', ')), ...of('refcount').map((i) => i.what)]),
        lockMisuse: uniq(of('bad-unlock', 'recursive-lock', 'assert-held', 'overflow', 'guarded').map((i) => `${i.what} @${i.at}`)),
        issues,
      };
    });
    return { sites, unattributed: all.filter((i) => i.site === null), states: this.states, truncated: this.truncated };
  }
}

/** Register `reg` now holds a task (or runqueue) the path knows nothing of
 *  yet, named `sym`: one loaded at the same instruction before (a loop's
 *  earlier iteration) is another one, so what the path knew of it goes. */
function fresh(s: State, reg: number, sym: string): void {
  s.regs[reg] = sym;
  delete s.res[sym];
  for (const k of Object.keys(s.vars)) if (k.startsWith(`${sym}:`)) delete s.vars[k];
  for (const k of Object.keys(s.ptrs)) if (k.startsWith(`${sym}:`)) delete s.ptrs[k];
  for (const f of Object.keys(s.facts)) if (f.includes(`[${sym}:`)) delete s.facts[f];
}
