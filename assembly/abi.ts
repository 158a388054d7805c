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
export const OP_CALL = 6; // arg = routine entry; target = else (callee returned err != 0); obj = passed reg | param reg << 4
export const CALL_PARAM_SHIFT = 4; // OP_CALL obj: the callee's parameter register gets the passed one's task
export const OP_RETURN = 7; // returns the err register (0 on the success path); obj = RET_*: `return 0` clears it first, `return ERRNO` sets it
export const RET_ERR = 0; // return
export const RET_ZERO = 1; // return 0
export const RET_ERRNO = 2; // return ERRNO (errno word): the C's `return -EINVAL`
export const OP_GOTO = 8; // target
export const OP_REQUIRE = 9; // arg = condition row; fails with errno to target unless it holds
export const OP_IF = 10; // arg = condition row; goto target if it holds
export const OP_MOV = 11; // arg = destination task register; obj = source task register; errno word = 0, or 1 + a task-reference var read through obj
export const OP_STATE = 12; // arg = var id; obj = ST_* | reg << 4; errno word = value (ST_SET)
export const OP_WARN = 13; // arg = condition row: WARN_ON(cond), a finding when it holds
export const OP_CTX = 14; // arg = CTX_*: the execution context's own operations (irqs, preemption, might_sleep)
export const NR_OPS = 15;
export const CTX_IRQ_DISABLE = 0; // local_irq_disable()
export const CTX_IRQ_ENABLE = 1; // local_irq_enable()
export const CTX_IRQ_SAVE = 2; // local_irq_save(flags): the flags go on the context's irq-save stack
export const CTX_IRQ_RESTORE = 3; // local_irq_restore(flags)
export const CTX_PREEMPT_DISABLE = 4; // preempt_disable()
export const CTX_PREEMPT_ENABLE = 5; // preempt_enable(): a preemption point
export const CTX_MIGHT_SLEEP = 6; // might_sleep()

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
// A lock instruction's errno word (unused by locks otherwise): LF_* | wait type << LF_WAIT_SHIFT.
export const LF_IRQ = 1; // _irq: interrupts off before the lock, on after the unlock
export const LF_IRQSAVE = 2; // _irqsave / _irqrestore: the state is saved in the held lock
export const LF_BH = 4; // _bh: softirqs are not modelled, so it is the plain form
export const LF_WAIT_SHIFT = 4;
export const LF_WAIT_MASK = 7;
// lockdep's wait types (include/linux/lockdep_types.h, enum lockdep_wait_type):
// a lock may only be taken where the context's wait type is at least its own.
export const WAIT_SPIN = 2; // LD_WAIT_SPIN: raw_spinlock_t
export const WAIT_CONFIG = 3; // LD_WAIT_CONFIG: spinlock_t, rwlock_t (sleeping on PREEMPT_RT; SPIN otherwise)
export const WAIT_SLEEP = 4; // LD_WAIT_SLEEP: mutex, rw_semaphore, percpu_rw_semaphore
export const WAIT_MAX = 5; // task context: anything may be taken

// A held lock's info word (the CPU's held-lock stack, layout HL_INFO):
// class | subclass << 8 | mode << 12.
export const HELD_CLASS_MASK = 0xff;
export const HELD_SUB_SHIFT = 8;
export const HELD_SUB_MASK = 0xf;
export const HELD_MODE_SHIFT = 12;
export const HELD_MODE_MASK = 3;
export const HELD_IRQS_ON = 1 << 14; // an _irqsave hold: interrupts were on before it (restored at _irqrestore)
export const HELD_ATOMIC = 1 << 15; // the hold raised preempt_count (a spinning lock)
export const HELD_WAIT_SHIFT = 16; // the class's wait type (WAIT_*)
export const HELD_WAIT_MASK = 7;
export const HELD_RW = 1 << 19; // a reader-writer kind (its write holds order dependencies for usage.ts)

