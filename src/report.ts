// The run report: what was found first, then throughput and failures. The
// same object is printed as text or written as JSON.
import * as L from '../assembly/layout.js';
import type { Machine } from './machine.js';
import { readFindings, groupFindings, sourceRef, type Finding } from './findings.js';
import { errnoName } from './names.js';
import { Scenario, Weights } from './scenario.js';
import { lockStat, formatLockStat, type LockStat } from './lockstat.js';

export type StopReason = 'forks' | 'duration' | 'deadlock' | 'hang' | 'interrupted' | 'finding' | 'idle' | 'max-steps' | 'worker-died';

export interface RunReport {
  kernel: string;
  driver: 'step' | 'parallel';
  cpus: number;
  seed: number;
  partial: boolean;
  stopReason: StopReason;
  elapsedSeconds: number;
  steps: number;
  spins: number;
  forks: { ok: number; failed: number; perSecond: number; perCpu: { cpu: number; ok: number; failed: number; perSecond: number }[] };
  failures: { site: string; errno: string; count: number; natural: number; injected: number; at: string }[];
  activity: Record<string, number>;
  conservation: { forksOk: number; bootTasks: number; reaped: number; live: number; balanced: boolean } | null;
  invariantsChecked: boolean;
  findings: { total: number; distinct: number; groups: (Finding & { count: number })[] };
  extra: string[]; // driver-specific lines (wait-for chains, dead workers)
  lockStat: LockStat | null; // with lockdep on
  reproduce: string;
}

export interface RunOutcome { stopReason: StopReason; elapsedSeconds: number; quiescent: boolean; extra?: string[]; partial?: boolean }

export function buildReport(m: Machine, o: RunOutcome): RunReport {
  const s = m.scenario;
  if (o.quiescent) m.core.checkInvariants();
  const { findings, total } = readFindings(m);
  const groups = groupFindings(findings).map((g) => ({ ...g.first, count: g.count }));
  const perCpu = Array.from({ length: s.cpus }, (_, cpu) => {
    const ok = m.cpuCounter(cpu, L.K_FORKS_OK);
    return { cpu, ok, failed: m.cpuCounter(cpu, L.K_FORKS_FAILED), perSecond: rate(ok, o.elapsedSeconds) };
  });
  const ok = m.counter(L.K_FORKS_OK), reaped = m.counter(L.K_REAPS);
  const failures: RunReport['failures'] = [];
  for (const site of m.program.sites.slice(1)) {
    const a = m.siteAddr(site.id);
    const count = m.at(a + L.S_FORK_FAILS), natural = m.at(a + L.S_NATURAL), injected = m.at(a + L.S_INJECTED);
    if (count || injected) {
      const ref = sourceRef(m, site.pc);
      failures.push({ site: site.name, errno: `-${errnoName(m.at(a + L.S_ERRNO) || site.errno)}`, count, natural, injected, at: ref ? `${ref.file}:${ref.line}` : '' });
    }
  }
  failures.sort((a, b) => b.count - a.count);
  return {
    kernel: s.kernel,
    driver: s.driver,
    cpus: s.cpus,
    seed: s.seed,
    partial: o.partial ?? false,
    stopReason: o.stopReason,
    elapsedSeconds: o.elapsedSeconds,
    steps: Number(m.steps()),
    spins: Number(m.spins()),
    forks: { ok, failed: m.counter(L.K_FORKS_FAILED), perSecond: rate(ok, o.elapsedSeconds), perCpu },
    failures,
    activity: {
      exits: m.counter(L.K_EXITS), reaped, kills: m.counter(L.K_KILLS), yields: m.counter(L.K_YIELDS),
      migrations: m.counter(L.K_MIGRATIONS), scxEnables: m.counter(L.K_SCX_ENABLES), scxDisables: m.counter(L.K_SCX_DISABLES),
      pidNsTeardowns: m.counter(L.K_PIDNS_ZAPS), newPidNs: m.counter(L.K_PIDNS_REOPENS), leakedResources: m.counter(L.K_LEAKED),
      syscalls: m.counter(L.K_SYSCALLS),
    },
    conservation: o.quiescent
      ? { forksOk: ok, bootTasks: s.cpus, reaped, live: m.h(L.H_NR_LIVE), balanced: ok + s.cpus - reaped === m.h(L.H_NR_LIVE) }
      : null,
    invariantsChecked: o.quiescent,
    findings: { total, distinct: groups.length, groups },
    extra: o.extra ?? [],
    lockStat: s.lockdep ? lockStat(m, o.elapsedSeconds) : null,
    reproduce: reproduceCommand(s),
  };
}

const rate = (n: number, s: number): number => (s > 0 ? Math.round(n / s) : 0);

