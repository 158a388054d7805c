// The run report: what was found first, then throughput and failures. The
// same object is printed as text or written as JSON.
import type { Machine } from '../machine/machine.js';
import type { RunOutcome, StopReason } from '../drivers/outcome.js';
import { groupFindings, type FindingGroup } from '../analysis/findings.js';
import { lockStat } from '../analysis/lockstat.js';
import { bootSnapshot, snapshot, timedWindow, type TimedWindow } from '../analysis/timing.js';
import { reproduceCommand } from './reproduce.js';
import { renderFinding, type FindingView } from './findings.js';
import { lockStatView, formatLockStat, type LockStat } from './lockstat.js';
import { describeHang, describeDeadWorker } from './waitfor.js';
import { errnoName, sourceRef } from './names.js';

export type { StopReason };

export interface RunReport {
  kernel: string;
  driver: 'step' | 'parallel';
  cpus: number;
  seed: number;
  partial: boolean;
  stopReason: StopReason;
  /** What found the hang, when the run stopped on one. */
  hangCause?: string;
  elapsedSeconds: number;
  steps: number;
  spins: number;
  forks: { ok: number; failed: number; perSecond: number; perCpu: { cpu: number; ok: number; failed: number; perSecond: number }[] };
  /** natural: failures not injected; afterLedgerBroke: those of them after a
   *  release or allocation ran twice, when the counters behind them may lie. */
  failures: { site: string; errno: string; count: number; natural: number; injected: number; at: string; afterLedgerBroke?: number }[];
  activity: Record<string, number>;
  /** Execution contexts: the preemption model, each handler's rate and how
   *  often interrupts came, tasks preempted in the kernel, tasks that slept
   *  on a lock and were woken, sleeps or preemptions a full slot table refused. */
  contexts: { preempt: string; preemptRt: boolean; rates: Record<string, number>; irqs: number; preempts: number; blocks: number; wakeups: number; noSlot: number };
  actions: Record<string, number>; // the model's own actions, by name: how often each ran
  /** The workload's forks by kind (fork, and the model's fork actions: vfork, clone_pidfd, clone_thread, ...). */
  clones: Record<string, number>;
  /** reaped: by a parent's wait(); autoreaped: released at their own exit (threads). */
  conservation: { forksOk: number; bootTasks: number; reaped: number; autoreaped: number; live: number; balanced: boolean } | null;
  invariantsChecked: boolean;
  /** Every distinct finding is counted exactly and its first record kept;
   *  `notStored` records beyond the ring's capacity were counted, not kept;
   *  `uncounted` findings found the distinct table full. */
  findings: { total: number; distinct: number; notStored: number; uncounted: number; groups: (FindingView & { count: number })[] };
  extra: string[]; // driver-specific lines (wait-for chains, dead workers)
  lockStat: LockStat | null; // with lockdep on
  /** The timed model: the machine file and the run in simulated time (null: not timed). */
  timed: (TimedWindow & { machine: string }) | null;
  reproduce: string;
}

/** The findings of a finished run, grouped: what reports and the commands built on runs read. */
export function collectFindings(m: Machine): { groups: FindingGroup[]; records: ReturnType<Machine['findings']>['records'] } {
  return { groups: groupFindings(m), records: m.findings().records };
}

