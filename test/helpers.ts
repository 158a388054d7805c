// Shared test helpers: build a machine from a model or inline kasm, run a
// driver, get the report.
import { assemble, type Program } from '../src/kasm/index.js';
import { Machine } from '../src/machine.js';
import { parseScenario, type ScenarioInput } from '../src/scenario.js';
import { buildReport, type RunReport } from '../src/report.js';
import { runStepDriver } from '../src/drivers/step.js';
import { runParallelDriver } from '../src/drivers/parallel.js';
import { kernelProgram, checkFaults } from '../src/run.js';

export const never = { interrupted: () => false };

export function machineFor(kernel: string | Program, input: ScenarioInput = {}): Machine {
  const scenario = parseScenario({ kernel: typeof kernel === 'string' ? kernel : 'inline', ...input });
  const program = typeof kernel === 'string' ? kernelProgram(kernel) : kernel;
  checkFaults(program, scenario);
  return Machine.create(program, scenario);
}

export async function run(kernel: string | Program, input: ScenarioInput = {}): Promise<{ m: Machine; r: RunReport }> {
  const m = machineFor(kernel, input);
  const outcome = m.scenario.driver === 'step' ? await runStepDriver(m, never) : await runParallelDriver(m, never);
  return { m, r: buildReport(m, outcome) };
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

export const kinds = (r: RunReport): string[] => [...new Set(r.findings.groups.map((g) => g.kind))].sort();
