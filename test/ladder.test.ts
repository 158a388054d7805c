// The static ladder check: from the effects table alone, what each failure
// site's unwinding leaves behind, for every shipped model and for small
// inline kernels with one defect each.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { kernelProgram } from '../src/commands/run.js';
import { checkLadders } from '../src/analysis/ladder/walk.js';
import { verdictClasses, ladderBad, type LadderReport } from '../src/analysis/ladder/verdict.js';
import { PACKAGE_ROOT } from '../src/paths.js';
import { kasm, cancelCgroupUnlocks } from './helpers.js';

const CLI = join(PACKAGE_ROOT, 'dist', 'src', 'cli.js');
const forksim = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: PACKAGE_ROOT, timeout: 60_000 });

const site = (r: LadderReport, name: string) => {
  const s = r.sites.find((x) => x.site === name);
  if (!s) throw new Error(`no site ${name}`);
  return s;
};
const badSites = (r: LadderReport): string[] => r.sites.filter((s) => verdictClasses(s).length).map((s) => s.site).sort();

// copy_process sites from perf_event_init_task on, and the sites inside the
// routines it calls after sched_fork() (alloc_pid, cgroup_can_fork).
const AFTER_SCHED_FORK = [
  'perf_event_init_task', 'audit_alloc', 'security_task_alloc', 'copy_semundo', 'copy_files', 'copy_fs', 'copy_sighand', 'copy_signal',
  'kmem_cache_alloc_sighand', 'kmem_cache_zalloc_signal', 'copy_mm', 'copy_namespaces', 'copy_io', 'copy_thread', 'alloc_pid',
  'idr_alloc_cyclic', 'alloc_pid:pidns_adding', '__pidfd_prepare', 'put_user_pidfd', 'cgroup_can_fork',
  'pids_can_fork', 'copy_process:pidns_adding', 'fatal_signal_pending',
].sort();

/** The sites whose failures unwind through scx_cancel_fork() after scx_fork()
 *  could run ops.init_task(): in v6.12 they leak scx_task when
 *  scx_ops_init_task_enabled is set and scx_enabled() is not (the known
 *  window: README, "A finding about the real kernel"). */
const WINDOW = ['copy_process:pidns_adding', 'fatal_signal_pending'];

