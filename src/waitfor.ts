// Who waits for whom: the wait-for graph of CPUs spinning on locks, read
// from the lock words and held-lock stacks. Used for the step driver's
// deadlock report and the parallel driver's hung-CPU report.
import * as A from '../assembly/abi.js';
import * as L from '../assembly/layout.js';
import type { Machine } from './machine.js';
import { lockName, sourceRef, fmtRef, leakedHolders } from './findings.js';
import { MODES, isRwKind } from './names.js';

export interface Waiter {
  cpu: number;
  pid: number;
  stack: string[]; // routines, outermost first
  at: string; // where it spins
  lock: string;
  mode: string;
  holders: { cpu: number; pid: number; mode: string }[]; // CPUs whose held-lock stack has the lock
  note: string; // what the lock word says beyond the holders
}

function stackOf(m: Machine, cpu: number): string[] {
  const c = m.cpuAddr(cpu);
  const depth = m.at(c + L.C_DEPTH);
  const out: string[] = [];
  for (let d = 1; d < depth; d++) out.push(m.program.src[m.at(c + L.C_FRAMES + d * L.FRAME_SIZE + L.FR_CALL_PC)]?.routine ?? '?');
  out.push(m.program.src[m.at(c + L.C_PC)]?.routine ?? '?');
  return out;
}

const pidOf = (m: Machine, t: number): number => (t < 0 ? 0 : m.at(m.taskAddr(t) + L.T_PID));

export function waiters(m: Machine): Waiter[] {
  const out: Waiter[] = [];
  for (let cpu = 0; cpu < m.scenario.cpus; cpu++) {
    const c = m.cpuAddr(cpu);
    const lock = m.at(c + L.C_SPIN_LOCK);
    if (!lock || !m.cpuBusy(cpu)) continue;
    const pc = m.at(c + L.C_SPIN_PC);
    const rw = isRwKind((m.program.code[pc * A.INSN_WORDS] >> (8 + A.KIND_SHIFT)) & 3);
    const holders: Waiter['holders'] = [];
    for (let h = 0; h < m.scenario.cpus; h++) {
      const hc = m.cpuAddr(h);
      for (let i = 0; i < m.at(hc + L.C_HELD_DEPTH); i++) {
        const e = hc + L.C_HELD + i * L.HELD_SIZE;
        if (m.at(e + L.HL_LOCK) === lock) holders.push({ cpu: h, pid: pidOf(m, m.at(hc + L.C_CURR)), mode: MODES[(m.at(e + L.HL_INFO) >> 12) & 3] });
      }
    }
    const ownerPid = m.at(lock + L.L_OWNER);
    let note = '';
    if (rw) {
      const w = m.at(lock + L.L_WORD);
      const readers = w & A.RW_READERS_MASK, writers = (w & A.RW_WAITERS_MASK) >>> 16;
      const heldReads = holders.filter((h) => h.mode === 'read').length;
      if (readers > heldReads) {
        const leakers = [...new Set(leakedHolders(m, lock))];
        const who = leakers.length ? `pid ${leakers.slice(0, 5).join(', pid ')}${leakers.length > 5 ? ', …' : ''}` : `last reader pid ${ownerPid}`;
        note = `held for read by ${readers - heldReads} task(s) that returned to user space holding it (${who}): a leaked read hold`;
      }
      else if (w & A.RW_WRITER && holders.length === 0) note = `held for write by pid ${ownerPid}, which returned to user space holding it`;
      if (writers) note += `${note ? '; ' : ''}${writers} writer(s) waiting, so new readers wait too`;
    } else if (holders.length === 0 && m.at(lock + L.L_SERVING) !== m.at(lock + L.L_WORD)) {
      note = `held by pid ${ownerPid}, which returned to user space holding it`;
    }
    out.push({
      cpu, pid: pidOf(m, m.at(c + L.C_CURR)), stack: stackOf(m, cpu), at: fmtRef(sourceRef(m, pc)),
      lock: lockName(m, lock), mode: rw ? MODES[m.at(c + L.C_SPIN_MODE)] : '', holders, note,
    });
  }
  return out;
}

/** A cycle of CPUs each waiting for a lock the next one holds, if any. */
export function findCycle(ws: Waiter[]): number[] | null {
  const next = new Map<number, number>();
  for (const w of ws) {
    const h = w.holders.find((x) => x.cpu !== w.cpu) ?? w.holders[0];
    if (h) next.set(w.cpu, h.cpu);
  }
  for (const start of next.keys()) {
    const seen: number[] = [];
    let c: number | undefined = start;
    while (c !== undefined && !seen.includes(c)) {
      seen.push(c);
      c = next.get(c);
    }
    if (c !== undefined) return seen.slice(seen.indexOf(c));
  }
  return null;
}

export function describeWaiters(ws: Waiter[]): string[] {
  const lines: string[] = [];
  for (const w of ws) {
    const held = w.holders.length
      ? `held by ${w.holders.map((h) => `CPU${h.cpu} (pid ${h.pid}${h.mode === 'read' ? ', read' : ''})`).join(', ')}`
      : 'held by no CPU';
    lines.push(`CPU${w.cpu} (pid ${w.pid}) in ${w.stack.join(' → ')} at ${w.at}`);
    lines.push(`    waits for ${w.lock}${w.mode ? ` (${w.mode})` : ''}, ${held}${w.note ? `; ${w.note}` : ''}`);
  }
  const cycle = findCycle(ws);
  if (cycle) lines.push(`cycle: ${[...cycle, cycle[0]].map((c) => `CPU${c}`).join(' → ')}`);
  return lines;
}
