// Every kernel model under kernels/ (the shipped ones and each mutant)
// assembles, and inherits from its base exactly the routines it does not
// define itself.
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { assemble, defaultKernelsDir, listModels, loadKernel } from '../src/kasm/index.js';

const MODELS = ['v6.10', 'v6.10-patched', 'v6.12-scx', 'v6.17'];
const MUTANTS = [
  'leak-skip-release', 'bad-unlock-balance', 'scx-prepatch-ladder', 'scx-no-label-split', 'deadlock-abba',
  'wake-up-rq-before-pi', 'exit-siglock-before-tasklist', 'double-rq-unordered', 'three-lock-cycle', 'recursive-lock',
  'thread-sighand-leak', 'pidfd-skip-put', 'reap-other-child', 'reparent-read-lock', 'futex-hash-core-free',
  'irq-schedule-rq-lock', 'irq-tasklist-write-lock', 'sleep-mutex-under-pidmap-lock', 'sleep-gfp-kernel-under-siglock', 'sleep-rwsem-held-to-user',
].map((m) => `mutants/${m}`);

describe('kernel models', () => {
  it('lists every shipped model and mutant', () => {
    expect(listModels()).toEqual(expect.arrayContaining([...MODELS, ...MUTANTS]));
  });

  for (const name of [...MODELS, ...MUTANTS]) {
    it(`${name} assembles`, () => {
      const p = assemble(loadKernel(name));
      for (const r of ['sys_fork', 'copy_process', 'sys_exit', 'sys_wait', 'sys_kill', 'sys_sched_yield', 'schedule']) {
        expect(p.routines.has(r), r).toBe(true);
      }
    });
  }

  it('each mutant says on its first line what is wrong and which detector catches it', () => {
    for (const m of MUTANTS) {
      const dir = join(defaultKernelsDir(), m);
      const files = readdirSync(dir).filter((f) => f.endsWith('.kasm'));
      expect(files.length, m).toBeGreaterThan(0);
      for (const f of files) expect(readFileSync(join(dir, f), 'utf8').split('\n')[0], `${m}/${f}`).toMatch(/^; MUTANT: .*detector/);
    }
  });

  it('v6.12-scx has the sched_ext entry points; v6.10 does not', () => {
    const scx = assemble(loadKernel('v6.12-scx')).routines;
    const old = assemble(loadKernel('v6.10')).routines;
    for (const r of ['scx_ops_enable', 'scx_ops_disable', 'scx_fork', 'scx_cancel_fork', 'sched_ext_free']) {
      expect(scx.has(r), r).toBe(true);
      expect(old.has(r), r).toBe(false);
    }
  });

  it('the patch changes sched_cgroup_fork from void to int', () => {
    expect(assemble(loadKernel('v6.10')).routines.get('sched_cgroup_fork')?.returnsInt).toBe(false);
    expect(assemble(loadKernel('v6.10-patched')).routines.get('sched_cgroup_fork')?.returnsInt).toBe(true);
    expect(assemble(loadKernel('v6.10-patched')).routines.has('sched_cancel_fork')).toBe(true);
    expect(assemble(loadKernel('v6.10')).routines.has('sched_cancel_fork')).toBe(false);
  });

  it('the ladder labels are the kernel\'s, in order', () => {
    // (the others are the model's own names for an if/else: no_pidfd, leader, join_group, ...)
    const labels = (m: string): string[] => assemble(loadKernel(m)).labels.filter((l) => l.routine === 'copy_process' && /^(bad_fork_|fork_out)/.test(l.name)).map((l) => l.name);
    const common = ['bad_fork_put_pidfd', 'bad_fork_free_pid', 'bad_fork_cleanup_thread', 'bad_fork_cleanup_io',
      'bad_fork_cleanup_namespaces', 'bad_fork_cleanup_mm', 'bad_fork_cleanup_signal', 'bad_fork_cleanup_sighand',
      'bad_fork_cleanup_fs', 'bad_fork_cleanup_files', 'bad_fork_cleanup_semundo', 'bad_fork_cleanup_security',
      'bad_fork_cleanup_audit', 'bad_fork_cleanup_perf'];
    const tail = ['bad_fork_cleanup_policy', 'bad_fork_cleanup_delayacct', 'bad_fork_cleanup_count', 'bad_fork_free', 'fork_out'];
    expect(labels('v6.10')).toEqual(['bad_fork_cancel_cgroup', ...common, ...tail]);
    const patched = ['bad_fork_core_free', 'bad_fork_cancel_cgroup', ...common, 'bad_fork_sched_cancel_fork', ...tail];
    expect(labels('v6.10-patched')).toEqual(patched);
    expect(labels('v6.12-scx')).toEqual(patched);
  });
});
