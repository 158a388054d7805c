// The timed model's configuration, as the machine writes it: the header's
// costs, each CPU's place in the topology, the coherence directory's size,
// and each primitive's cost in the effects table — with the machine file's
// cost conditions compiled into the model's conditions table.
import * as L from '../../assembly/layout.js';
import * as A from '../../assembly/abi.js';
import { compileCond, KasmError, type Program } from '../kasm/index.js';
import type { Scenario } from './scenario.js';
import { topologyWord, HardwareError, type Hardware } from './hardware.js';

/** A machine file's costs, ready for the memory: the program with its cost
 *  conditions appended, and each such condition's row by primitive. */
export interface TimedConfig { hw: Hardware; program: Program; rows: Map<string, number> }

/** Compile the machine file's cost conditions against the model (a bad one
 *  is an error at its line of the machine file). */
export function timedConfig(program: Program, hw: Hardware): TimedConfig {
  const conds = [...program.conds];
  const rows = new Map<string, number>();
  for (const [name, c] of hw.primitives) {
    if (c.when === undefined || !program.effects.some((e) => e.name === name)) continue;
    try {
      rows.set(name, conds.length);
      conds.push(compileCond(c.when, program.vocab, hw.file, c.line));
    } catch (e) {
      if (e instanceof KasmError) throw new HardwareError(`${e.message} (primitives.${name}.when)`);
      throw e;
    }
  }
  if (conds.length > A.MAX_CONDS) throw new HardwareError(`${hw.file}: the model and the machine's cost conditions exceed ${A.MAX_CONDS} conditions`);
  return { hw, program: { ...program, conds }, rows };
}

/** The header's timed-model words (none when `t` is null: the model is off). */
export function writeTimedHeader(buffer: ArrayBufferLike, t: TimedConfig | null, s: Scenario): void {
  const h = new Int32Array(buffer, L.HEADER_BASE, L.HEADER_SIZE >> 2);
  h[L.H_TIME_FLAGS >> 2] = t ? L.TF_ON | (t.hw.spinlock === 'ticket' ? L.TF_TICKET : 0) : 0;
  if (!t) { h[L.H_LINES_CAP >> 2] = 0; return; }
  new Uint32Array(buffer, L.HEADER_BASE + L.H_COSTS, L.NR_COSTS).set(t.hw.costs);
  for (let c = 0; c < s.cpus; c++) h[(L.H_TOPOLOGY >> 2) + c] = topologyWord(t.hw, c);
  // A line for every lock and variable the machine can hold, at most half full.
  const lines = s.tasks * (A.MAX_TASK_LOCKS + A.MAX_TASK_VARS + 1) + s.cpus * (A.MAX_RQ_LOCKS + A.MAX_RQ_VARS) + A.MAX_GLOBAL_LOCKS + A.MAX_GLOBAL_VARS + 64;
  let cap = 1024;
  while (cap < lines * 2 && cap < L.MAX_LINES) cap *= 2;
  h[L.H_LINES_CAP >> 2] = cap;
}

/** An effects row's cost words: what the primitive `name` costs, and the other cost under its condition. */
export function writeEffectCost(buffer: ArrayBufferLike, row: number, name: string, t: TimedConfig | null): void {
  const c = t?.hw.primitives.get(name);
  const u32 = new Uint32Array(buffer), i32 = new Int32Array(buffer);
  u32[(row + L.E_COST) >> 2] = c?.ps ?? 0;
  i32[(row + L.E_COST_WHEN) >> 2] = t?.rows.get(name) ?? -1;
  u32[(row + L.E_COST_ALT) >> 2] = c?.elsePs ?? 0;
}
