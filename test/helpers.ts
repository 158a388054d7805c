// Shared test helpers: build a machine from a model or inline kasm, run a
// driver, get the report and the finding records it was built from.
import * as A from '../assembly/abi.js';
import { assemble, type Program } from '../src/kasm/index.js';
import { Machine, type MachineOptions } from '../src/machine/machine.js';
import { parseScenario, type ScenarioInput } from '../src/machine/scenario.js';
import type { FindingRecord } from '../src/machine/findings.js';
import { buildReport, collectFindings, type RunReport } from '../src/report/run.js';
import { runStepDriver } from '../src/drivers/step.js';
import { runParallelDriver } from '../src/drivers/parallel.js';
import type { RunOutcome } from '../src/drivers/outcome.js';
import type { FindingGroup } from '../src/analysis/findings.js';
import { RESOURCES } from '../src/kasm/vocabulary.js';
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

/** Routines every kernel needs, as stubs; `body` overrides them by name. */
export function kasm(body: string): Program {
  const stubs = ['sys_fork', 'sys_exit', 'sys_wait', 'sys_kill', 'sys_sched_yield', 'schedule']
    .filter((r) => !new RegExp(`routine \\w+ ${r}\\b`).test(body))
    .map((r) => `routine void ${r}\n    return\n`);
  return assemble([{ path: 'inline.kasm', text: `${body}\n${stubs.join('\n')}` }]);
}

/** A workload of forks only: every syscall runs sys_fork. */
export const forkOnly = { fork: 1, exit: 0, wait: 0, kill: 0, yield: 0, loadBalance: 0, zapPidNs: 0, reopenPidNs: 0, scxEnable: 0, scxDisable: 0 };

export const kinds = (f: FindingGroup[]): string[] => [...new Set(f.map((g) => g.first.kind))].sort();
export const ofKind = <K extends FindingRecord['kind']>(f: FindingGroup[], kind: K): (FindingGroup & { first: Extract<FindingRecord, { kind: K }> })[] =>
  f.filter((g) => g.first.kind === kind) as (FindingGroup & { first: Extract<FindingRecord, { kind: K }> })[];

/** Where a record was found, as `file:line` (for readable failures). */
export const placeOf = (p: Program, pc: number): string => (pc >= 0 ? `${p.src[pc].file}:${p.src[pc].line}` : '-');
/** A finding in one line, from its record: what a failing assertion shows. */
export const brief = (p: Program) => (g: FindingGroup): string => `${g.first.kind} at ${placeOf(p, g.first.pc)} ×${g.count}`;

export { failedAt } from '../src/analysis/findings.js';
export const labelNames = (p: Program, f: FindingRecord): string[] => f.labels.map((l) => p.labels[l].name);
/** A resource mask from names. */
export const resources = (...names: (keyof typeof RESOURCES)[]): bigint => names.reduce((m, n) => m | (1n << BigInt(RESOURCES[n])), 0n);
export const srcOf = (p: Program, pc: number): Program['src'][number] => p.src[pc];
export const CLASS = {
  tasklist_lock: A.CLASS_TASKLIST_LOCK, scx_fork_rwsem: A.CLASS_SCX_FORK_RWSEM, pidmap_lock: A.CLASS_PIDMAP_LOCK,
  scx_tasks_lock: A.CLASS_SCX_TASKS_LOCK, css_set_lock: A.CLASS_CSS_SET_LOCK, pi_lock: A.CLASS_PI_LOCK,
  siglock: A.CLASS_SIGLOCK, rq_lock: A.CLASS_RQ_LOCK,
} as const;
