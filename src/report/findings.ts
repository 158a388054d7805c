// Findings rendered for people and for JSON: each record named, placed in
// the kasm source and given its message. Nothing downstream parses these
// strings; code that needs a finding's facts reads the record.
import * as A from '../../assembly/abi.js';
import type { Program } from '../kasm/index.js';
import type { Machine } from '../machine/machine.js';
import type { FindingRecord } from '../machine/findings.js';
import { siteAt, type FindingGroup } from '../analysis/findings.js';
import { cycleOf } from '../analysis/lockdep.js';
import { lockdepView, formatCycle, formatHeld, type LockdepView } from './lockdep.js';
import { INVARIANTS, MODES, USAGE_NAMES, WAIT_NAMES, HOLDER_STATES, actionName, errnoName, lockName, nodeName, sourceRef, fmtRef, fmtPc, type SourceRef } from './names.js';

/** A finding as the report shows it (and the JSON carries it). */
export interface FindingView {
  kind: string;
  message: string;
  cpu: number;
  pid: number;
  at?: SourceRef; // the instruction that found it
  step: number;
  failure?: { site: string; errno: string; at: SourceRef }; // the syscall's first failure
  ladder?: string[]; // labels passed while unwinding
  resources?: string[];
  lock?: string;
  lockClass?: string;
  lockdep?: LockdepView;
  state?: string; // the declared variable (guarded state, refcounts)
  detail?: string[]; // extra lines (the lockdep splat)
}

/** The name of the fault site at `pc`, or its mnemonic when it has none. */
export function siteName(p: Program, pc: number): string {
  const site = siteAt(p, pc);
  return site ? p.sites[site].name : (p.src[pc]?.text.split(/\s+/)[0] ?? '?');
}

/** The lock a record is about, if any (address), and its class (-1: none). */
function lockOf(f: FindingRecord): { lock: number; cls: number } {
  switch (f.kind) {
    case 'bad-unlock-balance': case 'recursive-locking': case 'lock-held-returning-to-user': case 'lockdep-assert-held':
    case 'held-lock-overflow': case 'lock-instance-order': case 'circular-locking-dependency': case 'guarded-state':
      return { lock: f.lock, cls: f.lockClass };
    case 'hung-cpu': return { lock: f.lock, cls: -1 };
    case 'invalid-wait-context': case 'hung-task': case 'irq-deadlock': return { lock: f.lock, cls: f.lockClass };
    case 'inconsistent-lock-state': case 'irq-lock-inversion': return { lock: f.lock, cls: f.node >> 3 };
    case 'invariant': return { lock: f.invariant === A.INV_LOCK_FREE ? f.subject : 0, cls: f.lockClass };
    default: return { lock: 0, cls: -1 };
  }
}

export function renderFinding(m: Machine, f: FindingRecord, g?: FindingGroup): FindingView {
  const p = m.program;
  const v: FindingView = { kind: f.kind, message: '', cpu: f.cpu, pid: f.pid, at: f.pc >= 0 ? sourceRef(p, f.pc) : undefined, step: f.step };
  if (f.failPc >= 0) {
    v.failure = { site: siteName(p, f.failPc), errno: `-${errnoName(f.errno)}`, at: sourceRef(p, f.failPc)! };
    if (f.labels.length) v.ladder = f.labels.map((l) => p.labels[l]?.name ?? '?');
  }
  const mask = 'resources' in f ? f.resources : 0n;
  if (mask) v.resources = p.vocab.resourceNames(mask);
  const { lock, cls } = lockOf(f);
  if (lock) v.lock = lockName(m, lock);
  if (cls >= 0) v.lockClass = p.vocab.className(cls);
  if (f.kind === 'guarded-state' || f.kind === 'refcount') v.state = p.vocab.varName(f.variable);
  if (f.kind === 'refcount' && f.zeroPc >= 0) v.detail = [`it reached zero at ${fmtPc(p, f.zeroPc)}: ${p.src[f.zeroPc]?.text ?? '?'}`];
  if (f.kind === 'circular-locking-dependency') {
    v.lockdep = lockdepView(p, g?.cycle ?? cycleOf(m, f));
    v.detail = formatCycle(v.lockdep, `task/${f.pid}`);
  } else if (f.kind === 'lock-instance-order') {
    v.detail = [`holding ${lockName(m, f.heldLock)} (taken at ${fmtPc(p, f.heldPc)})`];
  } else if (f.kind === 'inconsistent-lock-state' || f.kind === 'irq-lock-inversion' || f.kind === 'sleeping-in-atomic' || f.kind === 'invalid-wait-context') {
    v.detail = contextDetail(p, f);
  } else if (f.kind === 'hung-task') {
    v.detail = f.holders.map((h) => `held by pid ${h.pid}, ${HOLDER_STATES[h.state] ?? '?'}${h.waitPc >= 0 ? `, waiting at ${fmtPc(p, h.waitPc)}: ${p.src[h.waitPc]?.text ?? '?'}` : ''}`);
    if (!f.holders.length) v.detail = ['no holder found (the lock is only awaited)'];
  } else if (f.kind === 'irq-deadlock') {
    v.detail = [`the interrupted code took it at ${fmtPc(p, f.heldAt)}: ${p.src[f.heldAt]?.text ?? '?'}`];
  }
  v.message = message(p, f, v, m.scenario.driver === 'step' ? 'steps' : 'ms');
  return v;
}

