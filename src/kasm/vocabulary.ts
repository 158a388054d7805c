// The fixed vocabulary of kasm: primitives with their effects, conditions,
// lock operations, lock objects, registers and errno names. This table is the
// one place the effects are declared: the assembler encodes them into the
// effects table in shared memory, which the interpreter and the ledger read;
// the static ladder checker and the docs read them from here.
import * as abi from '../../assembly/abi.js';

export type Reg = 'p' | 't' | 'current' | 'parent';

/** table[name] where name is one of the table's own keys: the tables are
 *  plain objects, and `constructor` or `__proto__` must not find
 *  Object.prototype's. */
export const lookup = <T>(table: Record<string, T>, name: string): T | undefined =>
  Object.hasOwn(table, name) ? table[name] : undefined;
export type Resource = keyof typeof RESOURCES;

/** What a primitive does. `asserts` are lock objects written with `self` for
 *  the instruction's own task register (e.g. `self.pi_lock`). */
export interface PrimSpec {
  behaviour: number;
  reg: Reg; // default task register
  acquires?: Resource[];
  releases?: Resource[];
  asserts?: string[]; // lockdep_assert_held() on entry
  fails?: number; // errno when it fails (naturally or by injection); absent: cannot fail
  natural?: string; // when it fails without injection
  doc: string;
}

export const RESOURCES = {
  task_struct: abi.RES_TASK_STRUCT,
  creds: abi.RES_CREDS,
  nproc: abi.RES_NPROC,
  delayacct: abi.RES_DELAYACCT,
  mempolicy: abi.RES_MEMPOLICY,
  perf: abi.RES_PERF,
  audit: abi.RES_AUDIT,
  security: abi.RES_SECURITY,
  semundo: abi.RES_SEMUNDO,
  files: abi.RES_FILES,
  fs: abi.RES_FS,
  sighand: abi.RES_SIGHAND,
  signal: abi.RES_SIGNAL,
  mm: abi.RES_MM,
  namespaces: abi.RES_NAMESPACES,
  io: abi.RES_IO,
  thread: abi.RES_THREAD,
  pid: abi.RES_PID,
  cgroup_fork: abi.RES_CGROUP_FORK,
  pids_charge: abi.RES_PIDS_CHARGE,
  core_cookie: abi.RES_CORE_COOKIE,
  scx_task: abi.RES_SCX_TASK,
} as const;

const B = abi;
const acq = (r: Resource, doc: string, fails = abi.ENOMEM): PrimSpec => ({ behaviour: B.B_NONE, reg: 'p', acquires: [r], fails, doc });
const rel = (r: Resource, doc: string): PrimSpec => ({ behaviour: B.B_NONE, reg: 'p', releases: [r], doc });
const none = (doc: string, asserts?: string[]): PrimSpec => ({ behaviour: B.B_NONE, reg: 'p', asserts, doc });

