// The hung-task watch (khungtaskd's): a task asleep on one sleeping lock
// — the same block, not one woken and blocked again — for longer than the
// scenario allows is reported, once per block, naming the lock and its
// holders (the core writes the record). When every CPU is idle while tasks
// sleep, nothing can ever wake them: each is reported at once.
import type { Machine } from '../machine/machine.js';

export class HungTaskWatch {
  private readonly since = new Map<string, number>(); // slot:seq -> first seen
  private readonly reported = new Set<string>();
  constructor(private readonly limit: number) {}

  /** `now` in the driver's unit (steps or ms); how many tasks it reported. */
  check(m: Machine, now: number): number {
    let n = 0;
    const live = new Set<string>();
    for (const s of m.sleepers()) {
      const key = `${s.slot}:${s.seq}`;
      live.add(key);
      const first = this.since.get(key) ?? now;
      this.since.set(key, first);
      if (now - first >= this.limit && !this.reported.has(key)) {
        this.reported.add(key);
        m.core.reportHungTask(s.slot, now - first);
        n++;
      }
    }
    for (const k of this.since.keys()) if (!live.has(k)) this.since.delete(k);
    return n;
  }

  /** The machine went idle: every task still asleep is hung for good. */
  idle(m: Machine): number {
    let n = 0;
    for (const s of m.sleepers()) {
      const key = `${s.slot}:${s.seq}`;
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      m.core.reportHungTask(s.slot, 0);
      n++;
    }
    return n;
  }
}
