// The command line against hostile input: every case here once crashed,
// hung, lost output or misled, and each now ends with a stated exit status
// and first line of stderr (0 clean, 1 findings, 2 bad input, 3 interrupted
// with nothing found). Every run is bounded.
import { describe, it, expect } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/paths.js';
import { kernelProgram } from '../src/commands/run.js';

const CLI = join(PACKAGE_ROOT, 'dist', 'src', 'cli.js');
const forksim = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: PACKAGE_ROOT, timeout: 90_000, maxBuffer: 64 << 20 });
const firstLine = (s: string): string => s.split('\n')[0];
const tmp = (): string => mkdtempSync(join(tmpdir(), 'forksim-robust-'));
/** A model folder on v6.10 with one file. */
function model(text: string, base = 'v6.10'): string {
  const dir = tmp();
  writeFileSync(join(dir, 'base'), `${base}\n`);
  writeFileSync(join(dir, 'fork.kasm'), text);
  return dir;
}

describe('crashes that are now clean errors', () => {
  it('Object.prototype names in kasm: file:line:col, never a TypeError or errno 0', () => {
    const asMnemonic = model('routine void sys_sched_yield\n    constructor tasklist_lock\n    return\n');
    const a = forksim('check', asMnemonic);
    expect(a.status).toBe(2);
    expect(firstLine(a.stderr)).toMatch(/fork\.kasm:2:5: unknown instruction 'constructor'/);
    const asErrno = model('routine int copy_process\n    copy_creds else fork_out constructor\n    return\nfork_out:\n    return\n');
    const b = forksim('check', join(asErrno, 'fork.kasm'));
    expect(b.status).toBe(2);
    expect(firstLine(b.stderr)).toMatch(/fork\.kasm:2:30: unknown errno 'constructor'/);
  });

  it('Object.prototype names in flags and scenarios are names like any other', () => {
    // Weights are keyed by the model's actions: an Object.prototype name is an action it lacks.
    const w = forksim('run', '--driver', 'step', '--forks', '10', '--weights', 'constructor=1');
    expect(w.status).toBe(2);
    expect(firstLine(w.stderr)).toMatch(/^forksim: scenario: weights\.constructor: kernel v6\.12-scx has no action 'constructor'; its actions are: fork, exit, wait, kill, yield, load_balance, /);
    const p = forksim('run', '--driver', 'step', '--forks', '10', '--weights', '__proto__=1');
    expect(p.status).toBe(2);
    expect(firstLine(p.stderr)).toBe('forksim: scenario: weights.__proto__: not a field');
    // and so are params, by the model's declared params
    const k = forksim('run', '--driver', 'step', '--forks', '10', '--param', 'constructor=1');
    expect(k.status).toBe(2);
    const params = kernelProgram('v6.12-scx').vocab.varList.filter((d) => d.type === 'param').map((d) => d.name);
    expect(params).toContain('pids_limit');
    expect(firstLine(k.stderr)).toBe(`forksim: scenario: params.constructor: kernel v6.12-scx has no param 'constructor'; its params are: ${params.join(', ')}`);
    const q = forksim('run', '--driver', 'step', '--forks', '10', '--param', '__proto__=1');
    expect(q.status).toBe(2);
    expect(firstLine(q.stderr)).toBe('forksim: scenario: params.__proto__: not a field');
    const f = forksim('run', '--driver', 'step', '--forks', '10', '--fail', 'hasOwnProperty');
    expect(f.status).toBe(2);
    expect(firstLine(f.stderr)).toMatch(/^forksim: scenario: faults: no fault site 'hasOwnProperty' in kernel v6.12-scx; its sites are: /);
    const dir = tmp();
    writeFileSync(join(dir, 's.json'), '{"faults": {"__proto__": {"nth": 1}}}');
    const s = forksim('run', '--scenario', join(dir, 's.json'));
    expect(s.status).toBe(2);
    expect(firstLine(s.stderr)).toBe(`forksim: ${join(dir, 's.json')}: faults.__proto__: not a field`);
  });

  it('a closed stdout ends the program quietly', () => {
    for (const cmd of [`check v6.10 mutants/leak-skip-release`, `faults --json --site copy_creds`, `run --json --driver step --kernel mutants/leak-skip-release --forks 3000`]) {
      const out = spawnSync('bash', ['-c', `node ${CLI} ${cmd} | head -c 100 >/dev/null; echo "rc=\${PIPESTATUS[0]}" >&2`], { encoding: 'utf8', cwd: PACKAGE_ROOT, timeout: 90_000 });
      expect(out.stderr, cmd).not.toMatch(/Unhandled|EPIPE|at .*\.js:\d+/);
      expect(out.stderr, cmd).toMatch(/rc=[01]$/m);
    }
  });

  it('an unknown model or a .kasm file as --kernel is one line', () => {
    const a = forksim('run', '--kernel', 'no-such-kernel');
    expect(a.status).toBe(2);
    expect(a.stderr.trim().split('\n')).toHaveLength(1);
    expect(a.stderr).toMatch(/^forksim: unknown kernel model 'no-such-kernel'; models: /);
    const b = forksim('faults', '--kernel', 'kernels/v6.10/fork.kasm');
    expect(b.status).toBe(2);
    expect(b.stderr.trim().split('\n')).toHaveLength(1);
    expect(b.stderr).toMatch(/^forksim: 'kernels\/v6.10\/fork.kasm' is a .kasm file, not a kernel model: use 'forksim check kernels\/v6.10\/fork.kasm'/);
  });
});