// ── Registers ───────────────────────────────────────────────────────────────
// Task registers hold a task slot (tid) or NO_TASK; rq registers hold a CPU id.
export const NO_TASK = -1;
export const REG_NONE = 0;
export const REG_P = 1; // the child being forked
export const REG_T = 2; // another task: kill target, task being reaped, iterator cursor
export const REG_CURRENT = 3; // the task running on this CPU
export const REG_PARENT = 4; // a parent: the reaper children go to, the task a child notifies (mov parent, t.real_parent)
export const REG_RQ = 5; // a runqueue (CPU id)
export const REG_RQ2 = 6; // a second runqueue (double_rq_lock)
export const REG_THIS_RQ = 7; // this CPU's runqueue (read-only)
export const REG_T2 = 8; // a second task (release_task()'s leader)
export const NR_REGS = 9;

// ── Execution contexts ─────────────────────────────────────────────────────
// preempt_count as include/linux/preempt.h lays it out: the preemption
// depth in bits 0..7, hardirq nesting from bit 16.
export const PREEMPT_MASK = 0xff;
export const HARDIRQ_OFFSET = 0x10000;
export const HARDIRQ_MASK = 0xf0000;
export const MAX_IRQS = 8; // interrupt handlers a model declares (bits of a CPU's pending mask)
export const PREEMPT_NONE = 0; // --preempt none: kernel code runs to completion
export const PREEMPT_FULL = 1; // --preempt full: a tick may preempt kernel code at preempt_count 0
// lockdep's hardirq usage bits per lock class (LOCK_USED_IN_HARDIRQ[_READ], LOCK_ENABLED_HARDIRQ[_READ]).
export const USED_IN_IRQ_W = 1;
export const USED_IN_IRQ_R = 2;
export const ENABLED_IRQ_W = 4;
export const ENABLED_IRQ_R = 8;
export const NR_USAGE_BITS = 4;
// A hung task's holders (FIND_HUNG_TASK's path: pid << 4 | HOLDER_*, then the pc it waits at or -1).
export const HOLDER_RUNNING = 0; // on a CPU, in the kernel
export const HOLDER_SPINNING = 1; // on a CPU, spinning on a lock
export const HOLDER_SLEEPING = 2; // blocked on a sleeping lock
export const HOLDER_PREEMPTED = 3; // runnable, preempted in the kernel
export const HOLDER_USER = 4; // returned to user space holding it

// ── Locks ───────────────────────────────────────────────────────────────────
// A lock ref names a lock instance: ref = class << 16 | reg << 8 | slot. The
// model declares every lock (src/kasm/declare.ts); the class is lockdep's
// (all pi_locks are one class), the slot indexes the global locks
// (REG_NONE), a task's lock words (task registers) or a runqueue's (rq
// registers).
export const LOCKREF_CLASS_SHIFT = 16;
export const LOCKREF_REG_SHIFT = 8;
export const LOCKREF_SLOT_MASK = 0xff;
export const MAX_CLASSES = 32;
export const MAX_GLOBAL_LOCKS = 32;
export const MAX_TASK_LOCKS = 5;
export const MAX_RQ_LOCKS = 4;
// lockdep's graph nodes are (class, subclass) pairs, as lock_class keys are.
export const MAX_SUBCLASSES = 8;
export const LOCKDEP_NODES = MAX_CLASSES * MAX_SUBCLASSES;

// Lock kinds: what operations a class admits (the declared kinds map onto
// these: raw_spinlock and spinlock are SPIN, percpu_rwsem and rwsem RWSEM).
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

// ── Ledger resources ────────────────────────────────────────────────────────
// Declared by the model (`resource NAME`): bit index in a task's owned set.
export const MAX_RESOURCES = 32;

// ── Declared state (`state`, `refcount`, `param`) ──────────────────────────
// A variable lives in the global state region, in a task's or in a
// runqueue's; an access names the variable (its row in the vars table) and,
// for task and rq variables, the register of the instance.
export const SCOPE_GLOBAL = 0;
export const SCOPE_TASK = 1;
export const SCOPE_RQ = 2;
export const SCOPE_LOCAL = 3; // the syscall's locals (clone_flags): per CPU, zeroed at syscall entry
export const MAX_VARS = 128; // rows in the vars table
export const MAX_GLOBAL_VARS = 64; // words (a refcount takes two)
export const MAX_TASK_VARS = 32;
export const MAX_RQ_VARS = 8;
export const MAX_LOCAL_VARS = 8;
export const VF_REFCOUNT = 1; // a refcount_t: get from 0 and put below 0 are findings
export const VF_TASK = 2; // a task reference: holds slot + 1 (0: NULL)
export const VF_STRUCT = 4; // a task reference that hosts a struct (`struct sighand`): the boot tasks' point at themselves
export const VF_LIVE = 8; // a task reference that points at a running task (or NULL) at every quiescent point (`live`)
export const VF_COUNTS = 16; // a struct's count that equals, at every quiescent point, its running and zombie tasks (`counts`)
export const NO_HOST = -1; // a per-task variable or lock that lives in its own task

