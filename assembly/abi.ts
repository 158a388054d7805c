// Shared with the TypeScript host: this file must stay portable between the
// AssemblyScript and TypeScript compilers (plain integer constants only; no
// types, no enums, no arrays). Names for these numbers live in src/names.ts.
//
// It is the contract between the kasm assembler (which emits bytecode) and the
// interpreter (which runs it): opcodes, operand encodings, lock classes,
// ledger resources, conditions, primitive behaviours, findings.

// ── Bytecode ────────────────────────────────────────────────────────────────
// One instruction is four i32 words (16 bytes):
//   w0 = op | obj << 8 | site << 16      w1 = arg   w2 = target   w3 = errno
// `target` is an absolute instruction index (-1: none); `site` is the fault
// site id of an instruction that has an `else` (0: none). The fields are
// decoded by assembly/insn.ts in the core and src/kasm/insn.ts on the host,
// both from these names.
export const INSN_WORDS = 4;
export const INSN_SIZE = 16;
export const W_HEAD = 0; // op | obj | site
export const W_ARG = 1;
export const W_TARGET = 2;
export const W_ERRNO = 3;
export const INSN_OP_MASK = 0xff;
export const INSN_OBJ_SHIFT = 8;
export const INSN_OBJ_MASK = 0xff;
export const INSN_SITE_SHIFT = 16; // the top half, unsigned
export const NO_TARGET = -1;

export const OP_NOP = 0;
export const OP_LABEL = 1; // arg = label id; recorded in the CPU's ladder path while err != 0
export const OP_PRIM = 2; // arg = primitive index (effects table row); obj = task register
export const OP_LOCK = 3; // arg = lock ref; obj = mode | subclass << 2 | kind << 6
export const OP_UNLOCK = 4; // arg = lock ref; obj = mode | kind << 6
export const OP_ASSERT_HELD = 5; // arg = lock ref; obj = mode (MODE_ANY: either)
export const OP_CALL = 6; // arg = routine entry; target = else (callee returned err != 0)
export const OP_RETURN = 7; // returns the err register (0 on the success path)
export const OP_GOTO = 8; // target
export const OP_REQUIRE = 9; // arg = cond; obj = 1 to negate; fails with errno to target unless cond holds
export const OP_IF = 10; // arg = cond; obj = 1 to negate; goto target if cond holds
export const OP_MOV = 11; // arg = destination task register; obj = source task register
export const NR_OPS = 12;

// Lock acquisition modes (OP_LOCK obj bits 0..1, OP_UNLOCK obj).
export const MODE_EXCL = 0; // spin_lock, write_lock, down_write, mutex_lock
export const MODE_READ = 1; // read_lock, down_read
export const MODE_ANY = 2; // lockdep_assert_held (either)
// A lock instruction's obj: mode | subclass << 2 | kind << 6.
export const OBJ_MODE_MASK = 3;
export const SUBCLASS_SHIFT = 2; // 4 bits: lockdep's MAX_LOCKDEP_SUBCLASSES is 8
export const SUBCLASS_MASK = 0xf;
export const KIND_SHIFT = 6; // the lock's kind (KIND_*), so the interpreter picks the algorithm
export const KIND_MASK = 3;

// A held lock's info word (the CPU's held-lock stack, layout HL_INFO):
// class | subclass << 8 | mode << 12.
export const HELD_CLASS_MASK = 0xff;
export const HELD_SUB_SHIFT = 8;
export const HELD_SUB_MASK = 0xf;
export const HELD_MODE_SHIFT = 12;
export const HELD_MODE_MASK = 3;

// ── Registers ───────────────────────────────────────────────────────────────
// Task registers hold a task slot (tid) or NO_TASK; rq registers hold a CPU id.
export const NO_TASK = -1;
export const REG_NONE = 0;
export const REG_P = 1; // the child being forked
export const REG_T = 2; // another task: kill target, task being reaped, iterator cursor
export const REG_CURRENT = 3; // the task running on this CPU
export const REG_PARENT = 4; // current's parent (set by get_parent)
export const REG_RQ = 5; // a runqueue (CPU id)
export const REG_RQ2 = 6; // a second runqueue (double_rq_lock)
export const REG_THIS_RQ = 7; // this CPU's runqueue (read-only)
export const NR_REGS = 8;

