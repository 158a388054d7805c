// A schedule as a Chrome trace (the Trace Event Format, which trace viewers
// open), observed micro-op by micro-op. The clock is the global count of
// micro-ops (1 µs each), so every track's timestamps only grow. One process
// (the kernel model), one thread track per simulated CPU. After each micro-op
// the CPU's state is compared with what its track shows and the difference
// is written: syscalls, routine calls and lock waits as nested B/E slices,
// lock holds as async b/e, findings and interrupt entries as instants.
import * as A from '../../assembly/abi.js';
import type { Machine } from '../machine/machine.js';
import type { CpuState } from '../machine/views.js';
import type { StepObserver } from '../explore/execution.js';
import { actionName, lockName, MODES } from '../report/names.js';

export const PHASES = ['B', 'E', 'b', 'e', 'X', 'i', 'M'] as const;
export type Phase = (typeof PHASES)[number];
export interface TraceEvent {
  name: string; ph: Phase; ts?: number; pid: number; tid: number;
  cat?: string; id?: string; dur?: number; s?: 't' | 'p' | 'g'; args?: Record<string, unknown>;
}
export interface TraceDocument { traceEvents: TraceEvent[]; displayTimeUnit: 'ns'; otherData: Record<string, unknown> }

export const DEFAULT_MAX_EVENTS = 1_000_000;
const PID = 1; // the one process: the kernel model

/** An open B slice: `key` says whether the CPU is still in it. */
interface Frame { key: string; name: string; cat: string; args?: Record<string, unknown> }
/** An open hold; cpu -1: set aside with its context (a task parked in the kernel). */
interface Hold { key: string; id: string; lock: number; name: string; cpu: number }
interface Track {
  seen: boolean; // synced once this run (the state after boot)
  open: Frame[]; // the B slices open on this track, outermost first
  frozen: Frame[] | null; // in an interrupt handler: the slices of the code it interrupted
  words: Map<number, string>; // before a micro-op: the words of the locks it holds
}

/** Records a run as a trace. One trace per runSchedule() (it reboots). */
export class ChromeTrace implements StepObserver {
  private readonly events: TraceEvent[] = [];
  private readonly tracks: Track[];
  private readonly holds: Hold[] = []; // every hold open now
  private readonly max: number;
  private now = 0; // µs: micro-ops observed so far
  private openCount = 0; // B and b not yet ended: room kept for their ends
  private nextHold = 0;
  private findingsSeen = 0;
  private truncated = false;

  constructor(private readonly m: Machine, opts: { maxEvents?: number } = {}) {
    const cpus = m.scenario.cpus;
    this.max = Math.max(opts.maxEvents ?? DEFAULT_MAX_EVENTS, cpus * 2 + 1);
    this.tracks = Array.from({ length: cpus }, () => ({ seen: false, open: [], frozen: null, words: new Map() }));
    this.events.push({ name: 'process_name', ph: 'M', pid: PID, tid: 0, args: { name: m.scenario.kernel } });
    for (let c = 0; c < cpus; c++) {
      this.events.push({ name: 'thread_name', ph: 'M', pid: PID, tid: c, args: { name: `CPU ${c}` } });
      this.events.push({ name: 'thread_sort_index', ph: 'M', pid: PID, tid: c, args: { sort_index: c } });
    }
  }

  before(cpu: number): void {
    if (this.truncated) return;
    const t = this.tracks[cpu];
    if (!t.seen) { t.seen = true; this.sync(cpu, this.m.cpu(cpu)); } // where boot left it
    // Only this CPU runs the next micro-op: a held lock's word that changes
    // under it was released by it (see syncHolds).
    t.words.clear();
    for (const h of this.holds) if (h.cpu === cpu) t.words.set(h.lock, this.lockSig(h.lock));
  }

  after(cpu: number): void {
    if (this.truncated) return;
    this.now++;
    this.sync(cpu, this.m.cpu(cpu));
    this.pollFindings();
  }

