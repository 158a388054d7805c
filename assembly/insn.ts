// Decoding instruction words and held-lock info, from the field names in
// abi.ts (the host's twin is src/kasm/insn.ts).
import {
  INSN_OP_MASK, INSN_OBJ_SHIFT, INSN_OBJ_MASK, INSN_SITE_SHIFT, OBJ_MODE_MASK, SUBCLASS_SHIFT, SUBCLASS_MASK,
  KIND_SHIFT, KIND_MASK, HELD_CLASS_MASK, HELD_SUB_SHIFT, HELD_SUB_MASK, HELD_MODE_SHIFT, HELD_MODE_MASK, HELD_WAIT_SHIFT, HELD_WAIT_MASK,
  LF_WAIT_SHIFT, LF_WAIT_MASK, MAX_SUBCLASSES,
} from './abi';

// @ts-ignore: decorator
@inline export function insnOp(w0: i32): i32 { return w0 & INSN_OP_MASK; }
// @ts-ignore: decorator
@inline export function insnObj(w0: i32): i32 { return (w0 >> INSN_OBJ_SHIFT) & INSN_OBJ_MASK; }
// @ts-ignore: decorator
@inline export function insnSite(w0: i32): i32 { return w0 >>> INSN_SITE_SHIFT; }

// A lock instruction's obj.
// @ts-ignore: decorator
@inline export function objMode(obj: i32): i32 { return obj & OBJ_MODE_MASK; }
// @ts-ignore: decorator
@inline export function objSubclass(obj: i32): i32 { return (obj >> SUBCLASS_SHIFT) & SUBCLASS_MASK; }
// @ts-ignore: decorator
@inline export function objKind(obj: i32): i32 { return (obj >> KIND_SHIFT) & KIND_MASK; }

// A held lock's info word.
// @ts-ignore: decorator
@inline export function heldInfoOf(cls: i32, sub: i32, mode: i32): i32 { return cls | (sub << HELD_SUB_SHIFT) | (mode << HELD_MODE_SHIFT); }
// @ts-ignore: decorator
@inline export function infoClass(info: i32): i32 { return info & HELD_CLASS_MASK; }
// @ts-ignore: decorator
@inline export function infoSubclass(info: i32): i32 { return (info >> HELD_SUB_SHIFT) & HELD_SUB_MASK; }
// @ts-ignore: decorator
@inline export function infoMode(info: i32): i32 { return (info >> HELD_MODE_SHIFT) & HELD_MODE_MASK; }
/** lockdep's graph node of a held lock: its (class, subclass) pair. */
// @ts-ignore: decorator
@inline export function nodeOf(info: i32): i32 { return infoClass(info) * MAX_SUBCLASSES + infoSubclass(info); }
// @ts-ignore: decorator
@inline export function infoWait(info: i32): i32 { return (info >> HELD_WAIT_SHIFT) & HELD_WAIT_MASK; }
// A lock instruction's flags word: LF_* and the class's wait type.
// @ts-ignore: decorator
@inline export function lockWait(lf: i32): i32 { return (lf >> LF_WAIT_SHIFT) & LF_WAIT_MASK; }
