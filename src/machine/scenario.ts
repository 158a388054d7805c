// A scenario: the machine, the workload and the faults of one run, validated
// with zod so that a bad field is named with what it allows. Every number is
// bounded by what the core can hold: 32-bit words, weights in thousandths,
// probabilities in parts per million.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { MAX_CPUS, MAX_TASKS } from '../../assembly/abi.js';
import { MAX_PROGRAM_CPUS, MAX_PROGRAM_LEN } from '../../assembly/layout.js';
import { readInputFile, SCENARIO_FILE_MAX_BYTES } from '../files.js';
import { MAX_WEIGHT, MIN_PPM, MIN_WEIGHT } from '../kasm/builtins.js';
import { shown } from '../kasm/errors.js';

export { MAX_WEIGHT, MAX_PROGRAM_CPUS };

const I32_MAX = 2 ** 31 - 1;
const int = (min: number, max = I32_MAX) => z.number().int().min(min).max(max);

/** A fraction the core keeps in parts per million: 0, or at least MIN_PPM. */
const ppm = () => z.number().min(0).max(1).refine((v) => v === 0 || v >= MIN_PPM, { message: `must be 0 or at least ${MIN_PPM} (kept in parts per million)` });
const weight = () => z.number().min(0).max(MAX_WEIGHT).refine((v) => v === 0 || v >= MIN_WEIGHT, { message: `must be 0 or at least ${MIN_WEIGHT} (kept in thousandths)` });
/** Names of actions and params: what a model declares (checked against it when the machine is built). */
const declaredName = () => z.string().regex(/^[A-Za-z_]\w{0,63}$/, { message: 'must be a kasm name (letters, digits, _; at most 64)' });

/** The knobs of one fault site, as the kernel's fault-injection attributes
 *  (should_fail()) and fail-nth: a pass of the site fails when it is the
 *  nth pass (nth > 0; else any), a multiple of interval (interval > 1; else
 *  any), and wins the probability draw; times caps the failures (-1: no cap). */
export const FAULT_KNOBS = ['probability', 'interval', 'times', 'nth'] as const;
export const FaultKnobs = z.strictObject({
  probability: ppm().default(1),
  interval: int(0).default(0),
  times: int(-1).default(-1),
  nth: int(0).default(0),
}, {
  error: (iss) => (iss.code === 'unrecognized_keys'
    ? `unknown fault knob${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => `'${k}'`).join(', ')}; the knobs are ${FAULT_KNOBS.join(', ')}`
    : undefined),
});
export type FaultKnobs = z.infer<typeof FaultKnobs>;

/** Workload weights by action name (the built-in actions' and the model's
 *  own); an action left out keeps the weight its declaration gives. */
export const Weights = z.record(declaredName(), weight());
export type Weights = z.infer<typeof Weights>;
/** The model's params (`param` declarations) by name; one left out keeps its default. */
export const Params = z.record(declaredName(), z.number().min(-(2 ** 31)).max(2 ** 31 - 1));

/** Live tasks a run aims for beyond the boot tasks (one per CPU), and the
 *  max_threads headroom: both scale with --cpus. */
export const POPULATION_ABOVE_BOOT = 60;