describe('hangs and runaway cost', () => {
  it('--cpus 64 forks: the population and max_threads scale with the CPUs', () => {
    const out = forksim('run', '--kernel', 'v6.10-patched', '--cpus', '64', '--threads', '4', '--forks', '3000', '--json');
    expect(out.status, out.stderr).toBe(0);
    const r = JSON.parse(out.stdout);
    expect(r.stopReason).toBe('forks');
    expect(r.forks.ok).toBeGreaterThan(1000);
  });

  it('a run that never forks (no clone of any kind weighted) stops with a livelock finding, under both drivers', () => {
    for (const driver of ['parallel', 'step']) {
      const out = forksim('run', '--driver', driver, '--cpus', '2', '--forks', '20000', '--weights', 'fork=0,vfork=0,clone_pidfd=0,clone_thread=0', '--json', ...(driver === 'parallel' ? ['--watchdog', '300'] : []));
      expect(out.status, driver).toBe(1);
      const r = JSON.parse(out.stdout);
      expect(r.stopReason, driver).toBe('livelock');
      expect(r.findings.groups.map((g: { kind: string }) => g.kind), driver).toEqual(['livelock']);
      expect(r.extra[0], driver).toMatch(/^no fork attempt completed in .* while the CPUs completed \d+ syscalls \(a livelock\):$/);
      expect(r.extra[1], driver).toMatch(/^CPU0 \(pid \d+\) /);
    }
  });

  it('a routine that loops for ever is a finding with small --forks or --max-steps, never a clean DEADLOCK', () => {
    const looping = model('routine void sys_sched_yield\nagain:\n    goto again\n');
    for (const limit of [['--forks', '100'], ['--forks', '0', '--max-steps', '1000000']]) {
      const out = forksim('run', '--driver', 'step', '--kernel', looping, '--cpus', '2', ...limit, '--weights', 'yield=1000', '--json');
      expect(out.status, limit.join(' ')).toBe(1);
      const r = JSON.parse(out.stdout);
      expect(r.stopReason).toBe('hang');
      expect(r.findings.groups[0]).toMatchObject({ kind: 'hung-cpu', at: { routine: 'sys_sched_yield' } });
      expect([2, 3]).toContain(r.findings.groups[0].at.line); // the loop's label or its goto
    }
  });

  it('inputs that are not regular files, or too large, are refused at once', () => {
    const zero = forksim('run', '--scenario', '/dev/zero');
    expect(zero.status).toBe(2);
    expect(firstLine(zero.stderr)).toBe('forksim: scenario file /dev/zero is a character device, not a regular file');
    const dir = model('routine void sys_sched_yield\n    return\n');
    symlinkSync('/dev/zero', join(dir, 'zero.kasm'));
    const link = forksim('check', dir);
    expect(link.status).toBe(2);
    expect(firstLine(link.stderr)).toMatch(/zero\.kasm is a character device, not a regular file$/);
    const fifoDir = tmp();
    const fifo = join(fifoDir, 's.yaml');
    spawnSync('mkfifo', [fifo]);
    if (existsSync(fifo)) {
      const f = forksim('run', '--scenario', fifo);
      expect(f.status).toBe(2);
      expect(firstLine(f.stderr)).toBe(`forksim: scenario file ${fifo} is a FIFO, not a regular file`);
    }
    const huge = join(tmp(), 'big.yaml');
    writeFileSync(huge, `kernel: ${'x'.repeat(2 << 20)}\n`);
    const big = forksim('run', '--scenario', huge);
    expect(big.status).toBe(2);
    expect(firstLine(big.stderr)).toBe(`forksim: scenario file ${huge} is larger than 1 MiB (the limit for a scenario file)`);
    const longName = forksim('run', '--kernel', 'k'.repeat(100_000));
    expect(longName.status).toBe(2);
    expect(longName.stderr.length).toBeLessThan(1000);
  });
});

