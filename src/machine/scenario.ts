// A scenario: the machine, the workload and the faults of one run, validated
// with zod so that a bad field is named with what it allows.
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { MAX_CPUS, MAX_TASKS } from '../../assembly/abi.js';

/** The knobs of one fault site, as the kernel's fault-injection attributes
 *  (should_fail()) and fail-nth: a pass of the site fails when it is the
 *  nth pass (nth > 0; else any), a multiple of interval (interval > 1; else
 *  any), and wins the probability draw; times caps the failures (-1: no cap). */
export const FAULT_KNOBS = ['probability', 'interval', 'times', 'nth'] as const;
export const FaultKnobs = z.strictObject({
  probability: z.number().min(0).max(1).default(1),
  interval: z.number().int().min(0).default(0),
  times: z.number().int().min(-1).default(-1),
  nth: z.number().int().min(0).default(0),
}, {
  error: (iss) => (iss.code === 'unrecognized_keys'
    ? `unknown fault knob${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => `'${k}'`).join(', ')}; the knobs are ${FAULT_KNOBS.join(', ')}`
    : undefined),
});
export type FaultKnobs = z.infer<typeof FaultKnobs>;

export const Weights = z.strictObject({
  fork: z.number().min(0).default(40),
  exit: z.number().min(0).default(20),
  wait: z.number().min(0).default(30),
  kill: z.number().min(0).default(3),
  yield: z.number().min(0).default(10),
  scxEnable: z.number().min(0).default(0.02),
  scxDisable: z.number().min(0).default(0.02),
  loadBalance: z.number().min(0).default(1),
  zapPidNs: z.number().min(0).default(0.01),
  reopenPidNs: z.number().min(0).default(0.5),
});
export type Weights = z.infer<typeof Weights>;

export const Scenario = z.strictObject({
  kernel: z.string().min(1).default('v6.12-scx'),
  driver: z.enum(['parallel', 'step']).default('parallel'),
  cpus: z.number().int().min(1).max(MAX_CPUS).default(() => Math.min(availableParallelism(), MAX_CPUS)),
  threads: z.number().int().min(1).max(MAX_CPUS).optional(), // parallel driver: workers (default: one per CPU)
  tasks: z.number().int().min(2).max(MAX_TASKS).default(4096),
  forks: z.number().int().min(0).default(100_000),
  duration: z.number().positive().optional(),
  seed: z.number().int().min(0).max(2 ** 53).default(1),
  population: z.number().int().min(1).default(64),
  maxThreads: z.number().int().min(1).default(64),
  pidMax: z.number().int().min(1).max(2 ** 30).default(4_194_304),
  pidsLimit: z.number().int().min(0).default(0),
  scxInitTaskFail: z.number().min(0).max(1).default(0.001),
  weights: Weights.default(() => Weights.parse({})),
  faults: z.record(z.string(), FaultKnobs).default(() => ({})),
  ledger: z.boolean().default(true),
  lockdep: z.boolean().default(true),
  stopOnFinding: z.boolean().default(false),
  findingsCap: z.number().int().min(16).max(1 << 20).default(4096),
  watchdogMs: z.number().int().min(10).default(2000),
  maxSteps: z.number().int().min(1).optional(),
  // Step driver: stall a CPU now and then (chance per step, longest stall in steps).
  stall: z.strictObject({ rate: z.number().min(0).max(1), maxSteps: z.number().int().min(1).max(1 << 24).default(2000) }).optional(),
});
export type Scenario = z.infer<typeof Scenario>;
export type ScenarioInput = z.input<typeof Scenario>;

/** A scenario error that names the field and what it allows. */
export class ScenarioError extends Error {}

export function parseScenario(input: unknown, where = 'scenario'): Scenario {
  const r = Scenario.safeParse(input);
  if (r.success) {
    if (r.data.threads !== undefined && r.data.threads > r.data.cpus) throw new ScenarioError(`${where}: threads (${r.data.threads}) must be at most cpus (${r.data.cpus})`);
    if (r.data.cpus + 1 > r.data.tasks) throw new ScenarioError(`${where}: tasks (${r.data.tasks}) must exceed cpus (${r.data.cpus}): each CPU has a boot task`);
    return r.data;
  }
  const lines = r.error.issues.map((i) => `${where}: ${i.path.join('.') || '(top level)'}: ${i.message}`);
  throw new ScenarioError(lines.join('\n'));
}

export function loadScenarioFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ScenarioError(`${path}: cannot read: ${(e as Error).message}`);
  }
  try {
    return path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ScenarioError(`${path}: not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message}`);
  }
}