describe('the static ladder check', () => {
  it.each(['v6.10', 'v6.10-patched', 'proposed/scx-cancel-fork-state'])('%s: every failure path unwinds cleanly', (k) => {
    const r = checkLadders(kernelProgram(k));
    expect(r.truncated).toBe(false);
    expect(r.unattributed).toEqual([]);
    expect(badSites(r)).toEqual([]);
    expect(r.sites.every((s) => s.reached)).toBe(true);
    expect(ladderBad(r)).toBe(false);
  });

  it('v6.12-scx: every failure path unwinds cleanly but the known window, which leaks scx_task', () => {
    const r = checkLadders(kernelProgram('v6.12-scx'));
    expect(r.truncated).toBe(false);
    expect(r.unattributed).toEqual([]);
    expect(badSites(r)).toEqual(WINDOW);
    for (const name of WINDOW) expect([site(r, name).leaks, site(r, name).heldLocks, verdictClasses(site(r, name))], name).toEqual([['scx_task'], [], ['LEAK']]);
    expect(r.sites.every((s) => s.reached)).toBe(true);
  });

  it('v6.12-scx: the ladders pass bad_fork_sched_cancel_fork after sched_fork() and bad_fork_core_free for the checks under the locks', () => {
    const r = checkLadders(kernelProgram('v6.12-scx'));
    expect(site(r, 'sched_fork').ladders[0]).not.toContain('bad_fork_sched_cancel_fork');
    expect(site(r, 'perf_event_init_task').ladders[0].slice(0, 2)).toEqual(['bad_fork_sched_cancel_fork', 'bad_fork_cleanup_policy']);
    expect(site(r, 'sched_cgroup_fork').ladders[0][0]).toBe('bad_fork_cancel_cgroup');
    expect(site(r, 'fatal_signal_pending').ladders[0].slice(0, 2)).toEqual(['bad_fork_core_free', 'bad_fork_cancel_cgroup']);
    expect(site(r, 'fatal_signal_pending').errnos).toEqual(['-EINTR']);
    expect(site(r, 'scx_ops_init_task').errnos).toEqual(['-ENOMEM']);
    expect(site(r, 'wait_task_zombie').entries).toEqual(['sys_wait']);
  });

  it('scx-prepatch-ladder: every failure after sched_fork() returns holding the scx_fork_rwsem read hold; the checks under the locks also leak scx_task', () => {
    const r = checkLadders(kernelProgram('mutants/scx-prepatch-ladder'));
    expect(badSites(r)).toEqual(AFTER_SCHED_FORK);
    for (const name of AFTER_SCHED_FORK) {
      const s = site(r, name);
      expect(verdictClasses(s), name).toEqual(['LEAK']);
      expect(s.heldLocks, name).toEqual(['scx_fork_rwsem (read)']);
      expect(s.leaks, name).toEqual(name === 'copy_process:pidns_adding' || name === 'fatal_signal_pending' ? ['scx_task'] : []);
      const held = s.issues.find((i) => i.kind === 'lock-held')!;
      expect(held.at).toBe('kernels/v6.12-scx/ext.kasm:93'); // percpu_down_read in scx_pre_fork
      expect(held.routine).toBe('scx_pre_fork');
    }
    // sched_cgroup_fork() is void here: ops.init_task() refusing is dropped, the fork goes on.
    expect(site(r, 'scx_ops_init_task').errnos).toEqual(['0']);
    expect(site(r, 'scx_fork').errnos).toEqual(['0']);
    expect(verdictClasses(site(r, 'sched_fork'))).toEqual([]);
  });

  it('scx-no-label-split: a failing sched_cgroup_fork() unlocks two locks it never took and frees a core cookie it never got', () => {
    const r = checkLadders(kernelProgram('mutants/scx-no-label-split'));
    expect(badSites(r)).toEqual([...WINDOW, 'sched_cgroup_fork', 'scx_fork', 'scx_ops_init_task'].sort());
    for (const name of ['sched_cgroup_fork', 'scx_fork', 'scx_ops_init_task']) {
      const s = site(r, name);
      expect(s.doubleReleases).toEqual(['core_cookie']);
      expect(s.lockMisuse).toEqual(cancelCgroupUnlocks());
      expect(s.leaks).toEqual([]);
      expect(s.heldLocks).toEqual([]);
    }
    // The two checks under the locks unwind as in v6.12-scx: the known window only.
    for (const name of WINDOW) expect(site(r, name).leaks).toEqual(['scx_task']);
  });

  it('the other ladder mutants: the leak, the bad unlock; recursive locking ends every fork path', () => {
    const leak = checkLadders(kernelProgram('mutants/leak-skip-release'));
    expect(badSites(leak)).toEqual(AFTER_SCHED_FORK.filter((s) => s !== 'perf_event_init_task').concat('sched_cgroup_fork').sort());
    expect(site(leak, 'audit_alloc').leaks).toEqual(['perf']);
    const unlock = checkLadders(kernelProgram('mutants/bad-unlock-balance'));
    expect(badSites(unlock)).toEqual(['pick_kill_target']);
    expect(site(unlock, 'pick_kill_target').lockMisuse).toEqual(['&sighand->siglock @kernels/mutants/bad-unlock-balance/signal.kasm:9']);
    const rec = checkLadders(kernelProgram('mutants/recursive-lock'));
    // Every clone hangs there: fork, vfork, CLONE_PIDFD, a thread
    expect(rec.unattributed.map((i) => [i.kind, i.entry])).toEqual(['sys_fork', 'sys_vfork', 'sys_clone_pidfd', 'sys_clone_thread'].map((e) => ['recursive-lock', e]));
    // Only the failures of the calls of kernel_clone and copy_process (then never entered) return.
    expect(rec.sites.filter((s) => s.entries.includes('sys_fork')).map((s) => s.site)).toEqual(['sys_fork:kernel_clone', 'copy_process']);
  });

  it('lock-order mutants have clean ladders (their bugs are for lockdep and the hang detector)', () => {
    for (const k of ['deadlock-abba', 'double-rq-unordered', 'exit-siglock-before-tasklist', 'three-lock-cycle']) {
      expect(ladderBad(checkLadders(kernelProgram(`mutants/${k}`))), k).toBe(false);
    }
    // On v6.12-scx: its own known window, nothing more.
    expect(badSites(checkLadders(kernelProgram('mutants/wake-up-rq-before-pi')))).toEqual(WINDOW);
  });

  it('an inline kernel: a ladder that skips a release, and one that unlocks before the lock is taken', () => {
    const p = kasm(`
routine int sys_fork
    dup_task_struct                else out
    perf_event_init_task           else free
    spin_lock pidmap_lock
    audit_alloc                    else unlock
    spin_unlock pidmap_lock
    return
unlock:
    spin_unlock pidmap_lock
    perf_event_free_task
free:
    delayed_free_task
out:
    return

routine int sys_wait
    wait_task_zombie               else bad
    return
bad:
    spin_unlock css_set_lock
    return
`);
    const r = checkLadders(p);
    expect(verdictClasses(site(r, 'dup_task_struct'))).toEqual([]);
    expect(verdictClasses(site(r, 'perf_event_init_task'))).toEqual([]);
    expect(site(r, 'audit_alloc').leaks).toEqual([]); // perf freed, task freed
    expect(site(r, 'wait_task_zombie').lockMisuse).toEqual(['css_set_lock @inline.kasm:21']);
  });

  it('a leak and a lock held, in a few lines of kasm', () => {
    const p = kasm(`
routine int sys_fork
    dup_task_struct                else out
    spin_lock css_set_lock
    copy_files                     else keep
    spin_unlock css_set_lock
    return
keep:
    delayed_free_task
out:
    return
`);
    const r = checkLadders(p);
    const s = site(r, 'copy_files');
    expect(s.heldLocks).toEqual(['css_set_lock']);
    expect(s.leaks).toEqual([]);
    expect(s.issues.find((i) => i.kind === 'lock-held')!.at).toBe('inline.kasm:4');
    const leak = kasm(`
routine int sys_fork
    dup_task_struct                else out
    copy_files                     else free
    copy_fs                        else free
    return
free:
    delayed_free_task
out:
    return
`);
    expect(site(checkLadders(leak), 'copy_fs').leaks).toEqual(['files']);
    expect(site(checkLadders(leak), 'copy_files').leaks).toEqual([]);
  });

  it('forksim check prints each bad path with its kasm lines and exits 1; with no arguments mutants do not count', () => {
    const out = forksim('check', 'mutants/scx-no-label-split');
    expect(out.status).toBe(1);
    expect(out.stdout).toMatch(/ladders: 5 bad site\(s\)/);
    const at = cancelCgroupUnlocks()[1].split(' @')[1];
    expect(out.stdout).toContain(`${at}: copy_process: write_unlock_irq tasklist_lock\n      bad unlock balance: releases tasklist_lock (write), which is not held here; ladder: bad_fork_cancel_cgroup`);
    const good = forksim('check', 'v6.10-patched', 'proposed/scx-cancel-fork-state');
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/^proposed\/scx-cancel-fork-state: ok .*; ladders: clean$/m);
    // v6.12-scx as the kernel has it: the known window (README), reported.
    const window = forksim('check', 'v6.12-scx');
    expect(window.status).toBe(1);
    expect(window.stdout).toMatch(/^v6\.12-scx: ok .*; ladders: 2 bad site\(s\)$/m);
  });
});

describe('a model\'s stated assumption', () => {
  it('assume scx_ops_init_task_enabled implies scx_enabled hides exactly the known window from the walk', async () => {
    const { assemble, loadKernel } = await import('../src/kasm/index.js');
    const assumed = assemble([...loadKernel('v6.12-scx'), { path: 'assume.kasm', text: 'assume scx_ops_init_task_enabled implies scx_enabled "no enable between the reads"\n' }]);
    expect(assumed.vocab.assumptions.map((a) => [a.from.name, a.to.name])).toEqual([['scx_ops_init_task_enabled', 'scx_enabled']]);
    expect(badSites(checkLadders(assumed))).toEqual([]);
    expect(badSites(checkLadders(kernelProgram('v6.12-scx')))).toEqual(WINDOW);
  });
});
