// Findings as the host reads them: decoded from the core's records, placed
// in the kasm source, named, and grouped.
import * as A from '../assembly/abi.js';
import * as L from '../assembly/layout.js';
import type { Machine } from './machine.js';
import { FINDING_KINDS, INVARIANTS, MODES, ACTIONS, resourceNames, className, errnoName, isRwKind } from './names.js';
import { RESOURCE_NAMES, LOCK_CLASSES } from './kasm/vocabulary.js';
import { decodeCycle, formatCycle, type LockdepCycle } from './lockdep.js';

export interface SourceRef { file: string; line: number; col: number; routine: string; text: string }

export interface Finding {
  kind: string;
  message: string;
  cpu: number;
  pid: number;
  at?: SourceRef; // the instruction that found it
  failure?: { site: string; errno: string; at: SourceRef }; // the syscall's first failure
  ladder?: string[]; // labels passed while unwinding
  resources?: string[];
  lock?: string;
  lockClass?: string;
  step: number;
  detail?: string[]; // extra lines (the lockdep splat)
  lockdep?: LockdepCycle;
}

export function sourceRef(m: Machine, pc: number): SourceRef | undefined {
  const s = m.program.src[pc];
  return s && { file: s.file, line: s.line, col: s.col, routine: s.routine, text: s.text };
}
export const fmtRef = (r?: SourceRef): string => (r ? `${r.routine}() ${r.file}:${r.line}` : '?');

/** Describe a lock by its address: which global, which task's, which runqueue's. */
export function lockName(m: Machine, addr: number): string {
  if (addr === 0) return '(an empty register)';
  const g = m.h(L.H_GLOBAL_LOCKS_BASE), rq = m.h(L.H_RQ_BASE), task = m.h(L.H_TASK_BASE);
  if (addr >= g && addr < g + A.NR_GLOBAL_LOCKS * L.GLOBAL_LOCK_STRIDE) return className((addr - g) / L.GLOBAL_LOCK_STRIDE);
  if (addr >= rq && addr < rq + m.scenario.cpus * L.RQ_STRIDE) return `&rq->__lock (cpu ${Math.floor((addr - rq) / L.RQ_STRIDE)})`;
  if (addr >= task && addr < m.h(L.H_FINDINGS_BASE)) {
    const t = Math.floor((addr - task) / L.TASK_STRIDE);
    const off = (addr - task) % L.TASK_STRIDE;
    const pid = m.at(m.taskAddr(t) + L.T_PID);
    return off === L.T_PI_LOCK ? `&p->pi_lock (pid ${pid})` : `&sighand->siglock (pid ${pid})`;
  }
  return `lock @${addr}`;
}

export function siteName(m: Machine, pc: number): string {
  const w0 = m.program.code[pc * A.INSN_WORDS];
  const site = w0 >>> 16;
  return site ? m.program.sites[site].name : (m.program.src[pc]?.text.split(/\s+/)[0] ?? '?');
}

/** Pids of tasks that returned to user space holding this lock. */
export function leakedHolders(m: Machine, lockAddr: number): number[] {
  const base = m.h(L.H_FINDINGS_BASE);
  const pids: number[] = [];
  for (let i = 0; i < Math.min(m.h(L.H_NR_FINDINGS), m.scenario.findingsCap); i++) {
    const f = base + i * L.FINDING_SIZE;
    if (m.at(f + L.FD_KIND) === A.FIND_LOCK_HELD_RETURN && m.at(f + L.FD_LOCK) === lockAddr) pids.push(m.at(f + L.FD_PID));
  }
  return pids;
}

export function readFindings(m: Machine): { findings: Finding[]; total: number } {
  const total = m.h(L.H_NR_FINDINGS);
  const n = Math.min(total, m.scenario.findingsCap);
  const out: Finding[] = [];
  const base = m.h(L.H_FINDINGS_BASE);
  for (let i = 0; i < n; i++) {
    const f = base + i * L.FINDING_SIZE;
    const kindId = m.at(f + L.FD_KIND);
    if (kindId === 0) continue; // still being written by a worker
    out.push(decode(m, f, kindId));
  }
  return { findings: out, total };
}

function decode(m: Machine, f: number, kindId: number): Finding {
  const pc = m.at(f + L.FD_PC), failPc = m.at(f + L.FD_FAIL_PC);
  const cls = m.at(f + L.FD_CLASS);
  const lockAddr = m.at(f + L.FD_LOCK);
  const detail = m.at(f + L.FD_DETAIL), detail2 = m.at(f + L.FD_DETAIL2);
  const mask = m.at64(f + L.FD_MASK);
  const path: number[] = [];
  for (let k = 0; k < m.at(f + L.FD_PATH_LEN); k++) path.push(m.at(f + L.FD_PATH + 4 * k));
  // For a lockdep cycle the path holds the held-lock list, else ladder labels.
  const ladder = kindId === A.FIND_LOCKDEP_CYCLE ? [] : path.map((l) => m.program.labels[l]?.name ?? '?');
  const finding: Finding = {
    kind: FINDING_KINDS[kindId] ?? `kind ${kindId}`,
    message: '',
    cpu: m.at(f + L.FD_CPU),
    pid: m.at(f + L.FD_PID),
    at: pc >= 0 ? sourceRef(m, pc) : undefined,
    step: Number(m.at64(f + L.FD_STEP)),
  };
  if (failPc >= 0) {
    finding.failure = { site: siteName(m, failPc), errno: `-${errnoName(m.at(f + L.FD_ERRNO))}`, at: sourceRef(m, failPc)! };
    if (ladder.length) finding.ladder = ladder;
  }
  if (mask) finding.resources = resourceNames(mask);
  if (lockAddr) finding.lock = lockName(m, lockAddr);
  if (cls >= 0) finding.lockClass = className(cls);
  if (kindId === A.FIND_INVARIANT && detail === A.INV_LOCK_FREE) finding.lock = lockName(m, detail2);
  if (kindId === A.FIND_LOCKDEP_CYCLE) {
    finding.lockdep = decodeCycle(m, detail, detail2, pc, path);
    finding.detail = formatCycle(finding.lockdep, `task/${finding.pid}`);
  } else if (kindId === A.FIND_LOCK_ORDER_INSTANCE) {
    finding.detail = [`holding ${lockName(m, detail)} (taken at ${fmtRef(sourceRef(m, detail2))})`];
  }
  finding.message = message(kindId, finding, detail, detail2);
  return finding;
}

