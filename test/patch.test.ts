// Patches as patches: v6.10-patched is the seed patch's kernel/fork.c hunks
// on v6.10's copy_process(), `forksim diff` shows exactly the seed patch's
// changes, every instruction says where it came from, and a patch whose
// base has moved on fails at its file:line:col.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble, loadKernel, KasmError, AggregateKasmError } from '../src/kasm/index.js';
import { diffPrograms } from '../src/kasm/diff.js';

const model = (files: Record<string, string>): string => {
  const dir = mkdtempSync(join(tmpdir(), 'forksim-patch-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
};
const error = (dir: string): KasmError => {
  try { assemble(loadKernel(dir)); } catch (e) { if (e instanceof KasmError) return e; throw e; }
  throw new Error('assembled');
};

describe('v6.10-patched is the seed patch', () => {
  const diffs = diffPrograms(assemble(loadKernel('v6.10')), assemble(loadKernel('v6.10-patched')));
  const changes = (routine: string): string[] => diffs.find((d) => d.routine === routine)!.lines.filter((l) => l.op !== ' ').map((l) => `${l.op} ${l.text}`);

  it('changes copy_process exactly as the kernel/fork.c hunks do', () => {
    expect(changes('copy_process')).toEqual([
      // @@ -2363: goto bad_fork_sched_cancel_fork
      '- perf_event_init_task else bad_fork_cleanup_policy',
      '+ perf_event_init_task else bad_fork_sched_cancel_fork',
      // @@ -2496: retval = sched_cgroup_fork(p, args); if (retval) goto bad_fork_cancel_cgroup;
      '- call sched_cgroup_fork',
      '+ call sched_cgroup_fork else bad_fork_cancel_cgroup',
      // @@ -2542: the two checks under both locks goto bad_fork_core_free
      '- require pidns_adding else bad_fork_cancel_cgroup ENOMEM',
      '- require !fatal_signal_pending else bad_fork_cancel_cgroup EINTR',
      '+ require pidns_adding else bad_fork_core_free ENOMEM',
      '+ require !fatal_signal_pending else bad_fork_core_free EINTR',
      // @@ -2622: bad_fork_core_free split off the head of bad_fork_cancel_cgroup
      '- bad_fork_cancel_cgroup:',
      '+ bad_fork_core_free:',
      '+ bad_fork_cancel_cgroup:',
      // @@ -2664: bad_fork_sched_cancel_fork: sched_cancel_fork(p);
      '+ bad_fork_sched_cancel_fork:',
      '+ call sched_cancel_fork',
    ]);
  });

  it('changes kernel/sched/core.c as the patch does: sched_cgroup_fork returns int, sched_cancel_fork is new', () => {
    expect(diffs.map((d) => d.routine).sort()).toEqual(['copy_process', 'sched_cancel_fork', 'sched_cgroup_fork']);
    expect(diffs.find((d) => d.routine === 'sched_cgroup_fork')).toMatchObject({ returns: { a: 'void', b: 'int' } });
    expect(changes('sched_cgroup_fork')).toEqual([]); // it still cannot fail: return 0
    expect(diffs.find((d) => d.routine === 'sched_cancel_fork')).toMatchObject({ only: 'b' });
  });

  it('keeps where every instruction came from: the base for context, the patch for its own lines', () => {
    const p = assemble(loadKernel('v6.10-patched'));
    const at = (text: string): string => { const s = p.src.find((x) => x.text.replace(/\s+/g, ' ') === text)!; return `${s.file}:${s.line}`; };
    expect(at('perf_event_init_task else bad_fork_sched_cancel_fork')).toBe('kernels/v6.10-patched/fork.kasm:10');
    expect(at('audit_alloc else bad_fork_cleanup_perf')).toMatch(/^kernels\/v6\.10\/fork\.kasm:\d+$/);
  });
});

describe('a patch that no longer applies', () => {
  const base = 'v6.10';
  it('fails at the line that is gone, with file:line:col', () => {
    const dir = model({ base, 'fork.kasm': 'patch copy_process\n     call sched_fork                else bad_fork_cleanup_policy      EAGAIN\n-    perf_event_init_task           else bad_fork_no_such_label\n+    perf_event_init_task           else bad_fork_cleanup_perf\n' });
    const e = error(dir);
    expect(e).toMatchObject({ line: 3, col: 2 });
    expect(e.file).toMatch(/fork\.kasm$/);
    expect(e.what).toBe("patch copy_process: the hunk's context no longer matches the base's copy_process: no line 'perf_event_init_task else bad_fork_no_such_label'");
  });
  it('fails when its context matches more than one place, its hunks are out of order, or the routine is not in the base', () => {
    const twice = error(model({ base, 'fork.kasm': 'patch copy_process\n     spin_unlock_irq current.sighand.siglock\n+    perf_event_fork\n' }));
    expect(twice.what).toMatch(/^patch copy_process: the hunk's context matches 2 places in copy_process; give it more context lines$/);
    const order = error(model({ base, 'fork.kasm': 'patch copy_process\n@@\n     copy_thread                    else bad_fork_cleanup_io\n+    perf_event_fork\n@@\n     copy_io                        else bad_fork_cleanup_namespaces\n+    perf_event_fork\n' }));
    expect(order).toMatchObject({ line: 5, col: 1 });
    expect(order.what).toMatch(/hunks must go in the order of the routine/);
    const none = error(model({ base, 'fork.kasm': 'patch no_such_routine\n     return\n' }));
    expect(none).toMatchObject({ line: 1, col: 1, what: "patch no_such_routine: the base has no routine 'no_such_routine' to patch" });
  });
  it('is refused where there is no base to patch', () => {
    let e: unknown;
    try { assemble([{ path: 'lone.kasm', text: 'patch copy_process\n     return\n+    return\n' }]); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(AggregateKasmError);
    const errors = (e as AggregateKasmError).errors;
    expect(errors.find((x) => x.what.startsWith('a patch changes a routine of the base model'))).toMatchObject({ file: 'lone.kasm', line: 1, col: 1 });
    expect(errors.filter((x) => x.line > 1)).toEqual([]); // its hunk lines are not read as instructions
  });
});
