// The time policy: step the CPU whose simulated clock is earliest (ties to
// the lower CPU id), so a run is a discrete-event simulation of the machine
// file's hardware: deterministic, reproducible from the seed, and whatever
// the host's load. Each step's cost moves its CPU's clock (timing.ts).
//
// A CPU that fails to take a spinning lock is parked: nothing it can see
// changes until the lock is released, so it is not stepped again until
// then (its clock jumps to the release) — the wait a CPU spends polling on
// hardware, in one step. An interrupt raised on it wakes it too. Without
// parking, a CPU spinning for a holder in a 10 µs critical section would
// step 10 µs / cpu_relax() times for nothing.
import {
  H_TIME_HEAP, H_TIME_POS, H_TIME_HORIZON, H_TIME_NOW, H_TIME_PARKED, C_CLOCK, C_TIME_PARKED, C_TIME_SPIN, C_SPIN_LOCK,
} from '../layout';
import { hget, hset, hdr, cpuAddr, nrCpus } from '../machine';
import { CHOICE_END } from '../abi';

// @ts-ignore: decorator
@inline function heapAt(i: i32): i32 { return <i32>load<u8>(hdr(H_TIME_HEAP + i)); }
// @ts-ignore: decorator
@inline function heapPos(cpu: i32): i32 { return <i32>load<u8>(hdr(H_TIME_POS + cpu)); }
// @ts-ignore: decorator
@inline function place(i: i32, cpu: i32): void { store<u8>(hdr(H_TIME_HEAP + i), <u8>cpu); store<u8>(hdr(H_TIME_POS + cpu), <u8>i); }
// @ts-ignore: decorator
@inline function parked(cpu: i32): bool { return load<i32>(cpuAddr(cpu) + C_TIME_PARKED) != 0; }
// @ts-ignore: decorator
@inline export function clockOf(cpu: i32): u64 { return load<u64>(cpuAddr(cpu) + C_CLOCK); }

/** a goes before b: unparked first, then the earlier clock, then the lower id. */
function before(a: i32, b: i32): bool {
  const pa = parked(a), pb = parked(b);
  if (pa != pb) return pb;
  const ca = clockOf(a), cb = clockOf(b);
  return ca < cb || (ca == cb && a < b);
}

function siftUp(i: i32): void {
  const cpu = heapAt(i);
  while (i > 0) {
    const up = (i - 1) >> 1;
    const other = heapAt(up);
    if (!before(cpu, other)) break;
    place(i, other);
    i = up;
  }
  place(i, cpu);
}

function siftDown(i: i32, n: i32): void {
  const cpu = heapAt(i);
  for (;;) {
    let child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && before(heapAt(child + 1), heapAt(child))) child++;
    if (!before(heapAt(child), cpu)) break;
    place(i, heapAt(child));
    i = child;
  }
  place(i, cpu);
}

/** Order every CPU by its clock, none parked (each runStep call begins so:
 *  a CPU parked when the last call ended simply tries its lock once more). */
export function timeHeapBuild(cpus: i32): void {
  for (let c = 0; c < cpus; c++) {
    store<i32>(cpuAddr(c) + C_TIME_PARKED, 0);
    place(c, c);
  }
  hset(H_TIME_PARKED, 0);
  for (let i = (cpus >> 1) - 1; i >= 0; i--) siftDown(i, cpus);
}

/** The CPU to step next; CHOICE_END once its clock reaches the horizon.
 *  Every CPU parked is a deadlock in the making: all are woken, and the
 *  step driver's quiet count decides as under any policy. */
export function timeNext(cpus: i32): i32 {
  let c = heapAt(0);
  if (parked(c)) {
    timeHeapBuild(cpus);
    c = heapAt(0);
  }
  const horizon = load<u64>(hdr(H_TIME_HORIZON));
  if (horizon != 0 && clockOf(c) >= horizon) return CHOICE_END;
  return c;
}

/** After `cpu`'s step moved its clock (and maybe parked it): back in order. */
export function timeStepped(cpu: i32): void { siftDown(heapPos(cpu), nrCpus()); }

/** `cpu` failed to take its lock: skip it until the lock is released. */
export function timePark(cpu: i32): void {
  if (parked(cpu)) return; // a replay steps it as the run it follows did
  store<i32>(cpuAddr(cpu) + C_TIME_PARKED, 1);
  hset(H_TIME_PARKED, hget(H_TIME_PARKED) + 1);
}

/** Wake `cpu` at time `at` (a release it waits for, an interrupt for it):
 *  the time it was parked was spent spinning. */
export function timeWake(cpu: i32, at: u64): void {
  const c = cpuAddr(cpu);
  if (load<i32>(c + C_TIME_PARKED) == 0) return;
  store<i32>(c + C_TIME_PARKED, 0);
  hset(H_TIME_PARKED, hget(H_TIME_PARKED) - 1);
  const was = load<u64>(c + C_CLOCK);
  if (at > was) {
    store<u64>(c + C_CLOCK, at);
    store<u64>(c + C_TIME_SPIN, load<u64>(c + C_TIME_SPIN) + (at - was));
  }
  siftUp(heapPos(cpu));
}

/** The lock at `lock` was released at time `at`: wake the CPUs parked on it. */
export function timeReleased(lock: i32, at: u64): void {
  if (hget(H_TIME_PARKED) == 0) return;
  const cpus = nrCpus();
  for (let k = 0; k < cpus; k++) if (load<i32>(cpuAddr(k) + C_SPIN_LOCK) == lock) timeWake(k, at);
}

/** An interrupt raised on `cpu` by the CPU stepping now wakes it then. */
export function timeKick(cpu: i32): void {
  if (hget(H_TIME_PARKED) != 0) timeWake(cpu, load<u64>(hdr(H_TIME_NOW)));
}
