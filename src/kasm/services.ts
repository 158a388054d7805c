// The built-in services: machine code a declared primitive runs (`service
// NAME`), for what cannot be kasm — the task table, pid allocation in a
// namespace, runqueues, exit states, walking the task table. Each has
// the kernel name of what it mirrors; its effects on the ledger, on locks
// and on declared state are the primitive's declaration, not the service's.
// `sets`: the registers it loads (the static walk gives them a fresh
// symbol; `self`: the primitive's own); `fails`: the errno it returns by
// itself and when; `arg`: what its argument is.
import * as abi from '../../assembly/abi.js';

export interface Service {
  id: number;
  sets?: ('p' | 't' | 'current' | 'parent' | 'self' | 'rq' | 'rq2' | 'swap rq rq2')[];
  fails?: { errno: number; when: string };
  arg?: 'a condition on t';
  /** The resource the primitive that runs it acquires is machine state too:
   *  a boot task owns it (task_struct, pid), the pid count checks it. */
  bootOwns?: boolean;
  doc: string;
}

export const SERVICES: Record<string, Service> = {
  dup_task_struct: { id: abi.B_DUP_TASK_STRUCT, sets: ['p'], fails: { errno: abi.ENOMEM, when: 'the task table is full' }, bootOwns: true, doc: 'a task slot for the child, TASK_NEW, its declared state zeroed; p = the child' },
  free_task_slot: { id: abi.B_FREE_TASK, doc: "bad_fork_free: the child is TASK_DEAD; its slot is reclaimed at return to user space" },
  set_task_cpu: { id: abi.B_SET_TASK_CPU, doc: 'task_cpu(task) = this CPU (the first assignment, not a migration)' },
  idr_alloc: { id: abi.B_IDR_ALLOC, fails: { errno: abi.EAGAIN, when: 'pid_max pids are in use' }, bootOwns: true, doc: "a pid number in the task's namespace (pids are not recycled: the count is bounded)" },
  idr_remove: { id: abi.B_IDR_REMOVE, doc: 'the pid number is free again' },
  attach_pid: { id: abi.B_ATTACH_PID, doc: 'nr_threads++, total_forks++ (the task is hashed)' },
  unhash_process: { id: abi.B_UNHASH_PROCESS, doc: 'nr_threads-- (the task is unhashed)' },
  select_task_rq: { id: abi.B_SELECT_TASK_RQ, sets: ['rq'], doc: 'rq = the least loaded CPU (WF_FORK balancing); task_cpu(task) = rq' },
  activate_task: { id: abi.B_ACTIVATE_TASK, doc: 'enqueue the task on rq, TASK_RUNNING' },
  put_prev_task: { id: abi.B_PUT_PREV_TASK, doc: 'requeue current at the tail of this runqueue (if it still runs)' },
  pick_next_task: { id: abi.B_PICK_NEXT_TASK, sets: ['current'], doc: 'current = the head of this runqueue (or idle)' },
  do_task_dead: { id: abi.B_DO_TASK_DEAD, sets: ['current'], doc: 'this CPU stops running current' },
  task_rq: { id: abi.B_TASK_RQ, sets: ['rq'], doc: 'rq = task_cpu(task)' },
  find_busiest_queue: { id: abi.B_FIND_BUSIEST_RQ, sets: ['rq', 'rq2'], doc: 'rq = this CPU, rq2 = the busiest other CPU; iter_end when none is busier by two' },
  double_rq_order: { id: abi.B_DOUBLE_RQ_ORDER, sets: ['swap rq rq2'], doc: 'swap rq and rq2 unless rq < rq2 (rq_order_less)' },
  migrate_task: { id: abi.B_MIGRATE_TASK, sets: ['t'], doc: 'move one queued task from the busier of rq, rq2 to the other (detach_task + attach_task); t = it' },
  exit_zombie: { id: abi.B_EXIT_ZOMBIE, doc: 'exit_state = EXIT_ZOMBIE: the task waits for its parent to reap it' },
  exit_dead: { id: abi.B_EXIT_DEAD, doc: 'exit_state = EXIT_DEAD: the task autoreaps (release_task() follows)' },
  wait_task_zombie: { id: abi.B_WAIT_TASK_ZOMBIE, fails: { errno: abi.ECHILD, when: 'another reaper claimed the zombie first' }, doc: 'cmpxchg(&task->exit_state, EXIT_ZOMBIE, EXIT_DEAD): claim the zombie' },
  put_task_struct_rcu_user: { id: abi.B_PUT_RCU_USER, doc: 'drop an rcu_users reference; last_ref when it was the final one' },
  free_task: { id: abi.B_FREE_TASK_STRUCT, doc: "free the task's slot; a task freed still owning resources is a finding" },
  child_reaper: { id: abi.B_CHILD_REAPER, sets: ['self'], doc: "the register = the pid namespace's child reaper (init: pid 1, the boot task of CPU 0)" },
  pick_kill_target: { id: abi.B_PICK_KILL_TARGET, sets: ['t'], fails: { errno: abi.ESRCH, when: 'the chosen pid is not alive' }, doc: 't = a random task (find_task_by_vpid)' },
  send_sigkill: { id: abi.B_SEND_SIGKILL, doc: 'queue SIGKILL: fatal_signal_pending(task) becomes true' },
  disable_pid_allocation: { id: abi.B_PIDNS_DISABLE, doc: 'clear PIDNS_ADDING (zap_pid_ns_processes)' },
  enable_pid_allocation: { id: abi.B_PIDNS_ENABLE, doc: 'set PIDNS_ADDING (the workload moves to a fresh namespace)' },
  task_iter_start: { id: abi.B_TASK_ITER_START, doc: 'start walking the task table' },
  task_iter_next: { id: abi.B_TASK_ITER_NEXT, sets: ['t'], arg: 'a condition on t', doc: 't = the next task meeting the condition (its argument, read with t = the task); iter_end at the end' },
  tryget_task_struct: { id: abi.B_TRYGET_TASK_STRUCT, doc: 'take a usage reference unless the task is being freed (tryget_failed then); put_task_struct_rcu_user drops it' },
  ttwu_pending: { id: abi.B_TTWU_PENDING, doc: "sched_ttwu_pending(): the tasks woken onto this CPU's wake list go on its runqueue, TASK_RUNNING" },
  sched_tick: { id: abi.B_SCHED_TICK, doc: "sched_tick(): TIF_NEED_RESCHED when another task waits on this runqueue (current's slice is over)" },
  litmus_load: { id: abi.B_LITMUS_LOAD, doc: "litmus: read the shared counter into this CPU's scratch word" },
  litmus_store: { id: abi.B_LITMUS_STORE, doc: 'litmus: store what was read plus one (a split, racy increment)' },
};
