// Shared with the TypeScript host: this file must stay portable between the
// AssemblyScript and TypeScript compilers (plain integer constants only).
//
// The memory map of the simulated machine. The header sits at a fixed
// offset; every other region is placed by configure() from the sizes in the
// header and its base written back into the header, so the host reads the
// same numbers the module computed. Per-CPU blocks are multiples of 64 bytes
// so that two simulated CPUs never share a cache line.
//
//   0 ........ AssemblyScript static data (must end below HEADER_BASE)
//   HEADER_BASE  header: config (host) · layout (configure) · global state
//   code · effects · sites · global locks · CPUs · runqueues · tasks · findings

export const HEADER_BASE = 16384;
export const HEADER_SIZE = 4096;
export const MAGIC = 0x6b73666f; // "ofsk"
export const ABI_VERSION = 1;
export const PAGE = 65536;
export const MAX_PAGES = 32768; // 2 GiB: the module's declared maximum

// ── Header: configuration, written by the host before configure() ──────────
export const H_MAGIC = 0;
export const H_ABI_VERSION = 4;
export const H_NR_CPUS = 8;
export const H_NR_TASKS = 12; // task slots
export const H_SEED_LO = 16;
export const H_SEED_HI = 20;
export const H_MAX_THREADS = 24;
export const H_PID_MAX = 28;
export const H_PIDS_LIMIT = 32; // pids cgroup limit
export const H_POPULATION = 36; // target number of live tasks
export const H_SCX_INIT_FAIL_PPM = 40; // ops.init_task() refusal rate, per million
export const H_FLAGS = 44;
export const H_NR_INSNS = 48;
export const H_NR_EFFECTS = 52;
export const H_NR_SITES = 56;
export const H_FORK_LIMIT = 60; // stop after this many fork attempts (0: no limit)
export const H_SPIN_PARK = 64; // spins before a CPU parks on a lock word (parallel driver)
export const H_FINDINGS_CAP = 68;
export const H_STALL_PPM = 72; // step driver: chance per step that a CPU stalls, per million
export const H_STALL_MAX = 76; // step driver: longest stall, in steps
export const H_WEIGHTS = 128; // i32[NR_ACTIONS]
export const H_ENTRIES = 192; // i32[NR_ACTIONS]: routine entry pcs, -1 when absent

export const FLAG_LEDGER = 1;
export const FLAG_LOCKDEP = 2;
export const FLAG_PARK = 4;
export const FLAG_STOP_ON_FINDING = 8;

// ── Header: layout, written by configure() ─────────────────────────────────
export const H_CODE_BASE = 256;
export const H_EFFECTS_BASE = 260;
export const H_SITES_BASE = 264;
export const H_GLOBAL_LOCKS_BASE = 268;
export const H_CPU_BASE = 272;
export const H_RQ_BASE = 276;
export const H_TASK_BASE = 280;
export const H_FINDINGS_BASE = 284;
export const H_END = 288;
export const H_STATUS = 292; // configure()'s result
export const H_LOCKDEP_BASE = 296; // dependency matrix, then edge records, then per-CPU search scratch
export const H_LOCKSTAT_BASE = 300; // per CPU: NR_CLASSES × 2 modes × lock_stat record
export const H_CONTENTION_BASE = 304; // i32 per instruction: contentions at that lock op

// ── Header: global machine state (one cache line per contended word) ──────
export const H_STOP = 512;
export const H_FORK_ATTEMPTS = 576;
export const H_NR_THREADS = 640; // under tasklist_lock (write)
export const H_TOTAL_FORKS = 644;
export const H_ZOMBIE_HEAD = 648;
export const H_ZOMBIE_TAIL = 652;
export const H_NR_ZOMBIES = 656;
export const H_PID_ALLOCATED = 704; // under pidmap_lock; PIDNS_ADDING is bit 31
export const H_LAST_PID = 708;
export const H_PIDS_CHARGED = 768; // atomic
export const H_FREE_HEAD = 832; // i64: tag << 32 | (tid + 1)
export const H_NR_LIVE = 840; // allocated task slots, atomic
export const H_TASK_HWM = 844; // highest slot ever allocated + 1, atomic max
export const H_SCX_ENABLED = 896;
export const H_SCX_INIT_TASK_ENABLED = 900;
export const H_NR_FINDINGS = 960; // atomic; may exceed the capacity (then entries are dropped)
export const H_STEP_RNG = 1024; // i64: the step driver's scheduling RNG
export const H_STEP_COUNT = 1032; // i64: step driver steps executed
export const H_DRAIN = 1088; // set: CPUs finish their syscall and start no new one
export const H_LITMUS = 1152; // the litmus tests' shared counter
export const H_STALL_CPU = 1156; // step driver: the CPU stalled now
export const H_STALL_LEFT = 1160; // step driver: steps of the stall left
export const PIDNS_ADDING = 0x80000000;

