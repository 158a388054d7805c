// One run, end to end: scenario → kernel → machine → driver → outcome (the
// report layer turns the machine and its outcome into the report).
import { assemble, loadKernel, type Program } from '../kasm/index.js';
import { Machine, type MachineOptions } from '../machine/machine.js';
import { BUILTIN_ACTIONS } from '../kasm/builtins.js';
import { ScenarioError, type Scenario } from '../machine/scenario.js';
import { loadHardware } from '../machine/hardware.js';
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

/** What a scenario names that only the kernel model knows: its fault
 *  sites, its actions (weights, programs) and its params. */
export function checkScenario(program: Program, s: Scenario): void {
  const names = new Set(program.sites.slice(1).map((x) => x.name));
  for (const site of Object.keys(s.faults)) {
    if (!names.has(site)) {
      throw new ScenarioError(`scenario: faults: no fault site '${site}' in kernel ${s.kernel}; its sites are: ${[...names].join(', ')}`);
    }
  }
  // Every built-in action can be weighed (one whose routine a model lacks stays off).
  const actions = [...new Set([...BUILTIN_ACTIONS.map((a) => a.name), ...program.actions.map((a) => a.name)])].filter((a) => a !== 'schedule');
  for (const w of Object.keys(s.weights)) {
    if (!actions.includes(w)) throw new ScenarioError(`scenario: weights.${w}: kernel ${s.kernel} has no action '${w}'; its actions are: ${actions.join(', ')}`);
  }
  s.programs?.forEach((prog, cpu) => prog.forEach((name, i) => {
    if (!actions.includes(name)) throw new ScenarioError(`scenario: programs.${cpu}.${i}: kernel ${s.kernel} has no action '${name}'; its actions are: ${actions.join(', ')}`);
  }));
  if (typeof s.interrupts === 'object') {
    const irqs = program.irqs.map((q) => q.name);
    for (const k of Object.keys(s.interrupts)) {
      if (!irqs.includes(k)) throw new ScenarioError(`scenario: interrupts.${k}: kernel ${s.kernel} has no interrupt '${k}'; its interrupts are: ${irqs.join(', ') || '(none)'}`);
    }
  }
  const params = program.vocab.varList.filter((d) => d.type === 'param');
  for (const [k, v] of Object.entries(s.params)) {
    const d = params.find((x) => x.name === k);
    if (!d) throw new ScenarioError(`scenario: params.${k}: kernel ${s.kernel} has no param '${k}'; its params are: ${params.map((x) => x.name).join(', ') || '(none)'}`);
    if (d.ppm && !(v === 0 || (v >= 1e-6 && v <= 1))) throw new ScenarioError(`scenario: params.${k}: a probability: 0, or between 0.000001 and 1`);
    if (!d.ppm && !Number.isInteger(v)) throw new ScenarioError(`scenario: params.${k}: must be an integer`);
  }
}

export function buildMachine(s: Scenario, program: Program = kernelProgram(s.kernel), opts: MachineOptions = {}): Machine {
  checkScenario(program, s);
  if (s.machine === undefined) return Machine.create(program, s, opts);
  // The timed model: the machine file's hardware, CPUs stepped in time order.
  const m = Machine.create(program, s, { ...opts, hardware: opts.hardware ?? loadHardware(s.machine) });
  m.useTimePolicy(s.simTime);
  return m;
}

/** Run a machine under the scenario's driver. */
export async function drive(m: Machine, ctl: DriverControl = { interrupted: () => false }): Promise<RunOutcome> {
  if (m.scenario.driver === 'parallel') {
    const { runParallelDriver } = await import('../drivers/parallel.js');
    return runParallelDriver(m, ctl);
  }
  return runStepDriver(m, ctl);
}

export async function runScenario(s: Scenario, ctl?: DriverControl, opts?: MachineOptions): Promise<{ machine: Machine; outcome: RunOutcome }> {
  const machine = buildMachine(s, undefined, opts);
  if (opts?.scheduleCapacity) machine.recordSchedule();
  return { machine, outcome: await drive(machine, ctl) };
}
