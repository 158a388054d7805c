// What every kasm model has without declaring it: the lock operations and
// the lock kinds they apply to, the registers, errno names, the values the
// built-in services keep, and the workload's built-in actions. Everything a
// kernel adds — its locks, resources, state, primitives, actions — a model
// declares (declare.ts).
import * as abi from '../../assembly/abi.js';

/** table[name] where name is one of the table's own keys: the tables are
 *  plain objects, and `constructor` or `__proto__` must not find
 *  Object.prototype's. */
export const lookup = <T>(table: Record<string, T>, name: string): T | undefined =>
  Object.hasOwn(table, name) ? table[name] : undefined;

export const TASK_REGS: Record<string, number> = { p: abi.REG_P, t: abi.REG_T, t2: abi.REG_T2, current: abi.REG_CURRENT, parent: abi.REG_PARENT };
export const RQ_REGS: Record<string, number> = { rq: abi.REG_RQ, rq2: abi.REG_RQ2, this_rq: abi.REG_THIS_RQ };
export const regName = (reg: number): string =>
  Object.keys(TASK_REGS).find((k) => TASK_REGS[k] === reg) ?? Object.keys(RQ_REGS).find((k) => RQ_REGS[k] === reg) ?? `reg${reg}`;

/** The lock kinds a model declares, as the kernel's types, and the core's
 *  algorithm for each (a sleeping lock spins here). */
export const LOCK_KINDS: Record<string, { kind: number; wait: number; raw?: boolean; percpu?: boolean }> = {
  raw_spinlock: { kind: abi.KIND_SPIN, wait: abi.WAIT_SPIN, raw: true },
  spinlock: { kind: abi.KIND_SPIN, wait: abi.WAIT_CONFIG },
  rwlock: { kind: abi.KIND_RWLOCK, wait: abi.WAIT_CONFIG },
  mutex: { kind: abi.KIND_MUTEX, wait: abi.WAIT_SLEEP },
  rwsem: { kind: abi.KIND_RWSEM, wait: abi.WAIT_SLEEP },
  percpu_rwsem: { kind: abi.KIND_RWSEM, wait: abi.WAIT_SLEEP, percpu: true },
};

/** The execution context's own instructions (OP_CTX). */
export const CTX_OPS: Record<string, number> = {
  local_irq_disable: abi.CTX_IRQ_DISABLE,
  local_irq_enable: abi.CTX_IRQ_ENABLE,
  local_irq_save: abi.CTX_IRQ_SAVE,
  local_irq_restore: abi.CTX_IRQ_RESTORE,
  preempt_disable: abi.CTX_PREEMPT_DISABLE,
  preempt_enable: abi.CTX_PREEMPT_ENABLE,
  might_sleep: abi.CTX_MIGHT_SLEEP,
};