  /** The event limit was reached: nothing more is recorded. */
  get full(): boolean { return this.truncated; }

  /** Close what is open at the last timestamp and hand back the document. */
  finish(): TraceDocument {
    if (!this.truncated) this.pollFindings(); // explore reports a deadlock after the last micro-op
    this.closeAll();
    const s = this.m.scenario;
    return {
      traceEvents: this.events, displayTimeUnit: 'ns',
      otherData: {
        kernel: s.kernel, cpus: s.cpus, tasks: s.tasks, seed: s.seed, driver: s.driver, programs: s.programs ?? null,
        microOps: this.now, findings: this.m.nrFindings(), truncated: this.truncated, clock: '1 µs per micro-op',
      },
    };
  }

  // ── Slices: the stack the CPU is in now, against the one its track shows ──
  private sync(cpu: number, s: CpuState): void {
    const t = this.tracks[cpu];
    const irq = s.busy && s.action >= A.NR_ACTIONS; // C_ACTION is NR_ACTIONS + h in a handler
    if (irq && t.frozen === null) {
      // The handler runs in a fresh context over the interrupted one, which
      // the CPU view no longer shows: keep its slices open beneath.
      t.frozen = t.open.slice();
      const q = this.m.program.irqs[s.action - A.NR_ACTIONS];
      this.instant({ name: `irq ${q?.name ?? s.action - A.NR_ACTIONS}`, cat: 'irq', ph: 'i', s: 't', ts: this.now, pid: PID, tid: cpu, args: { pid: s.pid } });
    } else if (!irq) t.frozen = null;
    const want = this.wanted(s, irq ? t.frozen! : []);
    let i = 0;
    while (i < t.open.length && i < want.length && t.open[i].key === want[i].key) i++;
    while (t.open.length > i) this.end(cpu, t.open.pop()!);
    for (; i < want.length && !this.truncated; i++) this.begin(cpu, want[i]);
    if (!this.truncated) this.syncHolds(cpu, s);
  }

  /** The slices a CPU in state `s` is inside: its syscall (or handler),
   *  each routine of its call stack, and the lock it waits for. */
  private wanted(s: CpuState, below: Frame[]): Frame[] {
    if (!s.busy) return [];
    const p = this.m.program;
    // A new syscall entry (the CPU's syscall count) or another task is a new slice.
    const out = [...below, {
      key: `${s.action} ${s.task} ${s.syscalls}`, name: actionName(p, s.action) ?? `action ${s.action}`,
      cat: s.action >= A.NR_ACTIONS ? 'irq' : 'syscall', args: { pid: s.pid, task: s.task },
    }];
    // callPcs[k] is the call instruction in frame k: it names frame k's
    // routine and is where frame k+1 was called from; the pc names the last.
    const pcs = [...s.callPcs, s.pc];
    pcs.forEach((pc, k) => {
      const from = k > 0 ? pcs[k - 1] : -1;
      const routine = p.src[pc]?.routine ?? `pc ${pc}`;
      out.push({ key: `${routine} ${from}`, name: routine, cat: 'routine', args: from >= 0 ? { call: this.where(from) } : undefined });
    });
    if (s.spinLock !== 0) {
      out.push({ key: `wait ${s.spinLock}`, name: `wait ${lockName(this.m, s.spinLock)}`, cat: 'lock', args: { mode: MODES[s.spinMode] ?? s.spinMode, at: this.where(s.spinPc) } });
    }
    return out;
  }

