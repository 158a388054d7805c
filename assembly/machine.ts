// Addresses of everything in the shared memory, from the layout that
// configure() wrote into the header. Logic never computes an offset itself.
//
// The region bases are read once per instance into globals (attach()): they
// never change after configure(), and reading them from the header on every
// access costs a load per access on the interpreter's hottest paths. This is
// the one exception to "no state in instance globals": a cache of immutable,
// shared data, identical in every instance.
import {
  HEADER_BASE, H_CODE_BASE, H_EFFECTS_BASE, H_SITES_BASE, H_VARS_BASE, H_CONDS_BASE, H_GLOBAL_VARS_BASE, H_GLOBAL_LOCKS_BASE, H_CPU_BASE,
  H_RQ_BASE, H_TASK_BASE, H_FINDINGS_BASE, H_NR_CPUS, H_NR_TASKS, H_FLAGS, H_CTX_FLAGS, H_STOP,
  CPU_STRIDE, RQ_STRIDE, TASK_STRIDE, GLOBAL_LOCK_STRIDE, EFFECT_SIZE, SITE_SIZE, FINDING_SIZE, VAR_SIZE, COND_SIZE, GLOBAL_VAR_STRIDE,
  H_LD_MATRIX_BASE, H_LD_EDGES_BASE, H_LD_SCRATCH_BASE, H_LOCKSTAT_BASE, H_CONTENTION_BASE, H_SCHED_BASE,
  H_STAGE_BASE, H_DISTINCT_BASE, H_FIRSTS_BASE, DISTINCT_SIZE, H_KCTX_BASE, H_LD_USAGE_BASE, KCTX_STRIDE, KX_CTX, USAGE_SIZE,
  EDGE_SIZE, LD_SCRATCH_PER_CPU, LD_PER_CPU, LS_SIZE, H_LINES_BASE, H_LINES_CAP, LINE_ENTRY, H_HOLDS_BASE, H_HOLDS_STRIDE,
} from './layout';
import { INSN_SIZE, LOCKDEP_NODES, MAX_CLASSES } from './abi';

// @ts-ignore: decorator
@inline export function hdr(off: i32): usize { return <usize>(HEADER_BASE + off); }
// @ts-ignore: decorator
@inline export function hget(off: i32): i32 { return load<i32>(hdr(off)); }
// @ts-ignore: decorator
@inline export function hset(off: i32, v: i32): void { store<i32>(hdr(off), v); }

// @ts-ignore: decorator
@inline export function nrCpus(): i32 { return hget(H_NR_CPUS); }
// @ts-ignore: decorator
@inline export function nrTasks(): i32 { return hget(H_NR_TASKS); }
// @ts-ignore: decorator
@inline export function flags(): i32 { return hget(H_FLAGS); }
// @ts-ignore: decorator
@inline export function ctxFlags(): i32 { return hget(H_CTX_FLAGS); }
// @ts-ignore: decorator
@inline export function stopped(): bool { return atomic.load<i32>(hdr(H_STOP)) != 0; }
export function requestStop(): void { atomic.store<i32>(hdr(H_STOP), 1); }

/** *a = max(*a, v), atomically (high-water marks). */
export function atomicMax(a: usize, v: i32): void {
  let seen = atomic.load<i32>(a);
  while (seen < v) {
    const was = atomic.cmpxchg<i32>(a, seen, v);
    if (was == seen) break;
    seen = was;
  }
}

let codeBase: usize = 0;
let effectsBase: usize = 0;
let sitesBase: usize = 0;
let varsBase: usize = 0;
let condsBase: usize = 0;
let globalVarsBase: usize = 0;
let locksBase: usize = 0;
let cpuBase: usize = 0;
let rqBase: usize = 0;
let taskBase: usize = 0;
let findingsBase: usize = 0;
let matrixBase: usize = 0;
let edgesBase: usize = 0;
let scratchBase: usize = 0;
let lockstatBase: usize = 0;
let contentionBase: usize = 0;
let schedBase: usize = 0;
let stageBase: usize = 0;
let distinctBase: usize = 0;
let firstsBase: usize = 0;
let kctxBase: usize = 0;
let usageBase: usize = 0;
let cpus: i32 = 0;
let linesBase: usize = 0;
let linesMask: i32 = 0;
let holdsBase: usize = 0;
let holdsStride: usize = 0;

/** Read the layout configure() wrote (every instance, before stepping). */
export function attach(): void {
  codeBase = <usize>hget(H_CODE_BASE);
  linesBase = <usize>hget(H_LINES_BASE);
  linesMask = hget(H_LINES_CAP) - 1;
  holdsBase = <usize>hget(H_HOLDS_BASE);
  holdsStride = <usize>hget(H_HOLDS_STRIDE);
  effectsBase = <usize>hget(H_EFFECTS_BASE);
  sitesBase = <usize>hget(H_SITES_BASE);
  varsBase = <usize>hget(H_VARS_BASE);
  condsBase = <usize>hget(H_CONDS_BASE);
  globalVarsBase = <usize>hget(H_GLOBAL_VARS_BASE);
  locksBase = <usize>hget(H_GLOBAL_LOCKS_BASE);
  cpuBase = <usize>hget(H_CPU_BASE);
  rqBase = <usize>hget(H_RQ_BASE);
  taskBase = <usize>hget(H_TASK_BASE);
  findingsBase = <usize>hget(H_FINDINGS_BASE);
  matrixBase = <usize>hget(H_LD_MATRIX_BASE);
  edgesBase = <usize>hget(H_LD_EDGES_BASE);
  scratchBase = <usize>hget(H_LD_SCRATCH_BASE);
  lockstatBase = <usize>hget(H_LOCKSTAT_BASE);
  contentionBase = <usize>hget(H_CONTENTION_BASE);
  schedBase = <usize>hget(H_SCHED_BASE);
  stageBase = <usize>hget(H_STAGE_BASE);
  distinctBase = <usize>hget(H_DISTINCT_BASE);
  firstsBase = <usize>hget(H_FIRSTS_BASE);
  kctxBase = <usize>hget(H_KCTX_BASE);
  usageBase = <usize>hget(H_LD_USAGE_BASE);
  cpus = hget(H_NR_CPUS);
}

