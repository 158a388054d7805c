// The flags every command shares: numbers, name=value lists, fault specs,
// and the scenario they build (a scenario file's fields, flags over them).
import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseScenario, loadScenarioFile, ScenarioError, type Scenario } from '../machine/scenario.js';

export const EXIT = { clean: 0, findings: 1, usage: 2, partial: 3 } as const;

export class UsageError extends Error {}

export const int = (name: string) => (v: string): number => {
  if (!/^\d{1,16}$/.test(v)) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return Number(v);
};
export const num = (name: string) => (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number`);
  return n;
};

export type KeyValues = Record<string, number>;

/** `fork=40,exit=20` → { fork: 40, exit: 20 }, in an object with no
 *  prototype, so that no name is taken for a built-in. */
export function keyValues(text: string, what: string): KeyValues {
  const out: KeyValues = Object.create(null);
  for (const part of text.split(',').filter(Boolean)) {
    const eq = part.indexOf('=');
    const k = part.slice(0, eq), v = part.slice(eq + 1);
    const n = Number(v);
    if (eq <= 0 || v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${what}: '${part.slice(0, 60)}' is not name=number`);
    out[k] = n;
  }
  return out;
}

/** `--fail site[:probability=0.01,times=100]` (repeatable). A site name may
 *  itself hold colons (`alloc_pid:pidns_adding`): knobs are what follows the
 *  last colon, when that holds an `=`. */
export function parseFail(spec: string, acc: Record<string, KeyValues> = Object.create(null)): Record<string, KeyValues> {
  const i = spec.lastIndexOf(':');
  const knobs = i >= 0 && spec.slice(i + 1).includes('=');
  const site = knobs ? spec.slice(0, i) : spec;
  if (!site) throw new InvalidArgumentError(`--fail needs SITE[:knob=value,...]`);
  acc[site] = knobs ? keyValues(spec.slice(i + 1), `--fail ${site}`) : Object.create(null);
  return acc;
}

export interface RunFlags {
  scenario?: string; kernel?: string; driver?: string; cpus?: number; threads?: number; tasks?: number; forks?: number; duration?: number;
  seed?: number; population?: number; maxThreads?: number; pidMax?: number;
  weights?: string; param?: string; fail?: Record<string, KeyValues>; ledger?: boolean; lockdep?: string; stopOnFinding?: boolean;
  watchdog?: number; maxSteps?: number; stall?: string; json?: boolean; report?: string; progress?: boolean;
  irq?: string; preempt?: string; preemptRt?: boolean; hungTask?: number; programs?: string[][]; trace?: string;
  machine?: string; simTime?: number;
}

/** The scenario file's fields (none without --scenario). */
export function scenarioFile(flags: Pick<RunFlags, 'scenario'>): Record<string, unknown> {
  const base = flags.scenario ? loadScenarioFile(flags.scenario) : {};
  if (typeof base !== 'object' || base === null || Array.isArray(base)) throw new ScenarioError(`${flags.scenario}: a scenario is a mapping of fields`);
  return base as Record<string, unknown>;
}

/** The scenario: the file's fields (`b`, read by the caller or here), flags over them. */
export function scenarioFrom(flags: RunFlags, b: Record<string, unknown> = scenarioFile(flags)): Scenario {
  const input: Record<string, unknown> = { ...b };
  const set = (k: string, v: unknown): void => { if (v !== undefined) input[k] = v; };
  set('kernel', flags.kernel);
  set('driver', flags.driver);
  set('cpus', flags.cpus);
  set('threads', flags.threads);
  set('tasks', flags.tasks);
  set('forks', flags.forks);
  set('duration', flags.duration);
  set('seed', flags.seed);
  set('population', flags.population);
  set('maxThreads', flags.maxThreads);
  set('pidMax', flags.pidMax);
  set('watchdogMs', flags.watchdog);
  set('maxSteps', flags.maxSteps);
  set('programs', flags.programs);
  set('machine', flags.machine);
  set('simTime', flags.simTime);
  if (flags.stall !== undefined) {
    const [rate, max] = flags.stall.split(':');
    const n = Number(rate), m = max === undefined ? undefined : Number(max);
    if (rate === '' || !Number.isFinite(n) || (m !== undefined && !Number.isInteger(m))) throw new UsageError(`--stall: '${flags.stall.slice(0, 60)}' is not RATE[:MAX_STEPS]`);
    input.stall = { rate: n, ...(m === undefined ? {} : { maxSteps: m }) };
  }
  const object = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? v as Record<string, unknown> : {});
  if (flags.weights) input.weights = { ...object(b.weights), ...keyValues(flags.weights, '--weights') };
  if (flags.param) input.params = { ...object(b.params), ...keyValues(flags.param, '--param') };
  if (flags.fail) input.faults = { ...object(b.faults), ...flags.fail };
  if (flags.ledger === false) input.ledger = false;
  if (flags.lockdep !== undefined) input.lockdep = flags.lockdep === 'on';
  if (flags.stopOnFinding) input.stopOnFinding = true;
  if (flags.irq !== undefined) {
    input.interrupts = flags.irq === 'on' || flags.irq === 'off' ? flags.irq : { ...object(b.interrupts), ...keyValues(flags.irq, '--irq') };
  }
  set('preempt', flags.preempt);
  if (flags.preemptRt) input.preemptRt = true;
  if (flags.hungTask !== undefined) input[input.driver === 'step' ? 'hungTaskSteps' : 'hungTaskMs'] = flags.hungTask;
  const s = parseScenario(input, flags.scenario ?? 'scenario');
  warnIgnored(s);
  return s;
}

/** Settings of one driver given to the other do nothing: say so. */
function warnIgnored(s: Scenario): void {
  const ignored = s.driver === 'step'
    ? [s.threads !== undefined && '--threads', s.watchdogMs !== 2000 && '--watchdog']
    : [s.stall !== undefined && '--stall', s.maxSteps !== undefined && '--max-steps'];
  const names = ignored.filter(Boolean);
  if (names.length) process.stderr.write(`forksim: warning: ${names.join(' and ')} ${names.length > 1 ? 'apply' : 'applies'} to the ${s.driver === 'step' ? 'parallel' : 'step'} driver only; ignored\n`);
}

/** The execution-context flags `run` and `explore` share: lockdep,
 *  interrupts, preemption, PREEMPT_RT. */
export function contextOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--lockdep <on|off>', 'lock validation (default: on)').choices(['on', 'off']))
    .option('--irq <on|off|name=rate,...>', "interrupts: the model's declared rates (on), none (off, the default), or rates per million steps of a CPU by handler (check --list shows them)")
    .option('--preempt <none|full>', 'none: kernel code runs to completion (default); full: a tick may preempt a task in the kernel at preempt_count 0')
    .option('--preempt-rt', 'PREEMPT_RT: spinlock_t and rwlock_t sleep, their _irq forms leave interrupts on, and they nest only in sleeping contexts');
}