// State operations: OP_STATE's obj low nibble, and a primitive's effects.
export const ST_SET = 0; // var = value
export const ST_INC = 1;
export const ST_DEC = 2;
export const ST_GET = 3; // refcount_inc()
export const ST_PUT = 4; // refcount_dec_and_test(): at zero the release routine runs
export const ST_CHARGE = 5; // primitive effect: var += 1 unless that passes the limit var (> 0), then a natural failure
export const ST_SET_TASK = 6; // var = the task in register `value` (a task reference)
export const ST_COPY = 7; // var = the task reference var (value & 0xffff) read through register (value >> 16)
export const MAX_PRIM_EFFECTS = 4;
export const PF_SLEEPS = 1; // a primitive's flags: it may sleep (`sleeps`: a GFP_KERNEL allocation), so might_sleep()

// ── Conditions (OP_REQUIRE / OP_IF / a primitive's natural failure / an
// action's precondition): a row of up to MAX_ATOMS atoms, all of which must
// hold. An atom compares two operands.
export const MAX_CONDS = 256;
export const MAX_ATOMS = 4;
export const CMP_TRUE = 0; // lhs != 0
export const CMP_FALSE = 1; // lhs == 0
export const CMP_EQ = 2;
export const CMP_NE = 3;
export const CMP_LT = 4;
export const CMP_LE = 5;
export const CMP_GT = 6;
export const CMP_GE = 7;
export const CMP_AND = 8; // (lhs & rhs) != 0: a flag test, `clone_flags & CLONE_THREAD`
export const CMP_NAND = 9; // (lhs & rhs) == 0: `!(clone_flags & CLONE_VM)`
// Operands: kind | reg << 4 | flags << 8, and a value word.
export const OPD_CONST = 0; // value
export const OPD_VAR = 1; // value = var id; reg for task and rq variables
export const OPD_BUILTIN = 2; // value = BV_*; reg where the value is a task's or runqueue's
export const OPD_REG = 3; // the CPU id in an rq register
export const OPD_TASK = 4; // the task in a task register as a task reference holds it (slot + 1; 0: empty)
export const OPD_KIND_MASK = 0xf;
export const OPD_REG_SHIFT = 4;
export const OPD_REG_MASK = 0xf;
export const OPD_RACY = 0x100; // data_race(): a read the guard check skips
// Values the built-in services keep (machine state, not declared).
export const BV_NR_THREADS = 0; // nr_threads (read racily, like data_race())
export const BV_MAX_THREADS = 1; // max_threads (the scenario's)
export const BV_PIDNS_ADDING = 2; // ns->pid_allocated & PIDNS_ADDING
export const BV_FATAL_SIGNAL_PENDING = 3; // fatal_signal_pending(current): only SIGKILL is modelled
export const BV_ITER_END = 4; // the last iterator or search found nothing
export const BV_LAST_REF = 5; // the last put_task_struct_rcu_user() dropped the final reference
export const BV_RANDOM_PPM = 6; // a fresh draw in [0, 1000000) from this CPU's RNG
export const BV_TASK_CPU = 7; // task_cpu(reg)
export const BV_TRYGET_FAILED = 8; // the last tryget_task_struct found the task's usage at zero (being freed)
export const BV_EXIT_STATE = 9; // REG->exit_state: 0, EXIT_ZOMBIE_VALUE or EXIT_DEAD_VALUE (the kernel's numbers)
export const BV_IRQS_DISABLED = 10; // irqs_disabled()
export const BV_IN_HARDIRQ = 11; // in_hardirq()
export const BV_PREEMPT_COUNT = 12; // preempt_count()
export const NR_BUILTINS = 13;
export const EXIT_DEAD_VALUE = 0x10; // include/linux/sched.h
export const EXIT_ZOMBIE_VALUE = 0x20;

