// A model's vocabulary: the locks, resources, state, constants, actions and
// primitives its files declare (declare.ts reads them), with the numbers the
// assembler gives them. The interpreter, the ledger, lockdep, the static
// check, `faults`, the reports and `check --list` all read a program's
// vocabulary from here; nothing kernel-specific is written anywhere else.
import * as abi from '../../assembly/abi.js';
import type { Loc } from './errors.js';
import { lookup, RQ_REGS, TASK_REGS, regName, type LOCK_KINDS } from './builtins.js';
import { shown, suggest } from './errors.js';

export type Scope = 'global' | 'task' | 'rq' | 'local';
export const SCOPES: Record<Scope, number> = { global: abi.SCOPE_GLOBAL, task: abi.SCOPE_TASK, rq: abi.SCOPE_RQ, local: abi.SCOPE_LOCAL };
/** State written without a register: global state and the syscall's locals. */
export const bare = (s: Scope): boolean => s === 'global' || s === 'local';

/** `host`: the struct a per-task lock or state lives in (`sighand.siglock` in struct sighand). */
export interface LockDecl { name: string; kind: keyof typeof LOCK_KINDS; algo: number; scope: Scope; cls: number; slot: number; className: string; host?: VarDecl; at: Loc; doc?: string }
export interface ResourceDecl { name: string; bit: number; at: Loc; doc?: string }
export interface VarDecl {
  name: string; id: number; scope: Scope; slot: number; type: 'flag' | 'int' | 'task' | 'refcount' | 'param';
  init: number; ppm?: boolean; guard?: string; release?: string; at: Loc; doc?: string;
  /** a struct pointer (`struct NAME`); `live`: a task reference that points at a running task */
  struct?: boolean; live?: boolean; host?: VarDecl;
  /** `counts`: at every quiescent point it equals the running and zombie tasks that share its struct */
  counts?: boolean;
}
export interface ConstDecl { name: string; value: number; at: Loc; doc?: string }

/** A condition, resolved: all atoms must hold. */
/** `reg`: a register name, 'self' (a primitive's own register) or '' (none). */
export interface Operand { kind: number; reg: string; value: number; racy: boolean; text: string }
export interface Atom { cmp: number; lhs: Operand; rhs?: Operand }
export interface Cond { atoms: Atom[]; text: string }

/** A workload `forksim faults` runs every site under, besides the default. */
export interface TrialDecl { name: string; weights: Record<string, number>; interval: number; at: Loc; doc?: string }
/** An assumption of the static walk: wherever `from` is set, `to` is. */
export interface AssumeDecl { name: string; from: VarDecl; to: VarDecl; at: Loc; doc?: string }
/** `fork`: a fork of some kind (population control, fork accounting); `first`: run whenever `when` holds. */
export interface ActionDecl { name: string; action: number; routine: string; weight: number; fork: boolean; first: boolean; when?: Cond; at: Loc; doc?: string }
/** A primitive's effect on declared state; `reg` is a register name or 'self'. */
export interface EffectDecl { op: number; reg: string; var: VarDecl; value: number; limit?: VarDecl; when?: Cond; text: string }
/** An interrupt handler: its routine runs in hardirq context on the CPU it
 *  arrives at; `rate` per million steps of a CPU; `wakeup`: the IPI that
 *  wakes a task on its CPU (sched_ttwu_pending()). */
export interface InterruptDecl { name: string; index: number; routine: string; rate: number; wakeup: boolean; at: Loc; doc?: string }
export interface PrimDecl {
  name: string; reg: string; service?: string; serviceCond?: Cond; sleeps?: boolean;
  acquires: string[]; releases: string[]; asserts: string[];
  fails?: number; failsWhen?: Cond; effects: EffectDecl[]; at: Loc; doc?: string;
}

export const CMP_TEXT: Record<number, string> = {
  [abi.CMP_EQ]: '==', [abi.CMP_NE]: '!=', [abi.CMP_LT]: '<', [abi.CMP_LE]: '<=', [abi.CMP_GT]: '>', [abi.CMP_GE]: '>=', [abi.CMP_AND]: '&', [abi.CMP_NAND]: '&',
};

export class Vocabulary {
  readonly locks = new Map<string, LockDecl>();
  readonly classes: LockDecl[] = []; // index = class id
  readonly resources = new Map<string, ResourceDecl>();
  readonly resourceList: ResourceDecl[] = []; // index = bit
  readonly vars = new Map<string, VarDecl>();
  readonly varList: VarDecl[] = []; // index = var id
  readonly consts = new Map<string, ConstDecl>();
  readonly actions: ActionDecl[] = [];
  readonly trials: TrialDecl[] = [];
  readonly assumptions: AssumeDecl[] = [];
  readonly interrupts: InterruptDecl[] = [];
  readonly prims = new Map<string, PrimDecl>();

