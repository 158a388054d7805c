// A finding the faithful v6.12-scx model can produce because the kernel can:
// scx_fork() tests scx_ops_init_task_enabled while scx_cancel_fork() tests
// scx_enabled(), and scx_ops_enable() sets them with scx_fork_rwsem dropped
// in between (see kernels/v6.12-scx/ext.kasm). A fork that initialises in
// that gap and then fails under tasklist_lock leaks exactly its scx_task.
import type { Program } from '../src/kasm/index.js';
import type { FindingGroup } from '../src/analysis/findings.js';
import { failedAt, resources } from './helpers.js';

export const knownUpstream = (p: Program) => (g: FindingGroup): boolean =>
  g.first.kind === 'leak' &&
  g.first.resources === resources('scx_task') &&
  ['fatal_signal_pending', 'copy_process:pidns_adding'].includes(failedAt(p, g.first) ?? '');
