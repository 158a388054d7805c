// Shared with the TypeScript host: this file must stay portable between the
// AssemblyScript and TypeScript compilers (plain integer constants only).
// On the host only src/machine/ may import it (test/layers.test.ts).
//
// The memory map of the simulated machine. The header sits at a fixed
// offset; every other region is placed by configure() from the sizes in the
// header and its base written back into the header, so the host reads the
// same numbers the module computed. Per-CPU blocks are multiples of 64 bytes
// so that two simulated CPUs never share a cache line.
//
// Fields inside a block are chained (`NEXT = PREV + size of PREV`), so
// inserting a field is one line and two fields cannot overlap;
// test/layout.test.ts checks every block is one unbroken chain that fits its
// stride.
//
//   0 ........ AssemblyScript static data (must end below HEADER_BASE)
//   HEADER_BASE  header: config (host) · layout (configure) · global state
//   code · effects · sites · vars · conditions · global vars · global locks · CPUs · runqueues · tasks ·
//   findings · lockdep (matrix · edges · scratch) · lock_stat · contention ·
//   finding staging · distinct findings · their first records · schedule

export const HEADER_BASE = 16384;
export const HEADER_SIZE = 4096;
export const MAGIC = 0x6b73666f; // "ofsk"
export const ABI_VERSION = 3;
export const PAGE = 65536;
export const MAX_PAGES = 32768; // 2 GiB: the module's declared maximum
export const LINE = 64; // one cache line

// ── Header: configuration, written by the host (src/machine) before configure()
//  0 magic · 4 abi · 8 cpus · 12 tasks · 16 seed (u64) · 24 max_threads
//  28 pid_max · 32 population · 36 flags · 40 insns · 44 effects rows
//  48 sites · 52 fork limit · 56 spin park · 60 findings capacity
//  64 vars · 68 conditions · 72 boot-owned resources (u64) · 80 the pid resource
//  84 weights[NR_ACTIONS] · entries[NR_ACTIONS] · action conditions[NR_ACTIONS]
export const H_MAGIC = 0;
export const H_ABI_VERSION = H_MAGIC + 4;
export const H_NR_CPUS = H_ABI_VERSION + 4;
export const H_NR_TASKS = H_NR_CPUS + 4; // task slots
export const H_SEED = H_NR_TASKS + 4; // u64
export const H_MAX_THREADS = H_SEED + 8;
export const H_PID_MAX = H_MAX_THREADS + 4;
export const H_POPULATION = H_PID_MAX + 4; // target number of live tasks
export const H_FLAGS = H_POPULATION + 4;
export const H_NR_INSNS = H_FLAGS + 4;
export const H_NR_EFFECTS = H_NR_INSNS + 4;
export const H_NR_SITES = H_NR_EFFECTS + 4;
export const H_FORK_LIMIT = H_NR_SITES + 4; // stop after this many fork attempts (0: no limit)
export const H_SPIN_PARK = H_FORK_LIMIT + 4; // spins before a CPU parks on a lock word (parallel driver)
export const H_FINDINGS_CAP = H_SPIN_PARK + 4;
export const H_NR_VARS = H_FINDINGS_CAP + 4; // rows of the vars table
export const H_NR_CONDS = H_NR_VARS + 4; // rows of the conditions table
export const H_BOOT_OWNED = H_NR_CONDS + 4; // u64: what a boot task owns (what dup_task_struct and idr_alloc acquire)
export const H_PID_RESOURCE = H_BOOT_OWNED + 8; // the resource idr_alloc acquires (-1: none)
export const H_WEIGHTS = H_PID_RESOURCE + 4; // i32[NR_ACTIONS] (19), thousandths
export const H_ENTRIES = H_WEIGHTS + 19 * 4; // i32[NR_ACTIONS]: routine entry pcs, -1 when absent
export const H_ACTION_CONDS = H_ENTRIES + 19 * 4; // i32[NR_ACTIONS]: condition row that must hold, -1: none
export const H_FORK_ACTIONS = H_ACTION_CONDS + 19 * 4; // bit mask: the model actions that are forks (AF_FORK)
export const H_FIRST_ACTIONS = H_FORK_ACTIONS + 4; // bit mask: the model actions run first while they may (AF_FIRST)
export const H_TASK_LOCK_HOSTS = H_FIRST_ACTIONS + 4; // i32[MAX_TASK_LOCKS]: the struct var slot hosting each per-task lock (NO_HOST)
export const H_CONFIG_END = H_TASK_LOCK_HOSTS + 5 * 4;

export const FLAG_LEDGER = 1;
export const FLAG_LOCKDEP = 2;
export const FLAG_PARK = 4;
export const FLAG_STOP_ON_FINDING = 8;