/** The command that replays this scenario under the step driver. */
export function reproduceCommand(s: Scenario): string {
  const d = Scenario.parse({ cpus: s.cpus });
  const args = ['forksim run --driver step', `--kernel ${s.kernel}`, `--cpus ${s.cpus}`, `--seed ${s.seed}`, `--forks ${s.forks}`];
  const flag = (name: string, v: unknown, dv: unknown): void => { if (v !== dv && v !== undefined) args.push(`--${name} ${v}`); };
  flag('tasks', s.tasks, d.tasks);
  flag('population', s.population, d.population);
  flag('max-threads', s.maxThreads, d.maxThreads);
  flag('pid-max', s.pidMax, d.pidMax);
  flag('pids-limit', s.pidsLimit, d.pidsLimit);
  flag('scx-init-task-fail', s.scxInitTaskFail, d.scxInitTaskFail);
  const dw = Weights.parse({});
  const w = Object.entries(s.weights).filter(([k, v]) => dw[k as keyof Weights] !== v).map(([k, v]) => `${k}=${v}`);
  if (w.length) args.push(`--weights ${w.join(',')}`);
  for (const [site, k] of Object.entries(s.faults)) {
    const knobs = Object.entries(k).filter(([n, v]) => !(n === 'times' && v === -1) && !(n === 'probability' && v === 1) && v !== 0).map(([n, v]) => `${n}=${v}`);
    args.push(`--fail ${site}${knobs.length ? `:${knobs.join(',')}` : ''}`);
  }
  if (s.stall) args.push(`--stall ${s.stall.rate}:${s.stall.maxSteps}`);
  if (!s.ledger) args.push('--no-ledger');
  if (!s.lockdep) args.push('--lockdep off');
  return args.join(' ');
}

const n = (x: number): string => x.toLocaleString('en-US');

export function formatReport(r: RunReport): string {
  const out: string[] = [];
  out.push(`forksim ${r.driver} run: kernel ${r.kernel}, ${r.cpus} CPU${r.cpus > 1 ? 's' : ''}, seed ${r.seed}${r.partial ? '  [PARTIAL]' : ''}`);
  out.push(`  stopped: ${STOP_TEXT[r.stopReason]} after ${r.elapsedSeconds.toFixed(2)} s, ${n(r.steps)} steps (${n(rate(r.steps, r.elapsedSeconds))}/s), ${n(r.spins)} spins`);
  out.push('');
  if (r.findings.total === 0) out.push('findings: none');
  else {
    out.push(`findings: ${n(r.findings.total)} (${r.findings.distinct} distinct)`);
    for (const g of r.findings.groups) {
      out.push(`  [${g.kind}] ×${n(g.count)}  ${g.message}`);
      if (g.ladder?.length) out.push(`      ladder: ${g.ladder.join(' → ')}`);
      for (const d of g.detail ?? []) out.push(`      ${d}`);
      if (g.cpu >= 0) out.push(`      first seen: CPU${g.cpu}, pid ${g.pid}, step ${n(g.step)}`);
    }
  }
  for (const line of r.extra) out.push(`  ${line}`);
  out.push('');
  out.push(`forks: ${n(r.forks.ok)} ok, ${n(r.forks.failed)} failed — ${n(r.forks.perSecond)} forks/s`);
  if (r.cpus > 1) out.push(`  per CPU: ${r.forks.perCpu.map((c) => `${c.cpu}:${n(c.perSecond)}/s`).join('  ')}`);
  if (r.failures.length) {
    out.push('failures by site:');
    for (const f of r.failures) {
      const how = f.injected ? `${n(f.injected)} injected` : 'natural';
      out.push(`  ${n(f.count).padStart(9)}  ${f.errno.padEnd(16)} ${f.site.padEnd(28)} ${f.at}  (${how})`);
    }
  }
  const a = r.activity;
  out.push(`activity: ${n(a.exits)} exits, ${n(a.reaped)} reaped, ${n(a.kills)} kills, ${n(a.migrations)} migrations, ${n(a.scxEnables)}/${n(a.scxDisables)} scx enable/disable, ${n(a.pidNsTeardowns)} pid-ns teardowns`);
  if (r.conservation) {
    const c = r.conservation;
    out.push(`conservation: ${n(c.forksOk)} forks + ${c.bootTasks} boot tasks − ${n(c.reaped)} reaped = ${n(c.forksOk + c.bootTasks - c.reaped)}; live tasks ${n(c.live)} ${c.balanced ? '✓' : '✗ MISMATCH'}`);
  } else out.push('conservation: not checked (the machine did not reach a quiescent point)');
  if (r.lockStat) out.push('', ...formatLockStat(r.lockStat));
  out.push('');
  out.push(`reproduce: ${r.reproduce}`);
  return out.join('\n');
}

const STOP_TEXT: Record<StopReason, string> = {
  forks: 'fork count reached', duration: 'duration reached', deadlock: 'DEADLOCK', hang: 'HUNG CPU (watchdog)',
  interrupted: 'interrupted', finding: 'first finding', idle: 'machine idle', 'max-steps': 'step limit reached',
  'worker-died': 'A WORKER DIED',
};
