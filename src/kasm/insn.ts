// Encoding and decoding instruction words and held-lock info on the host,
// from the field names in assembly/abi.ts (the core's twin is
// assembly/insn.ts). The assembler encodes; the ladder walk, the
// disassembler and the machine's views decode.
import * as A from '../../assembly/abi.js';

export interface Insn { op: number; obj: number; site: number; arg: number; target: number; errno: number }

export function encodeInsn(code: Int32Array, pc: number, i: Insn): void {
  const w = pc * A.INSN_WORDS;
  code[w + A.W_HEAD] = (i.op & A.INSN_OP_MASK) | ((i.obj & A.INSN_OBJ_MASK) << A.INSN_OBJ_SHIFT) | (i.site << A.INSN_SITE_SHIFT);
  code[w + A.W_ARG] = i.arg;
  code[w + A.W_TARGET] = i.target;
  code[w + A.W_ERRNO] = i.errno;
}

export function decodeInsn(code: Int32Array, pc: number): Insn {
  const w = pc * A.INSN_WORDS;
  const w0 = code[w + A.W_HEAD];
  return {
    op: w0 & A.INSN_OP_MASK, obj: (w0 >> A.INSN_OBJ_SHIFT) & A.INSN_OBJ_MASK, site: w0 >>> A.INSN_SITE_SHIFT,
    arg: code[w + A.W_ARG], target: code[w + A.W_TARGET], errno: code[w + A.W_ERRNO],
  };
}

/** A lock instruction's obj: mode, subclass and the lock's kind. */
export const objMode = (obj: number): number => obj & A.OBJ_MODE_MASK;
export const objSubclass = (obj: number): number => (obj >> A.SUBCLASS_SHIFT) & A.SUBCLASS_MASK;
export const objKind = (obj: number): number => (obj >> A.KIND_SHIFT) & A.KIND_MASK;
export const lockObj = (mode: number, subclass: number, kind: number): number =>
  mode | (subclass << A.SUBCLASS_SHIFT) | (kind << A.KIND_SHIFT);

/** A held lock's info word. */
export interface HeldInfo { cls: number; subclass: number; mode: number }
export const decodeHeldInfo = (info: number): HeldInfo => ({
  cls: info & A.HELD_CLASS_MASK, subclass: (info >> A.HELD_SUB_SHIFT) & A.HELD_SUB_MASK, mode: (info >> A.HELD_MODE_SHIFT) & A.HELD_MODE_MASK,
});