// ── Header: layout, written by configure() ─────────────────────────────────
export const H_CODE_BASE = 352;
export const H_EFFECTS_BASE = H_CODE_BASE + 4;
export const H_SITES_BASE = H_EFFECTS_BASE + 4;
export const H_VARS_BASE = H_SITES_BASE + 4; // the vars table: one row per declared variable
export const H_CONDS_BASE = H_VARS_BASE + 4; // the conditions table
export const H_GLOBAL_VARS_BASE = H_CONDS_BASE + 4; // global variables, one line each
export const H_GLOBAL_LOCKS_BASE = H_GLOBAL_VARS_BASE + 4;
export const H_CPU_BASE = H_GLOBAL_LOCKS_BASE + 4;
export const H_RQ_BASE = H_CPU_BASE + 4;
export const H_TASK_BASE = H_RQ_BASE + 4;
export const H_FINDINGS_BASE = H_TASK_BASE + 4;
export const H_LD_MATRIX_BASE = H_FINDINGS_BASE + 4; // lockdep: dependency bit matrix
export const H_LD_EDGES_BASE = H_LD_MATRIX_BASE + 4; // lockdep: first-seen record per edge
export const H_LD_SCRATCH_BASE = H_LD_EDGES_BASE + 4; // lockdep: per CPU, search scratch and chain cache (LD_PER_CPU)
export const H_LOCKSTAT_BASE = H_LD_SCRATCH_BASE + 4; // per CPU: NR_CLASSES × 2 modes × lock_stat record
export const H_CONTENTION_BASE = H_LOCKSTAT_BASE + 4; // i32 per instruction: contentions at that lock op
export const H_SCHED_BASE = H_CONTENTION_BASE + 4; // the schedule buffer: one byte per step
export const H_STAGE_BASE = H_SCHED_BASE + 4; // a finding being written, per CPU (+1 for the host's)
export const H_DISTINCT_BASE = H_STAGE_BASE + 4; // one entry per distinct finding
export const H_FIRSTS_BASE = H_DISTINCT_BASE + 4; // the first record of each distinct finding
export const H_KCTX_BASE = H_FIRSTS_BASE + 4; // kernel contexts: one interrupt save area per CPU, then the slots
export const H_LD_USAGE_BASE = H_KCTX_BASE + 4; // lockdep: hardirq usage per node
export const H_END = H_LD_USAGE_BASE + 4;
export const H_STATUS = H_END + 4; // configure()'s result
export const H_LAYOUT_END = H_STATUS + 4;

// ── Header: the step driver's scheduler (one line; not the simulated machine:
// a replay leaves everything else byte-identical, this line aside) ─────────
//  0 policy · 4 schedule capacity · 8 schedule length · 12 replay position
//  16 rng (u64) · 24 stall ppm · 28 stall max · 32 stalled CPU · 36 stall left
//  40 steps run (u64) · 48 flags · 52 pad · 56 irq rng (u64)
export const H_SCHED = 448;
export const H_POLICY = H_SCHED; // POLICY_*
export const H_SCHED_CAP = H_POLICY + 4; // bytes of schedule buffer (0: none)
export const H_SCHED_LEN = H_SCHED_CAP + 4; // choices recorded (or to replay)
export const H_SCHED_POS = H_SCHED_LEN + 4; // replay: next choice
export const H_STEP_RNG = H_SCHED_POS + 4; // u64: the random policy's RNG
export const H_STALL_PPM = H_STEP_RNG + 8; // random policy: chance per step that a CPU stalls, per million
export const H_STALL_MAX = H_STALL_PPM + 4; // random policy: longest stall, in steps
export const H_STALL_CPU = H_STALL_MAX + 4; // the CPU stalled now
export const H_STALL_LEFT = H_STALL_CPU + 4; // steps of the stall left
export const H_STEP_COUNT = H_STALL_LEFT + 4; // u64: steps run by runStep()
export const H_SCHED_FLAGS = H_STEP_COUNT + 8; // SF_*
export const H_SCHED_PAD = H_SCHED_FLAGS + 4;
export const H_IRQ_RNG = H_SCHED_PAD + 4; // u64: interrupt arrivals (sched/irqs.ts), apart from the CPU choices
export const H_SCHED_END = H_IRQ_RNG + 8;

export const POLICY_RANDOM = 0; // seeded uniform choice, with optional stalls
export const POLICY_REPLAY = 1; // follow the schedule buffer exactly
export const POLICY_TIME = 2; // the CPU whose simulated clock is earliest (the timed model)
export const SF_RECORD = 1; // append each choice to the schedule buffer
export const SF_OVERFLOW = 2; // the buffer filled up: the recording is a prefix

// ── Header: global machine state (one cache line per contended word) ──────
export const H_STOP = 512;
export const H_FORK_ATTEMPTS = H_STOP + LINE;
export const H_NR_THREADS = H_FORK_ATTEMPTS + LINE; // under tasklist_lock (write)
export const H_TOTAL_FORKS = H_NR_THREADS + 4;
export const H_NR_ZOMBIES = H_TOTAL_FORKS + 4; // tasks in EXIT_ZOMBIE, atomic
export const H_PID_ALLOCATED = H_NR_THREADS + LINE; // under pidmap_lock; PIDNS_ADDING is bit 31
export const H_LAST_PID = H_PID_ALLOCATED + 4;
export const H_FREE_HEAD = H_PID_ALLOCATED + LINE; // i64: tag << 32 | (tid + 1)
export const H_NR_LIVE = H_FREE_HEAD + 8; // allocated task slots, atomic
export const H_TASK_HWM = H_NR_LIVE + 4; // highest slot ever allocated + 1, atomic max
export const H_NR_FINDINGS = H_FREE_HEAD + LINE; // atomic; may exceed the capacity (then entries are dropped)
export const H_NR_DISTINCT = H_NR_FINDINGS + 4; // distinct findings in the table
export const H_DISTINCT_LOST = H_NR_DISTINCT + 4; // findings of keys the full table could not take
export const H_LEDGER_BROKEN = H_DISTINCT_LOST + 4; // fork attempts + 1 when a double release or acquire first ran (0: never)
export const H_DRAIN = H_NR_FINDINGS + LINE; // set: CPUs finish their syscall and start no new one
export const H_LITMUS = H_DRAIN + LINE; // the litmus tests' shared counter
export const H_KIND_COUNTS = H_LITMUS + LINE; // i32[32]: findings per kind (FIND_*), atomic
export const H_STATE_END = H_KIND_COUNTS + 32 * 4;
export const PIDNS_ADDING = 0x80000000;