// ── Locks ───────────────────────────────────────────────────────────────────
// A lock ref names a lock instance: ref = reg << 8 | field. For REG_NONE the
// field is a global lock id (equal to its class); for task registers it is
// F_PI_LOCK or F_SIGLOCK; for rq registers F_RQ_LOCK.
export const LOCKREF_REG_SHIFT = 8;
export const F_PI_LOCK = 0;
export const F_SIGLOCK = 1;
export const F_RQ_LOCK = 0;

// Lock classes (lockdep's sense: all pi_locks are one class).
export const CLASS_TASKLIST_LOCK = 0;
export const CLASS_SCX_FORK_RWSEM = 1;
export const CLASS_PIDMAP_LOCK = 2;
export const CLASS_SCX_TASKS_LOCK = 3;
export const CLASS_CGROUP_THREADGROUP_RWSEM = 4;
export const CLASS_SCX_OPS_ENABLE_MUTEX = 5;
export const CLASS_CSS_SET_LOCK = 6;
export const NR_GLOBAL_LOCKS = 7; // global lock id == class id below this
export const CLASS_PI_LOCK = 7;
export const CLASS_SIGLOCK = 8;
export const CLASS_RQ_LOCK = 9;
export const NR_CLASSES = 10;
// lockdep's graph nodes are (class, subclass) pairs, as lock_class keys are.
export const MAX_SUBCLASSES = 8;
export const LOCKDEP_NODES = NR_CLASSES * MAX_SUBCLASSES;

// Lock kinds: what operations a class admits.
export const KIND_SPIN = 0; // raw_spinlock_t / spinlock_t: fair ticket lock
export const KIND_RWLOCK = 1; // rwlock_t (tasklist_lock)
export const KIND_RWSEM = 2; // (percpu_)rw_semaphore: sleeps in the kernel, spins here
export const KIND_MUTEX = 3; // struct mutex: sleeps in the kernel, ticket lock here

// Lock words. Ticket lock: next ticket in the high half, now-serving in the
// low half. Reader-writer word: readers in bits 0..15, waiting writers in
// bits 16..29, the writer-holds bit 30. A waiting writer blocks new readers,
// so writers are not starved (qrwlock's _QW_WAITING, in spirit).
export const TICKET_ONE = 0x10000;
export const TICKET_MASK = 0xffff;
export const RW_READER = 1;
export const RW_READERS_MASK = 0xffff;
export const RW_WAITER = 0x10000;
export const RW_WAITERS_MASK = 0x3fff0000;
export const RW_WRITER = 0x40000000;

// ── Ledger resources (bit index in a task's owned set; at most 64) ─────────
export const RES_TASK_STRUCT = 0;
export const RES_CREDS = 1;
export const RES_NPROC = 2; // the RLIMIT_NPROC ucount
export const RES_DELAYACCT = 3;
export const RES_MEMPOLICY = 4;
export const RES_PERF = 5;
export const RES_AUDIT = 6;
export const RES_SECURITY = 7;
export const RES_SEMUNDO = 8;
export const RES_FILES = 9;
export const RES_FS = 10;
export const RES_SIGHAND = 11;
export const RES_SIGNAL = 12;
export const RES_MM = 13;
export const RES_NAMESPACES = 14;
export const RES_IO = 15;
export const RES_THREAD = 16;
export const RES_PID = 17;
export const RES_CGROUP_FORK = 18; // cgroup_can_fork()'s css_set ref + threadgroup read hold
export const RES_PIDS_CHARGE = 19; // the pids controller's charge
export const RES_CORE_COOKIE = 20;
export const RES_SCX_TASK = 21; // per-task state set up by ops.init_task()
export const NR_RESOURCES = 22;

// ── Conditions (OP_REQUIRE / OP_IF) ─────────────────────────────────────────
export const COND_PIDNS_ADDING = 0; // pid_allocated & PIDNS_ADDING
export const COND_FATAL_SIGNAL_PENDING = 1; // fatal_signal_pending(current)
export const COND_SIGPENDING = 2; // task_sigpending(current)
export const COND_BELOW_MAX_THREADS = 3; // nr_threads < max_threads (read racily, like data_race())
export const COND_NPROC_OK = 4; // RLIMIT_NPROC: tasks run as root here, so always true
export const COND_DL_PRIO = 5; // dl_prio(p->prio): no deadline tasks here, so always false
export const COND_SCX_ENABLED = 6; // scx_enabled()
export const COND_SCX_INIT_TASK_ENABLED = 7; // scx_ops_init_task_enabled
export const COND_P_CLASS_EXT = 8; // p->sched_class == &ext_sched_class
export const COND_ITER_END = 9; // the last iterator primitive found nothing
export const COND_LAST_REF = 10; // the last put dropped the final reference
export const COND_TASK_RQ_STABLE = 11; // task_rq(t) == rq (after locking it)
export const COND_T_SCX_STATE_NONE = 12; // t's scx state is NONE
export const COND_T_SCX_STATE_ENABLED = 13;
export const COND_P_SCX_STATE_NONE = 14;
export const COND_SAME_RQ = 15; // rq == rq2
export const NR_CONDS = 16;