// ── Built-in services (what a declared primitive runs beyond its declared
// effects: machine code with kernel names, src/kasm/services.ts) ─────────
export const B_NONE = 0;
export const B_DUP_TASK_STRUCT = 1;
export const B_FREE_TASK = 2; // bad_fork_free: the child is TASK_DEAD, its slot freed at return
export const B_SET_TASK_CPU = 3;
export const B_IDR_ALLOC = 4;
export const B_IDR_REMOVE = 5;
export const B_ATTACH_PID = 6;
export const B_SELECT_TASK_RQ = 7;
export const B_ACTIVATE_TASK = 8;
export const B_PUT_PREV_TASK = 9;
export const B_PICK_NEXT_TASK = 10;
export const B_EXIT_ZOMBIE = 11;
export const B_DO_TASK_DEAD = 12;
export const B_WAIT_TASK_ZOMBIE = 13;
export const B_UNHASH_PROCESS = 14;
export const B_PUT_RCU_USER = 15;
export const B_FREE_TASK_STRUCT = 16;
export const B_PICK_KILL_TARGET = 17;
export const B_SEND_SIGKILL = 18;
export const B_PIDNS_DISABLE = 19;
export const B_PIDNS_ENABLE = 20;
export const B_TASK_ITER_START = 21;
export const B_TASK_ITER_NEXT = 22; // arg: the condition row a task must meet, read with t = the task
export const B_TASK_RQ = 23;
export const B_FIND_BUSIEST_RQ = 24;
export const B_DOUBLE_RQ_ORDER = 25;
export const B_MIGRATE_TASK = 26;
export const B_CHILD_REAPER = 27; // REG = the pid namespace's child reaper (the boot task of CPU 0: pid 1)
export const B_LITMUS_LOAD = 28; // litmus tests: read a shared counter into this CPU's scratch word
export const B_LITMUS_STORE = 29; // litmus tests: write scratch + 1 back (a split, racy increment)
export const B_TRYGET_TASK_STRUCT = 30; // refcount_inc_not_zero(&t->usage); tryget_failed when it was zero
export const B_EXIT_DEAD = 31; // exit_notify() with autoreap: exit_state = EXIT_DEAD, no zombie
export const B_TTWU_PENDING = 32; // sched_ttwu_pending(): this CPU's wake list onto its runqueue
export const B_SCHED_TICK = 33; // sched_tick(): resched_curr() when another task waits on this runqueue
export const NR_SERVICES = 34;

// ── Task states (task_struct->__state / exit_state, collapsed) ─────────────
export const TASK_FREE = 0; // slot unused
export const TASK_NEW = 1; // being forked (sched_fork's TASK_NEW)
export const TASK_RUNNING = 2; // runnable or running
export const EXIT_ZOMBIE = 3;
export const EXIT_DEAD = 4; // claimed by a reaper
export const TASK_DEAD = 5; // a failed fork's child after bad_fork_free
export const TASK_HOST = 6; // freed, but its slot keeps a struct other tasks still point at (a leader's signal_struct)


// Task flags.
export const TF_SIGKILL = 1; // SIGKILL pending
export const TF_UNKILLABLE = 2; // SIGNAL_UNKILLABLE (the boot tasks: init and friends)
export const TF_EXITING = 4; // PF_EXITING
export const TF_BLOCKED = 8; // TASK_UNINTERRUPTIBLE on a sleeping lock: off every runqueue, its kernel context saved (a flag:
                             // the one state word is also exit_state's, and an exiting task may sleep too)

// ── Workload actions: what a running task does next ─────────────────────────
// The built-in ones have machine semantics (population control, fork
// accounting, reaping); a model declares its own after them (`action`).
export const ACT_FORK = 0;
export const ACT_EXIT = 1;
export const ACT_WAIT = 2;
export const ACT_KILL = 3;
export const ACT_YIELD = 4;
export const ACT_BALANCE = 5; // also run by an idle CPU while another runqueue is busy (newidle)
export const ACT_SCHEDULE = 6; // run by an idle CPU (or after exit); not weighted
export const ACT_MODEL = 7; // the first model-declared action
// A model action's kind (H_FORK_ACTIONS, H_FIRST_ACTIONS: bit masks over actions).
export const AF_FORK = 1; // a fork (clone, vfork, ...): population control and fork accounting, as ACT_FORK
export const AF_FIRST = 2; // runs whenever its precondition holds, before the weighted pick (a task waiting)
export const MAX_MODEL_ACTIONS = 12;
export const NR_ACTIONS = ACT_MODEL + MAX_MODEL_ACTIONS;