// ── Header: execution contexts — interrupts, preemption, sleeping locks.
// Configuration (the host writes it) on one line, state on lines of its own.
//  0 handlers · 4 entries[MAX_IRQS] · 36 rates[MAX_IRQS]
//  68 the wakeup IPI · 72 preempt model · 76 flags · 80 kernel-context slots
export const H_CONTEXTS = 1280;
export const H_NR_IRQS = H_CONTEXTS; // interrupt handlers declared
export const H_IRQ_ENTRIES = H_NR_IRQS + 4; // i32[MAX_IRQS]: handler routine entry pcs
export const H_IRQ_RATES = H_IRQ_ENTRIES + 8 * 4; // i32[MAX_IRQS]: arrivals per million steps of a CPU (0: never by rate)
export const H_IRQ_IPI = H_IRQ_RATES + 8 * 4; // the handler a wakeup raises on the woken task's CPU (-1: none, sleeping locks spin)
export const H_PREEMPT = H_IRQ_IPI + 4; // PREEMPT_NONE | PREEMPT_FULL
export const H_CTX_FLAGS = H_PREEMPT + 4; // CTXF_*
export const H_KCTX_CAP = H_CTX_FLAGS + 4; // kernel-context slots (tasks that can be blocked or preempted at once)
export const H_CONTEXTS_END = H_KCTX_CAP + 4;
export const H_KCTX_FREE = 1408; // i64: tag << 32 | (slot + 1), the free slots (a lock-free stack)
export const H_NR_KCTX = H_KCTX_FREE + 8; // slots in use, atomic
export const H_KCTX_HWM = H_NR_KCTX + 4; // highest slot ever used + 1, atomic max
export const H_NR_SLEEPING = H_KCTX_FREE + LINE; // tasks blocked on a sleeping lock, atomic (a release looks for them only when > 0)
export const H_BLOCK_SEQ = H_NR_SLEEPING + 4; // blocks so far: each block's number orders the waiters (FIFO)
export const H_CONTEXTS_STATE_END = H_BLOCK_SEQ + 4;

// ── Header: a closed scenario's programs (configuration: boot keeps them).
// Each CPU runs the syscalls of its program in order, whichever task is
// current there, then idles: a finite workload an exhaustive search can cover.
//  0 closed (1: programs replace the workload weights) · 64 programs[MAX_PROGRAM_CPUS]
// A program: a length byte, then that many action ids (ACT_*).
export const H_PROGRAMS = 2048;
export const H_CLOSED = H_PROGRAMS;
export const H_PROGRAM_BASE = H_PROGRAMS + LINE;
export const PROGRAM_SIZE = 64;
export const MAX_PROGRAM_LEN = PROGRAM_SIZE - 1;
export const MAX_PROGRAM_CPUS = 8;
export const H_PROGRAMS_END = H_PROGRAM_BASE + MAX_PROGRAM_CPUS * PROGRAM_SIZE;

// ── Header: the timed model (configuration, from a machine file; boot keeps
// it). The time policy steps the CPU whose clock is earliest and charges
// each step what it costs on that hardware (timing.ts, coherence.ts,
// sched/time.ts). Times are in picoseconds.
//  0 flags (TF_*) · 4 CPUs parked · 8 horizon (u64) · 16 now (u64) · 24 directory entries
//  28 directory base · 32 the holds by site's base · 36 costs[NR_COSTS] (u32) · 100 the holds' stride per CPU
//  128 topology[MAX_CPUS]
//  640 the clock heap (u8[MAX_CPUS]) · 768 each CPU's place in it (u8[MAX_CPUS])
export const H_TIMED = 2688;
export const H_TIME_FLAGS = H_TIMED; // TF_*
export const H_TIME_PARKED = H_TIME_FLAGS + 4; // spinning CPUs parked until their lock is released
export const H_TIME_HORIZON = H_TIME_PARKED + 4; // u64: the time policy stops once the earliest clock reaches it (0: never)
export const H_TIME_NOW = H_TIME_HORIZON + 8; // u64: the clock of the CPU stepping now
export const H_LINES_CAP = H_TIME_NOW + 8; // coherence directory entries (a power of two; 0: no timed model)
export const H_LINES_BASE = H_LINES_CAP + 4; // placed by configure()
export const H_HOLDS_BASE = H_LINES_BASE + 4; // lock_stat per acquisition site: per CPU, per instruction, hold time (u64) — placed by configure()
export const H_COSTS = H_HOLDS_BASE + 4; // u32[NR_COSTS]: picoseconds (COST_*)
export const H_HOLDS_STRIDE = H_COSTS + 16 * 4; // bytes of one CPU's holds by site: whole lines, so no two CPUs write one
export const H_TOPOLOGY = H_TIMED + 128; // u32[MAX_CPUS]: socket << 16 | LLC << 8 | core, per CPU
export const H_TIME_HEAP = H_TOPOLOGY + 128 * 4; // u8[MAX_CPUS]: CPUs ordered by clock (a binary heap; rebuilt per runStep)
export const H_TIME_POS = H_TIME_HEAP + 128; // u8[MAX_CPUS]: each CPU's index in the heap
export const H_TIMED_END = H_TIME_POS + 128;
export const TF_ON = 1; // the timed model is configured
export const TF_TICKET = 2; // spinlock waiters all poll the lock word (a ticket lock), not only the queue head (qspinlock)

