// Lock objects: how kasm names a lock instance (`tasklist_lock`, `p.pi_lock`,
// `current.sighand.siglock`, `rq2.lock`) and the lock ref the bytecode uses
// for it (reg << LOCKREF_REG_SHIFT | field).
import * as abi from '../../assembly/abi.js';
import { LOCK_CLASSES, RQ_REGS, TASK_REGS, lookup } from './vocabulary.js';
import { shown, suggest } from './errors.js';

const TASK_FIELDS: Record<string, number> = { pi_lock: abi.F_PI_LOCK, 'sighand.siglock': abi.F_SIGLOCK };
const GLOBALS = LOCK_CLASSES.filter((c) => c.id < abi.NR_GLOBAL_LOCKS);
const KIND_NAMES = ['spinlock', 'rwlock', 'rwsem', 'mutex'];

export const kindName = (kind: number): string => KIND_NAMES[kind] ?? `kind ${kind}`;

/** Reader-writer kinds: their holds have a mode worth naming. */
export const isSharedKind = (kind: number): boolean => kind === abi.KIND_RWLOCK || kind === abi.KIND_RWSEM;

/** A lock class by its lockdep name (`&rq->__lock`). */
export const className = (cls: number): string => LOCK_CLASSES.find((c) => c.id === cls)?.name ?? `class ${cls}`;
export const isSharedClass = (cls: number): boolean => isSharedKind(LOCK_CLASSES.find((c) => c.id === cls)?.kind ?? -1);

/** A held lock as the ladder walk and `forksim faults` name it: `scx_fork_rwsem (read)`. */
export const heldLockName = (cls: number, mode: number): string =>
  isSharedClass(cls) ? `${className(cls)} (${mode === abi.MODE_READ ? 'read' : mode === abi.MODE_EXCL ? 'write' : 'any'})` : className(cls);

/** Every lock object name, for suggestions and listings. */
export const LOCK_OBJECT_NAMES: string[] = [
  ...GLOBALS.map((c) => c.name),
  ...Object.keys(TASK_REGS).flatMap((r) => Object.keys(TASK_FIELDS).map((f) => `${r}.${f}`)),
  ...Object.keys(RQ_REGS).map((r) => `${r}.lock`),
];

/** The lock ref a name denotes, or an error message (`hint` makes its
 *  suggestion; the assembler passes its budgeted one). */
export function parseLockObject(name: string, hint = suggest): number | string {
  const global = GLOBALS.find((c) => c.name === name);
  if (global) return (abi.REG_NONE << abi.LOCKREF_REG_SHIFT) | global.id;
  const dot = name.indexOf('.');
  if (dot > 0) {
    const reg = name.slice(0, dot), field = name.slice(dot + 1);
    const task = lookup(TASK_REGS, reg), rq = lookup(RQ_REGS, reg), taskField = lookup(TASK_FIELDS, field);
    if (task !== undefined && taskField !== undefined) return (task << abi.LOCKREF_REG_SHIFT) | taskField;
    if (rq !== undefined && field === 'lock') return (rq << abi.LOCKREF_REG_SHIFT) | abi.F_RQ_LOCK;
    if (task === undefined && rq === undefined) return `unknown register '${shown(reg)}' in lock object '${shown(name)}'${hint(name, LOCK_OBJECT_NAMES)}`;
  }
  return `unknown lock object '${shown(name)}'${hint(name, LOCK_OBJECT_NAMES)}`;
}

/** The lockdep class of a lock ref. */
export function lockClassOf(ref: number): number {
  const reg = ref >> abi.LOCKREF_REG_SHIFT, field = ref & ((1 << abi.LOCKREF_REG_SHIFT) - 1);
  if (reg === abi.REG_NONE) return field;
  if (Object.values(RQ_REGS).includes(reg)) return abi.CLASS_RQ_LOCK;
  return field === abi.F_PI_LOCK ? abi.CLASS_PI_LOCK : abi.CLASS_SIGLOCK;
}

export function lockKindOf(ref: number): number {
  return LOCK_CLASSES.find((c) => c.id === lockClassOf(ref))!.kind;
}

/** 'tasklist_lock', 'p.pi_lock', 'rq2.lock', ... (the kasm spelling). */
export function lockrefName(ref: number): string {
  const reg = ref >> abi.LOCKREF_REG_SHIFT, field = ref & ((1 << abi.LOCKREF_REG_SHIFT) - 1);
  if (reg === abi.REG_NONE) return GLOBALS.find((c) => c.id === field)?.name ?? `lock#${ref}`;
  const rq = Object.keys(RQ_REGS).find((r) => RQ_REGS[r] === reg);
  if (rq !== undefined) return field === abi.F_RQ_LOCK ? `${rq}.lock` : `lock#${ref}`;
  const task = Object.keys(TASK_REGS).find((r) => TASK_REGS[r] === reg);
  const f = Object.keys(TASK_FIELDS).find((k) => TASK_FIELDS[k] === field);
  return task !== undefined && f !== undefined ? `${task}.${f}` : `lock#${ref}`;
}
