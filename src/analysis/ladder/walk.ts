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
// Conditions fork both ways, except:
//  - scx_enabled, scx_init_task_enabled, nproc_ok, dl_prio and p_class_ext
//    are sticky: once read on a path they keep their value (until a
//    primitive changes them: scx_set_enabled, ...). A first read of
//    scx_enabled after scx_init_task_enabled was read true assumes true (and
//    a first read of scx_init_task_enabled after scx_enabled was read false
//    assumes false). ASSUMPTION: scx_ops_enable() sets scx_ops_init_task_enabled
//    under scx_fork_rwsem and flips scx_enabled() just after releasing it;
//    the walk does not consider a fork that ran scx_fork() in between and
//    then failed before scx_enable() flipped (scx_cancel_fork() would skip
//    ops.exit_task(): a real window, README "A finding about the real
//    kernel"). The enumeration's short step runs have not hit it either.
//  - t_scx_state_none / p_scx_state_none read the register's scx_task
//    resource (held ⇔ state != NONE) and t_scx_state_enabled a per-task
//    flag (ops.enable() ran); where those are unknown (opaque tasks) both
//    ways are taken and the answer is remembered.
//  - same_rq true makes rq2 the same symbol as rq (one lock, as in the
//    kernel's double_rq_lock() on one runqueue).
//  - `require` and a primitive or call with `else` always have a failure
//    successor (the site can be injected), a `require` a pass successor when
//    its condition can pass.
// Every (state) is visited once, so loops (task_rq_lock's retry, the scx
// task iterators) end.
import * as A from '../../../assembly/abi.js';
import type { Program, SiteInfo } from '../../kasm/index.js';
import { ENTRY_POINTS, PRIMITIVES, errnoName } from '../../kasm/vocabulary.js';
import { lockClassOf } from '../../kasm/locks.js';
import { decodeInsn, objMode, objKind } from '../../kasm/insn.js';
import type { IssueKind, LadderIssue, LadderReport, SiteLadder } from './verdict.js';
import { type State, CHILD, FIXED, MAX_STATES, clone, key, resOf } from './state.js';
import { condValues } from './conditions.js';
import { className, resNames, modeName, lockDesc } from './names.js';

export type { LadderReport, SiteLadder } from './verdict.js';

/** Run the static ladder check over every entry point of a program. */
export function checkLadders(program: Program): LadderReport {
  const w = new Walker(program);
  for (const e of ENTRY_POINTS) {
    const entry = program.entries.get(e.action);
    if (entry !== undefined) w.walk(e.routine, e.action, entry);
  }
  return w.report();
}

class Walker {
  private issues = new Map<string, LadderIssue>();
  private returns = new Map<number, { entries: Set<string>; errnos: Set<string>; ladders: Map<string, string[]> }>();
  private states = 0;
  private truncated = false;
  private entry = '';
  private action = 0;

  constructor(private readonly p: Program) {}

  private siteOf(pc: number): number { return decodeInsn(this.p.code, pc).site; }