// What the timed model charges (COST_*: indices into H_COSTS), in picoseconds.
export const COST_OP = 0; // a plain micro-op (a few instructions, L1 hits)
export const COST_HIT = 1; // a load or store on a line this CPU holds
export const COST_RMW = 2; // a locked read-modify-write on a line this CPU owns
export const COST_SPIN = 3; // one iteration of a spin loop (cpu_relax()) on a local copy
export const COST_SYSCALL = 4; // a syscall's entry and exit
export const COST_IRQ = 5; // an interrupt's entry and exit
export const COST_SWITCH = 6; // a context switch
export const COST_IDLE = 7; // an idle CPU's wait before it looks at its runqueue again
export const COST_DRAM = 8; // a line from memory on its home node
export const COST_DRAM_REMOTE = 9; // a line from memory on another node
export const COST_XFER_SMT = 10; // a line from the other hyperthread of the core
export const COST_XFER_LLC = 11; // a line from another core sharing the last-level cache
export const COST_XFER_SOCKET = 12; // a line from another LLC domain of the socket
export const COST_XFER_REMOTE = 13; // a line from another socket, whose memory is its home
export const COST_XFER_REMOTE_HOME = 14; // a line from another socket, homed on a third node or the requester's
export const NR_COSTS = 16;

export const CTXF_PREEMPT_RT = 1; // PREEMPT_RT: spinlock_t and rwlock_t sleep, their _irq forms leave interrupts on
export const CTXF_CAN_BLOCK = 2; // the model has a wakeup IPI and a schedule routine: sleeping locks block
export const CTXF_IRQ_RATES = 4; // some handler has a rate: the step driver draws arrivals

// ── Coherence directory entry (48 bytes): the cache line of one lock or one
// declared variable, found by its address (open addressing).
//  0 key (address; 0: empty) · 4 owner (CPU + 1 holding it modified; 0: none)
//  8 home (socket + 1) · 12 spare · 16 sharers (u32[4], a bit per CPU)
//  32 busy until (u64) · 40 end
export const LN_KEY = 0;
export const LN_OWNER = LN_KEY + 4;
export const LN_HOME = LN_OWNER + 4;
export const LN_SPARE = LN_HOME + 4;
export const LN_SHARERS = LN_SPARE + 4; // u32[4]
export const LN_BUSY = LN_SHARERS + 16; // u64: transfers of the line are served one at a time until then
export const LN_END = LN_BUSY + 8;
export const LINE_ENTRY = 48;
export const MAX_LINES = 1 << 22; // directory entries at most

// ── Kernel-context slot (896 bytes): a task's saved execution context while
// it is blocked or preempted in the kernel; a sleeper's lock is its claim word.
//  0 task · 4 lock it sleeps on (0: not asleep) · 8 block number · 12 mode
//  16 free-list link · 20..63 spare · 64 the context (CTX_SIZE)
export const KX_TASK = 0;
export const KX_WAIT = KX_TASK + 4; // a waker claims the sleeper with cmpxchg(lock -> 0)
export const KX_SEQ = KX_WAIT + 4; // H_BLOCK_SEQ when it blocked (the hung-task watch: the same wait)
export const KX_MODE = KX_SEQ + 4; // MODE_* it waits for
export const KX_NEXT = KX_MODE + 4;
export const KX_SPARE = KX_NEXT + 4;
export const KX_CTX = 64;
export const KCTX_STRIDE = 896;
export const MAX_KCTX = 4096; // slots at most (the host asks min(tasks, MAX_KCTX))

// ── lockdep hardirq usage (80 bytes per node): the usage bits and where
// each was first set (lockdep's usage traces).
//  0 mask (USED_IN_IRQ_W ...) · 4..15 spare · 16 sites[NR_USAGE_BITS] (pc + 1 · cpu · pid · spare)
export const US_MASK = 0;
export const US_SPARE = US_MASK + 4;
export const US_SITES = 16;
export const USAGE_SIZE = 80;
export const UST_PC = 0; // pc + 1 (0: not set)
export const UST_CPU = UST_PC + 4;
export const UST_PID = UST_CPU + 4;
export const UST_SPARE = UST_PID + 4;
export const USAGE_SITE_SIZE = 16;

// ── Effects row (one per (primitive, register) used) ───────────────────────
//  0 service · 4 service arg · 8 register · 12 natural-failure condition
//  16 acquires (u64) · 24 releases (u64) · 32 assert0 · 36 assert1
//  40 natural errno · 44 effects used · 48 effects[MAX_PRIM_EFFECTS] · 112 flags · 116..127 spare
// A state effect: 0 op (ST_*) | reg << 8 · 4 var id · 8 value (ST_CHARGE:
// the limit's var id) · 12 condition row it runs under (-1: always).
export const E_SERVICE = 0; // B_*
export const E_SERVICE_ARG = E_SERVICE + 4;
export const E_REG = E_SERVICE_ARG + 4;
export const E_NATURAL = E_REG + 4; // condition row: the primitive fails by itself when it holds (-1: never)
export const E_ACQUIRES = E_NATURAL + 4; // u64
export const E_RELEASES = E_ACQUIRES + 8; // u64
export const E_ASSERT0 = E_RELEASES + 8; // lock ref or -1
export const E_ASSERT1 = E_ASSERT0 + 4;
export const E_ERRNO = E_ASSERT1 + 4; // errno of a natural failure by condition or charge
export const E_NR_EFFECTS = E_ERRNO + 4;
export const E_EFFECTS = E_NR_EFFECTS + 4;
export const E_PRIM_FLAGS = E_EFFECTS + 4 * 16; // PF_*
export const E_COST = E_PRIM_FLAGS + 4; // u32: what the primitive's work costs on the timed model's machine, ps (0: one micro-op)
export const E_COST_WHEN = E_COST + 4; // condition row under which it costs E_COST_ALT instead (-1: none)
export const E_COST_ALT = E_COST_WHEN + 4; // u32, ps
export const E_SPARE = E_COST_ALT + 4;
export const EFFECT_SIZE = 128;
export const EF_OP = 0;
export const EF_VAR = EF_OP + 4;
export const EF_VALUE = EF_VAR + 4;
export const EF_COND = EF_VALUE + 4;
export const EF_SIZE = 16;

