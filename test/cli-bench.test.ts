// forksim bench and run --machine as a user meets them: the JSON and the
// markdown from one sweep, the HTML page, exit codes, one-line reasons for
// bad input, and a signal that still prints the points measured.
import { describe, it, expect } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/paths.js';
import type { ScalingReport } from '../src/analysis/scaling.js';

const CLI = join(PACKAGE_ROOT, 'dist', 'src', 'cli.js');
const forksim = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: PACKAGE_ROOT, timeout: 120_000 });
const tmp = (): string => mkdtempSync(join(tmpdir(), 'forksim-'));
const SMALL = ['--cpus', '1,4', '--warmup', '0.0005', '--window', '0.002'];

describe('forksim bench', () => {
  it('one sweep gives the JSON on stdout, the same data to --out, and a self-contained page to --html', () => {
    const dir = tmp();
    const out = forksim('bench', ...SMALL, '--json', '--out', join(dir, 'r.json'), '--html', join(dir, 'r.html'));
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    const r = JSON.parse(out.stdout) as ScalingReport;
    expect(r.machine.name).toBe('server-2s-64c');
    expect(r.points.map((p) => [p.kernel, p.cpus])).toEqual([['v6.10-patched', 1], ['v6.10-patched', 4]]);
    expect(r.points[1].forksPerSec).toBeGreaterThan(r.points[0].forksPerSec);
    expect(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')).points).toEqual(r.points);
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    expect(html).toMatch(/<svg[^>]*data-chart="throughput"/);
    expect(html).not.toMatch(/https?:\/\//); // nothing to fetch
  });

  it('the markdown table is the default, one row per point', () => {
    const out = forksim('bench', ...SMALL, '--kernel', 'proposed/free-pid-outside-tasklist');
    expect(out.status).toBe(0);
    expect(out.stdout.split('\n').filter((l) => l.startsWith('| proposed/free-pid-outside-tasklist |'))).toHaveLength(2);
  });

  it('bad input is one line and exit 2: CPU list, machine, more CPUs than it has, a bad model', () => {
    const cases: [string[], RegExp][] = [
      [['--cpus', '1,x'], /--cpus: '1,x' is not a list of CPU counts/],
      [['--machine', 'no-such'], /machine 'no-such' not found; the machines are: desktop-8c, host, server-2s-64c, single-128c/],
      [['--machine', 'desktop-8c', '--cpus', '16'], /--cpus: 16 is more than the 8 CPUs machine 'desktop-8c' has/],
      [['--kernel', 'no-such-model', '--cpus', '1'], /no-such-model/],
      [['--window', '0'], /--window must be in \(0, 1\]/],
    ];
    for (const [args, why] of cases) {
      const out = forksim('bench', ...args);
      expect(out.status, args.join(' ')).toBe(2);
      expect(out.stderr.trim().split('\n')).toHaveLength(1);
      expect(out.stderr).toMatch(why);
    }
  });

  it('SIGTERM mid-sweep prints the points measured and exits 3', async () => {
    const child = spawn(process.execPath, [CLI, 'bench', '--cpus', '1,2,4,8,16,32,64', '--window', '0.05', '--json', '--progress'], { cwd: PACKAGE_ROOT });
    let stdout = '', stderr = '', sent = false;
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!sent && /1\/7 points/.test(stderr)) { sent = true; child.kill('SIGTERM'); } // once, after the first point
    });
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code).toBe(3);
    const r = JSON.parse(stdout) as ScalingReport;
    expect(r.points.length).toBeGreaterThanOrEqual(1);
    expect(r.points.length).toBeLessThan(7);
  }, 60_000);
});

describe('forksim run --machine', () => {
  it('reports in simulated time, and its reproduce line replays the same numbers', () => {
    const args = ['run', '--kernel', 'v6.10-patched', '--machine', 'desktop-8c', '--cpus', '4', '--sim-time', '0.002', '--forks', '0', '--json'];
    const a = forksim(...args);
    expect(a.status).toBe(0);
    const r = JSON.parse(a.stdout);
    expect(r.driver).toBe('step');
    expect(r.stopReason).toBe('horizon');
    expect(r.timed.machine).toBe('desktop-8c');
    expect(r.lockStat.unit).toBe('ns');
    const again = forksim(...r.reproduce.replace(/^forksim /, '').split(' '), '--json');
    expect(JSON.parse(again.stdout).timed).toEqual(r.timed);
  });

  it('the parallel driver is refused with the machine, naming the field', () => {
    const out = forksim('run', '--machine', 'host', '--driver', 'parallel', '--cpus', '2');
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/machine: the timed model runs under the step driver/);
  });
});