const Schema = z.strictObject({
  kernel: z.string().min(1).max(4096).default('v6.12-scx'),
  driver: z.enum(['parallel', 'step']).default('parallel'),
  cpus: int(1, MAX_CPUS).default(() => Math.min(availableParallelism(), MAX_CPUS)),
  threads: int(1, MAX_CPUS).optional(), // parallel driver: workers (default: one per CPU)
  tasks: int(2, MAX_TASKS).default(4096),
  forks: int(0).default(100_000),
  duration: z.number().positive().max(1e7).optional(),
  seed: z.number().int().min(0).max(2 ** 53).default(1),
  population: int(1).optional(), // default: cpus + POPULATION_ABOVE_BOOT
  maxThreads: int(1).optional(), // default: cpus + POPULATION_ABOVE_BOOT
  pidMax: int(1, 2 ** 30).default(4_194_304),
  weights: Weights.default(() => ({})),
  params: Params.default(() => ({})),
  faults: z.record(z.string().max(256), FaultKnobs).default(() => ({})),
  ledger: z.boolean().default(true),
  lockdep: z.boolean().default(true),
  stopOnFinding: z.boolean().default(false),
  findingsCap: int(16, 1 << 20).default(4096),
  watchdogMs: int(10, 3_600_000).default(2000),
  maxSteps: z.number().int().min(1).max(2 ** 53).optional(),
  // Step driver: stall a CPU now and then (chance per step, longest stall in steps).
  stall: z.strictObject({ rate: ppm(), maxSteps: int(1, 1 << 24).default(2000) }).optional(),
  // Interrupts: 'off', 'on' (the model's declared rates), or rates by handler
  // name (per million steps of a CPU) over the declared ones.
  interrupts: z.union([z.enum(['off', 'on']), z.record(declaredName(), int(0, 1_000_000))]).default('off'),
  preempt: z.enum(['none', 'full']).default('none'),
  preemptRt: z.boolean().default(false),
  // A task blocked on one sleeping lock this long is hung (step driver: steps; parallel: ms).
  hungTaskSteps: int(1000).default(4_000_000),
  hungTaskMs: int(10, 3_600_000).default(2000),
  // A closed scenario: what each CPU runs, as a list of syscalls (action
  // names) in order, in place of the weighted workload; CPUs past the list idle.
  // The timed model: the machine file (a name in machines/ or a path) whose
  // hardware the step driver simulates, stepping CPUs in time order, and the
  // simulated seconds to run for.
  machine: z.string().min(1).max(4096).optional(),
  simTime: z.number().positive().max(60).default(0.01),
  programs: z.array(z.array(declaredName()).max(MAX_PROGRAM_LEN, { message: `at most ${MAX_PROGRAM_LEN} syscalls per CPU` }))
    .min(1).max(MAX_PROGRAM_CPUS, { message: `at most ${MAX_PROGRAM_CPUS} CPUs have a program` }).optional(),
});
export type Scenario = Omit<z.infer<typeof Schema>, 'population' | 'maxThreads'> & { population: number; maxThreads: number };
export type ScenarioInput = z.input<typeof Schema>;

/** A scenario error that names the field and what it allows. */
export class ScenarioError extends Error {}

/** Where a raw input has a key that is no field but the object machinery
 *  (`__proto__` would silently set a prototype instead of a field). */
function prototypeKey(v: unknown, path: string[]): string | null {
  if (typeof v !== 'object' || v === null) return null;
  for (const k of Object.keys(v)) {
    if (k === '__proto__') return [...path, k].join('.');
    const inner = prototypeKey((v as Record<string, unknown>)[k], [...path, k]);
    if (inner) return inner;
  }
  return null;
}

export function parseScenario(input: unknown, where = 'scenario'): Scenario {
  const proto = prototypeKey(input, []);
  if (proto) throw new ScenarioError(`${where}: ${proto}: not a field`);
  const r = Schema.safeParse(input);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${where}: ${i.path.map((p) => shown(String(p))).join('.') || '(top level)'}: ${shown(i.message, 400)}`);
    throw new ScenarioError(lines.join('\n'));
  }
  const d = r.data;
  const s: Scenario = { ...d, population: d.population ?? d.cpus + POPULATION_ABOVE_BOOT, maxThreads: d.maxThreads ?? d.cpus + POPULATION_ABOVE_BOOT };
  if (s.machine !== undefined) {
    // The timed model runs under the step driver (one thread, in time order).
    const asked = (input as { driver?: unknown }).driver;
    if (asked === 'parallel') throw new ScenarioError(`${where}: machine: the timed model runs under the step driver (driver: step), not parallel`);
    s.driver = 'step';
  }
  if (s.threads !== undefined && s.threads > s.cpus) throw new ScenarioError(`${where}: threads (${s.threads}) must be at most cpus (${s.cpus})`);
  if (s.programs && s.programs.length > s.cpus) throw new ScenarioError(`${where}: programs: ${s.programs.length} programs for ${s.cpus} CPUs`);
  if (s.cpus + 1 > s.tasks) throw new ScenarioError(`${where}: tasks (${s.tasks}) must exceed cpus (${s.cpus}): each CPU has a boot task`);
  return s;
}

/** The defaults of a machine with this many CPUs (what a reproduce line leaves out). */
export const defaultScenario = (cpus: number): Scenario => parseScenario({ cpus });

export function loadScenarioFile(path: string): unknown {
  let text: string;
  try {
    text = readInputFile(path, 'scenario file', SCENARIO_FILE_MAX_BYTES);
  } catch (e) {
    throw new ScenarioError((e as Error).message);
  }
  try {
    return path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ScenarioError(`${path}: not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${shown((e as Error).message.split('\n')[0])}`);
  }
}