// ── Vars table row (one per declared variable) ────────────────────────────
//  0 scope (SCOPE_*) · 4 slot (word index in its scope's area) · 8 flags (VF_*)
//  12 guard lock ref (-1: none; a task or rq lock is the accessed instance's)
//  16 guard needs the write side (rwlock/rwsem) · 20 release routine entry (-1)
//  24 its parameter register · 28 initial value (globals; per task: the boot tasks')
//  32 the task var slot of the struct hosting it (NO_HOST)
export const V_SCOPE = 0;
export const V_SLOT = V_SCOPE + 4;
export const V_FLAGS = V_SLOT + 4;
export const V_GUARD = V_FLAGS + 4;
export const V_GUARD_WRITE = V_GUARD + 4;
export const V_RELEASE = V_GUARD_WRITE + 4;
export const V_RELEASE_REG = V_RELEASE + 4;
export const V_INIT = V_RELEASE_REG + 4;
export const V_HOST = V_INIT + 4;
export const V_SPARE = V_HOST + 4;
export const VAR_SIZE = 64;
export const GLOBAL_VAR_STRIDE = 64; // one line each: global state is contended

// ── Condition row ──────────────────────────────────────────────────────────
//  0 atoms used · 4 atoms[MAX_ATOMS] (24 bytes each) · 100..127 spare
// An atom: 0 cmp (CMP_*) · 4 lhs operand · 8 lhs value · 12 rhs operand · 16 rhs value · 20 spare
export const CD_NR_ATOMS = 0;
export const CD_ATOMS = CD_NR_ATOMS + 4;
export const COND_SIZE = 128;
export const AT_CMP = 0;
export const AT_LHS = AT_CMP + 4;
export const AT_LHS_VALUE = AT_LHS + 4;
export const AT_RHS = AT_LHS_VALUE + 4;
export const AT_RHS_VALUE = AT_RHS + 4;
export const ATOM_SIZE = 24;

// ── Fault site (one per `else`) ────────────────────────────────────────────
// The knobs mirror the kernel's fault-injection attributes; the counters are
// atomics shared by all CPUs.
//  0 enabled · 4 probability · 8 interval · 12 times · 16 nth
//  20 passes · 24 injected · 28 fork fails · 32 natural · 36 errno
//  40 natural after the ledger broke · 44 returned + 1
export const S_ENABLED = 0; // injection armed
export const S_PROBABILITY = S_ENABLED + 4; // per million
export const S_INTERVAL = S_PROBABILITY + 4; // fail every interval-th pass (0: off)
export const S_TIMES = S_INTERVAL + 4; // failures left (-1: unlimited)
export const S_NTH = S_TIMES + 4; // fail only the nth pass (0: off), as fail-nth
export const S_PASSES = S_NTH + 4;
export const S_INJECTED = S_PASSES + 4;
export const S_FORK_FAILS = S_INJECTED + 4; // syscalls whose first failure was here
export const S_NATURAL = S_FORK_FAILS + 4; // failures not injected
export const S_ERRNO = S_NATURAL + 4; // errno of the last failure here
export const S_NATURAL_AFTER = S_ERRNO + 4; // natural failures after the ledger broke (H_LEDGER_BROKEN)
export const S_RETURNED = S_NATURAL_AFTER + 4; // what the last syscall whose first failure was here returned, + 1 (0: none yet)
export const SITE_SIZE = 64;

// ── Lock (16 bytes) ────────────────────────────────────────────────────────
//  ┌──────────────┬──────────────┬──────────────┬──────────────┐
//  │ next | rw    │ serving      │ owner pid    │ parked│last  │
//  └──────────────┴──────────────┴──────────────┴──────────────┘
// owner = the holder's pid (the last reader's for read holds; 0 for the
// idle task). The last word: CPUs parked on the lock (low half) and the last
// acquiring CPU + 1 (high half, for lock_stat's bounces).
export const L_WORD = 0; // ticket lock: next ticket; rw lock: the rw word
export const L_SERVING = L_WORD + 4; // ticket lock: now serving
export const L_OWNER = L_SERVING + 4;
export const L_PARKED = L_OWNER + 4; // u16
export const L_LAST_CPU = L_PARKED + 2; // u16
export const LOCK_SIZE = 16;
export const GLOBAL_LOCK_STRIDE = 64;

// ── lockdep ────────────────────────────────────────────────────────────────
// The graph is a bit matrix over LOCKDEP_NODES nodes (row = from, bit = to),
// set with atomic OR by every CPU. Each edge has a record of where it was
// first seen, written by the CPU whose OR set the bit.
//  edge: 0 pc+1 of the acquisition that added it (0: not written yet)
//        4 pc of the held lock's acquisition · 8 cpu · 12 pid
//        16 held mode · 20 new mode · 24 seen held for write
export const ED_PC_TO = 0;
export const ED_PC_FROM = ED_PC_TO + 4;
export const ED_CPU = ED_PC_FROM + 4;
export const ED_PID = ED_CPU + 4;
export const ED_FROM_MODE = ED_PID + 4;
export const ED_TO_MODE = ED_FROM_MODE + 4;
export const ED_EXCL = ED_TO_MODE + 4; // 1 once the dependency was seen with its held lock held for write (usage.ts)
export const EDGE_SIZE = 32;
export const LD_SCRATCH_PER_CPU = 1280; // BFS: queue i32[nodes] + seen u8[nodes] (LOCKDEP_NODES = 256)

// ── lockdep's chain cache (per CPU, after its search scratch; lockdep.ts) ──
//  0 lookup hits (u64) · 8 lookup misses (u64) · 16 pad · 64 keys (u64[LD_CHAIN_SLOTS], 0: empty)
export const LDC_HITS = 0;
export const LDC_MISSES = LDC_HITS + 8;
export const LDC_PAD = LDC_MISSES + 8;
export const LDC_KEYS = 64; // a line apart from the counters
export const LD_CHAIN_SLOTS = 256; // direct mapped: a chain evicted is validated again, never skipped
export const LDC_SIZE = LDC_KEYS + LD_CHAIN_SLOTS * 8;
export const LD_PER_CPU = LD_SCRATCH_PER_CPU + LDC_SIZE; // whole lines: one CPU's lockdep memory