export const PRIMITIVES: Record<string, PrimSpec> = {
  // copy_process(): allocations, in kernel order
  dup_task_struct: { behaviour: B.B_DUP_TASK_STRUCT, reg: 'p', acquires: ['task_struct'], fails: abi.ENOMEM, natural: 'the task table is full', doc: 'allocate the child task_struct and stack; p = the child' },
  copy_creds: { behaviour: B.B_NONE, reg: 'p', acquires: ['creds', 'nproc'], fails: abi.ENOMEM, doc: 'copy credentials; charges the RLIMIT_NPROC ucount' },
  delayacct_tsk_init: { behaviour: B.B_NONE, reg: 'p', acquires: ['delayacct'], doc: 'delay accounting state' },
  mpol_dup: acq('mempolicy', 'duplicate the NUMA memory policy'),
  __sched_fork: { behaviour: B.B_SCHED_FORK, reg: 'p', doc: 'reset scheduler state, TASK_NEW, choose the class (ext when sched_ext switched all tasks)' },
  perf_event_init_task: acq('perf', 'perf events'),
  audit_alloc: acq('audit', 'audit context'),
  security_task_alloc: acq('security', 'LSM blob'),
  copy_semundo: acq('semundo', 'SysV semaphore undo list'),
  copy_files: acq('files', 'file table'),
  copy_fs: acq('fs', 'fs_struct'),
  copy_sighand: acq('sighand', 'signal handlers (a new sighand_struct with its siglock)'),
  copy_signal: acq('signal', 'signal_struct'),
  copy_mm: acq('mm', 'address space'),
  copy_namespaces: acq('namespaces', 'nsproxy'),
  copy_io: acq('io', 'I/O context'),
  copy_thread: acq('thread', 'architecture thread state'),
  idr_alloc_cyclic: { behaviour: B.B_IDR_ALLOC, reg: 'p', acquires: ['pid'], asserts: ['pidmap_lock'], fails: abi.EAGAIN, natural: 'pid_max pids in use', doc: 'allocate a pid number in the namespace' },
  idr_remove: { behaviour: B.B_IDR_REMOVE, reg: 'p', releases: ['pid'], asserts: ['pidmap_lock'], doc: 'free the pid number' },
  cgroup_css_set_fork: { behaviour: B.B_NONE, reg: 'p', acquires: ['cgroup_fork'], doc: 'take a css_set reference for the child' },
  cgroup_css_set_put_fork: { behaviour: B.B_NONE, reg: 'p', releases: ['cgroup_fork'], doc: 'drop the css_set reference' },
  pids_can_fork: { behaviour: B.B_PIDS_CHARGE, reg: 'p', acquires: ['pids_charge'], fails: abi.EAGAIN, natural: 'the pids cgroup limit is reached', doc: 'charge the pids controller' },
  pids_cancel_fork: { behaviour: B.B_PIDS_UNCHARGE, reg: 'p', releases: ['pids_charge'], doc: 'uncharge the pids controller' },
  pids_release: { behaviour: B.B_PIDS_UNCHARGE, reg: 't', releases: ['pids_charge'], doc: 'uncharge a reaped task' },
  __set_task_cpu: { behaviour: B.B_SET_TASK_CPU, reg: 'p', asserts: ['self.pi_lock'], doc: 'p->cpu = this CPU (first assignment, not a migration)' },
  task_fork: none("the class's task_fork hook", ['self.pi_lock']),
  scx_ops_init_task: { behaviour: B.B_OPS_INIT_TASK, reg: 'p', acquires: ['scx_task'], asserts: ['scx_fork_rwsem'], fails: abi.ENOMEM, natural: 'the BPF scheduler refuses the task (scenario scxInitTaskFail)', doc: 'ops.init_task(fork=true); on success the scx state is INIT' },
  scx_ops_exit_task: { behaviour: B.B_OPS_EXIT_TASK, reg: 'p', releases: ['scx_task'], asserts: ['rq.lock'], doc: 'ops.exit_task(); scx state back to NONE' },
  scx_set_ready: { behaviour: B.B_SCX_SET_READY, reg: 'p', doc: 'scx state INIT -> READY' },
  scx_ops_enable_task: { behaviour: B.B_SCX_ENABLE_TASK, reg: 'p', asserts: ['rq.lock'], doc: 'ops.enable(); scx state READY -> ENABLED' },
  scx_ops_disable_task: { behaviour: B.B_SCX_DISABLE_TASK, reg: 'p', asserts: ['rq.lock'], doc: 'ops.disable(); scx state ENABLED -> READY' },
  scx_tasks_add: { behaviour: B.B_SCX_TASKS_ADD, reg: 'p', asserts: ['scx_tasks_lock'], doc: 'list_add_tail(&p->scx.tasks_node, &scx_tasks)' },
  scx_tasks_del: { behaviour: B.B_SCX_TASKS_DEL, reg: 'p', asserts: ['scx_tasks_lock'], doc: 'list_del_init(&p->scx.tasks_node)' },
  sched_core_clone_cookie: { behaviour: B.B_NONE, reg: 'p', acquires: ['core_cookie'], asserts: ['current.pi_lock'], doc: "take a reference on the parent's core-scheduling cookie" },
  sched_core_free: rel('core_cookie', 'drop the core-scheduling cookie'),
  attach_pid: { behaviour: B.B_ATTACH_PID, reg: 'p', asserts: ['tasklist_lock', 'current.sighand.siglock'], doc: 'hash the pid, link the task, nr_threads++, total_forks++' },
  uclamp_post_fork: none('utilisation clamps'),
  perf_event_fork: none('announce the child to perf'),
  lockdep_free_task: none("free lockdep's per-task state"),
  delayed_free_task: { behaviour: B.B_FREE_TASK, reg: 'p', releases: ['task_struct'], doc: 'bad_fork_free: TASK_DEAD, free the stack and the task_struct' },
  // releases shared by the error ladder and the exit path
  exit_creds: rel('creds', 'drop credentials'),
  dec_rlimit_ucounts: rel('nproc', 'uncharge RLIMIT_NPROC'),
  delayacct_tsk_free: rel('delayacct', 'free delay accounting state'),
  mpol_put: rel('mempolicy', 'drop the memory policy'),
  perf_event_free_task: rel('perf', 'free perf events of a child that never ran'),
  perf_event_exit_task: rel('perf', 'tear down perf events of an exiting task'),
  audit_free: rel('audit', 'free the audit context'),
  security_task_free: rel('security', 'free the LSM blob'),
  exit_sem: rel('semundo', 'SysV semaphore undo'),
  exit_files: rel('files', 'drop the file table'),
  exit_fs: rel('fs', 'drop fs_struct'),
  __cleanup_sighand: rel('sighand', 'drop the sighand_struct'),
  free_signal_struct: rel('signal', 'drop the signal_struct'),
  mmput: rel('mm', 'drop the address space'),
  exit_task_namespaces: rel('namespaces', 'drop the nsproxy'),
  exit_io_context: rel('io', 'drop the I/O context'),
  exit_thread: rel('thread', 'free architecture thread state'),
  // scheduler
  select_task_rq: { behaviour: B.B_SELECT_TASK_RQ, reg: 'p', asserts: ['self.pi_lock'], doc: 'rq = the least loaded CPU (WF_FORK balancing); p->cpu = rq' },
  activate_task: { behaviour: B.B_ACTIVATE_TASK, reg: 'p', asserts: ['rq.lock'], doc: 'enqueue on rq, nr_running++, TASK_RUNNING' },
  put_prev_task: { behaviour: B.B_PUT_PREV_TASK, reg: 'current', asserts: ['this_rq.lock'], doc: 'requeue current at the tail of this runqueue (if it still runs)' },
  pick_next_task: { behaviour: B.B_PICK_NEXT_TASK, reg: 'current', asserts: ['this_rq.lock'], doc: 'current = the head of this runqueue (or idle)' },
  task_rq: { behaviour: B.B_TASK_RQ, reg: 't', doc: 'rq = task_cpu(task)' },
  find_busiest_queue: { behaviour: B.B_FIND_BUSIEST_RQ, reg: 'current', doc: 'rq = this CPU, rq2 = the busiest other CPU; iter_end when none is busier by two' },
  double_rq_order: { behaviour: B.B_DOUBLE_RQ_ORDER, reg: 'current', doc: 'swap rq and rq2 unless rq < rq2 (rq_order_less)' },
  migrate_task: { behaviour: B.B_MIGRATE_TASK, reg: 't', asserts: ['rq.lock', 'rq2.lock'], doc: 'move one queued task from the busier of rq, rq2 to the other (detach_task + attach_task)' },
  // exit, wait, kill
  get_parent: { behaviour: B.B_GET_PARENT, reg: 'current', asserts: ['tasklist_lock'], doc: "parent = current's parent, or the child reaper if it is gone (forget_original_parent)" },
  exit_zombie: { behaviour: B.B_EXIT_ZOMBIE, reg: 'current', asserts: ['tasklist_lock'], doc: 'exit_state = EXIT_ZOMBIE; queue for the reaper' },
  do_notify_parent: none('signal the parent (SIGCHLD)', ['parent.sighand.siglock']),
  do_task_dead: { behaviour: B.B_DO_TASK_DEAD, reg: 'current', doc: 'TASK_DEAD; this CPU stops running current' },
  wait_task_zombie: { behaviour: B.B_WAIT_TASK_ZOMBIE, reg: 't', asserts: ['tasklist_lock'], fails: abi.ECHILD, natural: 'no zombie to reap', doc: 't = a zombie, EXIT_ZOMBIE -> EXIT_DEAD' },
  __unhash_process: { behaviour: B.B_UNHASH_PROCESS, reg: 't', asserts: ['tasklist_lock', 'self.sighand.siglock'], doc: 'detach pids, nr_threads--, unlink' },
  put_task_struct_rcu_user: { behaviour: B.B_PUT_RCU_USER, reg: 't', doc: 'drop an rcu_users reference; last_ref when it was the final one' },
  free_task: { behaviour: B.B_FREE_TASK_STRUCT, reg: 't', releases: ['task_struct'], doc: 'free the task_struct (from __put_task_struct)' },
  pick_kill_target: { behaviour: B.B_PICK_KILL_TARGET, reg: 't', fails: abi.ESRCH, natural: 'the chosen pid is not alive', doc: 't = a random task (find_task_by_vpid)' },
  send_sigkill: { behaviour: B.B_SEND_SIGKILL, reg: 't', asserts: ['self.sighand.siglock'], doc: 'queue SIGKILL: fatal_signal_pending(t) becomes true' },
  disable_pid_allocation: { behaviour: B.B_PIDNS_DISABLE, reg: 'current', asserts: ['pidmap_lock'], doc: 'clear PIDNS_ADDING (zap_pid_ns_processes)' },
  enable_pid_allocation: { behaviour: B.B_PIDNS_ENABLE, reg: 'current', asserts: ['pidmap_lock'], doc: 'set PIDNS_ADDING (the workload moves to a fresh namespace)' },
  // sched_ext enable / disable
  scx_set_init_task_enabled: { behaviour: B.B_SCX_SET_INIT_TASK_ENABLED, reg: 'current', asserts: ['scx_fork_rwsem'], doc: 'scx_ops_init_task_enabled = true' },
  scx_clear_init_task_enabled: { behaviour: B.B_SCX_CLEAR_INIT_TASK_ENABLED, reg: 'current', asserts: ['scx_fork_rwsem'], doc: 'scx_ops_init_task_enabled = false' },
  scx_set_enabled: { behaviour: B.B_SCX_SET_ENABLED, reg: 'current', doc: 'static_branch_enable(&__scx_ops_enabled); switch all' },
  scx_clear_enabled: { behaviour: B.B_SCX_CLEAR_ENABLED, reg: 'current', doc: 'static_branch_disable(&__scx_ops_enabled)' },
  scx_task_iter_start: { behaviour: B.B_SCX_TASK_ITER_START, reg: 't', asserts: ['scx_tasks_lock'], doc: 'start walking scx_tasks' },
  scx_task_iter_next: { behaviour: B.B_SCX_TASK_ITER_NEXT, reg: 't', asserts: ['scx_tasks_lock'], doc: 't = the next task on scx_tasks; iter_end at the end' },
  scx_ops_init_task_load: { behaviour: B.B_SCX_INIT_TASK_LOADED, reg: 't', acquires: ['scx_task'], asserts: ['scx_fork_rwsem'], doc: 'ops.init_task(fork=false) for an existing task; READY' },
  scx_switch_class: { behaviour: B.B_SCX_SWITCH_CLASS, reg: 't', asserts: ['rq.lock'], doc: 'move the task to ext_sched_class (switching_to_scx enables it)' },
  // litmus tests of the locks themselves (not kernel functions)
  litmus_load: { behaviour: B.B_LITMUS_LOAD, reg: 'current', doc: 'litmus: read the shared counter (first half of a racy increment)' },
  litmus_store: { behaviour: B.B_LITMUS_STORE, reg: 'current', doc: 'litmus: store what was read plus one (second half)' },
  scx_reset_class: { behaviour: B.B_SCX_RESET_CLASS, reg: 't', asserts: ['rq.lock'], doc: 'move the task back to fair' },
};