/** Lock operations: mnemonic -> op, mode and the declared kinds it applies to. */
/** `irq`: what the form does to interrupts (LF_IRQ, LF_IRQSAVE, LF_BH). */
export interface LockOp { op: number; mode: number; kinds: string[]; nested?: boolean; irq?: number }
export const LOCK_OPS: Record<string, LockOp> = {};
for (const v of ['', '_irq', '_irqsave', '_bh']) {
  const unlock = v === '_irqsave' ? '_irqrestore' : v;
  const irq = v === '_irq' ? abi.LF_IRQ : v === '_irqsave' ? abi.LF_IRQSAVE : v === '_bh' ? abi.LF_BH : 0;
  LOCK_OPS[`raw_spin_lock${v}`] = { op: abi.OP_LOCK, mode: abi.MODE_EXCL, kinds: ['raw_spinlock'], irq };
  LOCK_OPS[`raw_spin_unlock${unlock}`] = { op: abi.OP_UNLOCK, mode: abi.MODE_EXCL, kinds: ['raw_spinlock'], irq };
  LOCK_OPS[`spin_lock${v}`] = { op: abi.OP_LOCK, mode: abi.MODE_EXCL, kinds: ['spinlock'], irq };
  LOCK_OPS[`spin_unlock${unlock}`] = { op: abi.OP_UNLOCK, mode: abi.MODE_EXCL, kinds: ['spinlock'], irq };
  LOCK_OPS[`read_lock${v}`] = { op: abi.OP_LOCK, mode: abi.MODE_READ, kinds: ['rwlock'], irq };
  LOCK_OPS[`read_unlock${unlock}`] = { op: abi.OP_UNLOCK, mode: abi.MODE_READ, kinds: ['rwlock'], irq };
  LOCK_OPS[`write_lock${v}`] = { op: abi.OP_LOCK, mode: abi.MODE_EXCL, kinds: ['rwlock'], irq };
  LOCK_OPS[`write_unlock${unlock}`] = { op: abi.OP_UNLOCK, mode: abi.MODE_EXCL, kinds: ['rwlock'], irq };
}
const ANY = Object.keys(LOCK_KINDS);
Object.assign(LOCK_OPS, {
  raw_spin_lock_nested: { op: abi.OP_LOCK, mode: abi.MODE_EXCL, kinds: ['raw_spinlock'], nested: true },
  raw_spin_lock_irqsave_nested: { op: abi.OP_LOCK, mode: abi.MODE_EXCL, kinds: ['raw_spinlock'], nested: true, irq: abi.LF_IRQSAVE },
  spin_lock_nested: { op: abi.OP_LOCK, mode: abi.MODE_EXCL, kinds: ['spinlock'], nested: true },
  down_read: { op: abi.OP_LOCK, mode: abi.MODE_READ, kinds: ['rwsem'] },
  up_read: { op: abi.OP_UNLOCK, mode: abi.MODE_READ, kinds: ['rwsem'] },
  down_write: { op: abi.OP_LOCK, mode: abi.MODE_EXCL, kinds: ['rwsem'] },
  up_write: { op: abi.OP_UNLOCK, mode: abi.MODE_EXCL, kinds: ['rwsem'] },
  percpu_down_read: { op: abi.OP_LOCK, mode: abi.MODE_READ, kinds: ['percpu_rwsem'] },
  percpu_up_read: { op: abi.OP_UNLOCK, mode: abi.MODE_READ, kinds: ['percpu_rwsem'] },
  percpu_down_write: { op: abi.OP_LOCK, mode: abi.MODE_EXCL, kinds: ['percpu_rwsem'] },
  percpu_up_write: { op: abi.OP_UNLOCK, mode: abi.MODE_EXCL, kinds: ['percpu_rwsem'] },
  mutex_lock: { op: abi.OP_LOCK, mode: abi.MODE_EXCL, kinds: ['mutex'] },
  mutex_unlock: { op: abi.OP_UNLOCK, mode: abi.MODE_EXCL, kinds: ['mutex'] },
  lockdep_assert_held: { op: abi.OP_ASSERT_HELD, mode: abi.MODE_ANY, kinds: ANY },
  lockdep_assert_held_write: { op: abi.OP_ASSERT_HELD, mode: abi.MODE_EXCL, kinds: ['rwlock', 'rwsem', 'percpu_rwsem'] },
  lockdep_assert_held_read: { op: abi.OP_ASSERT_HELD, mode: abi.MODE_READ, kinds: ['rwlock', 'rwsem', 'percpu_rwsem'] },
  percpu_rwsem_assert_held: { op: abi.OP_ASSERT_HELD, mode: abi.MODE_ANY, kinds: ['percpu_rwsem'] },
});

export const ERRNOS: Record<string, number> = {
  EPERM: abi.EPERM, ESRCH: abi.ESRCH, EINTR: abi.EINTR, ECHILD: abi.ECHILD, EAGAIN: abi.EAGAIN, ENOMEM: abi.ENOMEM,
  EFAULT: abi.EFAULT, EBUSY: abi.EBUSY, EINVAL: abi.EINVAL, EMFILE: abi.EMFILE, EPROTO: abi.EPROTO, ERESTARTNOINTR: abi.ERESTARTNOINTR,
};
export const errnoName = (e: number): string => Object.keys(ERRNOS).find((k) => ERRNOS[k] === e) ?? String(e);

