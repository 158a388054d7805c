// The Chrome trace of a schedule: a deadlock found by departing from the
// default schedule, replayed under the trace observer (one wait left open on
// each CPU, closed by finish()); a short correct run; and the schema check
// against documents broken on purpose. Assertions are on the event records.
import { describe, it, expect } from 'vitest';
import { buildMachine, runScenario } from '../src/commands/run.js';
import { parseScenario, type ScenarioInput } from '../src/machine/scenario.js';
import type { Machine } from '../src/machine/machine.js';
import { runSchedule, type Chooser, type Ending, type PointView } from '../src/explore/execution.js';
import { DepartureReplay, ScheduleError, type Departures } from '../src/explore/schedule.js';
import * as A from '../assembly/abi.js';
import { actionName } from '../src/report/names.js';
import { ChromeTrace, checkTrace, type TraceDocument, type TraceEvent } from '../src/trace/chrome.js';
import { traceRecorded, TRACE_STEPS } from '../src/trace/run.js';

const MAX_POINTS = 10_000;
const machine = (input: ScenarioInput): Machine => buildMachine(parseScenario({ driver: 'step', cpus: 2, tasks: 64, ...input }));

/** Run one schedule under a trace; the ending and the document. */
function traced(m: Machine, d: Departures, opts: { maxEvents?: number } = {}, chooser: Chooser = new DepartureReplay(d)): { ending: Ending; doc: TraceDocument } {
  const trace = new ChromeTrace(m, opts);
  const { ending } = runSchedule(m, chooser, MAX_POINTS, trace);
  return { ending, doc: trace.finish() };
}

const slices = (doc: TraceDocument, tid: number, cat?: string): TraceEvent[] => doc.traceEvents.filter((e) => e.ph === 'B' && e.tid === tid && (!cat || e.cat === cat));
const lastTs = (doc: TraceDocument): number => Math.max(...doc.traceEvents.map((e) => e.ts ?? 0));

describe('a deadlock schedule of mutants/deadlock-abba (fork on CPU 0, kill on CPU 1)', () => {
  // alloc_pid takes pidmap_lock then css_set_lock, sys_kill the reverse.
  const m = machine({ kernel: 'mutants/deadlock-abba', programs: [['fork'], ['kill']] });

  /** The first schedule with one switch to CPU 1 that deadlocks. */
  function deadlockSchedule(): Departures | undefined {
    for (let at = 0; at < 200; at++) {
      const d = [{ at, cpu: 1 }];
      try {
        if (runSchedule(m, new DepartureReplay(d), MAX_POINTS).ending === 'deadlock') return d;
      } catch (e) {
        if (!(e instanceof ScheduleError)) throw e; // CPU 1 cannot step there: not a schedule
      }
    }
    return undefined;
  }

  it('is found, and its trace is valid, with a wait left open on each CPU and the deadlock as an instant', () => {
    const d = deadlockSchedule();
    expect(d, 'no single departure to CPU 1 deadlocks').toBeDefined();
    const { ending, doc } = traced(m, d!);
    expect(ending).toBe('deadlock');
    expect(checkTrace(doc)).toEqual([]);
    expect(doc.otherData).toMatchObject({ kernel: 'mutants/deadlock-abba', cpus: 2, truncated: false });

    const names = doc.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, e.args?.name]);
    expect(names).toEqual([[0, 'CPU 0'], [1, 'CPU 1']]);
    expect(doc.traceEvents.find((e) => e.ph === 'M' && e.name === 'process_name')?.args?.name).toBe('mutants/deadlock-abba');

    // Each CPU waits for the lock the other holds, to the end: finish() ends the waits at the last timestamp.
    const end = lastTs(doc);
    const waits = [0, 1].map((cpu) => slices(doc, cpu, 'lock').filter((e) => e.name.startsWith('wait ')));
    for (const [cpu, w] of waits.entries()) {
      expect(w.length, `CPU ${cpu} waits`).toBeGreaterThan(0);
      const last = w[w.length - 1];
      expect(doc.traceEvents.some((e) => e.ph === 'E' && e.tid === cpu && e.name === last.name && e.ts === end)).toBe(true);
    }
    expect(new Set(waits.map((w) => w[w.length - 1].name))).toEqual(new Set(['wait pidmap_lock', 'wait css_set_lock']));
    const open = doc.traceEvents.filter((e) => e.ph === 'e' && e.ts === end).map((e) => e.name);
    expect(open).toEqual(expect.arrayContaining(['hold pidmap_lock', 'hold css_set_lock'])); // held at the deadlock

    const deadlock = doc.traceEvents.filter((e) => e.ph === 'i' && e.name === 'deadlock');
    expect(deadlock).toHaveLength(1);
    expect(deadlock[0]).toMatchObject({ cat: 'finding', args: { kind: 'deadlock', spinning: 2 } });

    // The syscalls, with their task, and the routines nested in them with where they were called from.
    const sys = [0, 1].map((cpu) => slices(doc, cpu, 'syscall'));
    expect(sys[0].map((e) => e.name)).toContain('fork');
    expect(sys[1].map((e) => e.name)).toContain('kill');
    for (const e of sys.flat()) expect(e.args).toMatchObject({ pid: expect.any(Number), task: expect.any(Number) });
    expect(sys.flat().every((e) => (e.args!.pid as number) > 0)).toBe(true);
    const allocPid = slices(doc, 0, 'routine').find((e) => e.name === 'alloc_pid');
    expect(allocPid?.args?.call).toMatch(/fork\.kasm:\d+$/);
  });
});

