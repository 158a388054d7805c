// The parallel driver's interrupts: a timer on the host raises each
// declared handler on each CPU at its rate, counted in the steps that CPU
// ran since the last tick, so the two drivers mean the same by a rate. A
// raised interrupt is latched until the CPU takes it (at most one pending
// per handler, as a line); the CPU takes it between two of its micro-ops.
import type { Machine } from '../machine/machine.js';

const PERIOD_MS = 1;

export class IrqTimer {
  private readonly handle?: NodeJS.Timeout;
  private readonly last: bigint[];
  private readonly rates: number[];

  constructor(private readonly m: Machine) {
    const r = m.irqRates();
    this.rates = m.program.irqs.map((q) => r[q.name]);
    this.last = Array.from({ length: m.scenario.cpus }, (_, c) => m.cpuSteps(c));
    if (this.rates.some((x) => x > 0)) this.handle = setInterval(() => this.tick(), PERIOD_MS);
  }

  private tick(): void {
    for (let c = 0; c < this.last.length; c++) {
      const now = this.m.cpuSteps(c);
      const ran = Number(now - this.last[c]);
      this.last[c] = now;
      this.rates.forEach((rate, h) => {
        const expected = (ran * rate) / 1e6; // arrivals due in the steps it ran
        if (rate > 0 && Math.random() < expected) this.m.raiseIrq(c, h);
      });
    }
  }

  stop(): void { if (this.handle) clearInterval(this.handle); }
}