/** Values the built-in services keep, readable in conditions. `task`:
 *  written `REG.NAME` for a task register. */
export const BUILTIN_VALUES: Record<string, { id: number; task?: boolean; doc: string }> = {
  nr_threads: { id: abi.BV_NR_THREADS, doc: 'nr_threads (attach_pid counts it; read racily, as data_race())' },
  max_threads: { id: abi.BV_MAX_THREADS, doc: "max_threads (the scenario's maxThreads)" },
  pidns_adding: { id: abi.BV_PIDNS_ADDING, doc: 'ns->pid_allocated & PIDNS_ADDING' },
  fatal_signal_pending: { id: abi.BV_FATAL_SIGNAL_PENDING, doc: 'fatal_signal_pending(current) (only SIGKILL is modelled)' },
  task_sigpending: { id: abi.BV_FATAL_SIGNAL_PENDING, doc: 'task_sigpending(current): only SIGKILL is modelled, so fatal_signal_pending' },
  iter_end: { id: abi.BV_ITER_END, doc: 'the last iterator or search service found nothing' },
  last_ref: { id: abi.BV_LAST_REF, doc: "the last put (a refcount's, or the put_task_struct_rcu_user service) dropped the final reference: atomic_dec_and_test()" },
  irqs_disabled: { id: abi.BV_IRQS_DISABLED, doc: 'irqs_disabled(): interrupts are off on this CPU' },
  in_hardirq: { id: abi.BV_IN_HARDIRQ, doc: 'in_hardirq(): an interrupt handler is running' },
  preempt_count: { id: abi.BV_PREEMPT_COUNT, doc: 'preempt_count(): spinlocks held, preempt_disable() depth, hardirq nesting << 16' },
  tryget_failed: { id: abi.BV_TRYGET_FAILED, doc: 'the last tryget_task_struct service found the task being freed' },
  random_ppm: { id: abi.BV_RANDOM_PPM, doc: "a fresh draw in [0, 1000000) from this CPU's RNG (compare with a ppm param)" },
  cpu: { id: abi.BV_TASK_CPU, task: true, doc: 'task_cpu(REG), written REG.cpu' },
  exit_state: { id: abi.BV_EXIT_STATE, task: true, doc: 'REG->exit_state: 0, EXIT_ZOMBIE (0x20) or EXIT_DEAD (0x10), written REG.exit_state' },
};

/** A workload weight the core keeps in thousandths, summed in 32 bits. */
export const MIN_WEIGHT = 0.001;
export const MAX_WEIGHT = 100_000;
/** A probability the core keeps in parts per million. */
export const MIN_PPM = 1e-6;

/** The workload's built-in actions: a model provides their routines; their
 *  semantics (population control, fork accounting, reaping) are the machine's. */
export const BUILTIN_ACTIONS: { action: number; name: string; routine: string; required: boolean; weight: number; doc: string }[] = [
  { action: abi.ACT_FORK, name: 'fork', routine: 'sys_fork', required: true, weight: 40, doc: 'fork() while live tasks are below the population' },
  { action: abi.ACT_EXIT, name: 'exit', routine: 'sys_exit', required: true, weight: 20, doc: 'exit() (boot tasks never exit)' },
  { action: abi.ACT_WAIT, name: 'wait', routine: 'sys_wait', required: true, weight: 30, doc: 'wait() while there are zombies' },
  { action: abi.ACT_KILL, name: 'kill', routine: 'sys_kill', required: true, weight: 3, doc: 'kill(SIGKILL) of a random pid' },
  { action: abi.ACT_YIELD, name: 'yield', routine: 'sys_sched_yield', required: true, weight: 10, doc: 'sched_yield()' },
  { action: abi.ACT_BALANCE, name: 'load_balance', routine: 'load_balance', required: false, weight: 1, doc: 'periodic load balancing; also newidle balancing by an idle CPU' },
  { action: abi.ACT_SCHEDULE, name: 'schedule', routine: 'schedule', required: true, weight: 0, doc: 'run by an idle CPU with queued tasks, and after exit (not weighted)' },
];