// @ts-ignore: decorator
@inline export function insnAddr(pc: i32): usize { return codeBase + <usize>(pc * INSN_SIZE); }
// @ts-ignore: decorator
@inline export function effectAddr(row: i32): usize { return effectsBase + <usize>(row * EFFECT_SIZE); }
// @ts-ignore: decorator
@inline export function siteAddr(site: i32): usize { return sitesBase + <usize>(site * SITE_SIZE); }
// @ts-ignore: decorator
@inline export function varAddr(id: i32): usize { return varsBase + <usize>(id * VAR_SIZE); }
// @ts-ignore: decorator
@inline export function condAddr(row: i32): usize { return condsBase + <usize>(row * COND_SIZE); }
// @ts-ignore: decorator
@inline export function globalVarAddr(slot: i32): usize { return globalVarsBase + <usize>(slot * GLOBAL_VAR_STRIDE); }
// @ts-ignore: decorator
@inline export function globalLockAddr(id: i32): usize { return locksBase + <usize>(id * GLOBAL_LOCK_STRIDE); }
// @ts-ignore: decorator
@inline export function cpuAddr(cpu: i32): usize { return cpuBase + <usize>(cpu * CPU_STRIDE); }
// @ts-ignore: decorator
@inline export function rqAddr(cpu: i32): usize { return rqBase + <usize>(cpu * RQ_STRIDE); }
// @ts-ignore: decorator
@inline export function taskAddr(tid: i32): usize { return taskBase + <usize>(tid * TASK_STRIDE); }
// @ts-ignore: decorator
@inline export function findingAddr(i: i32): usize { return findingsBase + <usize>(i * FINDING_SIZE); }

// lockdep: the bit matrix (row = from node, LOCKDEP_ROW_WORDS words), an
// edge record per (from, to), a BFS scratch area per CPU.
export const LOCKDEP_ROW_WORDS = (LOCKDEP_NODES + 31) >> 5;
// @ts-ignore: decorator
@inline export function matrixWordAddr(from: i32, to: i32): usize { return matrixBase + <usize>((from * LOCKDEP_ROW_WORDS + (to >> 5)) << 2); }
// @ts-ignore: decorator
@inline export function edgeAddr(from: i32, to: i32): usize { return edgesBase + <usize>(from * LOCKDEP_NODES + to) * EDGE_SIZE; }
// @ts-ignore: decorator
@inline export function scratchAddr(cpu: i32): usize { return scratchBase + <usize>cpu * LD_PER_CPU; }
// lockdep: CPU `cpu`'s chain cache, after its scratch.
// @ts-ignore: decorator
@inline export function chainsAddr(cpu: i32): usize { return scratchAddr(cpu) + LD_SCRATCH_PER_CPU; }
// lock_stat: per CPU, class and mode.
// @ts-ignore: decorator
@inline export function lockstatAddr(cpu: i32, cls: i32, mode: i32): usize {
  return lockstatBase + <usize>(((cpu * MAX_CLASSES + cls) * 2 + (mode & 1)) * LS_SIZE);
}
// @ts-ignore: decorator
@inline export function contentionAddr(pc: i32): usize { return contentionBase + (<usize>pc << 2); }
// @ts-ignore: decorator
@inline export function schedAddr(i: i32): usize { return schedBase + <usize>i; }
// Findings: the record each CPU stages before publishing it (cpu -1, the
// host's, is slot 0), the distinct-finding table and its first records.
// @ts-ignore: decorator
@inline export function stageAddr(cpu: i32): usize { return stageBase + <usize>(cpu + 1) * FINDING_SIZE; }
// @ts-ignore: decorator
@inline export function distinctAddr(slot: i32): usize { return distinctBase + <usize>slot * DISTINCT_SIZE; }
// @ts-ignore: decorator
@inline export function firstAddr(slot: i32): usize { return firstsBase + <usize>slot * FINDING_SIZE; }
// Kernel contexts: CPU c's interrupt save area is entry c, slot i entry cpus + i.
// @ts-ignore: decorator
@inline export function irqSaveAddr(cpu: i32): usize { return kctxBase + <usize>cpu * KCTX_STRIDE + KX_CTX; }
// @ts-ignore: decorator
@inline export function kctxAddr(slot: i32): usize { return kctxBase + <usize>(cpus + slot) * KCTX_STRIDE; }
// lockdep's hardirq usage of a graph node.
// @ts-ignore: decorator
@inline export function usageAddr(node: i32): usize { return usageBase + <usize>node * USAGE_SIZE; }
// The timed model's coherence directory: entry i, and the mask of its index.
// @ts-ignore: decorator
@inline export function lineEntryAddr(i: i32): usize { return linesBase + <usize>i * LINE_ENTRY; }
// @ts-ignore: decorator
@inline export function linesIndexMask(): i32 { return linesMask; }
// lock_stat by acquisition site: CPU `cpu`'s hold time of the locks taken at instruction `pc`.
// @ts-ignore: decorator
@inline export function holdSiteAddr(cpu: i32, pc: i32): usize { return holdsBase + <usize>cpu * holdsStride + (<usize>pc << 3); }