  // ── Holds ─────────────────────────────────────────────────────────────────
  // Async b/e, not B/E: a lock is taken in one routine and released in
  // another (or never, or after the task slept), so holds do not nest with
  // the routine slices, nor with each other (A, B, unlock A). As async
  // events, one id each, they sit on their own rows and leave the CPU's B/E
  // stack balanced. X (complete) events would have to be written at the
  // release, with a ts earlier than events already on the track.
  private syncHolds(cpu: number, s: CpuState): void {
    const t = this.tracks[cpu];
    const unmatched = s.held.map((h) => ({ key: `${h.lock}:${h.pc}:${h.step}`, lock: h.lock, mode: h.mode, pc: h.pc }));
    for (const h of this.holds.filter((x) => x.cpu === cpu)) {
      const j = unmatched.findIndex((u) => u.key === h.key);
      if (j >= 0) unmatched.splice(j, 1);
      // Gone from the view: released if its lock word moved (an unlock
      // always writes it), else set aside with its context, still held.
      else if (this.lockSig(h.lock) !== t.words.get(h.lock)) this.endHold(cpu, h);
      else h.cpu = -1;
    }
    for (const u of unmatched) {
      const parked = this.holds.find((h) => h.cpu < 0 && h.key === u.key);
      if (parked) { parked.cpu = cpu; continue; } // its context is back
      const h: Hold = { key: u.key, id: `hold-${this.nextHold++}`, lock: u.lock, name: `hold ${lockName(this.m, u.lock)}`, cpu };
      if (!this.room(2)) return this.truncate();
      this.holds.push(h);
      this.openCount++;
      this.events.push({ name: h.name, cat: 'lock', ph: 'b', id: h.id, ts: this.now, pid: PID, tid: cpu, args: { mode: MODES[u.mode] ?? u.mode, at: this.where(u.pc), pid: s.pid } });
    }
  }

  private lockSig(addr: number): string { const w = this.m.lockWord(addr); return `${w.word}/${w.serving}`; }

  private endHold(cpu: number, h: Hold): void {
    this.holds.splice(this.holds.indexOf(h), 1);
    this.openCount--;
    this.events.push({ name: h.name, cat: 'lock', ph: 'e', id: h.id, ts: this.now, pid: PID, tid: Math.max(cpu, 0) });
  }

