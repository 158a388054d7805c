// lockdep's report for a cycle: the splat kernel developers know, and its
// JSON twin, rendered from the cycle the analysis rebuilt.
import * as A from '../../assembly/abi.js';
import type { Program } from '../kasm/index.js';
import type { Cycle } from '../analysis/lockdep.js';
import { fmtPc, nodeName } from './names.js';

export interface LockdepEdgeView { from: string; to: string; toAt: string; fromAt: string; cpu: number; pid: number; fromRead: boolean; toRead: boolean }
export interface LockdepView {
  trying: { lock: string; at: string; read: boolean };
  holding: { lock: string; at: string };
  chain: LockdepEdgeView[]; // the existing path from the new lock back to the held one
  held: { lock: string; at: string }[];
  signature: string; // the cycle's classes, sorted: one report per distinct cycle
}

export function lockdepView(p: Program, c: Cycle): LockdepView {
  const at = (pc: number): string => (pc >= 0 ? fmtPc(p, pc) : '?');
  return {
    trying: { lock: nodeName(p.vocab, c.trying.node), at: fmtPc(p, c.trying.pc), read: c.trying.read },
    holding: { lock: nodeName(p.vocab, c.holding.node), at: at(c.holding.pc) },
    chain: c.chain.map((e) => ({
      from: nodeName(p.vocab, e.from), to: nodeName(p.vocab, e.to), toAt: at(e.toPc), fromAt: fmtPc(p, e.fromPc),
      cpu: e.cpu, pid: e.pid, fromRead: e.fromMode === A.MODE_READ, toRead: e.toMode === A.MODE_READ,
    })),
    held: c.held.map((h) => ({ lock: nodeName(p.vocab, h.node), at: fmtPc(p, h.pc) })),
    signature: c.nodes.map((n) => nodeName(p.vocab, n)).sort().join(' '),
  };
}

const lockOp = (name: string, read: boolean): string => `${read ? 'rlock' : 'lock'}(${name});`;

/** The report, shaped like lockdep's. */
export function formatCycle(c: LockdepView, who: string): string[] {
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
  out.push(...formatHeld(c.held, who));
  return out;
}

/** The locks a task holds, as lockdep_print_held_locks() lists them. */
export function formatHeld(held: { lock: string; at: string }[], who: string): string[] {
  if (!held.length) return [`no locks held by ${who}.`];
  return [`${held.length} lock${held.length === 1 ? '' : 's'} held by ${who}:`, ...held.map((h, i) => ` #${i}: (${h.lock}), at: ${h.at}`)];
}