describe('a short correct run of v6.10-patched', () => {
  const m = machine({ kernel: 'v6.10-patched', programs: [['fork', 'exit'], ['fork']] });

  it('is a valid trace with a fork slice on each CPU and every hold ended by its release', () => {
    const { ending, doc } = traced(m, []);
    expect(ending).toBe('done');
    expect(checkTrace(doc)).toEqual([]);
    for (const cpu of [0, 1]) expect(slices(doc, cpu, 'syscall').map((e) => e.name)).toContain('fork');
    const holds = doc.traceEvents.filter((e) => e.ph === 'b');
    expect(holds.map((e) => e.name)).toContain('hold pidmap_lock');
    expect(doc.traceEvents.filter((e) => e.ph === 'e')).toHaveLength(holds.length);
    expect(doc.traceEvents.filter((e) => e.ph === 'i' && e.cat === 'finding')).toEqual([]);
  });

  it('shows an interrupt as an instant and its handler nested in the syscall it interrupted', () => {
    // The tick, raised on CPU 0 at a point inside copy_process() with interrupts on.
    const tick = m.program.irqs.find((q) => q.name === 'tick')!;
    const raise: Chooser = { choose: (p: PointView) => { if (p.index === 10) m.raiseIrq(0, tick.index); return new DepartureReplay([]).choose(p); } };
    const { ending, doc } = traced(m, [], {}, raise);
    expect(ending).toBe('done');
    expect(checkTrace(doc)).toEqual([]);
    expect(doc.traceEvents.filter((e) => e.ph === 'i' && e.cat === 'irq').map((e) => [e.name, e.tid])).toEqual([['irq tick', 0]]);
    const on0 = doc.traceEvents.filter((e) => e.tid === 0 && (e.ph === 'B' || e.ph === 'E'));
    const at = (ph: string, name: string): number => on0.findIndex((e) => e.ph === ph && e.name === name);
    const handler = actionName(m.program, A.NR_ACTIONS + tick.index)!;
    expect(at('B', 'fork')).toBeLessThan(at('B', handler));
    expect(at('E', handler)).toBeLessThan(at('E', 'fork'));
    // The interrupted code's slices stay open under the handler: one each.
    expect(slices(doc, 0).filter((e) => e.name === 'fork' || e.name === 'copy_process')).toHaveLength(2);
  });

  it('stops at maxEvents, marked truncated, still balanced', () => {
    const { doc } = traced(m, [], { maxEvents: 60 });
    expect(doc.traceEvents.length).toBeLessThanOrEqual(60);
    expect(doc.otherData.truncated).toBe(true);
    expect(checkTrace(doc)).toEqual([]);
  });
});

