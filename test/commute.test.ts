// The dependence relation explore reduces with, checked against the
// machine itself: wherever a schedule runs two transitions of different
// CPUs back to back that nextAccess() calls independent, running them the
// other way round must leave the machine byte for byte the same. A wrong
// object (a write the access model does not name) shows up here as a pair
// that does not commute.
import { describe, it, expect } from 'vitest';
import { parseScenario, type ScenarioInput } from '../src/machine/scenario.js';
import { buildMachine } from '../src/commands/run.js';
import type { Machine } from '../src/machine/machine.js';
import * as L from '../assembly/layout.js';
import { dependent, runSchedule, type Chooser, type PointView } from '../src/explore/execution.js';
import * as A from '../assembly/abi.js';
import { Rng, defaultChoice } from '../src/explore/strategy.js';

/** Follow a list of CPUs; past it (or where one cannot step), the default. */
class ListChooser implements Chooser {
  constructor(private readonly list: number[]) {}
  choose(p: PointView): number {
    const c = this.list[p.index];
    return c !== undefined && p.enabled.includes(c) ? c : defaultChoice(p);
  }
}

/** A random schedule's choices and accesses. */
function randomRun(m: Machine, seed: number) {
  const rng = new Rng(seed, 0);
  return runSchedule(m, { choose: (p) => p.enabled[rng.below(p.enabled.length)] }, 20_000);
}

/** What the machine does next depends on: its bytes, less what lockdep and
 *  the finding tables record of who got somewhere first (the first-seen
 *  CPU and pc of a dependency, its search scratch, the usage sites, the
 *  records' order). Those are what explore looks for, in any order; the
 *  findings themselves are compared by kind and count. */
function behaviour(m: Machine): { bytes: Buffer; findings: string[] } {
  const bytes = Buffer.from(m.machineBytes());
  const bases = ['H_FINDINGS_BASE', 'H_LD_MATRIX_BASE', 'H_LD_EDGES_BASE', 'H_LD_SCRATCH_BASE', 'H_LOCKSTAT_BASE', 'H_CONTENTION_BASE', 'H_SCHED_BASE', 'H_STAGE_BASE',
    'H_DISTINCT_BASE', 'H_FIRSTS_BASE', 'H_KCTX_BASE', 'H_LD_USAGE_BASE', 'H_END'].map((n) => [n, m.h((L as unknown as Record<string, number>)[n])] as const).sort((a, b) => a[1] - b[1]);
  const ignored = new Set(['H_FINDINGS_BASE', 'H_LD_EDGES_BASE', 'H_LD_SCRATCH_BASE', 'H_STAGE_BASE', 'H_DISTINCT_BASE', 'H_FIRSTS_BASE', 'H_LD_USAGE_BASE']);
  bases.forEach(([name, at], i) => { if (ignored.has(name) && i + 1 < bases.length) bytes.fill(0, at, bases[i + 1][1]); });
  return { bytes, findings: m.distinctFindings().map((d) => `${d.first.kind} ${d.first.pc} ${d.count}`).sort() };
}

function stateAfter(m: Machine, choices: number[]): ReturnType<typeof behaviour> {
  const r = runSchedule(m, new ListChooser(choices), choices.length);
  expect(r.choices).toEqual(choices); // the prefix ran as asked
  return behaviour(m);
}

const CASES: [string, string[][], ScenarioInput][] = [
  ['v6.10', [['fork', 'yield', 'exit', 'wait'], ['kill', 'fork']], {}],
  ['v6.10-patched', [['fork'], ['fork']], { faults: { copy_mm: { nth: 2 } } }],
  ['v6.12-scx', [['scx_enable', 'fork'], ['fork', 'scx_disable']], {}],
  ['v6.17', [['clone_thread', 'exit'], ['fork', 'vfork']], {}],
];

/** Adjacent pairs of different CPUs that `independent` calls independent,
 *  swapped: how many were checked, and those that did not commute. */
function check(m: Machine, independent: (a: number, b: number) => boolean, seeds: number): { checked: number; bad: string[] } {
  let checked = 0;
  const bad: string[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const run = randomRun(m, seed);
    for (let i = 0; i + 1 < run.choices.length; i++) {
      const [a, b] = [run.choices[i], run.choices[i + 1]];
      if (a === b || !independent(run.accesses[i], run.accesses[i + 1])) continue;
      const prefix = run.choices.slice(0, i);
      const straight = stateAfter(m, [...prefix, a, b]);
      const swapped = [...prefix, b, a];
      const other = runSchedule(m, new ListChooser(swapped), swapped.length);
      if (other.choices.join() !== swapped.join()) continue; // b could not step first
      const after = behaviour(m);
      checked++;
      if (!after.bytes.equals(straight.bytes) || after.findings.join() !== straight.findings.join()) {
        bad.push(`seed ${seed}, points ${i}, ${i + 1}: CPU ${a} ${(run.accesses[i] >>> 0).toString(16)}, CPU ${b} ${(run.accesses[i + 1] >>> 0).toString(16)}`);
      }
    }
  }
  return { checked, bad };
}

const machineOf = (kernel: string, programs: string[][], extra: ScenarioInput) =>
  buildMachine(parseScenario({ kernel, driver: 'step', cpus: programs.length, tasks: 64, forks: 0, programs, ...extra }));

describe('independent transitions commute', () => {
  it.each(CASES)('%s %j %j', (kernel, programs, extra) => {
    const r = check(machineOf(kernel, programs, extra), (a, b) => !dependent(a, b), 6);
    expect(r.bad).toEqual([]);
    expect(r.checked).toBeGreaterThan(20); // not vacuous
  }, 120_000);

  it('the check catches a relation that forgets a shared object (two writes of one variable called independent)', () => {
    // Only the whole-machine object conflicts: lock words and variable words are forgotten.
    const forgetful = (a: number, b: number): boolean => !dependent(a, b) || ((a & ~A.ACC_KIND_MASK) !== A.OBJ_MACHINE && (b & ~A.ACC_KIND_MASK) !== A.OBJ_MACHINE);
    const r = check(machineOf('v6.12-scx', [['scx_enable', 'fork'], ['fork', 'scx_disable']], {}), forgetful, 6);
    expect(r.bad.length).toBeGreaterThan(0);
  }, 120_000);
});
