// dfs at preemption bound 2 exhausts small closed scenarios of every
// correct kernel — fork, exit, wait, kill, scx enable and disable mixes, with
// and without a fault plan — and finds nothing, strictly (no reduction) and
// with sleep sets; the schedule counts of both go to the log.
import { describe, it, expect } from 'vitest';
import { parseScenario, type ScenarioInput } from '../../src/machine/scenario.js';
import { buildMachine } from '../../src/commands/run.js';
import { explore } from '../../src/explore/campaign.js';

const CASES: [string, string[][], ScenarioInput][] = [
  ['v6.10', [['fork', 'yield', 'exit', 'wait'], ['kill']], {}],
  ['v6.10', [['fork'], ['fork']], { faults: { copy_files: { nth: 2 } } }],
  ['v6.10-patched', [['fork'], ['fork']], {}],
  ['v6.10-patched', [['fork', 'kill'], ['fork']], { faults: { copy_mm: { nth: 1 } } }],
  ['v6.12-scx', [['scx_enable'], ['fork']], { faults: { fatal_signal_pending: { nth: 2 } } }],
  ['v6.12-scx', [['scx_enable', 'scx_disable'], ['fork']], {}],
  ['v6.17', [['fork', 'yield', 'exit', 'wait'], ['kill']], {}],
  ['v6.17', [['fork'], ['fork']], { faults: { copy_files: { nth: 2 } } }],
  ['proposed/scx-cancel-fork-state', [['scx_enable'], ['fork']], { faults: { fatal_signal_pending: { nth: 1 } } }],
  ['proposed/scx-cancel-fork-state', [['scx_enable', 'scx_disable'], ['fork']], { faults: { sched_cgroup_fork: { nth: 1 } } }],
];

describe('dfs, bound 2: every schedule of small closed scenarios of the correct kernels', () => {
  it.each(CASES)('%s %j %j', async (kernel, programs, extra) => {
    const s = parseScenario({ kernel, driver: 'step', cpus: programs.length, tasks: 64, forks: 0, programs, ...extra });
    const counts: number[] = [];
    for (const reduction of [false, true]) {
      const r = await explore(buildMachine(s), { strategy: 'dfs', depth: 3, preemptions: 2, reduction, maxPoints: 20_000, shrink: false });
      expect(r.coverage.exhausted).toBe(true);
      expect(r.findings.map((f) => f.finding.message)).toEqual([]);
      counts.push(r.coverage.schedules);
    }
    expect(counts[1]).toBeLessThanOrEqual(counts[0]);
    console.log(`${kernel} ${JSON.stringify(programs)} ${JSON.stringify(extra)}: ${counts[0]} schedules without reduction, ${counts[1]} with sleep sets`);
  }, 300_000);
});
