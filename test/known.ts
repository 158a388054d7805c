// A finding the faithful v6.12-scx model can produce because the kernel can:
// scx_fork() tests scx_ops_init_task_enabled while scx_cancel_fork() tests
// scx_enabled(), and scx_ops_enable() sets them with scx_fork_rwsem dropped
// in between (see kernels/v6.12-scx/ext.kasm). A fork that initialises in
// that gap and then fails under tasklist_lock leaks exactly its scx_task.
import type { Finding } from '../src/findings.js';

export const knownUpstream = (f: Finding): boolean =>
  f.kind === 'leak' &&
  f.resources?.join() === 'scx_task' &&
  ['fatal_signal_pending', 'copy_process:pidns_adding'].includes(f.failure?.site ?? '');