  // ── Lock classes and instances ─────────────────────────────────────────
  /** A lock class by its lockdep name (`&rq->__lock`). */
  className(cls: number): string { return this.classes[cls]?.className ?? `class ${cls}`; }
  classOf(name: string): number | undefined { return this.locks.get(name)?.cls; }
  isSharedClass(cls: number): boolean { return isSharedKind(this.classes[cls]?.algo ?? -1); }
  /** A held lock as the ladder walk and `forksim faults` name it: `scx_fork_rwsem (read)`. */
  heldLockName(cls: number, mode: number): string {
    return this.isSharedClass(cls) ? `${this.className(cls)} (${mode === abi.MODE_READ ? 'read' : mode === abi.MODE_EXCL ? 'write' : 'any'})` : this.className(cls);
  }
  /** Every lock object name a routine may write, for suggestions and listings. */
  lockObjectNames(): string[] {
    return [...this.locks.values()].flatMap((l) =>
      l.scope === 'global' ? [l.name] : Object.keys(l.scope === 'task' ? TASK_REGS : RQ_REGS).map((r) => `${r}.${l.name}`));
  }
  /** The lock ref a name denotes (`tasklist_lock`, `p.pi_lock`,
   *  `current.sighand.siglock`, `rq2.lock`), or an error message. */
  parseLockObject(name: string, hint: (w: string, cs: Iterable<string>) => string = suggest): number | string {
    const g = this.locks.get(name);
    if (g?.scope === 'global') return lockRef(g.cls, abi.REG_NONE, g.slot);
    const dot = name.indexOf('.');
    if (dot > 0) {
      const reg = name.slice(0, dot), field = name.slice(dot + 1);
      const task = lookup(TASK_REGS, reg), rq = lookup(RQ_REGS, reg), l = this.locks.get(field);
      if (task === undefined && rq === undefined) return `unknown register '${shown(reg)}' in lock object '${shown(name)}'${hint(name, this.lockObjectNames())}`;
      if (l && l.scope === (task !== undefined ? 'task' : 'rq')) return lockRef(l.cls, (task ?? rq)!, l.slot);
      if (l) return `${l.name} is a ${l.scope === 'global' ? 'global' : `per-${l.scope}`} lock: write it ${l.scope === 'global' ? l.name : `${l.scope === 'task' ? 'p' : 'rq'}.${l.name}`}`;
    }
    return `unknown lock object '${shown(name)}'${hint(name, this.lockObjectNames())}`;
  }
  lockOfRef(ref: number): LockDecl | undefined { return this.classes[ref >> abi.LOCKREF_CLASS_SHIFT]; }
  /** 'tasklist_lock', 'p.pi_lock', 'rq2.lock', ... (the kasm spelling). */
  lockrefName(ref: number): string {
    const l = this.lockOfRef(ref);
    const reg = (ref >> abi.LOCKREF_REG_SHIFT) & 0xff;
    if (!l) return `lock#${ref}`;
    return reg === abi.REG_NONE ? l.name : `${regName(reg)}.${l.name}`;
  }

  // ── Resources and state ────────────────────────────────────────────────
  /** The names of the resources in a ledger mask. */
  resourceNames(mask: bigint | number): string[] {
    const m = BigInt(mask);
    return this.resourceList.filter((r) => (m >> BigInt(r.bit)) & 1n).map((r) => r.name);
  }
  resourceMask(names: string[]): bigint { return names.reduce((m, n) => m | (1n << BigInt(this.resources.get(n)!.bit)), 0n); }
  varName(id: number, reg = abi.REG_NONE): string {
    const v = this.varList[id];
    if (!v) return `var#${id}`;
    return bare(v.scope) || reg === abi.REG_NONE ? v.name : `${regName(reg)}.${v.name}`;
  }
}

export const lockRef = (cls: number, reg: number, slot: number): number =>
  (cls << abi.LOCKREF_CLASS_SHIFT) | (reg << abi.LOCKREF_REG_SHIFT) | slot;

/** Reader-writer kinds: their holds have a mode worth naming. */
export const isSharedKind = (kind: number): boolean => kind === abi.KIND_RWLOCK || kind === abi.KIND_RWSEM;
