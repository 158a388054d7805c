// lockdep's cycles, rebuilt on the host from the dependency graph in shared
// memory: the path that closes the cycle, where each edge was first seen,
// and the locks held. Numbers only (graph nodes, pcs); src/report/lockdep.ts
// renders the splat.
import * as A from '../../assembly/abi.js';
import type { Machine } from '../machine/machine.js';
import type { RecordOf } from '../machine/findings.js';
import type { EdgeRecord } from '../machine/views.js';

const N = A.LOCKDEP_NODES;

export interface CycleEdge extends EdgeRecord { from: number; to: number }
export interface Cycle {
  trying: { node: number; pc: number; read: boolean }; // the acquisition that closed it
  holding: { node: number; pc: number }; // pc -1: not in the held list
  chain: CycleEdge[]; // the existing path from the new lock back to the held one
  held: { node: number; pc: number }[];
  nodes: number[]; // the cycle's nodes, sorted: one report per distinct cycle
}

export const nodeClass = (node: number): number => Math.floor(node / A.MAX_SUBCLASSES);
export const nodeSubclass = (node: number): number => node % A.MAX_SUBCLASSES;

/** A shortest path start → … → target in the graph as it is now. */
function path(m: Machine, start: number, target: number): number[] {
  const parent = new Map<number, number>([[start, -1]]);
  const queue = [start];
  while (queue.length) {
    const n = queue.shift()!;
    if (n === target) break;
    for (let k = 0; k < N; k++) if (!parent.has(k) && m.hasEdge(n, k)) { parent.set(k, n); queue.push(k); }
  }
  if (!parent.has(target)) return [];
  const out: number[] = [];
  for (let n = target; n !== -1; n = parent.get(n)!) out.unshift(n);
  return out;
}

export function cycleOf(m: Machine, f: RecordOf<'circular-locking-dependency'>): Cycle {
  const p = path(m, f.to, f.from);
  const chain = p.slice(1).map((n, i) => ({ from: p[i], to: n, ...m.edge(p[i], n) }));
  const holding = f.held.find((h) => h.node === f.from) ?? { node: f.from, pc: -1 };
  return {
    trying: { node: f.to, pc: f.pc, read: m.edge(f.from, f.to).toMode === A.MODE_READ },
    holding,
    chain,
    held: f.held,
    nodes: [...new Set(p)].sort((a, b) => a - b),
  };
}