// ── lock_stat record (per CPU, class and mode) ─────────────────────────────
//  0 contentions · 8 con-bounces · 16 wait total · 24 wait min · 32 wait max
//  40 acquisitions · 48 acq-bounces · 56 hold total · 64 hold min · 72 hold max
export const LS_CONTENTIONS = 0; // i64 each
export const LS_CON_BOUNCES = LS_CONTENTIONS + 8;
export const LS_WAIT_TOTAL = LS_CON_BOUNCES + 8;
export const LS_WAIT_MIN = LS_WAIT_TOTAL + 8;
export const LS_WAIT_MAX = LS_WAIT_MIN + 8;
export const LS_ACQUISITIONS = LS_WAIT_MAX + 8;
export const LS_ACQ_BOUNCES = LS_ACQUISITIONS + 8;
export const LS_HOLD_TOTAL = LS_ACQ_BOUNCES + 8;
export const LS_HOLD_MIN = LS_HOLD_TOTAL + 8;
export const LS_HOLD_MAX = LS_HOLD_MIN + 8;
export const LS_SIZE = 80;

// ── Runqueue (128 bytes) ───────────────────────────────────────────────────
//  0 nr_running · 4 head · 8 tail · 12 spare · 16 locks[MAX_RQ_LOCKS] (16 each)
//  80 vars[MAX_RQ_VARS] · 112..127 spare
export const RQ_NR_RUNNING = 0;
export const RQ_HEAD = RQ_NR_RUNNING + 4;
export const RQ_TAIL = RQ_HEAD + 4;
export const RQ_SPARE = RQ_TAIL + 4;
export const RQ_LOCKS = RQ_SPARE + 4; // the model's per-runqueue locks (&rq->__lock, ...)
export const RQ_VARS = RQ_LOCKS + 4 * LOCK_SIZE;
export const RQ_END = RQ_VARS + 8 * 4;
export const RQ_STRIDE = 128;

// ── Task (256 bytes) ───────────────────────────────────────────────────────
//  0 state · 4 pid · 8 cpu · 12 flags · 16 next · 20 usage · 24 owned (u64)
//  32 pins · 36 scratch · 40 kernel context · 44 lock kept in user space · 48 locks[MAX_TASK_LOCKS] (16 each)
//  128 vars[MAX_TASK_VARS]
export const T_STATE = 0;
export const T_PID = T_STATE + 4;
export const T_CPU = T_PID + 4;
export const T_FLAGS = T_CPU + 4;
export const T_NEXT = T_FLAGS + 4; // runqueue or free list link
export const T_USAGE = T_NEXT + 4; // rcu_users
export const T_OWNED = T_USAGE + 4; // u64: the ledger's owned-resource set
export const T_PINS = T_OWNED + 8; // 1 while the task lives, + each other task's struct pointer at it
export const T_SCRATCH = T_PINS + 4; // the invariants' counter (quiescent points only)
export const T_KCTX = T_SCRATCH + 4; // 1 + the kernel-context slot holding its saved context (0: none: in user space or running)
export const T_USER_LOCK = T_KCTX + 4; // the lock it last returned to user space holding (0: none), for hung-task reports
export const T_LOCKS = T_USER_LOCK + 4; // the model's per-task locks (&p->pi_lock, ...)
export const T_VARS = T_LOCKS + 5 * LOCK_SIZE; // the model's per-task state, zeroed by dup_task_struct
export const T_END = T_VARS + 32 * 4;
export const TASK_STRIDE = 256;

