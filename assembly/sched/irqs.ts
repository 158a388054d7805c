// Interrupt arrivals in the step driver: each step, the CPU about to step
// takes each declared handler with its rate (arrivals per million of its
// steps), drawn from an RNG of their own so that the CPU choices stay those
// of the same seed without interrupts. An arrival is a choice like the CPU
// one: recorded in the schedule (a marker byte before the CPU's) and
// replayed from it, never drawn again.
import { H_IRQ_RNG, H_NR_IRQS, H_IRQ_RATES } from '../layout';
import { hget, hdr } from '../machine';

export { IRQ_MARK } from '../abi';

/** The handler arriving at this step, or -1. */
export function drawIrq(): i32 {
  const a = hdr(H_IRQ_RNG);
  let x = load<u64>(a);
  x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
  store<u64>(a, x);
  let u = <i32>(((x * 0x2545F4914F6CDD1D) >> 32) % 1000000);
  const n = hget(H_NR_IRQS);
  for (let h = 0; h < n; h++) {
    const r = hget(H_IRQ_RATES + (h << 2));
    if (u < r) return h;
    u -= r;
  }
  return -1;
}