type HeldRecord = Extract<FindingRecord, { kind: 'inconsistent-lock-state' | 'irq-lock-inversion' | 'sleeping-in-atomic' | 'invalid-wait-context' }>;

/** The lockdep-style lines of a context finding: the usage sites, and the held locks. */
function contextDetail(p: Program, f: HeldRecord): string[] {
  const out: string[] = [];
  const site = (pc: number): string => (pc >= 0 ? `${fmtPc(p, pc)}: ${p.src[pc]?.text ?? '?'}` : '?');
  if (f.kind === 'inconsistent-lock-state' || f.kind === 'irq-lock-inversion') {
    out.push(`{${USAGE_NAMES[f.usage]}} state of ${nodeName(p.vocab, f.node)} was registered at ${site(f.sitePc)}`);
    out.push(`{${USAGE_NAMES[f.otherUsage]}} state of ${nodeName(p.vocab, f.otherNode)} was registered at ${site(f.otherPc)}`);
  }
  if (f.kind === 'sleeping-in-atomic' && f.disabledAt >= 0) out.push(`Preemption disabled at: ${site(f.disabledAt)}`);
  out.push(...formatHeld(f.held.map((h) => ({ lock: nodeName(p.vocab, h.node), at: fmtPc(p, h.pc) })), `task/${f.pid}`));
  return out;
}