/** Conditions for `require` and `if`. */
export const CONDITIONS: Record<string, { id: number; doc: string }> = {
  pidns_adding: { id: abi.COND_PIDNS_ADDING, doc: 'ns->pid_allocated & PIDNS_ADDING' },
  fatal_signal_pending: { id: abi.COND_FATAL_SIGNAL_PENDING, doc: 'fatal_signal_pending(current)' },
  task_sigpending: { id: abi.COND_SIGPENDING, doc: 'task_sigpending(current)' },
  below_max_threads: { id: abi.COND_BELOW_MAX_THREADS, doc: 'nr_threads < max_threads, read without the lock' },
  nproc_ok: { id: abi.COND_NPROC_OK, doc: 'under RLIMIT_NPROC (tasks run as root: always true)' },
  dl_prio: { id: abi.COND_DL_PRIO, doc: 'dl_prio(p->prio) (no deadline tasks: always false)' },
  scx_enabled: { id: abi.COND_SCX_ENABLED, doc: 'scx_enabled()' },
  scx_init_task_enabled: { id: abi.COND_SCX_INIT_TASK_ENABLED, doc: 'scx_ops_init_task_enabled' },
  p_class_ext: { id: abi.COND_P_CLASS_EXT, doc: 'p->sched_class == &ext_sched_class' },
  iter_end: { id: abi.COND_ITER_END, doc: 'the last iterator or search found nothing' },
  last_ref: { id: abi.COND_LAST_REF, doc: 'the last put dropped the final reference' },
  task_rq_stable: { id: abi.COND_TASK_RQ_STABLE, doc: 'task_rq(t) == rq, checked after locking rq' },
  t_scx_state_none: { id: abi.COND_T_SCX_STATE_NONE, doc: "t's scx state is NONE" },
  t_scx_state_enabled: { id: abi.COND_T_SCX_STATE_ENABLED, doc: "t's scx state is ENABLED" },
  p_scx_state_none: { id: abi.COND_P_SCX_STATE_NONE, doc: "p's scx state is NONE" },
  same_rq: { id: abi.COND_SAME_RQ, doc: 'rq == rq2' },
};

