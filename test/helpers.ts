// Shared test helpers: build a machine from a model or inline kasm, run a
// driver, get the report and the finding records it was built from.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/paths.js';
import { assemble, declarationsOf, type Program, type SourceFile } from '../src/kasm/index.js';
import { Machine, type MachineOptions } from '../src/machine/machine.js';
import { parseScenario, type ScenarioInput } from '../src/machine/scenario.js';
import type { FindingRecord } from '../src/machine/findings.js';
import { buildReport, collectFindings, type RunReport } from '../src/report/run.js';
import { runStepDriver } from '../src/drivers/step.js';
import { runParallelDriver } from '../src/drivers/parallel.js';
import type { RunOutcome } from '../src/drivers/outcome.js';
import type { FindingGroup } from '../src/analysis/findings.js';
import { kernelProgram, checkScenario } from '../src/commands/run.js';

export const never = { interrupted: () => false };

export function machineFor(kernel: string | Program, input: ScenarioInput = {}, opts: MachineOptions = {}): Machine {
  const scenario = parseScenario({ kernel: typeof kernel === 'string' ? kernel : 'inline', ...input });
  const program = typeof kernel === 'string' ? kernelProgram(kernel) : kernel;
  checkScenario(program, scenario);
  return Machine.create(program, scenario, opts);
}

export interface Run { m: Machine; r: RunReport; o: RunOutcome; f: FindingGroup[] }

/** Run a scenario to its end: the machine, the report, the driver's outcome
 *  and the findings as grouped records (what detector tests assert on). */
export async function run(kernel: string | Program, input: ScenarioInput = {}): Promise<Run> {
  const m = machineFor(kernel, input);
  const o = m.scenario.driver === 'step' ? await runStepDriver(m, never) : await runParallelDriver(m, never);
  const r = buildReport(m, o);
  return { m, r, o, f: collectFindings(m).groups };
}

/** The vocabulary inline kasm is written in: v6.12-scx's declarations (a
 *  superset of v6.10's), and the litmus tests' two primitives. */
export const PRELUDE: SourceFile[] = [
  ...declarationsOf('v6.12-scx'),
  { path: 'litmus.kasm', text: 'primitive litmus_load current\n    service litmus_load\nprimitive litmus_store current\n    service litmus_store\n' },
];

/** Routines every kernel needs, as stubs; `body` overrides them by name. */
export function kasm(body: string): Program {
  const stubs = ['sys_fork', 'sys_exit', 'sys_wait', 'sys_kill', 'sys_sched_yield', 'schedule']
    .filter((r) => !new RegExp(`routine \\w+ ${r}\\b`).test(body))
    .map((r) => `routine void ${r}\n    return\n`);
  return assemble([...PRELUDE, { path: 'inline.kasm', text: `${body}\n${stubs.join('\n')}` }]);
}

/** A workload of forks only: every syscall runs sys_fork (the models' own actions are off). */
export const forkOnly = { fork: 1, exit: 0, wait: 0, kill: 0, yield: 0, load_balance: 0 };
export const noModelActions = { scx_enable: 0, scx_disable: 0, zap_pid_ns: 0, reopen_pid_ns: 0, vfork: 0, clone_pidfd: 0, clone_thread: 0 };

/** The line of a model file where `text` (an instruction, spacing aside)
 *  first comes after the line matching `after`: so tests name lines the
 *  way the reports do without writing their numbers down. */
export function lineOf(file: string, after: string, text: string): number {
  const lines = readFileSync(join(PACKAGE_ROOT, file), 'utf8').split('\n').map((l) => l.replace(/;.*/, '').trim().replace(/\s+/g, ' '));
  const from = lines.indexOf(after);
  const i = lines.indexOf(text, from);
  if (from < 0 || i < 0) throw new Error(`${file}: no '${text}' after '${after}'`);
  return i + 1;
}
/** The two unlocks a failure at bad_fork_cancel_cgroup runs in scx-no-label-split (the base's lines). */
export const cancelCgroupUnlocks = (): string[] => {
  const f = 'kernels/v6.10/fork.kasm';
  return [`&sighand->siglock @${f}:${lineOf(f, 'bad_fork_cancel_cgroup:', 'spin_unlock current.sighand.siglock')}`, `tasklist_lock @${f}:${lineOf(f, 'bad_fork_cancel_cgroup:', 'write_unlock_irq tasklist_lock')}`];
};

export const kinds = (f: FindingGroup[]): string[] => [...new Set(f.map((g) => g.first.kind))].sort();
export const ofKind = <K extends FindingRecord['kind']>(f: FindingGroup[], kind: K): (FindingGroup & { first: Extract<FindingRecord, { kind: K }> })[] =>
  f.filter((g) => g.first.kind === kind) as (FindingGroup & { first: Extract<FindingRecord, { kind: K }> })[];

/** Where a record was found, as `file:line` (for readable failures). */
export const placeOf = (p: Program, pc: number): string => (pc >= 0 ? `${p.src[pc].file}:${p.src[pc].line}` : '-');
/** A finding in one line, from its record: what a failing assertion shows. */
export const brief = (p: Program) => (g: FindingGroup): string => `${g.first.kind} at ${placeOf(p, g.first.pc)} ×${g.count}`;

export { failedAt } from '../src/analysis/findings.js';
export const labelNames = (p: Program, f: FindingRecord): string[] => f.labels.map((l) => p.labels[l].name);
const vocab = kernelProgram('v6.12-scx').vocab;
/** A resource mask from names (v6.12-scx's resources: v6.10's come first, in the same order). */
export const resources = (...names: string[]): bigint => vocab.resourceMask(names);
export const srcOf = (p: Program, pc: number): Program['src'][number] => p.src[pc];
/** Lock class ids by lock name (v6.12-scx's: v6.10's classes come first, in the same order). */
const cls = (name: string): number => vocab.classOf(name)!;
export const CLASS = {
  tasklist_lock: cls('tasklist_lock'), scx_fork_rwsem: cls('scx_fork_rwsem'), pidmap_lock: cls('pidmap_lock'),
  scx_tasks_lock: cls('scx_tasks_lock'), css_set_lock: cls('css_set_lock'), pi_lock: cls('pi_lock'),
  siglock: cls('sighand.siglock'), rq_lock: cls('__lock'),
} as const;
