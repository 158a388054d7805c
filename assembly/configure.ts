// Laying out the machine: configure() places every region after the header
// from the sizes the host wrote, writes each base back into the header, and
// grows the memory to fit.
import {
  HEADER_BASE, HEADER_SIZE, MAGIC, ABI_VERSION, PAGE, MAX_PAGES, H_MAGIC, H_ABI_VERSION, H_NR_CPUS, H_NR_TASKS,
  H_NR_INSNS, H_NR_EFFECTS, H_NR_SITES, H_NR_VARS, H_NR_CONDS, H_FINDINGS_CAP, H_VARS_BASE, H_CONDS_BASE, H_GLOBAL_VARS_BASE, H_CODE_BASE, H_EFFECTS_BASE, H_SITES_BASE,
  H_GLOBAL_LOCKS_BASE, H_CPU_BASE, H_RQ_BASE, H_TASK_BASE, H_FINDINGS_BASE, H_END, H_STATUS, H_LD_MATRIX_BASE,
  H_LD_EDGES_BASE, H_LD_SCRATCH_BASE, H_LOCKSTAT_BASE, H_CONTENTION_BASE, H_SCHED_BASE, H_SCHED_CAP,
  H_STAGE_BASE, H_DISTINCT_BASE, H_FIRSTS_BASE, DISTINCT_SIZE, DISTINCT_CAP, H_KCTX_BASE, H_LD_USAGE_BASE, H_KCTX_CAP, KCTX_STRIDE, MAX_KCTX, USAGE_SIZE,
  EFFECT_SIZE, SITE_SIZE, VAR_SIZE, COND_SIZE, GLOBAL_VAR_STRIDE, GLOBAL_LOCK_STRIDE, CPU_STRIDE, RQ_STRIDE, TASK_STRIDE, FINDING_SIZE,
  H_LINES_CAP, H_LINES_BASE, LINE_ENTRY, MAX_LINES, H_HOLDS_BASE, H_HOLDS_STRIDE,
  STATUS_BAD_LINES, STATUS_OK, STATUS_BAD_MAGIC, STATUS_BAD_CPUS, STATUS_BAD_TASKS, STATUS_TOO_BIG, STATUS_STATIC_OVERLAP, STATUS_BAD_CODE,
} from './layout';
import * as A from './abi';
import { hget, hset, attach } from './machine';
import { lockdepMatrixSize, lockdepEdgesSize, lockdepScratchSize } from './lockdep';
import { lockstatSize } from './lockstat';

function align64(x: i64): i64 { return (x + 63) & ~63; }

/** Place a region of `size` bytes at the next line from `at`; its base goes in header word `off`. */
function place(at: i64, off: i32, size: i64): i64 {
  const base = align64(at);
  hset(off, <i32>base);
  return base + size;
}

/** Lay out the regions after the header and grow the memory to fit. */
export function configure(): i32 {
  const status = layOut();
  hset(H_STATUS, status);
  if (status == STATUS_OK) attach();
  return status;
}

function layOut(): i32 {
  if (hget(H_MAGIC) != MAGIC || hget(H_ABI_VERSION) != ABI_VERSION) return STATUS_BAD_MAGIC;
  if (<usize>__heap_base > <usize>HEADER_BASE) return STATUS_STATIC_OVERLAP;
  const cpus = hget(H_NR_CPUS), tasks = hget(H_NR_TASKS);
  if (cpus < 1 || cpus > A.MAX_CPUS) return STATUS_BAD_CPUS;
  if (tasks < cpus + 1 || tasks > A.MAX_TASKS) return STATUS_BAD_TASKS;
  const insns = hget(H_NR_INSNS), effects = hget(H_NR_EFFECTS), sites = hget(H_NR_SITES);
  const vars = hget(H_NR_VARS), conds = hget(H_NR_CONDS);
  if (insns < 1 || insns > A.MAX_INSNS || effects < 0 || effects > A.MAX_PRIMS || sites < 1 || sites > A.MAX_SITES) return STATUS_BAD_CODE;
  if (vars < 0 || vars > A.MAX_VARS || conds < 0 || conds > A.MAX_CONDS) return STATUS_BAD_CODE;
  let at: i64 = HEADER_BASE + HEADER_SIZE;
  at = place(at, H_CODE_BASE, <i64>insns * A.INSN_SIZE);
  at = place(at, H_EFFECTS_BASE, <i64>effects * EFFECT_SIZE);
  at = place(at, H_SITES_BASE, <i64>sites * SITE_SIZE);
  at = place(at, H_VARS_BASE, <i64>vars * VAR_SIZE);
  at = place(at, H_CONDS_BASE, <i64>conds * COND_SIZE);
  at = place(at, H_GLOBAL_VARS_BASE, <i64>A.MAX_GLOBAL_VARS * GLOBAL_VAR_STRIDE);
  at = place(at, H_GLOBAL_LOCKS_BASE, <i64>A.MAX_GLOBAL_LOCKS * GLOBAL_LOCK_STRIDE);
  at = place(at, H_CPU_BASE, <i64>cpus * CPU_STRIDE);
  at = place(at, H_RQ_BASE, <i64>cpus * RQ_STRIDE);
  at = place(at, H_TASK_BASE, <i64>tasks * TASK_STRIDE);
  at = place(at, H_FINDINGS_BASE, <i64>hget(H_FINDINGS_CAP) * FINDING_SIZE);
  at = place(at, H_LD_MATRIX_BASE, lockdepMatrixSize());
  at = place(at, H_LD_EDGES_BASE, lockdepEdgesSize());
  at = place(at, H_LD_SCRATCH_BASE, lockdepScratchSize(cpus));
  at = place(at, H_LOCKSTAT_BASE, lockstatSize(cpus));
  at = place(at, H_CONTENTION_BASE, <i64>insns * 4);
  at = place(at, H_STAGE_BASE, <i64>(cpus + 1) * FINDING_SIZE);
  at = place(at, H_DISTINCT_BASE, <i64>DISTINCT_CAP * DISTINCT_SIZE);
  at = place(at, H_FIRSTS_BASE, <i64>DISTINCT_CAP * FINDING_SIZE);
  const kctx = hget(H_KCTX_CAP);
  if (kctx < 0 || kctx > MAX_KCTX) return STATUS_BAD_TASKS;
  at = place(at, H_KCTX_BASE, <i64>(cpus + kctx) * KCTX_STRIDE);
  at = place(at, H_LD_USAGE_BASE, <i64>A.LOCKDEP_NODES * USAGE_SIZE);
  at = place(at, H_SCHED_BASE, <i64>max(0, hget(H_SCHED_CAP)));
  const lines = hget(H_LINES_CAP);
  if (lines < 0 || lines > MAX_LINES || (lines & (lines - 1)) != 0) return STATUS_BAD_LINES;
  at = place(at, H_LINES_BASE, <i64>lines * LINE_ENTRY);
  hset(H_HOLDS_STRIDE, <i32>align64(<i64>insns * 8));
  at = place(at, H_HOLDS_BASE, <i64>cpus * hget(H_HOLDS_STRIDE));
  at = align64(at);
  if (at >= <i64>MAX_PAGES * PAGE) return STATUS_TOO_BIG; // H_END must fit an i32
  const pages = (at + PAGE - 1) / PAGE;
  const have = <i64>memory.size();
  if (pages > have && memory.grow(<i32>(pages - have)) < 0) return STATUS_TOO_BIG;
  hset(H_END, <i32>at);
  return STATUS_OK;
}