// ── Primitive behaviours (what a primitive does beyond its ledger effects) ─
export const B_NONE = 0;
export const B_DUP_TASK_STRUCT = 1;
export const B_FREE_TASK = 2; // bad_fork_free: the child is TASK_DEAD, its slot freed at return
export const B_SCHED_FORK = 3;
export const B_SET_TASK_CPU = 4;
export const B_IDR_ALLOC = 5;
export const B_IDR_REMOVE = 6;
export const B_PIDS_CHARGE = 7;
export const B_PIDS_UNCHARGE = 8;
export const B_OPS_INIT_TASK = 9;
export const B_OPS_EXIT_TASK = 10;
export const B_SCX_TASKS_ADD = 11;
export const B_SCX_TASKS_DEL = 12;
export const B_ATTACH_PID = 13;
export const B_SELECT_TASK_RQ = 14;
export const B_ACTIVATE_TASK = 15;
export const B_PUT_PREV_TASK = 16;
export const B_PICK_NEXT_TASK = 17;
export const B_EXIT_ZOMBIE = 18;
export const B_DO_TASK_DEAD = 19;
export const B_WAIT_TASK_ZOMBIE = 20;
export const B_UNHASH_PROCESS = 21;
export const B_PUT_RCU_USER = 22;
export const B_FREE_TASK_STRUCT = 23;
export const B_PICK_KILL_TARGET = 24;
export const B_SEND_SIGKILL = 25;
export const B_PIDNS_DISABLE = 26;
export const B_PIDNS_ENABLE = 27;
export const B_SCX_SET_INIT_TASK_ENABLED = 28;
export const B_SCX_CLEAR_INIT_TASK_ENABLED = 29;
export const B_SCX_SET_ENABLED = 30;
export const B_SCX_CLEAR_ENABLED = 31;
export const B_SCX_TASK_ITER_START = 32;
export const B_SCX_TASK_ITER_NEXT = 33;
export const B_TASK_RQ = 34;
export const B_SCX_INIT_TASK_LOADED = 35;
export const B_SCX_SWITCH_CLASS = 36;
export const B_FIND_BUSIEST_RQ = 37;
export const B_DOUBLE_RQ_ORDER = 38;
export const B_MIGRATE_TASK = 39;
export const B_GET_PARENT = 40;
export const B_SCX_SET_READY = 41;
export const B_SCX_ENABLE_TASK = 42;
export const B_SCX_DISABLE_TASK = 43;
export const B_SCX_RESET_CLASS = 44;
export const B_LITMUS_LOAD = 45; // litmus tests: read a shared counter into this CPU's scratch word
export const B_LITMUS_STORE = 46; // litmus tests: write scratch + 1 back (a split, racy increment)
export const NR_BEHAVIOURS = 47;

// ── Task states (task_struct->__state / exit_state, collapsed) ─────────────
export const TASK_FREE = 0; // slot unused
export const TASK_NEW = 1; // being forked (sched_fork's TASK_NEW)
export const TASK_RUNNING = 2; // runnable or running
export const EXIT_ZOMBIE = 3;
export const EXIT_DEAD = 4; // claimed by a reaper
export const TASK_DEAD = 5; // a failed fork's child after bad_fork_free

// Task flags.
export const TF_SIGKILL = 1; // SIGKILL pending
export const TF_UNKILLABLE = 2; // SIGNAL_UNKILLABLE (the boot tasks: init and friends)
export const TF_ON_SCX_LIST = 4; // on scx_tasks
export const TF_CLASS_EXT = 8; // p->sched_class == &ext_sched_class
export const TF_EXITING = 16; // PF_EXITING