function message(p: Program, f: FindingRecord, v: FindingView, unit: string): string {
  const res = v.resources?.join(', ');
  // A lock op on an empty register has no lock instance, only its class.
  const lock = v.lock ?? `${v.lockClass} (its register names no task)`;
  const fail = v.failure ? `fork failing with ${v.failure.errno} at ${v.failure.site} (${v.failure.at.file}:${v.failure.at.line})` : '';
  switch (f.kind) {
    case 'leak': return `leak: a ${fail} still owns ${res} after its error ladder`;
    case 'double-release': return `double release: ${fmtRef(v.at)} releases ${res}, which pid ${f.pid} does not hold`;
    case 'double-acquire': return `double acquire: ${fmtRef(v.at)} acquires ${res}, which pid ${f.pid} already holds`;
    case 'bad-unlock-balance':
      return f.heldMode < 0
        ? `bad unlock balance: ${fmtRef(v.at)} releases ${lock}${p.vocab.isSharedClass(f.lockClass) ? ` (${MODES[f.mode]})` : ''}, which this CPU does not hold`
        : `bad unlock balance: ${fmtRef(v.at)} releases ${lock} for ${MODES[f.mode]} but holds it for ${MODES[f.heldMode]}`;
    case 'recursive-locking': return `possible recursive locking: ${fmtRef(v.at)} acquires ${lock}, which this CPU already holds`;
    case 'lock-held-returning-to-user':
      return `lock held when returning to user space: ${v.lockClass}${f.mode === A.MODE_READ ? ' (read)' : ''} taken at ${fmtRef(v.at)}, by a ${actionName(p, f.action) ?? 'syscall'}${v.failure ? ` that failed with ${v.failure.errno} at ${v.failure.site}` : ''}`;
    case 'lockdep-assert-held': return `lockdep_assert_held(${v.lock ?? v.lockClass}) failed in ${fmtRef(v.at)}`;
    case 'freed-while-owning': return `task freed while still owning ${res} (${fmtRef(v.at)})`;
    case 'deadlock': return `deadlock: ${f.spinning} CPU(s) spin and none makes progress`;
    case 'hung-cpu': return v.lock ? `hung CPU ${f.cpu}: stuck in a syscall waiting for ${v.lock}` : `hung CPU ${f.cpu}: stuck in a syscall (${fmtRef(v.at)})`;
    case 'invariant': {
      const what = INVARIANTS[f.invariant] ?? `invariant ${f.invariant}`;
      const extra = f.invariant === A.INV_LEDGER ? ` (${p.vocab.resourceList[f.subject]?.name ?? `resource ${f.subject}`}: off by ${f.value})`
        : f.invariant === A.INV_LOCK_FREE ? `: ${v.lock} is held or awaited`
          : f.invariant === A.INV_IDLE_HOLDS_LOCK ? ` (CPU ${f.subject} holds ${f.value})`
            : f.invariant === A.INV_TASK_REF ? ` (${p.vocab.varName(f.value)} of the task in slot ${f.subject})`
              : f.invariant === A.INV_STRUCT_COUNT ? ` (${p.vocab.varName(f.subject)} off by ${f.value})` : ` (off by ${f.value})`;
      return `invariant broken: ${what}${extra}`;
    }
    case 'held-lock-overflow': return `more than ${f.max} locks held at ${fmtRef(v.at)}`;
    case 'call-stack-overflow': return `call stack overflow (${f.depth} frames) at ${fmtRef(v.at)}`;
    case 'circular-locking-dependency': {
      const c = v.lockdep!;
      return `possible circular locking dependency: ${[c.holding.lock, c.trying.lock, ...c.chain.map((e) => e.to)].join(' --> ')} (${fmtRef(v.at)})`;
    }
    case 'lock-instance-order':
      return `lock instance order: ${fmtRef(v.at)} takes ${v.lock} nested inside a ${v.lockClass} of higher address; nested instances of one class must be taken in order (double_rq_lock: lower CPU first)`;
    case 'worker-died': return 'worker-died';
    case 'livelock': return `livelock: no fork attempt completed while the CPUs completed ${f.syscalls.toLocaleString('en-US')} syscalls`;
    case 'warning': return `WARNING: ${fmtRef(v.at)}: WARN_ON(${p.conds[f.cond]?.cond.text ?? '?'})`;
    case 'guarded-state':
      return `${v.state} is guarded by ${v.lockClass}, which is not held${f.write ? ' for writing' : ''}: ${f.write ? 'written' : 'read'} at ${fmtRef(v.at)}${v.lock ? '' : ' (its register names no task)'}`;
    case 'inconsistent-lock-state':
      return `inconsistent lock state: inconsistent {${USAGE_NAMES[f.otherUsage]}} -> {${USAGE_NAMES[f.usage]}} usage: ${fmtRef(v.at)} takes ${nodeName(p.vocab, f.node)}${f.usage & (A.USED_IN_IRQ_W | A.USED_IN_IRQ_R) ? ' in hardirq context' : ' with hardirqs enabled'}`;
    case 'irq-lock-inversion': {
      const a = nodeName(p.vocab, f.node), b = nodeName(p.vocab, f.otherNode);
      if (f.how === 2) return `HARDIRQ-safe -> HARDIRQ-unsafe lock order detected: ${fmtRef(v.at)} makes ${a} {${USAGE_NAMES[f.usage]}} reach ${b} {${USAGE_NAMES[f.otherUsage]}}`;
      return f.how === 0
        ? `possible irq lock inversion dependency detected: ${a} became {${USAGE_NAMES[f.usage]}} at ${fmtRef(v.at)}, but it took another, HARDIRQ-unsafe lock in the past: ${b} {${USAGE_NAMES[f.otherUsage]}}`
        : `possible irq lock inversion dependency detected: ${b} became {${USAGE_NAMES[f.otherUsage]}} at ${fmtRef(v.at)}, but it was taken by another, HARDIRQ-safe lock in the past: ${a} {${USAGE_NAMES[f.usage]}}`;
    }
    case 'sleeping-in-atomic':
      return `BUG: sleeping function called from invalid context at ${fmtRef(v.at)}: in_atomic(): ${f.preemptCount !== 0 ? 1 : 0}, irqs_disabled(): ${f.irqsDisabled ? 1 : 0}, preempt_count: ${f.preemptCount.toString(16)}, expected: 0${f.inHardirq ? ' (in hardirq context)' : ''}`;
    case 'invalid-wait-context':
      return `[ BUG: Invalid wait context ] ${fmtRef(v.at)} is trying to lock ${v.lockClass} {${WAIT_NAMES[f.waitType]}} in context-{${WAIT_NAMES[f.contextWait]}}${f.heldNode >= 0 ? ` set by ${nodeName(p.vocab, f.heldNode)}` : ' (hardirq)'}`;
    case 'hung-task':
      return `INFO: task pid ${f.pid} ${f.blockedFor === 0 ? 'blocked for good (every CPU went idle)' : `blocked for more than ${f.blockedFor.toLocaleString('en-US')} ${unit}`} on ${v.lockClass}${p.vocab.isSharedClass(f.lockClass) ? ` (${MODES[f.mode]})` : ''} at ${fmtRef(v.at)}`;
    case 'irq-deadlock':
      return `deadlock in interrupt context: the ${p.irqs[f.irq]?.name ?? '?'} handler spins on ${v.lock ?? v.lockClass} at ${fmtRef(v.at)}, which the code it interrupted on CPU ${f.cpu} holds`;
    case 'refcount':
      return f.underflow
        ? `refcount_t: underflow; use-after-free: ${fmtRef(v.at)} puts ${v.state}${f.zeroPc >= 0 ? `, which already reached zero at ${fmtPc(p, f.zeroPc)}`
          : f.before === 0 ? ', which is 0 and never reached zero on this task (never set, or the task_struct was freed and its slot reused: a use-after-free of the task)' : ''}`
        : `refcount_t: addition on 0; use-after-free: ${fmtRef(v.at)} gets ${v.state}${f.zeroPc >= 0 ? `, which reached zero at ${fmtPc(p, f.zeroPc)}` : ''}`;
  }
}
