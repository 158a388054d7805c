// Threads, clone flags and parents: what a thread shares with its group,
// whom wait() reaps, what a vfork parent waits for, the -EINVAL checks; the
// mutants each detector must catch, asserted on finding records, on the
// static walk and on `forksim faults` rows.
import { describe, it, expect } from 'vitest';
import * as A from '../assembly/abi.js';
import { assemble, loadKernel } from '../src/kasm/index.js';
import { checkLadders } from '../src/analysis/ladder/walk.js';
import { enumerateFaults } from '../src/commands/faults.js';
import { kernelProgram } from '../src/commands/run.js';
import { run, brief, ofKind, kinds, failedAt, resources, placeOf } from './helpers.js';
import { knownUpstream } from './known.js';

const step = { driver: 'step' as const, cpus: 4, forks: 20_000, seed: 2 };
const CLONES = ['fork', 'vfork', 'clone_pidfd', 'clone_thread'];

describe('the clone mix on the correct kernels', () => {
  // (v6.10, v6.10-patched, v6.12-scx: test/models.test.ts, 100,000 clones each)
  it('v6.17: every kind of clone runs, nothing is found, and threads are conserved', async () => {
    const { m, r, f } = await run('v6.17', step);
    expect(f.filter((g) => !knownUpstream(m.program)(g)).map(brief(m.program))).toEqual([]);
    expect(Object.keys(r.clones)).toEqual(CLONES);
    for (const k of CLONES) expect(r.clones[k], k).toBeGreaterThan(500);
    expect(r.activity.autoreaped).toBeGreaterThan(1000); // threads release themselves
    expect(r.conservation).toMatchObject({ balanced: true });
    expect(r.actions.vfork_wait).toBeGreaterThan(0);
  });

  it('a thread shares its leader\'s sighand and signal; a process has its own; counts match the group', async () => {
    const { m } = await run('v6.10', { ...step, forks: 5000, weights: { clone_thread: 60, exit: 5 } }); // threads live at the end
    const live = m.liveSlots();
    const threads = live.filter((t) => m.taskVar(t, 'exit_signal') < 0);
    expect(threads.length).toBeGreaterThan(0);
    for (const t of live) {
      const leader = m.taskVar(t, 'group_leader');
      expect(m.taskVar(t, 'sighand'), `slot ${t}`).toBe(m.taskVar(leader, 'sighand'));
      expect(m.taskVar(t, 'signal'), `slot ${t}`).toBe(leader);
      if (t === leader) expect(m.taskVar(t, 'sighand')).toBe(t);
    }
    // sig->nr_threads and sig->sigcnt count the group's tasks; sighand->count the tasks sharing it
    for (const leader of live.filter((t) => m.taskVar(t, 'group_leader') === t)) {
      const group = live.filter((t) => m.taskVar(t, 'group_leader') === leader);
      expect(m.taskVar(leader, 'signal.nr_threads'), `leader ${leader}`).toBe(group.length);
      expect(m.taskVar(leader, 'signal.sigcnt'), `leader ${leader}`).toBe(group.length);
      expect(m.taskVar(leader, 'sighand.count'), `leader ${leader}`).toBe(group.length);
    }
    // Every task's parent lives (a thread's is its leader's)
    for (const t of live.filter((x) => m.taskVar(x, 'real_parent') >= 0)) {
      expect(live, `slot ${t}`).toContain(m.taskVar(t, 'real_parent'));
      if (m.taskVar(t, 'exit_signal') < 0) expect(m.taskVar(t, 'real_parent')).toBe(m.taskVar(m.taskVar(t, 'group_leader'), 'real_parent'));
    }
  });

  it('same seed, same mixed run, byte for byte', async () => {
    const a = await run('v6.12-scx', { ...step, forks: 5000, seed: 11 });
    const b = await run('v6.12-scx', { ...step, forks: 5000, seed: 11 });
    expect(b.r.steps).toBe(a.r.steps);
    expect(b.r.clones).toEqual(a.r.clones);
    expect(Buffer.from(b.m.memory.buffer).equals(Buffer.from(a.m.memory.buffer))).toBe(true);
  });

  it('the flag checks: CLONE_THREAD without CLONE_SIGHAND, CLONE_SIGHAND without CLONE_VM are -EINVAL before anything is taken', async () => {
    const clone = (name: string, flags: string): string[] => [`action ${name} sys_${name} weight 20 fork`, `routine int sys_${name}`, `    set clone_flags ${flags}`, '    call kernel_clone else out', 'out:', '    return'];
    const bad = { path: 'einval.kasm', text: [...clone('thread_no_sighand', 'CLONE_THREAD|CLONE_VM'), ...clone('sighand_no_vm', 'CLONE_SIGHAND')].join('\n') };
    const program = assemble([...loadKernel('v6.10'), bad]);
    const { r, f } = await run(program, { ...step, forks: 2000, weights: { fork: 0, vfork: 0, clone_pidfd: 0, clone_thread: 0 } });
    expect(f).toEqual([]);
    expect(r.forks.ok).toBe(0);
    expect(r.forks.failed).toBeGreaterThanOrEqual(2000);
    expect(r.clones.thread_no_sighand).toBeGreaterThan(500);
    expect(r.clones.sighand_no_vm).toBeGreaterThan(500);
    expect(r.failures).toEqual([]); // no site failed: copy_process returned -EINVAL first
    expect(r.conservation).toMatchObject({ balanced: true });
  });
});