// ── What step() returns ─────────────────────────────────────────────────────
export const STEP_PROGRESS = 0;
export const STEP_SPIN = 1; // tried a lock and did not get it
export const STEP_IDLE = 2; // nothing to run
export const STEP_STOPPED = 3; // the machine's stop flag is set
export const STEP_IRQ = 4; // an interrupt handler ran a step (work, but not the interrupted code's progress)

// A scheduling policy's choice that is not a CPU (assembly/sched/).
export const CHOICE_SKIP = -1; // no step this time (a stall began)
export const CHOICE_END = -2; // the policy has no more choices
export const IRQ_MARK = 0x80; // a schedule byte IRQ_MARK | h: interrupt h arrives at the CPU of the next byte

// A scheduling point's access (sched/points.ts): the object the CPU's next
// operation touches, an address (a multiple of 4) or'd with ACC_*. A
// transition ends before an access that is not local.
export const ACC_LOCAL = 0; // touches only this CPU's own words
export const ACC_READ = 1;
export const ACC_WRITE = 2;
export const ACC_KIND_MASK = 3;
export const OBJ_MACHINE = 4; // what services, conditions and syscall entry read or write: overlaps every object

// ── What runStep() (the step driver's batch) returns ────────────────────────
export const RUN_BUDGET = 0; // the budget is spent
export const RUN_STOPPED = 1; // the machine's stop flag is set
export const RUN_DEADLOCK = 2; // every CPU spins or idles for quietLimit steps, at least one spinning
export const RUN_IDLE = 3; // the whole machine is idle
export const RUN_SCHEDULE_END = 4; // the replay policy has followed its whole schedule
export const RUN_TIME_END = 5; // the time policy reached its horizon (every clock is past it)

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
export const FIND_GUARDED = 18; // declared state accessed without the lock that guards it
export const FIND_REFCOUNT = 19; // refcount_t: addition on 0, or underflow
export const FIND_WARN = 20; // a model's WARN_ON(cond) found its condition true
export const FIND_IRQ_INCONSISTENT = 21; // lockdep: inconsistent lock state ({IN-HARDIRQ-W} and {HARDIRQ-ON-W})
export const FIND_IRQ_INVERSION = 22; // lockdep: irq lock inversion, or a hardirq-safe -> hardirq-unsafe dependency
export const FIND_MIGHT_SLEEP = 23; // sleeping function called from invalid context
export const FIND_WAIT_CONTEXT = 24; // lockdep: invalid wait context
export const FIND_HUNG_TASK = 25; // a task blocked on a sleeping lock for too long
export const FIND_IRQ_DEADLOCK = 26; // an interrupt handler spins on a lock the code it interrupted holds
export const NR_FIND_KINDS = 27;

// Invariant ids (FIND_INVARIANT's detail).
export const INV_NR_RUNNING = 1; // rq->nr_running != tasks queued on it
export const INV_NR_THREADS = 2; // nr_threads != tasks with an attached pid
export const INV_LEDGER = 3; // global resource count != sum over live tasks
export const INV_PID_COUNT = 4; // pids allocated != tasks owning a pid
export const INV_IDLE_HOLDS_LOCK = 5; // an idle CPU holds a lock
export const INV_TASK_STATE = 6; // a task in no state or two places
export const INV_LOCK_FREE = 7; // a lock word is not free at a quiescent point with no holder
export const INV_TASK_REF = 8; // a live task's task reference points at a freed slot, or a `live` one at a task not running
export const INV_STRUCT_COUNT = 9; // a struct's `counts` count differs from the tasks that share it

// ── errno values (positive; copy_process returns -errno) ────────────────────
export const EPERM = 1;
export const ESRCH = 3;
export const EINTR = 4;
export const ECHILD = 10;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EFAULT = 14;
export const EBUSY = 16;
export const EINVAL = 22;
export const EMFILE = 24;
export const EPROTO = 71;
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
export const STATE_REG_SHIFT = 4; // OP_STATE obj: op | reg << 4