/** Lock operations: mnemonic -> [op, mode, kinds it applies to]. */
export interface LockOp { op: number; mode: number; kinds: number[]; nested?: boolean }
const SPIN = [abi.KIND_SPIN], RW = [abi.KIND_RWLOCK], SEM = [abi.KIND_RWSEM], MUTEX = [abi.KIND_MUTEX];
export const LOCK_OPS: Record<string, LockOp> = {};
for (const v of ['', '_irq', '_irqsave', '_bh']) {
  for (const raw of ['', 'raw_']) {
    LOCK_OPS[`${raw}spin_lock${v}`] = { op: abi.OP_LOCK, mode: abi.MODE_EXCL, kinds: SPIN };
    LOCK_OPS[`${raw}spin_unlock${v === '_irqsave' ? '_irqrestore' : v}`] = { op: abi.OP_UNLOCK, mode: abi.MODE_EXCL, kinds: SPIN };
  }
  if (v === '_irqsave') continue;
  LOCK_OPS[`read_lock${v}`] = { op: abi.OP_LOCK, mode: abi.MODE_READ, kinds: RW };
  LOCK_OPS[`read_unlock${v}`] = { op: abi.OP_UNLOCK, mode: abi.MODE_READ, kinds: RW };
  LOCK_OPS[`write_lock${v}`] = { op: abi.OP_LOCK, mode: abi.MODE_EXCL, kinds: RW };
  LOCK_OPS[`write_unlock${v}`] = { op: abi.OP_UNLOCK, mode: abi.MODE_EXCL, kinds: RW };
}
Object.assign(LOCK_OPS, {
  raw_spin_lock_nested: { op: abi.OP_LOCK, mode: abi.MODE_EXCL, kinds: SPIN, nested: true },
  spin_lock_nested: { op: abi.OP_LOCK, mode: abi.MODE_EXCL, kinds: SPIN, nested: true },
  down_read: { op: abi.OP_LOCK, mode: abi.MODE_READ, kinds: SEM },
  up_read: { op: abi.OP_UNLOCK, mode: abi.MODE_READ, kinds: SEM },
  down_write: { op: abi.OP_LOCK, mode: abi.MODE_EXCL, kinds: SEM },
  up_write: { op: abi.OP_UNLOCK, mode: abi.MODE_EXCL, kinds: SEM },
  percpu_down_read: { op: abi.OP_LOCK, mode: abi.MODE_READ, kinds: SEM },
  percpu_up_read: { op: abi.OP_UNLOCK, mode: abi.MODE_READ, kinds: SEM },
  percpu_down_write: { op: abi.OP_LOCK, mode: abi.MODE_EXCL, kinds: SEM },
  percpu_up_write: { op: abi.OP_UNLOCK, mode: abi.MODE_EXCL, kinds: SEM },
  mutex_lock: { op: abi.OP_LOCK, mode: abi.MODE_EXCL, kinds: MUTEX },
  mutex_unlock: { op: abi.OP_UNLOCK, mode: abi.MODE_EXCL, kinds: MUTEX },
  lockdep_assert_held: { op: abi.OP_ASSERT_HELD, mode: abi.MODE_ANY, kinds: [abi.KIND_SPIN, abi.KIND_RWLOCK, abi.KIND_RWSEM, abi.KIND_MUTEX] },
  lockdep_assert_held_write: { op: abi.OP_ASSERT_HELD, mode: abi.MODE_EXCL, kinds: [abi.KIND_RWLOCK, abi.KIND_RWSEM] },
  lockdep_assert_held_read: { op: abi.OP_ASSERT_HELD, mode: abi.MODE_READ, kinds: [abi.KIND_RWLOCK, abi.KIND_RWSEM] },
  percpu_rwsem_assert_held: { op: abi.OP_ASSERT_HELD, mode: abi.MODE_ANY, kinds: SEM },
});