export function buildReport(m: Machine, o: RunOutcome): RunReport {
  const s = m.scenario;
  if (o.quiescent) m.core.checkInvariants();
  const { groups, records } = collectFindings(m);
  const counts = m.findingCounts();
  const perCpu = Array.from({ length: s.cpus }, (_, cpu) => {
    const c = m.cpuCounters(cpu);
    return { cpu, ok: c.forksOk, failed: c.forksFailed, perSecond: rate(c.forksOk, o.elapsedSeconds) };
  });
  const k = m.counters();
  const failures: RunReport['failures'] = [];
  for (const site of m.program.sites.slice(1)) {
    const c = m.site(site.id);
    if (c.forkFails || c.injected) {
      const ref = sourceRef(m.program, site.pc);
      failures.push({
        site: site.name, errno: `-${errnoName(c.errno || site.errno)}`, count: c.forkFails, natural: c.natural, injected: c.injected, at: ref ? `${ref.file}:${ref.line}` : '',
        ...(c.naturalAfterLedgerBroke ? { afterLedgerBroke: c.naturalAfterLedgerBroke } : {}),
      });
    }
  }
  failures.sort((a, b) => b.count - a.count);
  const extra = [
    ...(o.hang ? describeHang(m.program, o.hang, records) : []),
    ...o.deadWorkers.map((d) => describeDeadWorker(m.program, d)),
  ];
  return {
    kernel: s.kernel,
    driver: s.driver,
    cpus: s.cpus,
    seed: s.seed,
    partial: o.partial,
    stopReason: o.stopReason,
    hangCause: o.hang?.cause,
    elapsedSeconds: o.elapsedSeconds,
    steps: Number(m.steps()),
    spins: Number(m.spins()),
    forks: { ok: k.forksOk, failed: k.forksFailed, perSecond: rate(k.forksOk, o.elapsedSeconds), perCpu },
    failures,
    activity: {
      exits: k.exits, reaped: k.reaps, autoreaped: k.autoreaps, kills: k.kills, yields: k.yields,
      migrations: k.migrations, leakedResources: k.leaked, syscalls: k.syscalls,
    },
    contexts: {
      preempt: s.preempt, preemptRt: s.preemptRt, rates: m.irqRates(), irqs: k.irqs, preempts: k.preempts, blocks: k.blocks, wakeups: k.wakeups, noSlot: k.noKctx,
    },
    actions: k.actions,
    clones: clones(m, k),
    conservation: o.quiescent
      ? { forksOk: k.forksOk, bootTasks: s.cpus, reaped: k.reaps, autoreaped: k.autoreaps, live: m.liveTasks(), balanced: k.forksOk + s.cpus - k.reaps - k.autoreaps === m.liveTasks() }
      : null,
    invariantsChecked: o.quiescent,
    findings: {
      total: counts.total, distinct: groups.length, notStored: counts.total - counts.stored, uncounted: counts.uncounted,
      groups: groups.map((g) => ({ ...renderFinding(m, g.first, g), count: g.count })),
    },
    extra,
    lockStat: s.lockdep ? lockStatView(m.program, lockStat(m, o.elapsedSeconds), m.hardware !== null) : null,
    timed: m.hardware ? { machine: m.hardware.name, ...timedRun(m) } : null,
    reproduce: reproduceCommand(s, o),
  };
}

const rate = (n: number, s: number): number => (s > 0 ? Math.round(n / s) : 0);

/** The whole timed run, from boot to its horizon (or to where the earliest
 *  clock is, when it stopped before). */
function timedRun(m: Machine): TimedWindow {
  const end = snapshot(m, true);
  return timedWindow(m, bootSnapshot(end), end, Math.min(...end.cpus.map((c) => c.clock)) / 1e12);
}

/** Fork attempts by kind: each fork action's runs; fork's own are the rest. */
function clones(m: Machine, k: ReturnType<Machine['counters']>): Record<string, number> {
  const kinds = m.program.actions.filter((a) => a.fork && !a.builtin);
  const model = Object.fromEntries(kinds.map((a) => [a.name, k.actions[a.name] ?? 0]));
  const rest = k.forksOk + k.forksFailed - Object.values(model).reduce((x, y) => x + y, 0);
  return { fork: rest, ...model };
}

const n = (x: number): string => x.toLocaleString('en-US');