describe('nothing is lost, and exit codes say what happened', () => {
  /** Start a run, wait (bounded) for a line on stderr, send signals, collect. */
  async function interrupt(args: string[], waitFor: RegExp, signals: NodeJS.Signals[]) {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: PACKAGE_ROOT });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ${waitFor} within 60 s: ${stderr}`)), 60_000);
      child.stderr.on('data', (d: Buffer) => { stderr += d; if (waitFor.test(stderr)) { clearTimeout(t); resolve(); } });
    });
    for (const s of signals) child.kill(s);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { code, stdout, stderr };
  }

  it('SIGTERM during a run writes the partial report and exits 3', async () => {
    const report = join(tmp(), 'r.json');
    const r = await interrupt(['run', '--driver', 'step', '--kernel', 'v6.10-patched', '--cpus', '2', '--forks', '0', '--progress', '--report', report], /forks \d/, ['SIGTERM']);
    expect(r.code).toBe(3);
    expect(JSON.parse(readFileSync(report, 'utf8'))).toMatchObject({ partial: true, stopReason: 'interrupted' });
    expect(r.stdout).toMatch(/\[PARTIAL\]/);
  });

  it('SIGINT during the lockdep replay search still prints the report; a second one cuts the search short', async () => {
    // No threads: a cycle with no real deadlock, so the run goes on to search for one
    const args = ['run', '--driver', 'step', '--kernel', 'mutants/exit-siglock-before-tasklist', '--cpus', '4', '--forks', '5000', '--seed', '3', '--weights', 'clone_thread=0', '--progress', '--json'];
    for (const signals of [['SIGINT'], ['SIGINT', 'SIGINT']] as NodeJS.Signals[][]) {
      const r = await interrupt(args, /searching for a real deadlock/, signals);
      expect(r.code, signals.join()).toBe(1); // the cycle is a finding
      const report = JSON.parse(r.stdout);
      expect(report.findings.groups.map((g: { kind: string }) => g.kind)).toContain('circular-locking-dependency');
      expect(report.extra.join('\n')).toMatch(/the search cut short by a signal/);
    }
  });

  it('--report to a missing folder or onto a folder is refused before the run, leaving nothing behind', () => {
    const missing = forksim('run', '--driver', 'step', '--forks', '10', '--report', '/nonexistent/dir/r.json');
    expect(missing.status).toBe(2);
    expect(firstLine(missing.stderr)).toBe('forksim: --report /nonexistent/dir/r.json: the folder /nonexistent/dir does not exist');
    const dir = tmp();
    const onto = forksim('run', '--driver', 'step', '--forks', '10', '--report', dir);
    expect(onto.status).toBe(2);
    expect(firstLine(onto.stderr)).toBe(`forksim: --report ${dir}: is a folder; give a file name`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('weights and probabilities out of what the core holds name the field and the range', () => {
    const cases: [string[], RegExp][] = [
      [['--weights', 'fork=2147484'], /^forksim: scenario: weights\.fork: Too big: expected number to be <=100000$/],
      [['--weights', 'fork=1e300'], /^forksim: scenario: weights\.fork: Too big: expected number to be <=100000$/],
      [['--weights', 'fork=0.0001'], /^forksim: scenario: weights\.fork: must be 0 or at least 0\.001 \(kept in thousandths\)$/],
      [['--fail', 'copy_creds:probability=0.0000001'], /^forksim: scenario: faults\.copy_creds\.probability: must be 0 or at least 0\.000001 \(kept in parts per million\)$/],
      [['--forks', '99999999999'], /^forksim: scenario: forks: Too big: expected number to be <=2147483647$/],
    ];
    for (const [args, line] of cases) {
      const out = forksim('run', '--driver', 'step', ...args);
      expect(out.status, args.join(' ')).toBe(2);
      expect(firstLine(out.stderr), args.join(' ')).toMatch(line);
    }
  });
});

describe('output that says what is true', () => {
  it('a hung CPU is placed where it loops, not where it last waited for a lock', () => {
    const looping = model('routine void sys_sched_yield\n    spin_lock pidmap_lock\n    spin_unlock pidmap_lock\nagain:\n    goto again\n');
    const out = forksim('run', '--driver', 'parallel', '--kernel', looping, '--cpus', '2', '--forks', '0', '--watchdog', '300', '--weights', 'yield=1000', '--json');
    expect(out.status).toBe(1);
    const hung = JSON.parse(out.stdout).findings.groups.find((g: { kind: string }) => g.kind === 'hung-cpu');
    expect(hung.at.routine).toBe('sys_sched_yield');
    expect([4, 5]).toContain(hung.at.line); // the loop's label or its goto, not the spin_lock of line 2
  });

  it('every printed reproduce line replays: same findings, including sites with colons and time-bounded runs', () => {
    const runs: string[][] = [
      ['--kernel', 'mutants/leak-skip-release', '--forks', '3000'],
      ['--kernel', 'mutants/bad-unlock-balance', '--forks', '3000'],
      ['--kernel', 'mutants/scx-no-label-split', '--forks', '3000', '--fail', 'alloc_pid:pidns_adding:probability=0.2'],
      ['--kernel', 'mutants/double-rq-unordered', '--forks', '3000'],
      ['--kernel', 'mutants/deadlock-abba', '--forks', '0', '--max-steps', '5000000'],
      ['--kernel', 'v6.12-scx', '--forks', '0', '--duration', '0.5', '--fail', 'copy_mm:probability=0'],
      ['--kernel', 'v6.12-scx', '--forks', '2000', '--param', 'pids_limit=8,scx_init_task_fail=0.01'],
    ];
    const summary = (r: { findings: { groups: { kind: string; count: number; at?: { line: number } }[] }; steps: number }) =>
      ({ groups: r.findings.groups.map((g) => [g.kind, g.count, g.at?.line]), steps: r.steps });
    for (const args of runs) {
      const first = forksim('run', '--driver', 'step', '--cpus', '3', ...args, '--json');
      expect(first.status, args.join(' ')).toBeLessThan(2);
      const a = JSON.parse(first.stdout);
      const line: string = a.reproduce;
      expect(line).toMatch(/^forksim run --driver step /);
      const param = args.indexOf('--param');
      if (param >= 0) expect(line).toContain(` --param ${args[param + 1]}`);
      const again = forksim(...line.replace(/^forksim /, '').split(' '), '--json');
      expect(again.status, line).toBe(first.status);
      expect(summary(JSON.parse(again.stdout)), line).toEqual(summary(a));
    }
  });

  it('check prints its errors on stderr', () => {
    const bad = model('routine void sys_sched_yield\n    spin_lock nope\n    return\n');
    const out = forksim('check', bad);
    expect(out.status).toBe(2);
    expect(out.stdout).toBe('');
    expect(firstLine(out.stderr)).toMatch(/fork\.kasm:2:15: unknown lock object 'nope'/);
  });

  it('flags the chosen driver does not use are named in a warning', () => {
    const step = forksim('run', '--driver', 'step', '--forks', '10', '--threads', '1', '--watchdog', '500');
    expect(firstLine(step.stderr)).toBe('forksim: warning: --threads and --watchdog apply to the parallel driver only; ignored');
    const par = forksim('run', '--driver', 'parallel', '--cpus', '2', '--forks', '10', '--stall', '0.01', '--max-steps', '100');
    expect(firstLine(par.stderr)).toBe('forksim: warning: --stall and --max-steps apply to the step driver only; ignored');
  });

  it('a file inside a model folder is checked inside its model', () => {
    const out = forksim('check', 'kernels/mutants/scx-prepatch-ladder/fork.kasm');
    expect(out.stderr).toBe('');
    expect(out.stdout).not.toMatch(/missing required entry point|unknown routine/);
    expect(firstLine(out.stdout)).toMatch(/^kernels\/mutants\/scx-prepatch-ladder\/fork\.kasm: ok \(\d+ routines/);
    expect(out.status).toBe(1); // the mutant's ladder is bad, as it should be
  });
});