// ── Effects row (one per (primitive, register) used) ───────────────────────
export const EFFECT_SIZE = 32;
export const E_BEHAVIOUR = 0;
export const E_REG = 4;
export const E_ACQUIRES = 8; // u64
export const E_RELEASES = 16; // u64
export const E_ASSERT0 = 24; // lock ref or -1
export const E_ASSERT1 = 28;

// ── Fault site (one per `else`) ────────────────────────────────────────────
// The knobs mirror the kernel's fault-injection attributes; the counters are
// atomics shared by all CPUs.
export const SITE_SIZE = 64;
export const S_ENABLED = 0; // injection armed
export const S_PROBABILITY = 4; // per million
export const S_INTERVAL = 8; // fail every interval-th pass (0: off)
export const S_TIMES = 12; // failures left (-1: unlimited)
export const S_NTH = 16; // fail only the nth pass (0: off), as fail-nth
export const S_PASSES = 20;
export const S_INJECTED = 24;
export const S_FORK_FAILS = 28; // syscalls whose first failure was here
export const S_NATURAL = 32; // failures not injected
export const S_ERRNO = 36; // errno of the last failure here

// ── Lock (16 bytes) ────────────────────────────────────────────────────────
//  ┌──────────────┬──────────────┬──────────────┬──────────────┐
//  │ next | rw    │ serving      │ owner pid    │ parked       │
//  └──────────────┴──────────────┴──────────────┴──────────────┘
// owner = the holder's pid (the last reader's for read holds; 0 for the
// idle task).
export const LOCK_SIZE = 16;
export const L_WORD = 0; // ticket lock: next ticket; rw lock: the rw word
export const L_SERVING = 4; // ticket lock: now serving
export const L_OWNER = 8;
export const L_PARKED = 12;
export const GLOBAL_LOCK_STRIDE = 64;

// ── lockdep ────────────────────────────────────────────────────────────────
// The graph is a bit matrix over LOCKDEP_NODES nodes (row = from, bit = to),
// set with atomic OR by every CPU. Each edge has a record of where it was
// first seen, written by the CPU whose OR set the bit.
export const EDGE_SIZE = 16;
export const ED_PC_TO = 0; // pc + 1 of the acquisition that added it (0: not written yet)
export const ED_PC_FROM = 4; // pc of the held lock's acquisition
export const ED_CPU_PID = 8; // cpu << 24 | pid & 0xffffff
export const ED_MODES = 12; // from mode | to mode << 4
export const LD_SCRATCH_PER_CPU = 1024; // BFS: parent i32[nodes] (LOCKDEP_NODES ≤ 256)

// ── lock_stat record (per CPU, class and mode) ─────────────────────────────
export const LS_SIZE = 80;
export const LS_CONTENTIONS = 0; // i64 each
export const LS_CON_BOUNCES = 8;
export const LS_WAIT_TOTAL = 16;
export const LS_WAIT_MIN = 24;
export const LS_WAIT_MAX = 32;
export const LS_ACQUISITIONS = 40;
export const LS_ACQ_BOUNCES = 48;
export const LS_HOLD_TOTAL = 56;
export const LS_HOLD_MIN = 64;
export const LS_HOLD_MAX = 72;
export const L_LAST_CPU = 14; // u16 in the lock's parked word: last acquiring CPU + 1 (for bounces)

// ── Runqueue (64 bytes) ────────────────────────────────────────────────────
//  ┌───────── lock (16) ─────────┬ nr_running ┬ head ┬ tail ┬ ...
export const RQ_STRIDE = 64;
export const RQ_LOCK = 0;
export const RQ_NR_RUNNING = 16;
export const RQ_HEAD = 20;
export const RQ_TAIL = 24;

// ── Task (128 bytes) ───────────────────────────────────────────────────────
//  0 state · 4 pid · 8 parent · 12 parent pid · 16 cpu · 20 flags · 24 next
//  28 usage · 32 owned (u64) · 40 scx state · 44 creator cpu
//  48 pi_lock (16) · 64 sighand->siglock (16) · 80..127 spare
export const TASK_STRIDE = 128;
export const T_STATE = 0;
export const T_PID = 4;
export const T_PARENT = 8;
export const T_PARENT_PID = 12;
export const T_CPU = 16;
export const T_FLAGS = 20;
export const T_NEXT = 24; // runqueue, zombie queue or free list link
export const T_USAGE = 28; // rcu_users
export const T_OWNED = 32; // u64: the ledger's owned-resource set
export const T_SCX_STATE = 40;
export const T_PI_LOCK = 48;
export const T_SIGLOCK = 64;

