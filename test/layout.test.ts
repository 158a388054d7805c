// The memory map: every block of assembly/layout.ts is one chain of fields
// (`NEXT = PREV + size`), sections of a block start past the one before,
// no field runs past its block's stride, and 64-bit words are 8-aligned (a
// misaligned atomic traps). The checker is shown to catch an overlap.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as L from '../assembly/layout.js';
import * as A from '../assembly/abi.js';
import { PACKAGE_ROOT } from '../src/paths.js';

const LAYOUT = join(PACKAGE_ROOT, 'assembly', 'layout.ts');

/** Block prefix → its size in bytes. */
const BLOCKS: Record<string, number> = {
  H_: L.HEADER_SIZE, E_: L.EFFECT_SIZE, S_: L.SITE_SIZE, L_: L.LOCK_SIZE, ED_: L.EDGE_SIZE, LS_: L.LS_SIZE,
  RQ_: L.RQ_STRIDE, T_: L.TASK_STRIDE, C_: L.CPU_STRIDE, FR_: L.FRAME_SIZE, HL_: L.HELD_SIZE, FD_: L.FINDING_SIZE, DS_: L.DISTINCT_SIZE,
  EF_: L.EF_SIZE, V_: L.VAR_SIZE, CD_: L.COND_SIZE, AT_: L.ATOM_SIZE, KX_: L.KCTX_STRIDE, US_: L.USAGE_SIZE, UST_: L.USAGE_SITE_SIZE, LN_: L.LINE_ENTRY, LDC_: L.LDC_SIZE,
};
/** Not fields: sizes and limits that share a prefix. */
const NOT_FIELDS = new Set(['LS_SIZE', 'RQ_STRIDE', 'FD_PATH_MAX', 'DS_FREE', 'DS_CLAIMING', 'DS_READY', 'EF_SIZE', 'US_SITES', 'KX_CTX', 'C_CTX_END', 'LDC_SIZE']);
/** 64-bit words (and i64 atomics). */
const U64 = ['H_IRQ_RNG', 'H_KCTX_FREE', 'H_SEED', 'H_BOOT_OWNED', 'H_STEP_RNG', 'H_STEP_COUNT', 'H_FREE_HEAD', 'E_ACQUIRES', 'E_RELEASES', 'T_OWNED', 'C_RNG', 'C_STEPS', 'C_SPINS', 'C_CLOCK', 'C_TIME_SPIN', 'C_TIME_IDLE', 'H_TIME_HORIZON', 'H_TIME_NOW', 'LN_BUSY', 'LDC_HITS', 'LDC_MISSES', 'FD_STEP', 'FD_MASK', 'DS_MASK',
  'LS_CONTENTIONS', 'LS_CON_BOUNCES', 'LS_WAIT_TOTAL', 'LS_WAIT_MIN', 'LS_WAIT_MAX', 'LS_ACQUISITIONS', 'LS_ACQ_BOUNCES', 'LS_HOLD_TOTAL', 'LS_HOLD_MIN', 'LS_HOLD_MAX'];
const HALF = ['L_PARKED', 'L_LAST_CPU']; // u16

interface Field { name: string; value: number; expr: string }

const sizeOf = (name: string): number => (U64.includes(name) ? 8 : HALF.includes(name) ? 2 : 4);

/** Fields of each block in declaration order: each is a literal (a section
 *  start) or chained on an earlier field of its block, starts past the end
 *  of the one declared before it, is aligned to its size and ends inside
 *  the block. An alias (`FD_LOCK = FD_A`) names a field of a per-kind table. */
