// The timed model at scale: every correct kernel for a long simulated span
// on the 64-core server (no findings, the machine conserved, the same
// numbers twice), and the 128-core part swept to all its CPUs.
import { describe, it, expect } from 'vitest';
import { parseScenario } from '../../src/machine/scenario.js';
import { buildMachine, kernelProgram } from '../../src/commands/run.js';
import { runStepDriver } from '../../src/drivers/step.js';
import { buildReport } from '../../src/report/run.js';
import { bench } from '../../src/commands/bench.js';

const never = { interrupted: () => false };

describe('the timed model, long and wide', () => {
  it.each(['v6.10-patched', 'v6.12-scx', 'v6.17', 'proposed/free-pid-outside-tasklist'])('%s: 64 CPUs of server-2s-64c for 50 ms of simulated time, twice', async (kernel) => {
    const once = async () => {
      const s = parseScenario({ kernel, cpus: 64, machine: 'server-2s-64c', simTime: 0.05, forks: 0, seed: 11 });
      const m = buildMachine(s, kernelProgram(kernel));
      const o = await runStepDriver(m, never);
      return buildReport(m, o);
    };
    const a = await once();
    expect(a.stopReason).toBe('horizon');
    expect(a.findings.total).toBe(0);
    expect(a.conservation?.balanced).toBe(true);
    expect(a.timed!.forks).toBeGreaterThan(5000);
    const b = await once();
    expect(b.timed).toEqual(a.timed);
  });

  it('single-128c swept to 128 CPUs: every point runs clean, and the ceiling is named once contention sets in', async () => {
    const { report } = await bench({
      kernels: ['v6.10-patched'], cpus: [1, 8, 32, 128], machine: 'single-128c', seed: 1, warmup: 0.001, window: 0.005, weights: {}, tasksPerCpu: 4, repeat: 1, command: '',
    }, never);
    expect(report.points.map((p) => p.cpus)).toEqual([1, 8, 32, 128]);
    expect(report.points.every((p) => p.findings === 0)).toBe(true);
    expect(report.points[3].ceiling?.lock).toBe('tasklist_lock');
    expect(report.points[3].efficiency).toBeLessThan(report.points[1].efficiency);
  });
});
