// Findings grouped: each distinct finding the core counted (same kind,
// place, failure and subject), with its exact count and first record; the
// lockdep cycles that close the same loop of classes merged into one. Also:
// where a syscall's first failure was, and who left a lock held.
import type { Program } from '../kasm/index.js';
import { decodeInsn } from '../kasm/insn.js';
import type { Machine } from '../machine/machine.js';
import type { FindingRecord } from '../machine/findings.js';
import { cycleOf, type Cycle } from './lockdep.js';

export interface FindingGroup {
  count: number;
  first: FindingRecord;
  cycle?: Cycle; // circular-locking-dependency: the cycle, decoded from the graph
}

/** The fault site of the instruction at `pc` (0: it has none). */
export const siteAt = (p: Program, pc: number): number => (pc >= 0 ? decodeInsn(p.code, pc).site : 0);

/** The name of the fault site a record's syscall failed at first (undefined: none). */
export const failedAt = (p: Program, f: FindingRecord): string | undefined => {
  const site = siteAt(p, f.failPc);
  return site ? p.sites[site].name : undefined;
};

/** The distinct findings of a machine, in the order each was first found. */
export function groupFindings(m: Machine): FindingGroup[] {
  const groups: FindingGroup[] = [];
  const cycles = new Map<string, FindingGroup>();
  for (const d of m.distinctFindings()) {
    if (d.first.kind !== 'circular-locking-dependency') { groups.push({ count: d.count, first: d.first }); continue; }
    // One report per distinct cycle, whichever edge closed it.
    const cycle = cycleOf(m, d.first);
    const key = cycle.nodes.join(' ');
    const g = cycles.get(key);
    if (g) g.count += d.count;
    else {
      const n = { count: d.count, first: d.first, cycle };
      cycles.set(key, n);
      groups.push(n);
    }
  }
  return groups;
}

/** Pids of tasks that returned to user space holding the lock at `addr`. */
export function leakedHolders(records: FindingRecord[], addr: number): number[] {
  return records.filter((f) => f.kind === 'lock-held-returning-to-user' && f.lock === addr).map((f) => f.pid);
}
