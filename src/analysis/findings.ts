// Findings grouped: repeats of the same finding (same kind, place, failure
// and subject) counted under the first record, keyed by the records' own
// numbers. Also: where a syscall's first failure was.
import * as A from '../../assembly/abi.js';
import type { Program } from '../kasm/index.js';
import { decodeInsn } from '../kasm/insn.js';
import type { Machine } from '../machine/machine.js';
import type { FindingRecord } from '../machine/findings.js';
import { cycleOf, type Cycle } from './lockdep.js';

export interface FindingGroup {
  key: string;
  count: number;
  first: FindingRecord;
  cycle?: Cycle; // circular-locking-dependency: the cycle, decoded from the graph
}

/** The fault site of the instruction at `pc` (0: it has none). */
export const siteAt = (p: Program, pc: number): number => (pc >= 0 ? decodeInsn(p.code, pc).site : 0);

/** What makes two records the same finding. */
function keyOf(f: FindingRecord, cycle?: Cycle): string {
  if (cycle) return `${f.kind}|${cycle.nodes.join(' ')}`;
  const subject = (() => {
    switch (f.kind) {
      case 'leak': case 'double-release': case 'double-acquire': case 'freed-while-owning': return String(f.resources);
      case 'invariant': {
        // What the invariant's message names: a resource, a lock, a CPU.
        const named = f.invariant === A.INV_LEDGER || f.invariant === A.INV_LOCK_FREE || f.invariant === A.INV_IDLE_HOLDS_LOCK;
        return `${f.invariant}/${f.value}/${named ? f.subject : ''}/${f.lockClass}/${f.resources}`;
      }
      case 'deadlock': return String(f.spinning);
      case 'hung-cpu': return `${f.cpu}/${f.lock}`;
      case 'worker-died': return String(f.cpu);
      case 'call-stack-overflow': return '';
      default: return String(f.lockClass);
    }
  })();
  return [f.kind, f.pc, f.failPc, subject].join('|');
}

/** Group repeats, in the order each was first found. */
export function groupFindings(m: Machine, records: FindingRecord[]): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  for (const f of records) {
    const cycle = f.kind === 'circular-locking-dependency' ? cycleOf(m, f) : undefined;
    const key = keyOf(f, cycle);
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { key, count: 1, first: f, ...(cycle ? { cycle } : {}) });
  }
  return [...groups.values()];
}

/** Pids of tasks that returned to user space holding the lock at `addr`. */
export function leakedHolders(records: FindingRecord[], addr: number): number[] {
  return records.filter((f) => f.kind === 'lock-held-returning-to-user' && f.lock === addr).map((f) => f.pid);
}
