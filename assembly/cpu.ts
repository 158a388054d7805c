// A simulated CPU's registers, counters and private RNG (all in its own
// CPU block of shared memory; the instance holds no state of its own).
import { cpuAddr } from './machine';
import {
  C_CURR, C_DEPTH, C_PC, C_P, C_T, C_T2, C_PARENT, C_RQ, C_RQ2, C_ERR, C_FAIL_PC, C_FLAGS, C_ITER,
  C_RNG, C_COUNTERS, C_RES_COUNT,
} from './layout';
import { REG_P, REG_T, REG_T2, REG_CURRENT, REG_PARENT, REG_RQ, REG_RQ2, REG_THIS_RQ, NO_TASK } from './abi';

// @ts-ignore: decorator
@inline export function cget(cpu: i32, off: i32): i32 { return load<i32>(cpuAddr(cpu) + off); }
// @ts-ignore: decorator
@inline export function cset(cpu: i32, off: i32, v: i32): void { store<i32>(cpuAddr(cpu) + off, v); }

// @ts-ignore: decorator
@inline export function curr(cpu: i32): i32 { return atomic.load<i32>(cpuAddr(cpu) + C_CURR); }
// @ts-ignore: decorator
@inline export function setCurr(cpu: i32, t: i32): void { atomic.store<i32>(cpuAddr(cpu) + C_CURR, t); }
// @ts-ignore: decorator
@inline export function depth(cpu: i32): i32 { return cget(cpu, C_DEPTH); }
// @ts-ignore: decorator
@inline export function pc(cpu: i32): i32 { return cget(cpu, C_PC); }
// @ts-ignore: decorator
@inline export function setPc(cpu: i32, v: i32): void { cset(cpu, C_PC, v); }
// @ts-ignore: decorator
@inline export function err(cpu: i32): i32 { return cget(cpu, C_ERR); }
// @ts-ignore: decorator
@inline export function setErr(cpu: i32, v: i32): void { cset(cpu, C_ERR, v); }

/** Record the first failure of the current syscall. */
export function noteFailure(cpu: i32, at: i32, errno: i32): void {
  setErr(cpu, errno);
  if (cget(cpu, C_FAIL_PC) < 0) cset(cpu, C_FAIL_PC, at);
}

/** The task a task register names (NO_TASK when empty). */
export function taskReg(cpu: i32, reg: i32): i32 {
  switch (reg) {
    case REG_P: return cget(cpu, C_P);
    case REG_T: return cget(cpu, C_T);
    case REG_CURRENT: return curr(cpu);
    case REG_PARENT: return cget(cpu, C_PARENT);
    case REG_T2: return cget(cpu, C_T2);
  }
  return NO_TASK;
}
export function setTaskReg(cpu: i32, reg: i32, t: i32): void {
  switch (reg) {
    case REG_P: cset(cpu, C_P, t); break;
    case REG_T: cset(cpu, C_T, t); break;
    case REG_CURRENT: setCurr(cpu, t); break;
    case REG_PARENT: cset(cpu, C_PARENT, t); break;
    case REG_T2: cset(cpu, C_T2, t); break;
  }
}
/** The CPU a runqueue register names. */
export function rqReg(cpu: i32, reg: i32): i32 {
  if (reg == REG_RQ) return cget(cpu, C_RQ);
  if (reg == REG_RQ2) return cget(cpu, C_RQ2);
  if (reg == REG_THIS_RQ) return cpu;
  return -1;
}

// @ts-ignore: decorator
@inline export function cpuFlag(cpu: i32, f: i32): bool { return (cget(cpu, C_FLAGS) & f) != 0; }
export function setCpuFlag(cpu: i32, f: i32, on: bool): void {
  const v = cget(cpu, C_FLAGS);
  cset(cpu, C_FLAGS, on ? v | f : v & ~f);
}
// @ts-ignore: decorator
@inline export function iter(cpu: i32): i32 { return cget(cpu, C_ITER); }
// @ts-ignore: decorator
@inline export function setIter(cpu: i32, v: i32): void { cset(cpu, C_ITER, v); }

// @ts-ignore: decorator
@inline export function count(cpu: i32, k: i32, n: i32 = 1): void {
  const a = cpuAddr(cpu) + C_COUNTERS + (<usize>k << 2);
  store<i32>(a, load<i32>(a) + n);
}
// @ts-ignore: decorator
@inline export function resCount(cpu: i32, r: i32, n: i32): void {
  const a = cpuAddr(cpu) + C_RES_COUNT + (<usize>r << 2);
  store<i32>(a, load<i32>(a) + n);
}

/** xorshift64*: a private, seeded stream per CPU. */
export function rand(cpu: i32): u64 {
  const a = cpuAddr(cpu) + C_RNG;
  let x = load<u64>(a);
  x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
  store<u64>(a, x);
  return x * 0x2545F4914F6CDD1D;
}
/** Uniform in [0, n). */
export function randBelow(cpu: i32, n: u32): u32 {
  return <u32>(((rand(cpu) >> 32) * <u64>n) >> 32);
}
export function splitmix(x: u64): u64 {
  x += 0x9E3779B97F4A7C15;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EB;
  const r = x ^ (x >> 31);
  return r == 0 ? 1 : r;
}