/** Lock classes: name (as lockdep prints it), kind, and how kasm names an instance. */
export interface LockClass { id: number; name: string; kind: number }
export const LOCK_CLASSES: LockClass[] = [
  { id: abi.CLASS_TASKLIST_LOCK, name: 'tasklist_lock', kind: abi.KIND_RWLOCK },
  { id: abi.CLASS_SCX_FORK_RWSEM, name: 'scx_fork_rwsem', kind: abi.KIND_RWSEM },
  { id: abi.CLASS_PIDMAP_LOCK, name: 'pidmap_lock', kind: abi.KIND_SPIN },
  { id: abi.CLASS_SCX_TASKS_LOCK, name: 'scx_tasks_lock', kind: abi.KIND_SPIN },
  { id: abi.CLASS_CGROUP_THREADGROUP_RWSEM, name: 'cgroup_threadgroup_rwsem', kind: abi.KIND_RWSEM },
  { id: abi.CLASS_SCX_OPS_ENABLE_MUTEX, name: 'scx_ops_enable_mutex', kind: abi.KIND_MUTEX },
  { id: abi.CLASS_CSS_SET_LOCK, name: 'css_set_lock', kind: abi.KIND_SPIN },
  { id: abi.CLASS_PI_LOCK, name: '&p->pi_lock', kind: abi.KIND_SPIN },
  { id: abi.CLASS_SIGLOCK, name: '&sighand->siglock', kind: abi.KIND_SPIN },
  { id: abi.CLASS_RQ_LOCK, name: '&rq->__lock', kind: abi.KIND_SPIN },
];

