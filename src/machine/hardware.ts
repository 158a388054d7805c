// A machine file (machines/<name>.yaml): the hardware the timed model
// simulates — its topology, its clock, what each class of operation costs,
// and what each of a model's primitives costs — validated with zod so that
// a bad field is named with what it allows. Costs are written with a unit
// ("20 cycles", "51ns", "2.5us"; a bare number is cycles) and kept in
// picoseconds, the unit of the core's clocks.
import { existsSync, readdirSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { LineCounter, parseDocument } from 'yaml';
import { MAX_CPUS } from '../../assembly/abi.js';
import * as L from '../../assembly/layout.js';
import { PACKAGE_ROOT } from '../paths.js';
import { readInputFile, SCENARIO_FILE_MAX_BYTES } from '../files.js';
import { shown } from '../kasm/errors.js';

export const MACHINES_DIR = join(PACKAGE_ROOT, 'machines');

/** A cost is at most this (a primitive's work is microseconds; u32 picoseconds hold 4.29 ms). */
const MAX_COST_PS = 4_000_000_000;

const UNIT_PS: Record<string, number> = { ps: 1, ns: 1e3, us: 1e6, µs: 1e6, ms: 1e9 };
const COST = /^\s*(\d+(?:\.\d+)?)\s*(cycles?|ps|ns|us|µs|ms)?\s*$/;
const cost = () => z.union([z.number().nonnegative(), z.string().regex(COST, { message: 'must be a number and a unit: cycles, ps, ns, us or ms (e.g. "20 cycles", "51ns", "2.5us")' })]);

const Primitive = z.union([
  cost(),
  z.strictObject({
    cost: cost(),
    // A second cost for when a condition of the model holds, as the kernel
    // branches: copy_mm() with CLONE_VM is an mmget(), not a dup_mm().
    when: z.string().min(1).max(512),
    else: cost(),
  }),
]);

const Schema = z.strictObject({
  name: z.string().regex(/^[\w.-]{1,64}$/, { message: 'must be a file-name-like word (letters, digits, _ . -; at most 64)' }),
  description: z.string().max(400).default(''),
  sockets: z.number().int().min(1).max(16),
  coresPerSocket: z.number().int().min(1).max(MAX_CPUS),
  threadsPerCore: z.number().int().min(1).max(2).default(1),
  coresPerLlc: z.number().int().min(1).max(MAX_CPUS), // cores that share one last-level cache (a CCX, a mesh)
  ghz: z.number().min(0.1).max(10),
  spinlock: z.enum(['qspinlock', 'ticket']).default('qspinlock'),
  costs: z.strictObject({
    op: cost(), hit: cost(), rmw: cost(), spin: cost(), syscall: cost(), irq: cost(), contextSwitch: cost(), idle: cost(),
    dram: cost(), dramRemote: cost().optional(),
    transfer: z.strictObject({ smt: cost().optional(), llc: cost(), socket: cost().optional(), remote: cost().optional(), remoteHome: cost().optional() }),
  }),
  // The primitives' costs of another machine file, under this file's own;
  // all of them times primitiveScale (a part whose kernel work takes that
  // much longer; what calibration fits).
  base: z.string().regex(/^[\w.-]{1,64}$/).optional(),
  primitiveScale: z.number().min(0.01).max(100).default(1),
  primitives: z.record(z.string().regex(/^[A-Za-z_]\w{0,63}$/), Primitive).default(() => ({})),
});

/** A primitive's cost on this machine: `ps`, or `elsePs` when `when` holds. */
export interface PrimitiveCost { ps: number; when?: string; elsePs?: number; line: number }

export interface Hardware {
  name: string;
  description: string;
  file: string;
  sockets: number; coresPerSocket: number; threadsPerCore: number; coresPerLlc: number; ghz: number;
  spinlock: 'qspinlock' | 'ticket';
  /** The file's own primitiveScale (its primitives' costs are those written, times it). */
  primitiveScale: number;
  /** Picoseconds per COST_* class (index = the layout's COST_* constant). */
  costs: number[];
  primitives: Map<string, PrimitiveCost>;
}

export class HardwareError extends Error {}

/** The CPUs a machine has: every hardware thread. */
export const hardwareCpus = (h: Hardware): number => Math.min(MAX_CPUS, h.sockets * h.coresPerSocket * h.threadsPerCore);

function toPs(v: number | string, ghz: number, where: string): number {
  let ps: number;
  if (typeof v === 'number') ps = (v * 1000) / ghz;
  else {
    const m = COST.exec(v)!;
    const n = Number(m[1]);
    ps = !m[2] || m[2].startsWith('cycle') ? (n * 1000) / ghz : n * UNIT_PS[m[2]];
  }
  ps = Math.round(ps);
  if (ps > MAX_COST_PS) throw new HardwareError(`${where}: at most ${MAX_COST_PS / 1e9} ms`);
  return ps;
}

/** A machine by name (a file in machines/) or by path. */
export function loadHardware(nameOrPath: string, depth = 0): Hardware {
  const byName = /^[\w.-]+$/.test(nameOrPath) && !nameOrPath.endsWith('.yaml') && !nameOrPath.endsWith('.json');
  const file = byName ? join(MACHINES_DIR, `${nameOrPath}.yaml`) : nameOrPath;
  if (byName && !existsSync(file)) throw new HardwareError(`machine '${shown(nameOrPath)}' not found; the machines are: ${listHardware().join(', ')}`);
  let text: string;
  try {
    text = readInputFile(file, 'machine file', SCENARIO_FILE_MAX_BYTES);
  } catch (e) {
    throw new HardwareError((e as Error).message);
  }
  return parseHardware(text, file, depth);
}

/** The machines shipped in machines/. */
export function listHardware(): string[] {
  try {
    return readdirSync(MACHINES_DIR).filter((f) => f.endsWith('.yaml')).map((f) => basename(f, '.yaml')).sort();
  } catch {
    return [];
  }
}

export function parseHardware(text: string, file: string, depth = 0): Hardware {
  const where = isAbsolute(file) && file.startsWith(PACKAGE_ROOT) ? file.slice(PACKAGE_ROOT.length + 1) : file;
  let raw: unknown;
  const lines = new LineCounter();
  let doc;
  try {
    doc = parseDocument(text, { lineCounter: lines });
    if (doc.errors.length) throw doc.errors[0];
    raw = file.endsWith('.json') ? JSON.parse(text) : doc.toJS(); // the document parsed once: its values, and its lines for errors
  } catch (e) {
    throw new HardwareError(`${where}: not valid YAML: ${shown((e as Error).message.split('\n')[0])}`);
  }
  const r = Schema.safeParse(raw);
  if (!r.success) {
    throw new HardwareError(r.error.issues.map((i) => `${where}: ${i.path.map((p) => shown(String(p))).join('.') || '(top level)'}: ${shown(i.message, 400)}`).join('\n'));
  }
  const d = r.data;
  if (d.coresPerSocket % d.coresPerLlc !== 0) throw new HardwareError(`${where}: coresPerLlc (${d.coresPerLlc}) must divide coresPerSocket (${d.coresPerSocket})`);
  if (d.sockets * d.coresPerSocket > MAX_CPUS) throw new HardwareError(`${where}: sockets × coresPerSocket must be at most ${MAX_CPUS}`);
  const at = (path: string) => `${where}: ${path}`;
  const c = d.costs, t = c.transfer;
  const ps = (v: number | string, path: string) => toPs(v, d.ghz, at(path));
  const costs = new Array<number>(L.NR_COSTS).fill(0);
  costs[L.COST_OP] = ps(c.op, 'costs.op');
  costs[L.COST_HIT] = ps(c.hit, 'costs.hit');
  costs[L.COST_RMW] = ps(c.rmw, 'costs.rmw');
  costs[L.COST_SPIN] = Math.max(1, ps(c.spin, 'costs.spin')); // a spin must move the clock
  costs[L.COST_SYSCALL] = ps(c.syscall, 'costs.syscall');
  costs[L.COST_IRQ] = ps(c.irq, 'costs.irq');
  costs[L.COST_SWITCH] = ps(c.contextSwitch, 'costs.contextSwitch');
  costs[L.COST_IDLE] = Math.max(1, ps(c.idle, 'costs.idle'));
  costs[L.COST_DRAM] = ps(c.dram, 'costs.dram');
  costs[L.COST_DRAM_REMOTE] = ps(c.dramRemote ?? c.dram, 'costs.dramRemote');
  const llc = ps(t.llc, 'costs.transfer.llc');
  costs[L.COST_XFER_SMT] = t.smt === undefined ? llc : ps(t.smt, 'costs.transfer.smt');
  costs[L.COST_XFER_LLC] = llc;
  costs[L.COST_XFER_SOCKET] = t.socket === undefined ? llc : ps(t.socket, 'costs.transfer.socket');
  const need = (v: number | string | undefined, path: string): number => {
    if (v === undefined) throw new HardwareError(`${at(path)}: required for a machine of ${d.sockets} sockets`);
    return ps(v, path);
  };
  costs[L.COST_XFER_REMOTE] = d.sockets > 1 ? need(t.remote, 'costs.transfer.remote') : costs[L.COST_XFER_SOCKET];
  costs[L.COST_XFER_REMOTE_HOME] = d.sockets > 1 ? (t.remoteHome === undefined ? costs[L.COST_XFER_REMOTE] : ps(t.remoteHome, 'costs.transfer.remoteHome')) : costs[L.COST_XFER_SOCKET];
  if (d.coresPerLlc < d.coresPerSocket && t.socket === undefined) throw new HardwareError(`${at('costs.transfer.socket')}: required when a socket has more than one LLC (coresPerLlc < coresPerSocket)`);
  const primitives = new Map<string, PrimitiveCost>();
  if (d.base !== undefined) {
    if (depth >= 4) throw new HardwareError(`${at('base')}: bases nest at most 4 deep`);
    if (d.base === d.name) throw new HardwareError(`${at('base')}: a machine cannot be its own base`);
    const b = loadHardware(d.base, depth + 1);
    for (const [name, pc] of b.primitives) {
      primitives.set(name, { ...pc, ps: Math.round(pc.ps * d.primitiveScale), elsePs: pc.elsePs === undefined ? undefined : Math.round(pc.elsePs * d.primitiveScale), line: 0 });
    }
  }
  for (const [name, v] of Object.entries(d.primitives)) {
    const node = doc.getIn(['primitives', name], true) as { range?: [number, number] } | undefined;
    const line = node?.range ? lines.linePos(node.range[0]).line : 1;
    const k = d.primitiveScale;
    if (typeof v === 'object') primitives.set(name, { ps: Math.round(k * ps(v.cost, `primitives.${name}.cost`)), when: v.when, elsePs: Math.round(k * ps(v.else, `primitives.${name}.else`)), line });
    else primitives.set(name, { ps: Math.round(k * ps(v, `primitives.${name}`)), line });
  }
  return {
    name: d.name, description: d.description, file: where,
    sockets: d.sockets, coresPerSocket: d.coresPerSocket, threadsPerCore: d.threadsPerCore, coresPerLlc: d.coresPerLlc, ghz: d.ghz,
    spinlock: d.spinlock, primitiveScale: d.primitiveScale, costs, primitives,
  };
}

/** Where simulated CPU `cpu` sits, as the core's topology word: the cores
 *  of socket 0 first, then socket 1's, then the second hyperthreads (as a
 *  benchmark pinned to CPUs 0..n-1 fills a machine that numbers its CPUs
 *  so). */
export function topologyWord(h: Hardware, cpu: number): number {
  const cores = h.sockets * h.coresPerSocket;
  const core = cpu % cores;
  const socket = Math.floor(core / h.coresPerSocket);
  const llc = Math.floor(core / h.coresPerLlc);
  return (socket << 16) | ((llc & 0xff) << 8) | (core & 0xff);
}
