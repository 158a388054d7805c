// The wait-for chain and the hang it explains, as text.
import type { Program } from '../kasm/index.js';
import type { FindingRecord } from '../machine/findings.js';
import type { Hang, DeadWorker } from '../drivers/outcome.js';
import { waiters, findCycle, type Waiter } from '../analysis/waitfor.js';
import type { LockWord } from '../machine/views.js';
import { MODES, HOLDER_STATES, actionName, lockIdName, fmtPc } from './names.js';

function note(w: Waiter): string {
  const n = w.note;
  if (!w.shared) return n.leakedWriter >= 0 ? `held by pid ${n.leakedWriter}, which returned to user space holding it` : '';
  let text = '';
  if (n.leakedReaders > 0) {
    const who = n.leakers.length ? `pid ${n.leakers.slice(0, 5).join(', pid ')}${n.leakers.length > 5 ? ', …' : ''}` : `last reader pid ${n.lastReader}`;
    text = `held for read by ${n.leakedReaders} task(s) that returned to user space holding it (${who}): a leaked read hold`;
  } else if (n.leakedWriter >= 0) text = `held for write by pid ${n.leakedWriter}, which returned to user space holding it`;
  if (n.writersWaiting) text += `${text ? '; ' : ''}${n.writersWaiting} writer(s) waiting, so new readers wait too`;
  return text;
}

export function describeWaiters(p: Program, ws: Waiter[], locks: LockWord[]): string[] {
  const name = (addr: number): string => lockIdName(p.vocab, locks.find((l) => l.addr === addr)!.id);
  const lines: string[] = [];
  for (const w of ws) {
    const held = w.holders.length
      ? `held by ${w.holders.map((h) => `CPU${h.cpu} (pid ${h.pid}${MODES[h.mode] === 'read' ? ', read' : ''})`).join(', ')}`
      : 'held by no CPU';
    const why = note(w);
    lines.push(`CPU${w.cpu} (pid ${w.pid}) in ${w.stack.map((pc) => p.src[pc]?.routine ?? '?').join(' → ')} at ${fmtPc(p, w.at)}`);
    lines.push(`    waits for ${name(w.lock)}${w.shared ? ` (${MODES[w.mode]})` : ''}, ${held}${why ? `; ${why}` : ''}`);
  }
  const cycle = findCycle(ws);
  if (cycle) lines.push(`cycle: ${[...cycle, cycle[0]].map((c) => `CPU${c}`).join(' → ')}`);
  return lines;
}

/** The lines that explain a hang: what was found, then who waits for whom. */
export function describeHang(p: Program, h: Hang, records: FindingRecord[]): string[] {
  const chain = describeWaiters(p, waiters(p, h.state, records), h.state.locks);
  switch (h.cause) {
    case 'deadlock': return chain;
    case 'hung-task': {
      // Who sleeps on what, and who holds it (the hung-task records, a few).
      const hung = records.filter((r): r is Extract<FindingRecord, { kind: 'hung-task' }> => r.kind === 'hung-task');
      const seen = new Set<string>();
      const lines = ['every CPU is idle while tasks sleep on a lock nothing will release:'];
      for (const h of hung) {
        const k = `${h.lockClass}:${h.mode}:${h.pc}`;
        if (seen.has(k) || seen.size >= 4) continue;
        seen.add(k);
        const holders = h.holders.length ? h.holders.slice(0, 5).map((x) => `pid ${x.pid} (${HOLDER_STATES[x.state] ?? '?'})`).join(', ') : 'no holder found';
        lines.push(`  pid ${h.pid} asleep on ${p.vocab.heldLockName(h.lockClass, h.mode)} at ${fmtPc(p, h.pc)}; held by ${holders}`);
      }
      return [...lines, ...chain];
    }
    case 'drain': return ['while letting in-flight syscalls finish:', ...chain];
    case 'soft-lockup': return [`CPU${h.cpu} has been inside one syscall for about ${Math.round(h.stuckFor / 1e6)}M of its steps (a soft lockup)`, ...chain];
    case 'livelock': {
      const span = h.unit === 'ms' ? `${h.stuckFor} ms` : `about ${Math.round(h.stuckFor / 1e6)}M steps`;
      return [`no fork attempt completed in ${span} while the CPUs completed ${h.syscalls ?? 0} syscalls (a livelock):`,
        ...h.state.cpus.map((c) => `CPU${c.cpu} (pid ${c.pid}) ${c.busy ? `in ${actionName(p, c.action) ?? 'a syscall'} at ${fmtPc(p, c.pc)}` : `last ran ${actionName(p, c.action) ?? 'nothing'}`}, ${c.syscalls} syscalls`), ...chain];
    }
    case 'watchdog': {
      const c = h.state.cpus[h.cpu];
      return [c.spinLock
        ? `watchdog: CPU${h.cpu} stuck for ${h.stuckFor} ms waiting for ${lockIdName(p.vocab, h.state.locks.find((l) => l.addr === c.spinLock)?.id ?? { where: 'unknown', addr: c.spinLock })}`
        : `watchdog: CPU${h.cpu} stuck for ${h.stuckFor} ms in one syscall without waiting for a lock (a livelock?), now at ${fmtPc(p, c.pc)}`, ...chain];
    }
  }
}

export function describeDeadWorker(p: Program, d: DeadWorker): string {
  return `worker for CPU${d.cpu} died (${d.why}) holding ${d.held.length ? d.held.map((id) => lockIdName(p.vocab, id)).join(', ') : 'no locks'}`;
}