export function layoutProblems(text: string, values: Record<string, number>): string[] {
  const out: string[] = [];
  const blocks = new Map<string, Field[]>();
  for (const m of text.matchAll(/^export const ([A-Z][A-Z0-9_]*) = ([^;]+);/gm)) {
    const [, name, expr] = m;
    const prefix = Object.keys(BLOCKS).filter((p) => name.startsWith(p)).sort((a, b) => b.length - a.length)[0];
    if (!prefix || NOT_FIELDS.has(name) || /^[A-Z][A-Z0-9_]*$/.test(expr.trim())) continue;
    if (!blocks.has(prefix)) blocks.set(prefix, []);
    blocks.get(prefix)!.push({ name, value: values[name], expr: expr.trim() });
  }
  const aliases = new Map([...text.matchAll(/^export const ([A-Z][A-Z0-9_]*) = ([A-Z][A-Z0-9_]*);/gm)].map((m) => [m[1], m[2]]));
  for (const [prefix, fields] of blocks) {
    fields.forEach((f, i) => {
      const prev = fields[i - 1];
      const on = /^([A-Z][A-Z0-9_]*) \+ /.exec(f.expr)?.[1];
      const base = on && (aliases.get(on) ?? on);
      const chained = base !== undefined && fields.slice(0, i).some((x) => x.name === base);
      if (!chained && !/^\d+$/.test(f.expr)) out.push(`${f.name} = ${f.expr}: not chained on an earlier field of its block`);
      if (prev && f.value < prev.value + sizeOf(prev.name) && !/_END$|_SPARE$/.test(prev.name)) out.push(`${f.name} (${f.value}) overlaps ${prev.name} (${prev.value})`);
      if (prev && /_END$|_SPARE$/.test(prev.name) && f.value < prev.value) out.push(`${f.name} (${f.value}) overlaps ${prev.name} (${prev.value})`);
      if (f.value % sizeOf(f.name)) out.push(`${f.name} (${f.value}) is not ${sizeOf(f.name)}-byte aligned`);
      const end = /_END$|_SPARE$/.test(f.name) ? f.value : f.value + sizeOf(f.name);
      if (end > BLOCKS[prefix]) out.push(`${f.name} ends at ${end}, past the ${BLOCKS[prefix]}-byte block`);
    });
  }
  return out;
}

