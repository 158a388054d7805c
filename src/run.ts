// One run, end to end: scenario → kernel → machine → driver → report.
import { assemble, loadKernel, type Program } from './kasm/index.js';
import { Machine } from './machine.js';
import { ScenarioError, type Scenario } from './scenario.js';
import { buildReport, type RunReport } from './report.js';
import { runStepDriver, type DriverControl } from './drivers/step.js';

const programs = new Map<string, Program>();

/** Assemble a kernel model (cached per process). */
export function kernelProgram(kernel: string): Program {
  let p = programs.get(kernel);
  if (!p) {
    p = assemble(loadKernel(kernel));
    programs.set(kernel, p);
  }
  return p;
}

/** Reject fault specs naming sites this kernel does not have. */
export function checkFaults(program: Program, s: Scenario): void {
  const names = new Set(program.sites.slice(1).map((x) => x.name));
  for (const site of Object.keys(s.faults)) {
    if (!names.has(site)) {
      throw new ScenarioError(`faults: no fault site '${site}' in kernel ${s.kernel}; its sites are: ${[...names].join(', ')}`);
    }
  }
}

export function buildMachine(s: Scenario): Machine {
  const program = kernelProgram(s.kernel);
  checkFaults(program, s);
  return Machine.create(program, s);
}

export async function runScenario(s: Scenario, ctl: DriverControl = { interrupted: () => false }): Promise<RunReport> {
  const m = buildMachine(s);
  if (s.driver === 'parallel') {
    const { runParallelDriver } = await import('./drivers/parallel.js');
    return buildReport(m, await runParallelDriver(m, ctl));
  }
  return buildReport(m, await runStepDriver(m, ctl));
}