// ── CPU (1152 bytes) ───────────────────────────────────────────────────────
// The CPU's own words, then its execution context (C_CTX .. C_CTX_END): what
// a task blocked or preempted in the kernel takes with it to a kernel-context
// slot, and what an interrupt sets aside while its handler runs.
//  0 id · 4 curr · 8 irq pending · 12 cpu flags · 16 rng (u64) · 24 steps (u64)
//  32 spins (u64) · 40 scratch · 44 wake list · 48 counters[28] · 160 resource counts[32]
//  288 program position · 292 pad · 296 clock (u64) · 304 spin time (u64) · 312 idle time (u64)
//  320 parked · 324 spare
//  context: 328 depth · pc · p · t · t2 · parent · rq · rq2 · err · fail pc · flags · iter
//  · spin lock · spin mode · ticket · spins now · action · held depth · path len · spin pc
//  · irqs off · preempt count · irq-save stack · irq saves · lock irqs · wait began
//  432 frames[16] · 688 held[16] · 944 path[32] · 1072 locals[8] · 1104 end
export const C_ID = 0;
export const C_CURR = C_ID + 4;
export const C_IRQ_PENDING = C_CURR + 4; // interrupts raised and not yet taken (bit = handler), atomic: other CPUs raise IPIs
export const C_CPU_FLAGS = C_IRQ_PENDING + 4; // CPUF_*
export const C_RNG = C_CPU_FLAGS + 4; // u64
export const C_STEPS = C_RNG + 8; // u64
export const C_SPINS = C_STEPS + 8; // u64
export const C_SCRATCH = C_SPINS + 8; // litmus tests' register
export const C_WAKE_LIST = C_SCRATCH + 4; // tasks woken onto this CPU (ttwu_queue_wakelist): a lock-free stack through T_NEXT
export const C_COUNTERS = C_WAKE_LIST + 4; // i32[NR_COUNTERS]
export const C_RES_COUNT = C_COUNTERS + 28 * 4; // i32[MAX_RESOURCES]: net acquisitions per resource by this CPU
export const C_PROG_POS = C_RES_COUNT + 32 * 4; // closed scenario: the next entry of this CPU's program
export const C_TIME_PAD = C_PROG_POS + 4;
export const C_CLOCK = C_TIME_PAD + 4; // u64: timed model: this CPU's clock, ps
export const C_TIME_SPIN = C_CLOCK + 8; // u64: of it, spinning on locks
export const C_TIME_IDLE = C_TIME_SPIN + 8; // u64: of it, idle
export const C_TIME_PARKED = C_TIME_IDLE + 8; // 1: the time policy skips it until its lock is released
export const C_TIME_SPARE = C_TIME_PARKED + 4;
export const C_CTX = C_TIME_SPARE + 4; // the execution context
export const C_DEPTH = C_CTX; // call frames in use (0: in user space)
export const C_PC = C_DEPTH + 4;
export const C_P = C_PC + 4;
export const C_T = C_P + 4;
export const C_T2 = C_T + 4; // the second task register
export const C_PARENT = C_T2 + 4;
export const C_RQ = C_PARENT + 4;
export const C_RQ2 = C_RQ + 4;
export const C_ERR = C_RQ2 + 4;
export const C_FAIL_PC = C_ERR + 4; // first failing instruction of this syscall (-1: none)
export const C_FLAGS = C_FAIL_PC + 4; // CF_*
export const C_ITER = C_FLAGS + 4; // iterator cursor
export const C_SPIN_LOCK = C_ITER + 4; // address of the lock being waited for (0: none)
export const C_SPIN_MODE = C_SPIN_LOCK + 4;
export const C_TICKET = C_SPIN_MODE + 4;
export const C_SPINS_NOW = C_TICKET + 4; // consecutive spins on the current lock
export const C_ACTION = C_SPINS_NOW + 4; // the syscall being run (ACT_*), or NR_ACTIONS + the interrupt handled
export const C_HELD_DEPTH = C_ACTION + 4;
export const C_PATH_LEN = C_HELD_DEPTH + 4;
export const C_SPIN_PC = C_PATH_LEN + 4; // the instruction spinning
export const C_IRQS_OFF = C_SPIN_PC + 4; // 1: interrupts disabled (the flag local_irq_disable() clears)
export const C_PREEMPT = C_IRQS_OFF + 4; // preempt_count (abi PREEMPT_MASK, HARDIRQ_MASK)
export const C_IRQ_STACK = C_PREEMPT + 4; // local_irq_save()'s flags, a bit per nesting level
export const C_IRQ_SAVES = C_IRQ_STACK + 4; // its depth
export const C_LOCK_IRQS = C_IRQ_SAVES + 4; // 1: interrupts were on when the _irqsave lock being taken disabled them
export const C_WAIT_SINCE = C_LOCK_IRQS + 4; // lock_stat's clock when this context began to wait for its lock
export const C_FRAMES = C_WAIT_SINCE + 4; // MAX_CALL_DEPTH × frame
export const C_HELD = C_FRAMES + 16 * 16; // MAX_HELD × held lock
export const C_PATH = C_HELD + 16 * 16; // MAX_PATH × label id
export const C_LOCALS = C_PATH + 32 * 4; // i32[MAX_LOCAL_VARS]: the syscall's declared locals
export const C_CTX_END = C_LOCALS + 8 * 4;
export const CPU_STRIDE = 1152;
export const CTX_SIZE = C_CTX_END - C_CTX;

export const CPUF_RESCHED = 1; // TIF_NEED_RESCHED: schedule at the next chance (return to user, irq exit, preempt_enable)

// Call frame: 0 call pc · 4 caller's err · 8 caller's fail pc · 12 caller's
// ladder path length (restored when the callee returns without failing to
// its caller's else).
export const FR_CALL_PC = 0;
export const FR_ERR = FR_CALL_PC + 4;
export const FR_FAIL_PC = FR_ERR + 4;
export const FR_PATH_LEN = FR_FAIL_PC + 4;
export const FRAME_SIZE = 16;

// Held lock: 0 lock address · 4 info (class | subclass | mode, abi HELD_*)
// 8 pc of the acquisition · 12 this CPU's step count when taken.
export const HL_LOCK = 0;
export const HL_INFO = HL_LOCK + 4;
export const HL_PC = HL_INFO + 4;
export const HL_STEP = HL_PC + 4;
export const HELD_SIZE = 16;

export const CF_ITER_END = 1;
export const CF_LAST_REF = 2;
export const CF_TRYGET_FAILED = 4;

// Per-CPU counters (C_COUNTERS + 4 * K).
export const K_FORKS_OK = 0;
export const K_FORKS_FAILED = 1;
export const K_EXITS = 2;
export const K_REAPS = 3;
export const K_KILLS = 4;
export const K_YIELDS = 5;
export const K_MIGRATIONS = 6;
export const K_LEAKED = 7; // resources leaked (and written off)
export const K_SYSCALLS = 8;
export const K_MODEL_ACTIONS = 9; // [MAX_MODEL_ACTIONS]: model-declared actions run
export const K_AUTOREAPS = 21; // tasks released at their own exit (a thread: exit_notify()'s autoreap)
export const K_IRQS = 22; // interrupts taken
export const K_PREEMPTS = 23; // tasks preempted in the kernel (--preempt full)
export const K_BLOCKS = 24; // tasks that blocked on a sleeping lock
export const K_WAKEUPS = 25; // tasks woken (queued on their CPU's wake list)
export const K_NO_KCTX = 26; // a sleeping lock spun, or a preemption was skipped: no kernel-context slot was free
export const NR_COUNTERS = 28;

