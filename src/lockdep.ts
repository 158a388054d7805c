// lockdep's reports, rebuilt on the host from the dependency graph in shared
// memory: the splat kernel developers know, and its JSON twin.
import * as A from '../assembly/abi.js';
import * as L from '../assembly/layout.js';
import type { Machine } from './machine.js';
import { sourceRef, fmtRef } from './findings.js';
import { className } from './names.js';

const N = A.LOCKDEP_NODES;
const ROW_WORDS = (N + 31) >> 5;

export interface LockdepEdge { from: string; to: string; toAt: string; fromAt: string; cpu: number; pid: number; fromRead: boolean; toRead: boolean }
export interface LockdepCycle {
  trying: { lock: string; at: string; read: boolean };
  holding: { lock: string; at: string };
  chain: LockdepEdge[]; // the existing path from the new lock back to the held one
  held: { lock: string; at: string }[];
  signature: string; // the cycle's classes, sorted: one report per distinct cycle
}

export const nodeName = (node: number): string => {
  const cls = Math.floor(node / A.MAX_SUBCLASSES), sub = node % A.MAX_SUBCLASSES;
  return `${className(cls)}${sub ? `/${sub}` : ''}`;
};

function hasEdge(m: Machine, from: number, to: number): boolean {
  const base = m.h(L.H_LOCKDEP_BASE);
  return (m.at(base + (from * ROW_WORDS + (to >> 5)) * 4) & (1 << (to & 31))) !== 0;
}

function edge(m: Machine, from: number, to: number): LockdepEdge {
  const e = m.h(L.H_LOCKDEP_BASE) + N * ROW_WORDS * 4 + (from * N + to) * L.EDGE_SIZE;
  const cpuPid = m.at(e + L.ED_CPU_PID), modes = m.at(e + L.ED_MODES);
  const pcTo = m.at(e + L.ED_PC_TO) - 1;
  return {
    from: nodeName(from), to: nodeName(to),
    toAt: pcTo >= 0 ? fmtRef(sourceRef(m, pcTo)) : '?', fromAt: fmtRef(sourceRef(m, m.at(e + L.ED_PC_FROM))),
    cpu: cpuPid >>> 24, pid: cpuPid & 0xffffff, fromRead: (modes & 3) === A.MODE_READ, toRead: ((modes >> 4) & 3) === A.MODE_READ,
  };
}

/** A shortest path start → … → target in the graph as it is now. */
function path(m: Machine, start: number, target: number): number[] {
  const parent = new Map<number, number>([[start, -1]]);
  const queue = [start];
  while (queue.length) {
    const n = queue.shift()!;
    if (n === target) break;
    for (let k = 0; k < N; k++) if (!parent.has(k) && hasEdge(m, n, k)) { parent.set(k, n); queue.push(k); }
  }
  if (!parent.has(target)) return [];
  const out: number[] = [];
  for (let n = target; n !== -1; n = parent.get(n)!) out.unshift(n);
  return out;
}

export function decodeCycle(m: Machine, from: number, to: number, pc: number, heldPath: number[]): LockdepCycle {
  const p = path(m, to, from);
  const chain = p.slice(1).map((n, i) => edge(m, p[i], n));
  const held = heldPath.map((v) => ({ lock: nodeName(v >>> 16), at: fmtRef(sourceRef(m, v & 0xffff)) }));
  const holding = held.find((h) => h.lock === nodeName(from)) ?? { lock: nodeName(from), at: '?' };
  return {
    trying: { lock: nodeName(to), at: fmtRef(sourceRef(m, pc)), read: edge(m, from, to).toRead },
    holding,
    chain,
    held,
    signature: [...new Set(p.map(nodeName))].sort().join(' '),
  };
}

const lockOp = (name: string, read: boolean): string => `${read ? 'rlock' : 'lock'}(${name});`;

/** The report, shaped like lockdep's. */
export function formatCycle(c: LockdepCycle, who: string): string[] {
  const bar = '======================================================';
  const out = [bar, 'WARNING: possible circular locking dependency detected', bar.replace(/=/g, '-')];
  out.push(`${who} is trying to acquire lock:`, ` (${c.trying.lock}), at: ${c.trying.at}`, '');
  out.push('but task is already holding lock:', ` (${c.holding.lock}), at: ${c.holding.at}`, '');
  out.push('which lock already depends on the new lock.', '', 'the existing dependency chain (in reverse order) is:');
  const entries = [...c.chain].reverse();
  entries.forEach((e, i) => {
    out.push('', `-> #${entries.length - i} (${e.to}):`, `       ${e.to} taken at ${e.toAt}`, `       while holding ${e.from} (taken at ${e.fromAt}); first seen on CPU${e.cpu}, pid ${e.pid}`);
  });
  out.push('', `-> #0 (${c.trying.lock}):`, `       ${c.trying.lock} taken at ${c.trying.at}`, `       while holding ${c.holding.lock} (taken at ${c.holding.at})`, '');
  out.push('other info that might help us debug this:', '');
  if (c.chain.length > 1) out.push(' Chain exists of:', `   ${[c.trying.lock, ...c.chain.map((e) => e.to)].join(' --> ')}`, '');
  const parent = c.chain.length ? c.chain[c.chain.length - 1] : undefined;
  const pad = (s: string): string => s.padEnd(31);
  out.push(' Possible unsafe locking scenario:', '', `       ${pad('CPU0')}CPU1`, `       ${pad('----')}----`);
  out.push(`  ${lockOp(c.holding.lock, parent?.toRead ?? false)}`);
  out.push(`  ${pad('')}     ${lockOp(parent?.from ?? c.trying.lock, parent?.fromRead ?? c.trying.read)}`);
  out.push(`  ${pad('')}     ${lockOp(c.holding.lock, parent?.toRead ?? false)}`);
  out.push(`  ${lockOp(c.trying.lock, c.trying.read)}`, '', ' *** DEADLOCK ***', '');
  out.push(`${c.held.length} lock${c.held.length === 1 ? '' : 's'} held by ${who}:`);
  c.held.forEach((h, i) => out.push(` #${i}: (${h.lock}), at: ${h.at}`));
  return out;
}