describe('the memory map', () => {
  const text = readFileSync(LAYOUT, 'utf8');
  const values = L as unknown as Record<string, number>;
  it('every block is one chain of fields that fits its stride', () => {
    expect(layoutProblems(text, values)).toEqual([]);
  });
  it('catches a field that overlaps another, one not chained, a misaligned u64, and one past the stride', () => {
    const bad = text.replace('export const C_CURR = C_ID + 4;', 'export const C_CURR = 0;')
      .replace('export const T_OWNED = T_USAGE + 4;', 'export const T_OWNED = T_USAGE + 2;')
      .replace('export const E_REG = E_SERVICE_ARG + 4;', 'export const E_REG = 2 + 2;')
      .replace('export const C_CTX_END = C_LOCALS + 8 * 4;', 'export const C_CTX_END = C_LOCALS + 8 * 4;\nexport const C_EXTRA = C_CTX_END + 200;');
    const v = { ...values, C_CURR: 0, T_OWNED: values.T_USAGE + 2, C_EXTRA: values.C_CTX_END + 200 };
    const problems = layoutProblems(bad, v);
    expect(problems).toContain('C_CURR (0) overlaps C_ID (0)');
    expect(problems).toContain(`T_OWNED (${values.T_USAGE + 2}) is not 8-byte aligned`);
    expect(problems).toContain('E_REG = 2 + 2: not chained on an earlier field of its block');
    expect(problems).toContain(`C_EXTRA ends at ${values.C_CTX_END + 204}, past the ${L.CPU_STRIDE}-byte block`);
  });
  it('the arrays inside blocks hold what abi.ts says they hold', () => {
    expect(L.H_ENTRIES - L.H_WEIGHTS).toBe(A.NR_ACTIONS * 4);
    expect(L.H_ACTION_CONDS - L.H_ENTRIES).toBe(A.NR_ACTIONS * 4);
    expect(L.H_FORK_ACTIONS - L.H_ACTION_CONDS).toBe(A.NR_ACTIONS * 4);
    expect(A.NR_ACTIONS).toBeLessThanOrEqual(32); // H_FORK_ACTIONS and H_FIRST_ACTIONS are bit masks
    expect(L.H_CONFIG_END - L.H_TASK_LOCK_HOSTS).toBe(A.MAX_TASK_LOCKS * 4);
    expect(L.H_CONFIG_END).toBeLessThanOrEqual(L.H_CODE_BASE);
    expect(L.H_LAYOUT_END).toBeLessThanOrEqual(L.H_SCHED);
    expect(L.H_SCHED_END).toBeLessThanOrEqual(L.H_STOP);
    expect(L.H_STATE_END).toBeLessThanOrEqual(L.HEADER_SIZE);
    expect(L.C_RES_COUNT - L.C_COUNTERS).toBe(L.NR_COUNTERS * 4);
    expect((L.C_FRAMES - L.C_RES_COUNT) / 4).toBeGreaterThanOrEqual(A.MAX_RESOURCES);
    expect(A.MAX_RESOURCES).toBeLessThanOrEqual(64); // a task's owned set is a u64
    expect((L.C_RES_COUNT - L.C_COUNTERS) / 4 - L.K_MODEL_ACTIONS).toBeGreaterThanOrEqual(A.MAX_MODEL_ACTIONS);
    expect(L.K_AUTOREAPS).toBeGreaterThanOrEqual(L.K_MODEL_ACTIONS + A.MAX_MODEL_ACTIONS);
    expect(L.K_AUTOREAPS).toBeLessThan(L.NR_COUNTERS);
    expect(L.C_CTX_END - L.C_LOCALS).toBe(A.MAX_LOCAL_VARS * 4);
    expect(L.C_CTX_END).toBeLessThanOrEqual(L.CPU_STRIDE);
    expect(L.KX_CTX + L.CTX_SIZE).toBeLessThanOrEqual(L.KCTX_STRIDE);
    expect(L.US_SITES + A.NR_USAGE_BITS * L.USAGE_SITE_SIZE).toBeLessThanOrEqual(L.USAGE_SIZE);
    expect(L.H_IRQ_RATES - L.H_IRQ_ENTRIES).toBe(A.MAX_IRQS * 4);
    expect(L.H_IRQ_IPI - L.H_IRQ_RATES).toBe(A.MAX_IRQS * 4);
    expect(L.H_STATE_END).toBeLessThanOrEqual(L.H_CONTEXTS);
    expect(L.H_CONTEXTS_END).toBeLessThanOrEqual(L.H_KCTX_FREE);
    expect(L.H_CONTEXTS_STATE_END).toBeLessThanOrEqual(L.HEADER_SIZE);
    expect(A.MAX_CPUS).toBeLessThanOrEqual(A.IRQ_MARK); // a schedule byte is a CPU or a marker
    expect(A.MAX_IRQS).toBeLessThanOrEqual(8); // the marker's low three bits
    expect(L.T_VARS - L.T_LOCKS).toBe(A.MAX_TASK_LOCKS * L.LOCK_SIZE);
    expect(L.T_END - L.T_VARS).toBe(A.MAX_TASK_VARS * 4);
    expect(L.RQ_VARS - L.RQ_LOCKS).toBe(A.MAX_RQ_LOCKS * L.LOCK_SIZE);
    expect(L.RQ_END - L.RQ_VARS).toBe(A.MAX_RQ_VARS * 4);
    expect(L.E_PRIM_FLAGS - L.E_EFFECTS).toBe(A.MAX_PRIM_EFFECTS * L.EF_SIZE);
    expect(L.CD_ATOMS + A.MAX_ATOMS * L.ATOM_SIZE).toBeLessThanOrEqual(L.COND_SIZE);
    expect(A.MAX_CLASSES).toBeLessThanOrEqual(A.HELD_CLASS_MASK + 1); // a held lock's info word holds its class
    expect(L.C_HELD - L.C_FRAMES).toBe(A.MAX_CALL_DEPTH * L.FRAME_SIZE);
    expect(L.C_PATH - L.C_HELD).toBe(A.MAX_HELD * L.HELD_SIZE);
    expect(L.C_LOCALS - L.C_PATH).toBe(A.MAX_PATH * 4);
    expect(L.FD_PATH_MAX).toBe(A.MAX_PATH);
    expect(L.FD_END + (L.DS_MASK + 8 - L.DS_KIND)).toBeLessThanOrEqual(L.FINDING_SIZE); // the key is built past the record
    expect(A.NR_FIND_KINDS).toBeLessThanOrEqual((L.H_STATE_END - L.H_KIND_COUNTS) / 4);
    expect(L.DISTINCT_CAP & (L.DISTINCT_CAP - 1)).toBe(0);
    expect(L.T_END).toBeLessThanOrEqual(L.TASK_STRIDE);
    expect(L.RQ_END).toBeLessThanOrEqual(L.RQ_STRIDE);
    for (const stride of [L.CPU_STRIDE, L.RQ_STRIDE, L.GLOBAL_LOCK_STRIDE, L.SITE_SIZE]) expect(stride % 64).toBe(0); // no false sharing between CPUs
    expect(A.LOCKDEP_NODES * 5).toBeLessThanOrEqual(L.LD_SCRATCH_PER_CPU); // a queue of i32 and a byte per node
  });
});
