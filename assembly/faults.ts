// Fault injection at `else` sites, with the knobs of the kernel's
// fault-injection framework (should_fail()): times, interval, probability,
// and fail-nth.
import { siteAddr } from './machine';
import { S_ENABLED, S_PROBABILITY, S_INTERVAL, S_TIMES, S_NTH, S_PASSES, S_INJECTED } from './layout';
import { randBelow } from './cpu';

export function shouldFail(cpu: i32, site: i32): bool {
  const s = siteAddr(site);
  if (load<i32>(s + S_ENABLED) == 0) return false;
  const pass = atomic.add<i32>(s + S_PASSES, 1) + 1;
  const nth = load<i32>(s + S_NTH);
  if (nth > 0 && pass != nth) return false;
  const interval = load<i32>(s + S_INTERVAL);
  if (interval > 1 && pass % interval != 0) return false;
  const p = load<i32>(s + S_PROBABILITY);
  if (p < 1000000 && <i32>randBelow(cpu, 1000000) >= p) return false;
  // times: claim one of the failures left (-1: unlimited)
  let left = atomic.load<i32>(s + S_TIMES);
  while (left != -1) {
    if (left == 0) return false;
    const seen = atomic.cmpxchg<i32>(s + S_TIMES, left, left - 1);
    if (seen == left) break;
    left = seen;
  }
  atomic.add<i32>(s + S_INJECTED, 1);
  return true;
}