export function formatReport(r: RunReport): string {
  const out: string[] = [];
  out.push(`forksim ${r.driver} run: kernel ${r.kernel}, ${r.cpus} CPU${r.cpus > 1 ? 's' : ''}, seed ${r.seed}${r.partial ? '  [PARTIAL]' : ''}`);
  const stopText = r.stopReason === 'hang' && r.hangCause ? HANG_TEXT[r.hangCause] ?? STOP_TEXT.hang : STOP_TEXT[r.stopReason];
  out.push(`  stopped: ${stopText} after ${r.elapsedSeconds.toFixed(2)} s, ${n(r.steps)} steps (${n(rate(r.steps, r.elapsedSeconds))}/s), ${n(r.spins)} spins`);
  out.push('');
  if (r.findings.total === 0) out.push('findings: none');
  else {
    const kept = r.findings.notStored ? `; ${n(r.findings.notStored)} records not stored, every distinct finding counted and its first record kept` : '';
    const lost = r.findings.uncounted ? `; ${n(r.findings.uncounted)} of keys the full distinct table could not count` : '';
    out.push(`findings: ${n(r.findings.total)} (${r.findings.distinct} distinct${kept}${lost})`);
    for (const g of r.findings.groups) {
      out.push(`  [${g.kind}] ×${n(g.count)}  ${g.message}`);
      if (g.ladder?.length) out.push(`      ladder: ${g.ladder.join(' → ')}`);
      for (const d of g.detail ?? []) out.push(`      ${d}`);
      if (g.cpu >= 0) out.push(`      first seen: CPU${g.cpu}, pid ${g.pid}, step ${n(g.step)}`);
    }
  }
  for (const line of r.extra) out.push(`  ${line}`);
  out.push('');
  if (r.timed) out.push(...formatTimed(r.timed));
  else {
    out.push(`forks: ${n(r.forks.ok)} ok, ${n(r.forks.failed)} failed — ${n(r.forks.perSecond)} forks/s`);
    if (r.cpus > 1) out.push(`  per CPU: ${r.forks.perCpu.map((c) => `${c.cpu}:${n(c.perSecond)}/s`).join('  ')}`);
  }
  if (r.failures.length) {
    out.push('failures by site:');
    for (const f of r.failures) {
      const how = f.injected ? `${n(f.injected)} injected` : f.afterLedgerBroke ? `natural; ${n(f.afterLedgerBroke)} after the ledger broke, when the counters may lie` : 'natural';
      out.push(`  ${n(f.count).padStart(9)}  ${f.errno.padEnd(16)} ${f.site.padEnd(28)} ${f.at}  (${how})`);
    }
  }
  const total = Object.values(r.clones).reduce((x, y) => x + y, 0);
  if (Object.keys(r.clones).length > 1) out.push(`clones: ${Object.entries(r.clones).map(([kind, c]) => `${n(c)} ${kind.replace(/_/g, ' ')} (${total ? Math.round((100 * c) / total) : 0}%)`).join(', ')}`);
  const a = r.activity;
  const model = Object.entries(r.actions).filter(([name]) => !(name in r.clones)).map(([name, count]) => `, ${n(count)} ${name.replace(/_/g, ' ')}`).join('');
  out.push(`activity: ${n(a.exits)} exits, ${n(a.reaped)} reaped, ${n(a.autoreaped)} autoreaped, ${n(a.kills)} kills, ${n(a.migrations)} migrations${model}`);
  const x = r.contexts;
  const on = Object.entries(x.rates).filter(([, v]) => v > 0);
  out.push(`contexts: preempt ${x.preempt}${x.preemptRt ? ' (PREEMPT_RT)' : ''}; interrupts ${on.length ? on.map(([h, v]) => `${h} ${n(v)}/M steps`).join(', ') : 'off (the wakeup IPI only)'}: ${n(x.irqs)} taken, ${n(x.preempts)} preemptions, ${n(x.blocks)} sleeps on a lock, ${n(x.wakeups)} wakeups${x.noSlot ? `, ${n(x.noSlot)} spun (no kernel-context slot free)` : ''}`);
  if (r.conservation) {
    const c = r.conservation;
    out.push(`conservation: ${n(c.forksOk)} forks + ${c.bootTasks} boot tasks − ${n(c.reaped)} reaped − ${n(c.autoreaped)} autoreaped = ${n(c.forksOk + c.bootTasks - c.reaped - c.autoreaped)}; live tasks ${n(c.live)} ${c.balanced ? '✓' : '✗ MISMATCH'}`);
  } else out.push('conservation: not checked (the machine did not reach a quiescent point)');
  if (r.lockStat) out.push('', ...formatLockStat(r.lockStat));
  out.push('');
  out.push(`reproduce: ${r.reproduce}`);
  return out.join('\n');
}

/** The throughput, the CPUs' time and the ceiling, in simulated time. */
function formatTimed(t: TimedWindow & { machine: string }): string[] {
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const out = [
    `simulated: ${(t.simSeconds * 1e3).toFixed(3)} ms on machine ${t.machine} — ${n(Math.round(t.forksPerSec))} forks/s, ${n(Math.round(t.exitsPerSec))} exits/s, ${n(Math.round(t.threadsPerSec))} thread creations/s, ${n(Math.round(t.vforksPerSec))} vforks/s (simulated)`,
    `  CPU time: ${pct(t.utilisation)} used; per CPU busy/spin/idle: ${t.perCpu.map((c) => `${c.cpu}:${Math.round(100 * c.busy)}/${Math.round(100 * c.spin)}/${Math.round(100 * c.idle)}`).join('  ')}`,
  ];
  const c = t.ceiling;
  if (c) out.push(`  ceiling: ${c.lock}${c.mode === 'read' ? ' (read)' : ''}: CPUs wait for it ${pct(c.waitShare)} of their time${c.holdShare !== null ? `; held ${pct(c.holdShare)} of the run` : ''}${c.boundForksPerSec ? `; its holds allow at most ${n(Math.round(c.boundForksPerSec))} forks/s` : ''}`);
  if (c?.site) out.push(`  its longest section: ${c.site.text} in ${c.site.routine}() at ${c.site.at}, ${n(Math.round(c.site.holdNsPerFork))} ns held per fork`);
  else out.push('  ceiling: none (no lock takes 1% of the CPUs\' time)');
  return out;
}

const HANG_TEXT: Record<string, string> = {
  'hung-task': 'HUNG TASKS (every CPU idle, tasks asleep on a lock)', 'soft-lockup': 'HUNG CPU (soft lockup)', watchdog: 'HUNG CPU (watchdog)',
};
const STOP_TEXT: Record<StopReason, string> = {
  forks: 'fork count reached', duration: 'duration reached', deadlock: 'DEADLOCK', hang: 'HUNG CPU (watchdog)', livelock: 'LIVELOCK (no fork attempt completes)',
  interrupted: 'interrupted', finding: 'first finding', idle: 'machine idle', 'max-steps': 'step limit reached',
  'worker-died': 'A WORKER DIED', 'schedule-end': 'end of the replayed schedule', horizon: 'simulated time reached',
};