describe('mutants of the thread, pidfd and parent paths', () => {
  it('thread-sighand-leak: a thread failing after copy_sighand() keeps its sighand reference', async () => {
    const walk = checkLadders(kernelProgram('mutants/thread-sighand-leak'));
    const bad = walk.sites.filter((s) => s.leaks.length);
    expect(bad.length).toBeGreaterThan(5);
    for (const s of bad) {
      expect(s.leaks, s.site).toEqual(['sighand']);
      expect(s.issues.filter((i) => i.kind === 'leak').map((i) => i.entry), s.site).toEqual(['sys_clone_thread']); // only a thread shares it
    }
    const { m, f } = await run('mutants/thread-sighand-leak', step);
    const leaks = ofKind(f, 'leak');
    expect(leaks.length).toBeGreaterThan(0);
    for (const g of leaks) {
      expect(g.first.resources).toBe(resources('sighand'));
      expect(failedAt(m.program, g.first)).toBeTruthy();
    }
    // and at the end the group's sighand->count is more than the tasks sharing it
    const counts = ofKind(f, 'invariant').filter((g) => g.first.invariant === A.INV_STRUCT_COUNT);
    expect(counts.length).toBeGreaterThan(0); // one per group found off, by how much
    for (const g of counts) {
      expect(m.program.vocab.varName(g.first.subject)).toBe('sighand.count');
      expect(g.first.value).toBeGreaterThan(0);
    }
    const faults = await enumerateFaults({ kernel: 'mutants/thread-sighand-leak', forks: 200, sites: ['copy_signal', 'copy_mm'] });
    expect(faults.rows.map((x) => [x.site, x.verdict, x.leaks, x.agrees])).toEqual([['copy_signal', 'LEAK', ['sighand'], true], ['copy_mm', 'LEAK', ['sighand'], true]]);
  });

  it('pidfd-skip-put: a failing put_user() of the pidfd leaks the fd and its file', async () => {
    const walk = checkLadders(kernelProgram('mutants/pidfd-skip-put'));
    expect(walk.sites.filter((s) => s.leaks.length).map((s) => [s.site, s.leaks])).toEqual([['put_user_pidfd', ['pidfd']]]);
    const faults = await enumerateFaults({ kernel: 'mutants/pidfd-skip-put', forks: 200, sites: ['__pidfd_prepare', 'put_user_pidfd'] });
    expect(faults.rows.map((x) => [x.site, x.workload, x.errno, x.verdict, x.leaks])).toEqual([
      ['__pidfd_prepare', 'clone pidfd', '-EMFILE', 'clean', []],
      ['put_user_pidfd', 'clone pidfd', '-EFAULT', 'LEAK', ['pidfd']],
    ]);
    expect(faults.disagreements).toEqual([]);
  });

  it('reap-other-child: wait() reaping a zombie that is not the caller\'s child trips the WARN_ON', async () => {
    const { m, f } = await run('mutants/reap-other-child', step);
    const warns = ofKind(f, 'warning');
    expect(warns.length).toBeGreaterThan(0);
    for (const g of warns) {
      expect(placeOf(m.program, g.first.pc)).toMatch(/^kernels\/v6\.10\/exit\.kasm:/);
      expect(m.program.src[g.first.pc].routine).toBe('sys_wait');
      expect(m.program.conds[g.first.cond].cond.text).toBe('t.real_parent != current');
    }
    const ok = await run('v6.10-patched', step);
    expect(kinds(ok.f)).toEqual([]);
  });

  it('reparent-read-lock: reparenting under tasklist_lock held for reading is a guarded-state write', async () => {
    const at = 'kernels/v6.10/exit.kasm';
    const walk = checkLadders(kernelProgram('mutants/reparent-read-lock'));
    expect(walk.unattributed.map((i) => [i.kind, i.entry, i.what])).toEqual([['guarded', 'sys_exit', 't.real_parent (tasklist_lock)']]);
    const { m, f } = await run('mutants/reparent-read-lock', step);
    expect(ofKind(f, 'guarded-state').map((g) => [m.program.src[g.first.pc].routine, placeOf(m.program, g.first.pc).split(':')[0], m.program.vocab.varName(g.first.variable), g.first.write]))
      .toEqual([['forget_original_parent', at, 'real_parent', true]]);
  });

  it('futex-hash-core-free: v6.16\'s label unlocks what a thread\'s clone never locked; v6.17\'s unwinds cleanly', async () => {
    const site = 'futex_hash_allocate_default';
    const bad = await enumerateFaults({ kernel: 'mutants/futex-hash-core-free', forks: 200, sites: [site] });
    expect(bad.rows[0]).toMatchObject({ site, workload: 'clone thread', errno: '-ENOMEM', doubleReleases: ['core_cookie'], agrees: true });
    expect(bad.rows[0].verdict).toMatch(/DOUBLE RELEASE\+BAD UNLOCK/);
    expect(bad.rows[0].lockMisuse.map((x) => x.split(' @')[0])).toEqual(['&sighand->siglock', 'tasklist_lock']);
    const good = await enumerateFaults({ kernel: 'v6.17', forks: 200, sites: [site, 'kvzalloc_futex_private_hash'] });
    for (const x of good.rows) {
      expect(x, x.site).toMatchObject({ reached: true, workload: 'clone thread', errno: '-ENOMEM', lockMisuse: [], doubleReleases: [], agrees: true });
      expect(x.leaks.filter((l) => l !== 'scx_task'), x.site).toEqual([]); // v6.12's scx_cancel_fork() window at most
    }
  });
});