export const TASK_REGS: Record<string, number> = { p: abi.REG_P, t: abi.REG_T, current: abi.REG_CURRENT, parent: abi.REG_PARENT };
export const RQ_REGS: Record<string, number> = { rq: abi.REG_RQ, rq2: abi.REG_RQ2, this_rq: abi.REG_THIS_RQ };

export const ERRNOS: Record<string, number> = {
  ESRCH: abi.ESRCH, EINTR: abi.EINTR, ECHILD: abi.ECHILD, EAGAIN: abi.EAGAIN, ENOMEM: abi.ENOMEM, EINVAL: abi.EINVAL, ERESTARTNOINTR: abi.ERESTARTNOINTR,
};
export const errnoName = (e: number): string => Object.keys(ERRNOS).find((k) => ERRNOS[k] === e) ?? String(e);

/** Workload entry points a kernel model provides (routine names). */
export const ENTRY_POINTS: { action: number; routine: string; required: boolean }[] = [
  { action: abi.ACT_FORK, routine: 'sys_fork', required: true },
  { action: abi.ACT_EXIT, routine: 'sys_exit', required: true },
  { action: abi.ACT_WAIT, routine: 'sys_wait', required: true },
  { action: abi.ACT_KILL, routine: 'sys_kill', required: true },
  { action: abi.ACT_YIELD, routine: 'sys_sched_yield', required: true },
  { action: abi.ACT_SCHEDULE, routine: 'schedule', required: true },
  { action: abi.ACT_SCX_ENABLE, routine: 'scx_ops_enable', required: false },
  { action: abi.ACT_SCX_DISABLE, routine: 'scx_ops_disable', required: false },
  { action: abi.ACT_LOAD_BALANCE, routine: 'load_balance', required: false },
  { action: abi.ACT_ZAP_PID_NS, routine: 'zap_pid_ns_processes', required: false },
  { action: abi.ACT_REOPEN_PID_NS, routine: 'create_pid_namespace', required: false },
];

export const RESOURCE_NAMES: string[] = Object.keys(RESOURCES).sort((a, b) => RESOURCES[a as Resource] - RESOURCES[b as Resource]);

/** The names of the resources in a ledger mask. */
export const resourceNames = (mask: bigint): string[] => RESOURCE_NAMES.filter((_, r) => (mask >> BigInt(r)) & 1n);
