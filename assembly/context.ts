// Kernel contexts. A task that blocks on a sleeping lock or is preempted
// inside the kernel keeps its execution context — call frames, registers,
// held locks, interrupt and preempt state — in a slot of its own until it
// runs again (its kernel stack, in effect). An interrupt sets the context
// it interrupted aside in its CPU's save area while the handler runs. The
// context is the CPU block's C_CTX .. C_CTX_END, copied whole.
import { cpuAddr, kctxAddr, irqSaveAddr, hdr, hget, taskAddr, atomicMax } from './machine';
import {
  C_CTX, CTX_SIZE, KX_CTX, KX_NEXT, KX_WAIT, KX_TASK, KCTX_STRIDE, H_KCTX_FREE, H_NR_KCTX, H_KCTX_HWM, H_KCTX_CAP, T_KCTX,
  C_P, C_T, C_T2, C_PARENT, C_FAIL_PC, C_FRAMES,
} from './layout';
import { NO_TASK } from './abi';
import { poolPop, poolPush } from './pool';

/** Copy this CPU's execution context to `to`, or back from `from`. */
export function saveContext(cpu: i32, to: usize): void { memory.copy(to, cpuAddr(cpu) + C_CTX, CTX_SIZE); }
export function loadContext(cpu: i32, from: usize): void { memory.copy(cpuAddr(cpu) + C_CTX, from, CTX_SIZE); }

/** A saved context addressed as a CPU block, so that the C_* offsets read
 *  it: CPU `cpu`'s interrupted one, or kernel-context slot `s`'s. */
// @ts-ignore: decorator
@inline export function interruptedCtx(cpu: i32): usize { return irqSaveAddr(cpu) - C_CTX; }
// @ts-ignore: decorator
@inline export function parkedCtx(s: i32): usize { return kctxAddr(s) + KX_CTX - C_CTX; }

/** The CPU starts over in user space: no frame, nothing held, interrupts
 *  on, preempt_count 0, empty task registers. */
export function clearContext(cpu: i32): void {
  const c = cpuAddr(cpu);
  memory.fill(c + C_CTX, 0, C_FRAMES - C_CTX); // the arrays past it are read only up to their depths
  store<i32>(c + C_P, NO_TASK);
  store<i32>(c + C_T, NO_TASK);
  store<i32>(c + C_T2, NO_TASK);
  store<i32>(c + C_PARENT, NO_TASK);
  store<i32>(c + C_FAIL_PC, -1);
}

// @ts-ignore: decorator
@inline export function taskKctx(t: i32): i32 { return atomic.load<i32>(taskAddr(t) + T_KCTX) - 1; }
// @ts-ignore: decorator
@inline export function setTaskKctx(t: i32, slot: i32): void { atomic.store<i32>(taskAddr(t) + T_KCTX, slot + 1); }

/** Take a free slot for task t (-1: none is free). */
export function kctxAlloc(t: i32): i32 {
  const s = poolPop(hdr(H_KCTX_FREE), kctxAddr(0), KCTX_STRIDE, KX_NEXT);
  if (s < 0) return -1;
  store<i32>(kctxAddr(s) + KX_TASK, t);
  atomic.add<i32>(hdr(H_NR_KCTX), 1);
  atomicMax(hdr(H_KCTX_HWM), s + 1);
  return s;
}

export function kctxFree(s: i32): void {
  const a = kctxAddr(s);
  store<i32>(a + KX_TASK, NO_TASK);
  atomic.store<i32>(a + KX_WAIT, 0);
  atomic.sub<i32>(hdr(H_NR_KCTX), 1);
  poolPush(hdr(H_KCTX_FREE), kctxAddr(0), KCTX_STRIDE, KX_NEXT, s);
}

/** Park task t's context (this CPU's) in a fresh slot; -1 when none is free. */
export function parkContext(cpu: i32, t: i32): i32 {
  const s = kctxAlloc(t);
  if (s < 0) return -1;
  saveContext(cpu, kctxAddr(s) + KX_CTX);
  setTaskKctx(t, s);
  return s;
}

/** Task t runs again on this CPU, where its context left off. */
export function resumeContext(cpu: i32, t: i32): void {
  const s = taskKctx(t);
  loadContext(cpu, kctxAddr(s) + KX_CTX);
  setTaskKctx(t, -1);
  kctxFree(s);
}

/** The slots in order (boot only). */
export function initKctxPool(): void {
  const n = hget(H_KCTX_CAP);
  for (let s = 0; s < n; s++) {
    store<i32>(kctxAddr(s) + KX_NEXT, s + 1 < n ? s + 1 : -1);
    store<i32>(kctxAddr(s) + KX_TASK, NO_TASK);
  }
  atomic.store<u64>(hdr(H_KCTX_FREE), n > 0 ? 1 : 0);
  atomic.store<i32>(hdr(H_NR_KCTX), 0);
  atomic.store<i32>(hdr(H_KCTX_HWM), 0);
}