  walk(routine: string, action: number, entry: number): void {
    this.entry = routine;
    this.action = action;
    const regs = new Array<string>(A.NR_REGS).fill('');
    regs[A.REG_P] = 'none';
    regs[A.REG_T] = 't0';
    regs[A.REG_CURRENT] = 'current0';
    regs[A.REG_PARENT] = 'parent0';
    regs[A.REG_RQ] = 'rq0';
    regs[A.REG_RQ2] = 'rq2_0';
    regs[A.REG_THIS_RQ] = 'this_rq';
    const start: State = { pc: entry, frames: [], err: 0, fail: 0, path: [], regs, res: {}, held: [], facts: { ...FIXED } };
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

  private lockId(s: State, ref: number): string {
    const reg = ref >> A.LOCKREF_REG_SHIFT, field = ref & ((1 << A.LOCKREF_REG_SHIFT) - 1);
    return reg === A.REG_NONE ? `g${field}` : `${s.regs[reg]}.${field}`;
  }

  private heldIndex(s: State, lock: string): number {
    for (let i = s.held.length - 1; i >= 0; i--) if (s.held[i].lock === lock) return i;
    return -1;
  }

  private assertHeld(s: State, pc: number, ref: number, mode: number): void {
    const i = this.heldIndex(s, this.lockId(s, ref));
    if (i < 0 || (mode !== A.MODE_ANY && s.held[i].mode !== mode)) {
      this.issue(s, 'assert-held', pc, className(lockClassOf(ref)), `lockdep_assert_held(${className(lockClassOf(ref))}) fails`);
    }
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
        const lock = this.lockId(s, arg), mode = objMode(obj), kind = objKind(obj), cls = lockClassOf(arg);
        if (this.heldIndex(s, lock) >= 0 && !(kind === A.KIND_RWLOCK && mode === A.MODE_READ)) {
          this.issue(s, 'recursive-lock', pc, className(cls), `possible recursive locking: ${className(cls)} is already held (the CPU spins on it)`);
          break; // this CPU hangs here
        }
        if (n.held.length >= A.MAX_HELD) { this.issue(s, 'overflow', pc, '', `more than ${A.MAX_HELD} locks held`); break; }
        n.held.push({ lock, cls, mode, pc });
        out.push(n);
        break;
      }
      case A.OP_UNLOCK: {
        const n = this.next(s);
        const lock = this.lockId(s, arg), mode = objMode(obj), cls = lockClassOf(arg);
        const i = this.heldIndex(n, lock);
        if (i < 0) this.issue(s, 'bad-unlock', pc, className(cls), `bad unlock balance: releases ${lockDesc({ cls, mode })}, which is not held here`);
        else {
          if (n.held[i].mode !== mode) this.issue(s, 'bad-unlock', pc, className(cls), `bad unlock balance: releases ${className(cls)} for ${modeName(mode)} but holds it for ${modeName(n.held[i].mode)}`);
          n.held.splice(i, 1);
        }
        out.push(n);
        break;
      }
      case A.OP_ASSERT_HELD: this.assertHeld(s, pc, arg, obj); out.push(this.next(s)); break;
      case A.OP_CALL: {
        if (s.frames.length + 1 >= A.MAX_CALL_DEPTH) { this.issue(s, 'overflow', pc, '', `call stack overflow`); break; }
        const n = clone(s);
        n.frames.push({ callPc: pc, err: s.err, fail: s.fail, pathLen: s.path.length });
        n.err = 0;
        n.pc = arg;
        out.push(n);
        break;
      }
      case A.OP_RETURN: {
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
        // Fails to target unless cond != neg; the site can always be injected.
        out.push(this.fail(s, errno, target));
        for (const [v, n] of condValues(s, arg)) if (v !== (obj !== 0)) { n.pc = pc + 1; out.push(n); }
        break;
      }
      case A.OP_IF: {
        for (const [v, n] of condValues(s, arg)) { n.pc = v !== (obj !== 0) ? target : pc + 1; out.push(n); }
        break;
      }
      case A.OP_MOV: { const n = this.next(s); n.regs[arg] = s.regs[obj]; out.push(n); break; }
      default: out.push(this.next(s));
    }
    return out;
  }

  private prim(s: State, reg: number, row: number, target: number, site: number): State[] {
    const pc = s.pc;
    const e = this.p.effects[row];
    const spec = PRIMITIVES[e.name];
    const out: State[] = [];
    for (const a of e.asserts) this.assertHeld(s, pc, a, A.MODE_ANY);
    const n = this.next(s);
    const sym = n.regs[reg];
    const rel = Number(e.releases), acq = Number(e.acquires);
    if (rel) {
      const r = resOf(n, sym);
      const twice = rel & r.known & ~r.held;
      if (twice) this.issue(s, 'double-release', pc, resNames(twice).join(', '), `double release: ${e.name} releases ${resNames(twice).join(', ')}, which ${sym === CHILD ? 'the child' : 'the task'} does not hold here`);
      r.known |= rel;
      r.held &= ~rel;
    }
    // A natural failure (one the primitive itself returns) with the
    // primitive's own errno, after its releases; the injected one is added
    // by the caller with the instruction's errno.
    if (site !== 0 && spec?.natural && spec.fails !== undefined && spec.fails !== decodeInsn(this.p.code, pc).errno) {
      const f = clone(n);
      f.err = spec.fails;
      if (!f.fail) f.fail = site;
      f.pc = target;
      out.push(f);
    }
    // Register and flag effects of the behaviour.
    switch (e.behaviour) {
      case A.B_DUP_TASK_STRUCT: n.regs[A.REG_P] = CHILD; delete n.res[CHILD]; break;
      case A.B_WAIT_TASK_ZOMBIE: case A.B_PICK_KILL_TARGET: case A.B_SCX_TASK_ITER_NEXT: case A.B_MIGRATE_TASK:
        n.regs[A.REG_T] = `@${pc}`; break;
      case A.B_GET_PARENT: n.regs[A.REG_PARENT] = `@${pc}`; break;
      case A.B_PICK_NEXT_TASK: case A.B_DO_TASK_DEAD: n.regs[A.REG_CURRENT] = `@${pc}`; break;
      case A.B_TASK_RQ: case A.B_SELECT_TASK_RQ: n.regs[A.REG_RQ] = `@${pc}`; break;
      case A.B_FIND_BUSIEST_RQ: n.regs[A.REG_RQ] = `@${pc}`; n.regs[A.REG_RQ2] = `@${pc}.2`; break;
      case A.B_DOUBLE_RQ_ORDER: [n.regs[A.REG_RQ], n.regs[A.REG_RQ2]] = [n.regs[A.REG_RQ2], n.regs[A.REG_RQ]]; break;
      case A.B_SCX_SET_INIT_TASK_ENABLED: n.facts.scx_init_task_enabled = true; break;
      case A.B_SCX_CLEAR_INIT_TASK_ENABLED: n.facts.scx_init_task_enabled = false; break;
      case A.B_SCX_SET_ENABLED: n.facts.scx_enabled = true; break;
      case A.B_SCX_CLEAR_ENABLED: n.facts.scx_enabled = false; break;
      case A.B_SCX_ENABLE_TASK: resOf(n, sym).scxEnabled = true; break;
      case A.B_SCX_DISABLE_TASK: case A.B_OPS_EXIT_TASK: resOf(n, sym).scxEnabled = false; break;
      case A.B_SCX_SWITCH_CLASS: resOf(n, sym).scxEnabled = undefined; break;
    }
    if (acq) {
      const r = resOf(n, n.regs[reg]);
      const twice = acq & r.known & r.held;
      if (twice) this.issue(s, 'double-acquire', pc, resNames(twice).join(', '), `double acquire: ${e.name} acquires ${resNames(twice).join(', ')}, already held`);
      r.known |= acq;
      r.held |= acq;
    }
    out.push(n);
    return out;
  }

  /** Return to user space: locks still held; a failed fork's child must own nothing. */
  private exit(s: State): void {
    for (const h of s.held) {
      this.issue(s, 'lock-held', h.pc, lockDesc(h), `returns to user space holding ${lockDesc(h)}`);
    }
    if (this.action === A.ACT_FORK && s.err !== 0 && s.regs[A.REG_P] === CHILD) {
      const left = resOf(clone(s), CHILD).held;
      if (left) this.issue(s, 'leak', s.pc, resNames(left).join(', '), `leak: the child still owns ${resNames(left).join(', ')} after its error ladder`);
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
        doubleReleases: uniq(of('double-release', 'double-acquire').flatMap((i) => i.what.split(', '))),
        lockMisuse: uniq(of('bad-unlock', 'recursive-lock', 'assert-held', 'overflow').map((i) => `${i.what} @${i.at}`)),
        issues,
      };
    });
    return { sites, unattributed: all.filter((i) => i.site === null), states: this.states, truncated: this.truncated };
  }
}