  // ── Findings ──────────────────────────────────────────────────────────────
  private pollFindings(): void {
    const total = this.m.nrFindings();
    if (total <= this.findingsSeen) return;
    const { records } = this.m.findings(); // the first findingsCap; later ones are counted only
    for (const r of records.slice(this.findingsSeen, total)) {
      const args = JSON.parse(JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as Record<string, unknown>;
      if (r.pc >= 0) args.at = this.where(r.pc);
      // A finding of no CPU (a deadlock, found by the driver) is the process's.
      this.instant({ name: r.kind, cat: 'finding', ph: 'i', s: r.cpu >= 0 ? 't' : 'p', ts: this.now, pid: PID, tid: Math.max(r.cpu, 0), args });
      if (this.truncated) return;
    }
    this.findingsSeen = total;
  }

  // ── Writing, within the bound ───────────────────────────────────────────
  /** Can n more events be written and every open slice still be ended? */
  private room(n: number): boolean { return this.events.length + n + this.openCount <= this.max; }

  private begin(cpu: number, f: Frame): void {
    if (!this.room(2)) return this.truncate();
    this.tracks[cpu].open.push(f);
    this.openCount++;
    this.events.push({ name: f.name, cat: f.cat, ph: 'B', ts: this.now, pid: PID, tid: cpu, ...(f.args && { args: f.args }) });
  }

  private end(cpu: number, f: Frame): void {
    this.openCount--;
    this.events.push({ name: f.name, cat: f.cat, ph: 'E', ts: this.now, pid: PID, tid: cpu });
  }

  private instant(e: TraceEvent): void {
    if (this.room(1)) this.events.push(e);
    else this.truncate();
  }

  /** Past the bound: end what is open now and record nothing more. */
  private truncate(): void { this.truncated = true; this.closeAll(); }

  private closeAll(): void {
    this.tracks.forEach((t, cpu) => { while (t.open.length) this.end(cpu, t.open.pop()!); t.frozen = null; });
    while (this.holds.length) this.endHold(this.holds[0].cpu, this.holds[0]);
  }

  private where(pc: number): string {
    const s = this.m.program.src[pc];
    return s ? `${s.file}:${s.line}` : `pc ${pc}`;
  }
}

// ── The schema check ────────────────────────────────────────────────────────
/** What is wrong with a trace document (empty: nothing): fields, phases,
 *  B/E balance and nesting per track, b/e pairs, timestamps per track. */
export function checkTrace(doc: unknown): string[] {
  const bad: string[] = [];
  const events = (doc as { traceEvents?: unknown } | null)?.traceEvents;
  if (!Array.isArray(events)) return ['traceEvents is not an array'];
  const stacks = new Map<string, string[]>(); // B names open per (pid, tid)
  const lastTs = new Map<string, number>();
  const async = new Map<string, number>(); // b not yet ended per (cat, id)
  events.forEach((raw: unknown, i) => {
    const e = (raw ?? {}) as Record<string, unknown>;
    const at = `event ${i}`;
    if (typeof e.name !== 'string') bad.push(`${at}: no name`);
    if (!PHASES.includes(e.ph as Phase)) return void bad.push(`${at}: phase ${JSON.stringify(e.ph)} is not one of ${PHASES.join(' ')}`);
    if (!Number.isInteger(e.pid) || !Number.isInteger(e.tid)) return void bad.push(`${at}: pid and tid must be integers`);
    if (e.ph === 'M') return;
    const track = `${e.pid}:${e.tid}`;
    const ts = e.ts as number, last = lastTs.get(track) ?? 0;
    if (typeof ts !== 'number' || !Number.isFinite(ts) || ts < 0) return void bad.push(`${at}: ts ${JSON.stringify(e.ts)} is not a finite number ≥ 0`);
    if (ts < last) bad.push(`${at}: ts ${ts} goes back on track ${track} (last ${last})`);
    lastTs.set(track, Math.max(ts, last));
    const stack = stacks.get(track) ?? stacks.set(track, []).get(track)!;
    const pair = `${String(e.cat)}:${String(e.id)}`;
    switch (e.ph) {
      case 'B': stack.push(String(e.name)); break;
      case 'E':
        if (stack.length === 0) bad.push(`${at}: E '${String(e.name)}' on track ${track} ends no open slice`);
        else if (e.name !== undefined && e.name !== stack[stack.length - 1]) bad.push(`${at}: E '${String(e.name)}' on track ${track} ends '${stack.pop()}'`);
        else stack.pop();
        break;
      case 'b': if (e.id === undefined) bad.push(`${at}: async begin without an id`); async.set(pair, (async.get(pair) ?? 0) + 1); break;
      case 'e':
        if (!async.get(pair)) bad.push(`${at}: async end ${pair} matches no begin`);
        else async.set(pair, async.get(pair)! - 1);
        break;
      case 'X': if (typeof e.dur !== 'number' || !(e.dur >= 0)) bad.push(`${at}: X without a duration ≥ 0`); break;
      case 'i': if (e.s !== undefined && !['t', 'p', 'g'].includes(e.s as string)) bad.push(`${at}: instant scope ${JSON.stringify(e.s)} is not t, p or g`); break;
    }
  });
  for (const [track, stack] of stacks) if (stack.length) bad.push(`track ${track}: ${stack.length} slices never ended (${stack.join(' > ')})`);
  for (const [pair, n] of async) if (n > 0) bad.push(`async ${pair}: ${n} begins never ended`);
  return bad;
}

/** The document as JSON, one event a line (greppable). */
export function traceText(doc: TraceDocument): string {
  const lines = doc.traceEvents.map((e) => JSON.stringify(e)).join(',\n');
  return `{"displayTimeUnit":"ns","otherData":${JSON.stringify(doc.otherData)},"traceEvents":[\n${lines}\n]}\n`;
}
