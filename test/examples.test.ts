// Three changes modelled as kasm only (kernels/examples/): a patch that adds
// a global lock, a per-task lock and a per-task resource; a per-task
// refcount; per-task state guarded by tasklist_lock. Each mutant is caught
// where the issue says it must be, and each correct model is clean.
import { describe, it, expect } from 'vitest';
import { kernelProgram } from '../src/commands/run.js';
import { checkLadders } from '../src/analysis/ladder/walk.js';
import { ladderBad } from '../src/analysis/ladder/verdict.js';
import { enumerateFaults } from '../src/commands/faults.js';
import { run, ofKind, brief, failedAt, placeOf } from './helpers.js';

const step = { driver: 'step' as const, cpus: 4, forks: 20_000 };
/** The pc of the instruction written at `file:line`. */
const pcAt = (kernel: string, file: string, line: number): number => kernelProgram(kernel).src.findIndex((s) => s.file === file && s.line === line);

describe('examples/task-stats: a new global lock, a per-task lock and a per-task resource', () => {
  it('the patch unwinds on every path and runs clean', async () => {
    const p = kernelProgram('examples/task-stats');
    expect(p.vocab.locks.get('task_stats_list_lock')).toMatchObject({ scope: 'global', kind: 'spinlock' });
    expect(p.vocab.locks.get('stats_lock')).toMatchObject({ scope: 'task', className: '&p->stats_lock' });
    expect(ladderBad(checkLadders(p))).toBe(false);
    const { m, f } = await run('examples/task-stats', step);
    expect(f.map(brief(m.program))).toEqual([]);
    expect(m.lockStat(0, p.vocab.classOf('stats_lock')!, 0).acquisitions + m.lockStat(1, p.vocab.classOf('stats_lock')!, 0).acquisitions).toBeGreaterThan(0);
  });

  it('the mutant that forgets the free on alloc_pid failure: check, faults and run all catch the leak', async () => {
    const p = kernelProgram('examples/mutants/task-stats-leak');
    const bad = checkLadders(p).sites.filter((s) => s.leaks.length);
    expect(bad.map((s) => [s.site, s.leaks])).toEqual([
      ['alloc_pid', ['task_stats']], ['idr_alloc_cyclic', ['task_stats']], ['alloc_pid:pidns_adding', ['task_stats']],
    ]);
    const faults = await enumerateFaults({ kernel: 'examples/mutants/task-stats-leak', sites: ['alloc_pid', 'copy_thread'] });
    expect(faults.rows.map((r) => [r.site, r.verdict, r.leaks])).toEqual([['copy_thread', 'clean', []], ['alloc_pid', 'LEAK', ['task_stats']]]);
    const clean = await enumerateFaults({ kernel: 'examples/task-stats', sites: ['alloc_pid'] });
    expect(clean.rows.map((r) => r.verdict)).toEqual(['clean']);
    const { m, f } = await run('examples/mutants/task-stats-leak', step);
    const leaks = ofKind(f, 'leak');
    expect(leaks.map((g) => [m.program.vocab.resourceNames(g.first.resources), failedAt(m.program, g.first)])).toEqual([[['task_stats'], 'alloc_pid:pidns_adding']]);
  });
});

describe('examples/task-watch: a per-task refcount', () => {
  it('gets and puts balance: the patch runs clean', async () => {
    const { m, f } = await run('examples/task-watch', step);
    expect(f.map(brief(m.program))).toEqual([]);
    expect(ladderBad(checkLadders(m.program))).toBe(false);
  });

  it('a second put is an underflow at the second put, naming the first', async () => {
    const { m, f } = await run('examples/mutants/task-watch-double-put', { ...step, forks: 5000 });
    const second = pcAt('examples/mutants/task-watch-double-put', 'kernels/examples/mutants/task-watch-double-put/watch.kasm', 10);
    const first = pcAt('examples/mutants/task-watch-double-put', 'kernels/examples/task-watch/watch.kasm', 47);
    const named = ofKind(f, 'refcount').filter((g) => g.first.zeroPc >= 0);
    // A reaped process: __put_task_struct()'s put reaches zero, the mutant's
    // is the second. A thread releases itself at its exit, before the
    // scheduler's last reference goes: the mutant's put comes first there.
    const seen = named.map((g) => ({ pc: g.first.pc, zeroPc: g.first.zeroPc, underflow: g.first.underflow, state: m.program.vocab.varName(g.first.variable) }));
    expect(seen.sort((a, b) => b.pc - a.pc)).toEqual([
      { pc: second, zeroPc: first, underflow: true, state: 'watch_ref' },
      { pc: first, zeroPc: second, underflow: true, state: 'watch_ref' },
    ].sort((a, b) => b.pc - a.pc));
    expect(placeOf(m.program, first)).toBe('kernels/examples/task-watch/watch.kasm:47');
  });
});

describe('examples/task-flag: state guarded by tasklist_lock', () => {
  it('written under the lock: clean statically and at run time', async () => {
    expect(ladderBad(checkLadders(kernelProgram('examples/task-flag')))).toBe(false);
    const { m, f } = await run('examples/task-flag', { ...step, forks: 5000 });
    expect(f.map(brief(m.program))).toEqual([]);
  });

  it('written after the unlock: caught statically and at run time', async () => {
    const at = 'kernels/examples/mutants/task-flag-unlocked/flag.kasm:13';
    const r = checkLadders(kernelProgram('examples/mutants/task-flag-unlocked'));
    // release_task() runs from wait() (a reaped process) and from exit() (a thread releases itself)
    expect(r.unattributed.map((i) => [i.kind, i.entry, i.at, i.what])).toEqual([['guarded', 'sys_exit', at, 't.linked (tasklist_lock)'], ['guarded', 'sys_wait', at, 't.linked (tasklist_lock)']]);
    const { m, f } = await run('examples/mutants/task-flag-unlocked', { ...step, forks: 5000 });
    expect(ofKind(f, 'guarded-state').map((g) => [placeOf(m.program, g.first.pc), m.program.vocab.varName(g.first.variable), g.first.write, m.program.vocab.className(g.first.lockClass)]))
      .toEqual([[at, 'linked', true, 'tasklist_lock']]);
  });
});
