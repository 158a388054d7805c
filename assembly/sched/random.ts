// The random policy: the next CPU is drawn uniformly from a seeded RNG
// (xorshift64*), so a run is reproducible from (kernel, scenario, seed).
// With stalls on, now and then one CPU is not scheduled for a while — a CPU
// preempted or stuck in something slow (a vCPU the host deschedules, the
// stop_machine() of static_branch_enable()) — which opens the windows that
// uniform interleaving almost never does.
import { H_STEP_RNG, H_STALL_PPM, H_STALL_MAX, H_STALL_CPU, H_STALL_LEFT } from '../layout';
import { hget, hset, hdr } from '../machine';
import { CHOICE_SKIP } from '../abi';

export function randomNext(cpus: i32): i32 {
  const a = hdr(H_STEP_RNG);
  let x = load<u64>(a);
  x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
  store<u64>(a, x);
  const y = x * 0x2545F4914F6CDD1D;
  let c = <i32>(((y >> 32) * <u64>cpus) >> 32);
  const left = hget(H_STALL_LEFT);
  if (left > 0) {
    hset(H_STALL_LEFT, left - 1);
    if (c == hget(H_STALL_CPU) && cpus > 1) c = (c + 1 + <i32>((y & 0xffff) % <u64>(cpus - 1))) % cpus;
    return c;
  }
  const ppm = <u64>hget(H_STALL_PPM);
  if (ppm > 0 && (y & 0xfffff) % 1000000 < ppm) {
    hset(H_STALL_CPU, c); // this CPU stops here for a while
    hset(H_STALL_LEFT, <i32>(1 + ((y >> 20) & 0xffffff) % <u64>max(1, hget(H_STALL_MAX))));
    return CHOICE_SKIP;
  }
  return c;
}

/** Every CPU waits: a stall ends early (the others wait for the stalled CPU). */
export function randomQuiet(): bool {
  if (hget(H_STALL_LEFT) == 0) return false;
  hset(H_STALL_LEFT, 0);
  return true;
}