function message(kind: number, f: Finding, detail: number, detail2: number): string {
  const res = f.resources?.join(', ');
  const fail = f.failure ? `fork failing with ${f.failure.errno} at ${f.failure.site} (${f.failure.at.file}:${f.failure.at.line})` : '';
  switch (kind) {
    case A.FIND_LEAK: return `leak: a ${fail} still owns ${res} after its error ladder`;
    case A.FIND_DOUBLE_RELEASE: return `double release: ${fmtRef(f.at)} releases ${res}, which pid ${f.pid} does not hold`;
    case A.FIND_DOUBLE_ACQUIRE: return `double acquire: ${fmtRef(f.at)} acquires ${res}, which pid ${f.pid} already holds`;
    case A.FIND_BAD_UNLOCK:
      return detail2 < 0
        ? `bad unlock balance: ${fmtRef(f.at)} releases ${f.lock}${isRw(f.lockClass) ? ` (${MODES[detail]})` : ''}, which this CPU does not hold`
        : `bad unlock balance: ${fmtRef(f.at)} releases ${f.lock} for ${MODES[detail]} but holds it for ${MODES[detail2]}`;
    case A.FIND_RECURSIVE_LOCK: return `possible recursive locking: ${fmtRef(f.at)} acquires ${f.lock}, which this CPU already holds`;
    case A.FIND_LOCK_HELD_RETURN:
      return `lock held when returning to user space: ${f.lockClass}${detail === A.MODE_READ ? ' (read)' : ''} taken at ${fmtRef(f.at)}, by a ${ACTIONS[detail2] ?? 'syscall'}${f.failure ? ` that failed with ${f.failure.errno} at ${f.failure.site}` : ''}`;
    case A.FIND_ASSERT_HELD: return `lockdep_assert_held(${f.lock ?? f.lockClass}) failed in ${fmtRef(f.at)}`;
    case A.FIND_FREE_OWNED: return `task freed while still owning ${res} (${fmtRef(f.at)})`;
    case A.FIND_DEADLOCK: return `deadlock: ${detail} CPU(s) spin and none makes progress`;
    case A.FIND_HANG: return f.lock ? `hung CPU ${f.cpu}: stuck in a syscall waiting for ${f.lock}` : `hung CPU ${f.cpu}: stuck in a syscall (${fmtRef(f.at)})`;
    case A.FIND_INVARIANT: {
      const what = INVARIANTS[detail] ?? `invariant ${detail}`;
      const extra = detail === A.INV_LEDGER ? ` (${RESOURCE_NAMES[detail2 >>> 24]}: off by ${(detail2 << 8) >> 8})`
        : detail === A.INV_LOCK_FREE ? `: ${f.lock} is held or awaited` : ` (off by ${detail2})`;
      return `invariant broken: ${what}${extra}`;
    }
    case A.FIND_HELD_OVERFLOW: return `more than ${detail} locks held at ${fmtRef(f.at)}`;
    case A.FIND_CALL_OVERFLOW: return `call stack overflow (${detail} frames) at ${fmtRef(f.at)}`;
    case A.FIND_LOCKDEP_CYCLE: {
      const c = f.lockdep!;
      return `possible circular locking dependency: ${[c.holding.lock, c.trying.lock, ...c.chain.map((e) => e.to)].join(' --> ')} (${fmtRef(f.at)})`;
    }
    case A.FIND_LOCK_ORDER_INSTANCE:
      return `lock instance order: ${fmtRef(f.at)} takes ${f.lock} nested inside a ${f.lockClass} of higher address; nested instances of one class must be taken in order (double_rq_lock: lower CPU first)`;
  }
  return FINDING_KINDS[kind] ?? `finding ${kind}`;
}

const isRw = (cls?: string): boolean => isRwKind(LOCK_CLASSES.find((c) => c.name === cls)?.kind);

export interface FindingGroup { count: number; first: Finding }

/** Group repeats of the same finding (same kind, place, failure and resources). */
export function groupFindings(findings: Finding[]): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  for (const f of findings) {
    const key = f.lockdep
      ? `${f.kind}|${f.lockdep.signature}`
      : [f.kind, f.at?.file, f.at?.line, f.failure?.site, f.resources?.join(), f.lockClass, f.kind === 'invariant' ? f.message : ''].join('|');
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { count: 1, first: f });
  }
  return [...groups.values()];
}
