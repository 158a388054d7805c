// explore, replay and merge as a user meets them: exit codes, tokens that
// replay from the command line, schedule files, traces, one-line reasons
// for bad input, and a signal still writing the result.
import { describe, it, expect } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/paths.js';
import { checkTrace } from '../src/trace/chrome.js';
import { parseScenario } from '../src/machine/scenario.js';
import { buildMachine } from '../src/commands/run.js';
import { encodeToken, modelDigest } from '../src/explore/schedule.js';

const CLI = join(PACKAGE_ROOT, 'dist', 'src', 'cli.js');
const forksim = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: PACKAGE_ROOT, timeout: 120_000 });
const tmp = (): string => mkdtempSync(join(tmpdir(), 'forksim-'));
const firstLine = (s: string): string => s.split('\n')[0];
const WINDOW = ['--kernel', 'v6.12-scx', '--cpu0', 'scx_enable', '--cpu1', 'fork', '--fail', 'fatal_signal_pending:nth=1'];

describe('forksim explore and replay', () => {
  it('finds the v6.12 window (exit 1) and its token replays it from the command line, as text, JSON and a trace', () => {
    const out = forksim('explore', ...WINDOW, '--schedules', '20', '--json');
    expect(out.status).toBe(1);
    const r = JSON.parse(out.stdout);
    expect(r.findings.map((f: { kind: string }) => f.kind)).toEqual(['leak']);
    const token: string = r.findings[0].shrunk.replay;
    expect(token).toMatch(/^fs1-/);
    const replay = forksim('replay', token, '--json');
    expect(replay.status).toBe(1);
    expect(JSON.parse(replay.stdout)).toMatchObject({ kernel: 'v6.12-scx', ending: 'done', preemptions: 1, findings: [{ kind: 'leak' }] });
    const dir = tmp();
    const file = join(dir, 'leak.schedule');
    writeFileSync(file, token + '\n');
    const trace = join(dir, 'leak.trace.json');
    const fromFile = forksim('replay', '--schedule', file, '--trace', trace);
    expect(fromFile.status).toBe(1);
    expect(fromFile.stdout).toMatch(/scx_cancel_fork: if !scx_enabled/);
    expect(checkTrace(JSON.parse(readFileSync(trace, 'utf8')))).toEqual([]);
  });

  it('a scenario file holds a closed scenario (programs and the fault plan)', () => {
    const file = join(tmp(), 'window.yaml');
    writeFileSync(file, 'kernel: v6.12-scx\nprograms: [[scx_enable], [fork]]\nfaults: { fatal_signal_pending: { nth: 1 } }\n');
    const out = forksim('explore', '--scenario', file, '--schedules', '20', '--no-shrink', '--json');
    expect(out.status).toBe(1);
    const r = JSON.parse(out.stdout);
    expect(r.scenario).toMatchObject({ cpus: 2, programs: [['scx_enable'], ['fork']], faults: { fatal_signal_pending: { nth: 1 } } });
    expect(r.findings.map((f: { kind: string }) => f.kind)).toEqual(['leak']);
  });

  it('a clean dfs exhaustion exits 0 and says what it proved', () => {
    const out = forksim('explore', '--kernel', 'proposed/scx-cancel-fork-state', '--cpu0', 'scx_enable', '--cpu1', 'fork', '--fail', 'fatal_signal_pending:nth=1', '--strategy', 'dfs', '--preemptions', '1', '--no-reduction');
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/no finding in any schedule with at most 1 preemption: the bounded space is exhausted/);
  });

  it('shards written with --report merge into the unsharded result', () => {
    const dir = tmp();
    const args = ['--kernel', 'mutants/deadlock-abba', '--cpu0', 'fork', '--cpu1', 'kill', '--strategy', 'dfs', '--preemptions', '1', '--no-shrink'];
    const files = [0, 1].map((i) => join(dir, `shard-${i}.json`));
    files.forEach((f, i) => expect([0, 1]).toContain(forksim('explore', ...args, '--shard', `${i}/2`, '--report', f).status)); // a shard may find nothing
    const merged = forksim('merge', ...files, '--json');
    expect(merged.status).toBe(1); // the deadlock and lockdep's cycle
    const whole = JSON.parse(forksim('explore', ...args, '--json').stdout);
    const m = JSON.parse(merged.stdout);
    expect(m.coverage.schedules).toBe(whole.coverage.schedules);
    expect(m.coverage.traceHashes).toEqual(whole.coverage.traceHashes);
    expect(m.findings.map((f: { key: string }) => f.key).sort()).toEqual(whole.findings.map((f: { key: string }) => f.key).sort());
  });

  it('bad input is one line and exit 2', () => {
    // A token of this model whose departure names a CPU that cannot step there.
    const s = parseScenario({ kernel: 'v6.10', driver: 'step', cpus: 2, tasks: 64, forks: 0, programs: [['fork'], ['fork']] });
    const misfit = encodeToken({ kernel: 'v6.10', digest: modelDigest(buildMachine(s).program), scenario: s, strategy: 'test', departures: [{ at: 0, cpu: 7 }] });
    const emptyFile = join(tmp(), 'empty.yaml');
    writeFileSync(emptyFile, '');
    const cases: [string[], RegExp][] = [
      [['replay', misfit], /^forksim: the schedule does not fit this model: at point 0 it runs CPU 7, which cannot step \(CPUs that can: 0, 1\)$/],
      [['explore', '--shard', '3/2', ...WINDOW], /^forksim: --shard: '3\/2' is not I\/N with 0 <= I < N$/],
      [['explore', '--strategy', 'dfs', '--kernel', 'v6.10'], /^forksim: --strategy dfs needs a closed scenario/],
      [['explore', '--kernel', 'v6.10', '--cpu0', 'forkk'], /^forksim: scenario: programs\.0\.0: kernel v6\.10 has no action 'forkk'; its actions are: fork, exit/],
      [['explore', '--kernel', 'v6.10', '--cpu0', 'fork', '--fail', 'copy_mm:nth=x'], /^forksim: --fail copy_mm: 'nth=x' is not name=number$/],
      [['explore', ...WINDOW, '--depth', '0'], /^forksim: --depth must be 1\.\.64/],
      [['explore', ...WINDOW, '--cpu8', 'fork'], /unknown option '--cpu8'/],
      [['explore', '--scenario', emptyFile], /^forksim: .*empty\.yaml: a scenario is a mapping of fields$/],
      [['replay', 'fs1-garbage'], /^forksim: the replay token is damaged/],
      [['replay'], /^forksim: replay: give a TOKEN or --schedule FILE$/],
      [['merge', join(tmp(), 'missing.json')], /^forksim: .*missing\.json/],
      [['run', '--kernel', 'v6.10', '--trace', join(tmp(), 't.json')], /^forksim: --trace needs --driver step/],
    ];
    for (const [args, reason] of cases) {
      const out = forksim(...args);
      expect(out.status, args.join(' ')).toBe(2);
      expect(firstLine(out.stderr), args.join(' ')).toMatch(reason);
    }
  });

  it('SIGTERM during an exploration writes the result so far and exits 3', async () => {
    const report = join(tmp(), 'r.json');
    const child = spawn(process.execPath, [CLI, 'explore', '--kernel', 'v6.10-patched', '--cpu0', 'fork', '--cpu1', 'fork', '--strategy', 'random', '--seconds', '100', '--progress', '--report', report], { cwd: PACKAGE_ROOT });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no progress within 60 s: ${stderr}`)), 60_000);
      child.stderr.on('data', (d: Buffer) => { stderr += d; if (/schedules \d/.test(stderr)) { clearTimeout(t); resolve(); } });
    });
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(3);
    const r = JSON.parse(readFileSync(report, 'utf8'));
    expect(r.stopped).toBe('interrupted');
    expect(r.coverage.schedules).toBeGreaterThan(0);
  });
});