describe('checkTrace', () => {
  const ev = (e: Partial<TraceEvent>): TraceEvent => ({ name: 'x', ph: 'B', ts: 0, pid: 1, tid: 0, ...e });
  const good = (): TraceDocument => ({
    displayTimeUnit: 'ns', otherData: {},
    traceEvents: [
      ev({ name: 'thread_name', ph: 'M', ts: undefined, args: { name: 'CPU 0' } }),
      ev({ name: 'fork', ts: 1 }), ev({ name: 'copy_process', ts: 2 }),
      ev({ name: 'hold pidmap_lock', ph: 'b', cat: 'lock', id: 'hold-0', ts: 3 }),
      ev({ name: 'copy_process', ph: 'E', ts: 4 }),
      ev({ name: 'hold pidmap_lock', ph: 'e', cat: 'lock', id: 'hold-0', ts: 5 }),
      ev({ name: 'deadlock', ph: 'i', s: 't', ts: 5 }),
      ev({ name: 'fork', ph: 'E', ts: 6 }),
      ev({ name: 'fork', ts: 2, tid: 1 }), ev({ name: 'fork', ph: 'E', ts: 3, tid: 1 }), // another track keeps its own time
    ],
  });
  const broken: [string, (d: TraceDocument) => void][] = [
    ['an E that ends nothing', (d) => d.traceEvents.push(ev({ name: 'fork', ph: 'E', ts: 7 }))],
    ['a B never ended', (d) => d.traceEvents.splice(7, 1)],
    ['ts going back on a track', (d) => { d.traceEvents[4].ts = 1; }],
    ['an event without a name', (d) => { delete (d.traceEvents[2] as Partial<TraceEvent>).name; }],
    ['an E ending another slice', (d) => { d.traceEvents[4].name = 'alloc_pid'; }],
    ['slices crossing (E of the outer first)', (d) => { [d.traceEvents[4].name, d.traceEvents[7].name] = ['fork', 'copy_process']; }],
    ['an async end without a begin', (d) => { d.traceEvents[5].id = 'hold-1'; }],
    ['an unknown phase', (d) => { (d.traceEvents[6] as { ph: string }).ph = 'Q'; }],
    ['a bad instant scope', (d) => { (d.traceEvents[6] as { s: string }).s = 'x'; }],
    ['a negative ts', (d) => { d.traceEvents[1].ts = -1; }],
    ['a tid that is not an integer', (d) => { d.traceEvents[2].tid = 0.5; }],
    ['an X without a duration', (d) => d.traceEvents.push(ev({ name: 'x', ph: 'X', ts: 7 }))],
  ];

  it('accepts the good document', () => expect(checkTrace(good())).toEqual([]));
  it.each(broken)('catches %s', (_what, breakIt) => {
    const d = good();
    breakIt(d);
    expect(checkTrace(d).length).toBeGreaterThan(0);
  });
  it('refuses what is not a trace', () => expect(checkTrace({ events: [] })).toEqual(['traceEvents is not an array']));
});

describe('run --trace: a step-driver run recorded, then replayed a step at a time', () => {
  it('traces the same run (every micro-op, the same findings) and the trace is valid', async () => {
    const s = parseScenario({ kernel: 'mutants/three-lock-cycle', driver: 'step', cpus: 2, forks: 150 });
    const run = await runScenario(s, { interrupted: () => false }, { scheduleCapacity: TRACE_STEPS });
    const doc = traceRecorded(run.machine, buildMachine(s, undefined, { scheduleCapacity: TRACE_STEPS }));
    expect(checkTrace(doc)).toEqual([]);
    expect(doc.otherData.microOps).toBe(Number(run.machine.steps()));
    const found = doc.traceEvents.filter((e) => e.cat === 'finding').map((e) => e.name);
    expect(found).toEqual(run.machine.findings().records.map((f) => f.kind));
    expect(found).toContain('circular-locking-dependency');
  });
});
