// One run, end to end: scenario → kernel → machine → driver → outcome (the
// report layer turns the machine and its outcome into the report).
import { assemble, loadKernel, type Program } from '../kasm/index.js';
import { Machine, type MachineOptions } from '../machine/machine.js';
import { ScenarioError, type Scenario } from '../machine/scenario.js';
import { runStepDriver } from '../drivers/step.js';
import type { DriverControl, RunOutcome } from '../drivers/outcome.js';

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

export function buildMachine(s: Scenario, program: Program = kernelProgram(s.kernel), opts: MachineOptions = {}): Machine {
  checkFaults(program, s);
  return Machine.create(program, s, opts);
}

/** Run a machine under the scenario's driver. */
export async function drive(m: Machine, ctl: DriverControl = { interrupted: () => false }): Promise<RunOutcome> {
  if (m.scenario.driver === 'parallel') {
    const { runParallelDriver } = await import('../drivers/parallel.js');
    return runParallelDriver(m, ctl);
  }
  return runStepDriver(m, ctl);
}

export async function runScenario(s: Scenario, ctl?: DriverControl): Promise<{ machine: Machine; outcome: RunOutcome }> {
  const machine = buildMachine(s);
  return { machine, outcome: await drive(machine, ctl) };
}