// sched_ext per-task states.
export const SCX_TASK_NONE = 0;
export const SCX_TASK_INIT = 1;
export const SCX_TASK_READY = 2;
export const SCX_TASK_ENABLED = 3;

// ── Workload actions: what a running task does next ─────────────────────────
export const ACT_FORK = 0;
export const ACT_EXIT = 1;
export const ACT_WAIT = 2;
export const ACT_KILL = 3;
export const ACT_YIELD = 4;
export const ACT_SCX_ENABLE = 5;
export const ACT_SCX_DISABLE = 6;
export const ACT_LOAD_BALANCE = 7;
export const ACT_ZAP_PID_NS = 8;
export const ACT_REOPEN_PID_NS = 9;
export const ACT_SCHEDULE = 10; // run by an idle CPU (or after exit); not weighted
export const NR_ACTIONS = 11;

// ── What step() returns ─────────────────────────────────────────────────────
export const STEP_PROGRESS = 0;
export const STEP_SPIN = 1; // tried a lock and did not get it
export const STEP_IDLE = 2; // nothing to run
export const STEP_STOPPED = 3; // the machine's stop flag is set

// A scheduling policy's choice that is not a CPU (assembly/sched/).
export const CHOICE_SKIP = -1; // no step this time (a stall began)
export const CHOICE_END = -2; // the policy has no more choices

// ── What runStep() (the step driver's batch) returns ────────────────────────
export const RUN_BUDGET = 0; // the budget is spent
export const RUN_STOPPED = 1; // the machine's stop flag is set
export const RUN_DEADLOCK = 2; // every CPU spins or idles for quietLimit steps, at least one spinning
export const RUN_IDLE = 3; // the whole machine is idle
export const RUN_SCHEDULE_END = 4; // the replay policy has followed its whole schedule

// ── Findings ────────────────────────────────────────────────────────────────
export const FIND_LEAK = 1; // a failed fork's child still owns resources after its ladder
export const FIND_DOUBLE_RELEASE = 2;
export const FIND_DOUBLE_ACQUIRE = 3;
export const FIND_BAD_UNLOCK = 4; // unlock of a lock this CPU does not hold
export const FIND_RECURSIVE_LOCK = 5;
export const FIND_LOCK_HELD_RETURN = 6; // lock held when returning to user space
export const FIND_ASSERT_HELD = 7; // lockdep_assert_held() failed
export const FIND_FREE_OWNED = 8; // a task freed while still owning resources
export const FIND_DEADLOCK = 9; // step driver: every CPU spins
export const FIND_HANG = 10; // parallel driver: watchdog
export const FIND_INVARIANT = 11;
export const FIND_HELD_OVERFLOW = 12; // more than MAX_HELD locks held
export const FIND_CALL_OVERFLOW = 13;
export const FIND_LOCKDEP_CYCLE = 14;
export const FIND_LOCK_ORDER_INSTANCE = 15; // nested locks of one class in the wrong instance order
export const FIND_WORKER_DIED = 16;
export const FIND_LIVELOCK = 17; // no fork attempt completes while CPUs keep finishing syscalls
export const NR_FIND_KINDS = 18;

// Invariant ids (FIND_INVARIANT's detail).
export const INV_NR_RUNNING = 1; // rq->nr_running != tasks queued on it
export const INV_NR_THREADS = 2; // nr_threads != tasks with an attached pid
export const INV_LEDGER = 3; // global resource count != sum over live tasks
export const INV_PID_COUNT = 4; // pids allocated != tasks owning a pid
export const INV_IDLE_HOLDS_LOCK = 5; // an idle CPU holds a lock
export const INV_TASK_STATE = 6; // a task in no state or two places
export const INV_LOCK_FREE = 7; // a lock word is not free at a quiescent point with no holder

// ── errno values (positive; copy_process returns -errno) ────────────────────
export const ESRCH = 3;
export const EINTR = 4;
export const ECHILD = 10;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EINVAL = 22;
export const ERESTARTNOINTR = 513;

// ── Limits ──────────────────────────────────────────────────────────────────
export const MAX_CPUS = 128;
export const MAX_TASKS = 4194304;
export const MAX_CALL_DEPTH = 16;
export const MAX_HELD = 16; // lockdep's MAX_LOCK_DEPTH is 48; the fork path nests 4
export const MAX_PATH = 32; // labels recorded per failing syscall
export const MAX_SITES = 4096;
export const MAX_INSNS = 65536;
export const MAX_PRIMS = 256;