// ── Finding record (256 bytes) ─────────────────────────────────────────────
// A common head, four words whose meaning depends on the kind, a resource
// mask and a path (ladder labels, or lockdep's held-lock list).
//  0 kind · 4 cpu · 8 task · 12 pid · 16 pc · 20 fail pc · 24 errno
//  28 spare · 32 step (u64) · 40 a · 44 b · 48 c · 52 d · 56 mask (u64)
//  64 path len · 68 path[32] · 196..255 spare
export const FD_KIND = 0;
export const FD_CPU = FD_KIND + 4;
export const FD_TASK = FD_CPU + 4;
export const FD_PID = FD_TASK + 4;
export const FD_PC = FD_PID + 4; // the instruction that found it (-1: none)
export const FD_FAIL_PC = FD_PC + 4; // the syscall's first failure (-1: none)
export const FD_ERRNO = FD_FAIL_PC + 4;
export const FD_SPARE = FD_ERRNO + 4;
export const FD_STEP = FD_SPARE + 4; // u64: the CPU's step count
export const FD_A = FD_STEP + 8;
export const FD_B = FD_A + 4;
export const FD_C = FD_B + 4;
export const FD_D = FD_C + 4;
export const FD_MASK = FD_D + 4; // u64: resources
export const FD_PATH_LEN = FD_MASK + 8;
export const FD_PATH = FD_PATH_LEN + 4; // up to FD_PATH_MAX ids
export const FD_PATH_MAX = 32; // MAX_PATH
export const FD_END = FD_PATH + FD_PATH_MAX * 4;
export const FINDING_SIZE = 256;

// The kind-specific words, one table per kind (assembly/findings.ts writes
// them, src/machine/findings.ts reads them):
//   leak, double-release, double-acquire, freed-while-owning:
//       mask = the resources; path = ladder labels passed
//   bad-unlock-balance:      a lock · b class · c mode released · d mode held (-1: not held)
//   recursive-locking:       a lock · b class · c mode · d 1 when lockdep saw the class (0: the instance)
//   lock-held-returning-to-user: a lock · b class · c mode · d the syscall (ACT_*); pc = where taken
//   lockdep-assert-held:     a lock (0: empty register) · b class · c mode asserted
//   held-lock-overflow:      a lock · b class · c MAX_HELD
//   lock-instance-order:     a lock · b class · c the held lock · d where the held lock was taken
//   circular-locking-dependency: a lock · b class · c from node · d to node;
//                            path = held locks, node << 16 | pc
//   call-stack-overflow:     c depth
//   deadlock:                c CPUs spinning
//   hung-cpu:                a the lock spun on (0: none)
//   worker-died:             c locks held
//   guarded-state:           a lock (0: empty register) · b class · c var id · d 1 for a write
//   refcount:                a var id · b the count before · c pc of the put that reached 0 (-1) · d 1 for an underflow (0: get from 0)
//   invariant:               a invariant (INV_*) · b the discrepancy · c what it is about
//                            (INV_LEDGER: resource; INV_LOCK_FREE: lock address) · d the lock
//                            class an instruction named (-1: none) · mask resources
export const FD_LOCK = FD_A;
export const FD_CLASS = FD_B;
export const FD_MODE = FD_C;
export const FD_HELD_MODE = FD_D; // bad unlock
export const FD_LOCKDEP_CLASS = FD_D; // recursive locking
export const FD_ACTION = FD_D; // lock held on return
export const FD_HELD_LOCK = FD_C; // instance order
export const FD_HELD_PC = FD_D; // instance order
export const FD_FROM_NODE = FD_C; // lockdep cycle
export const FD_TO_NODE = FD_D; // lockdep cycle
export const FD_COUNT = FD_C; // call overflow, deadlock, held overflow, worker died
export const FD_INVARIANT = FD_A;
export const FD_INV_VALUE = FD_B;
export const FD_INV_SUBJECT = FD_C;
export const FD_INV_CLASS = FD_D;

// ── Distinct finding (64 bytes, one line) ──────────────────────────────────
// A finding's key — its kind, where, its first failure and up to four words
// and a mask chosen per kind (assembly/findings.ts) — with how often it was
// found and when first: counts survive a full record ring, and the first
// record of every key is kept in the firsts region (same slot).
//  0 state (0 free · 1 being claimed · 2 ready) · 4 kind · 8 pc · 12 fail pc
//  16 k1 · 20 k2 · 24 k3 · 28 k4 · 32 mask (u64) · 40 count · 44 seq (its
//  first record's number) · 48..63 spare
export const DS_STATE = 0;
export const DS_KIND = DS_STATE + 4;
export const DS_PC = DS_KIND + 4;
export const DS_FAIL_PC = DS_PC + 4;
export const DS_K1 = DS_FAIL_PC + 4;
export const DS_K2 = DS_K1 + 4;
export const DS_K3 = DS_K2 + 4;
export const DS_K4 = DS_K3 + 4;
export const DS_MASK = DS_K4 + 4; // u64
export const DS_COUNT = DS_MASK + 8;
export const DS_SEQ = DS_COUNT + 4;
export const DS_SPARE = DS_SEQ + 4;
export const DISTINCT_SIZE = 64;
export const DISTINCT_CAP = 4096; // a power of two
export const DS_FREE = 0;
export const DS_CLAIMING = 1;
export const DS_READY = 2;

// configure() results.
export const STATUS_OK = 0;
export const STATUS_BAD_MAGIC = 1;
export const STATUS_BAD_CPUS = 2;
export const STATUS_BAD_TASKS = 3;
export const STATUS_TOO_BIG = 4;
export const STATUS_STATIC_OVERLAP = 5;
export const STATUS_BAD_CODE = 6;
export const STATUS_BAD_LINES = 7;