// ── CPU (1024 bytes) ───────────────────────────────────────────────────────
export const CPU_STRIDE = 1024;
export const C_ID = 0;
export const C_CURR = 4;
export const C_DEPTH = 8; // call frames in use (0: in user space)
export const C_PC = 12;
export const C_P = 16;
export const C_T = 20;
export const C_PARENT = 24;
export const C_RQ = 28;
export const C_RQ2 = 32;
export const C_ERR = 36;
export const C_FAIL_PC = 40; // first failing instruction of this syscall (-1: none)
export const C_FLAGS = 44; // CF_*
export const C_ITER = 48; // iterator cursor
export const C_SPIN_LOCK = 52; // address of the lock being waited for (0: none)
export const C_SPIN_MODE = 56;
export const C_TICKET = 60;
export const C_SPINS_NOW = 64; // consecutive spins on the current lock
export const C_ACTION = 68; // the syscall being run (ACT_*)
export const C_RNG = 72; // u64
export const C_STEPS = 80; // u64
export const C_SPINS = 88; // u64
export const C_HELD_DEPTH = 96;
export const C_PATH_LEN = 100;
export const C_PROGRESS = 104; // progress steps, read by the watchdog
export const C_SPIN_PC = 108; // the instruction spinning
export const C_SCRATCH = 112; // litmus tests' register
export const C_COUNTERS = 128; // i32[NR_COUNTERS]
export const C_RES_COUNT = 192; // i32[32]: net acquisitions per resource by this CPU
export const C_FRAMES = 320; // MAX_CALL_DEPTH × frame
export const FRAME_SIZE = 16;
export const FR_CALL_PC = 0; // the call instruction
export const FR_ERR = 4; // the caller's err, fail pc and ladder path length,
export const FR_FAIL_PC = 8; // restored when the callee returns without
export const FR_PATH_LEN = 12; // failing to its caller's else
export const C_HELD = 576; // MAX_HELD × held lock
export const HELD_SIZE = 16;
export const HL_LOCK = 0; // lock address
export const HL_INFO = 4; // class | subclass << 8 | mode << 12
export const HL_PC = 8;
export const HL_STEP = 12;
export const C_PATH = 832; // MAX_PATH × label id

export const CF_ITER_END = 1;
export const CF_LAST_REF = 2;

// Per-CPU counters (C_COUNTERS + 4 * K).
export const K_FORKS_OK = 0;
export const K_FORKS_FAILED = 1;
export const K_EXITS = 2;
export const K_REAPS = 3;
export const K_KILLS = 4;
export const K_YIELDS = 5;
export const K_SCX_ENABLES = 6;
export const K_SCX_DISABLES = 7;
export const K_MIGRATIONS = 8;
export const K_PIDNS_ZAPS = 9;
export const K_PIDNS_REOPENS = 10;
export const K_LEAKED = 11; // resources leaked (and written off)
export const K_SYSCALLS = 12;
export const NR_COUNTERS = 16;

// ── Finding (256 bytes) ────────────────────────────────────────────────────
export const FINDING_SIZE = 256;
export const FD_KIND = 0;
export const FD_CPU = 4;
export const FD_TASK = 8;
export const FD_PID = 12;
export const FD_PC = 16;
export const FD_FAIL_PC = 20;
// 24: spare
export const FD_ERRNO = 28;
export const FD_MASK = 32; // u64
export const FD_LOCK = 40; // lock address
export const FD_CLASS = 44;
export const FD_DETAIL = 48;
export const FD_DETAIL2 = 52;
export const FD_STEP = 56; // u64
export const FD_PATH_LEN = 64;
export const FD_PATH = 68; // up to FD_PATH_MAX label ids
export const FD_PATH_MAX = 32; // MAX_PATH

// configure() results.
export const STATUS_OK = 0;
export const STATUS_BAD_MAGIC = 1;
export const STATUS_BAD_CPUS = 2;
export const STATUS_BAD_TASKS = 3;
export const STATUS_TOO_BIG = 4;
export const STATUS_STATIC_OVERLAP = 5;
export const STATUS_BAD_CODE = 6;
