// A schedule written down: its departures from the default choice (stay on
// the CPU that ran last while it can go on), as (point, CPU) pairs. A
// schedule with few preemptions is a few pairs, so the replay token — model
// digest, scenario, strategy and the choices in one string — stays short.
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Program } from '../kasm/index.js';
import { defaultScenario, parseScenario, type Scenario } from '../machine/scenario.js';
import { defaultChoice } from './strategy.js';
import type { Chooser, PointView } from './execution.js';

/** Departures from the default choice: at point `at`, CPU `cpu`. */
export type Departures = { at: number; cpu: number }[];

/** The departures of a schedule, given each point's enabled set as it ran. */
export class DepartureLog implements Chooser {
  readonly departures: Departures = [];
  constructor(private readonly inner: Chooser) {}
  choose(p: PointView): number {
    const c = this.inner.choose(p);
    if (c >= 0 && c !== defaultChoice(p)) this.departures.push({ at: p.index, cpu: c });
    return c;
  }
}

/** Follow departures; elsewhere the default choice. A departure naming a
 *  CPU that cannot step there is a schedule of another model or scenario. */
export class DepartureReplay implements Chooser {
  private i = 0;
  constructor(private readonly departures: Departures) {}
  choose(p: PointView): number {
    while (this.i < this.departures.length && this.departures[this.i].at < p.index) this.i++;
    const d = this.departures[this.i];
    if (d?.at !== p.index) return defaultChoice(p);
    if (!p.enabled.includes(d.cpu)) throw new ScheduleError(`the schedule does not fit this model: at point ${p.index} it runs CPU ${d.cpu}, which cannot step (CPUs that can: ${p.enabled.join(', ')})`);
    return d.cpu;
  }
}

export class ScheduleError extends Error {}

/** A short digest of what a model executes: a token made against another
 *  model is refused, not replayed into a different schedule. */
export function modelDigest(p: Program): string {
  const h = createHash('sha256');
  h.update(new Uint8Array(p.code.buffer, p.code.byteOffset, p.code.byteLength));
  h.update(JSON.stringify([p.effects, p.conds, p.vars, p.sites.map((s) => s.name), p.actions.map((a) => [a.name, a.action])], (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
  return h.digest('hex').slice(0, 12);
}

/** What a replay token holds. */
export interface Token { kernel: string; digest: string; scenario: Scenario; strategy: string; departures: Departures }

const PREFIX = 'fs1-';
/** Longer tokens go to a schedule file (`--schedule FILE`). */
export const TOKEN_MAX = 2000;

/** The scenario's fields that differ from the defaults of its machine. */
function scenarioDiff(s: Scenario): Record<string, unknown> {
  const d = defaultScenario(s.cpus) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { cpus: s.cpus, kernel: s.kernel };
  for (const [k, v] of Object.entries(s)) if (JSON.stringify(v) !== JSON.stringify(d[k])) out[k] = v;
  return out;
}

export function encodeToken(t: Token): string {
  const flat = t.departures.flatMap((d, i) => [d.at - (i ? t.departures[i - 1].at : 0), d.cpu]);
  const json = JSON.stringify({ d: t.digest, s: scenarioDiff(t.scenario), st: t.strategy, c: flat });
  return PREFIX + deflateRawSync(Buffer.from(json)).toString('base64url');
}

export function decodeToken(text: string): Token {
  const s = text.trim();
  if (!s.startsWith(PREFIX)) throw new ScheduleError(`not a forksim replay token (they start with '${PREFIX}')`);
  let raw: { d: string; s: Record<string, unknown>; st: string; c: number[] };
  try {
    raw = JSON.parse(inflateRawSync(Buffer.from(s.slice(PREFIX.length), 'base64url'), { maxOutputLength: 1 << 20 }).toString());
  } catch {
    throw new ScheduleError('the replay token is damaged (it does not decode)');
  }
  if (typeof raw?.d !== 'string' || typeof raw.st !== 'string' || !Array.isArray(raw.c) || raw.c.length % 2 || raw.c.some((x) => !Number.isInteger(x) || x < 0)) {
    throw new ScheduleError('the replay token is damaged (its fields are not a schedule)');
  }
  const scenario = parseScenario(raw.s, 'replay token');
  const departures: Departures = [];
  for (let i = 0, at = 0; i < raw.c.length; i += 2) { at += raw.c[i]; departures.push({ at, cpu: raw.c[i + 1] }); }
  return { kernel: scenario.kernel, digest: raw.d, scenario, strategy: raw.st, departures };
}
