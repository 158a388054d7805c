// False sharing: what one simulated CPU writes on its common path must not
// share a 64-byte line with what another writes, or host cores bounce the
// line where the simulated kernel would not. Checked on the layout a machine
// is given, and on the header words a run actually writes.
import { describe, it, expect } from 'vitest';
import * as L from '../assembly/layout.js';
import * as A from '../assembly/abi.js';
import { machineFor } from './helpers.js';
import type { Machine } from '../src/machine/machine.js';

/** Each per-CPU region: its base and the bytes of one CPU's part. */
function perCpuRegions(m: Machine): { name: string; base: number; stride: number }[] {
  return [
    { name: 'CPU block', base: m.h(L.H_CPU_BASE), stride: L.CPU_STRIDE },
    { name: 'runqueue', base: m.h(L.H_RQ_BASE), stride: L.RQ_STRIDE },
    { name: 'lock_stat', base: m.h(L.H_LOCKSTAT_BASE), stride: A.MAX_CLASSES * 2 * L.LS_SIZE },
    { name: 'lock_stat by site', base: m.h(L.H_HOLDS_BASE), stride: m.h(L.H_HOLDS_STRIDE) },
    { name: 'lockdep search scratch and chain cache', base: m.h(L.H_LD_SCRATCH_BASE), stride: L.LD_PER_CPU },
    { name: 'interrupt save area', base: m.h(L.H_KCTX_BASE), stride: L.KCTX_STRIDE },
  ];
}

/** Lines written by more than one CPU, given each CPU's byte ranges. */
export function sharedLines(ranges: { cpu: number; from: number; to: number; what: string }[]): string[] {
  const owner = new Map<number, { cpu: number; what: string }>();
  const out: string[] = [];
  for (const r of ranges) {
    for (let line = Math.floor(r.from / L.LINE); line * L.LINE < r.to; line++) {
      const o = owner.get(line);
      if (o && o.cpu !== r.cpu) out.push(`line ${line * L.LINE}: CPU ${o.cpu}'s ${o.what} and CPU ${r.cpu}'s ${r.what}`);
      else owner.set(line, { cpu: r.cpu, what: r.what });
    }
  }
  return out;
}

describe('false sharing', () => {
  it("no two CPUs' per-CPU words share a line, whatever the model's size", () => {
    for (const [kernel, cpus] of [['v6.10-patched', 3], ['v6.12-scx', 5], ['v6.17', 7]] as const) {
      const m = machineFor(kernel, { cpus });
      const ranges = perCpuRegions(m).flatMap((r) => Array.from({ length: cpus }, (_, cpu) => ({ cpu, from: r.base + cpu * r.stride, to: r.base + (cpu + 1) * r.stride, what: r.name })));
      expect(sharedLines(ranges), kernel).toEqual([]);
    }
  });

  it('the checker catches a region whose per-CPU part is not whole lines', () => {
    const ranges = [0, 1].map((cpu) => ({ cpu, from: 4096 + cpu * 1000, to: 4096 + (cpu + 1) * 1000, what: 'holds' }));
    expect(sharedLines(ranges)).toHaveLength(1);
  });

  it('no header word is written on most steps: the common path writes only per-CPU lines and the kernel state the model declares', () => {
    const m = machineFor('v6.10-patched', { cpus: 2, seed: 3 });
    const words = L.HEADER_SIZE / 4;
    const header = (): Int32Array => new Int32Array(m.memory.buffer, L.HEADER_BASE, words).slice();
    const changed = new Map<number, number>();
    let before = header();
    const steps = 20_000;
    for (let i = 0; i < steps; i++) {
      m.core.step(i & 1);
      const now = header();
      for (let w = 0; w < words; w++) if (now[w] !== before[w]) changed.set(w * 4, (changed.get(w * 4) ?? 0) + 1);
      before = now;
    }
    const names = new Map(Object.entries(L).filter(([k, v]) => k.startsWith('H_') && typeof v === 'number').map(([k, v]) => [v as number, k]));
    const busiest = [...changed].map(([off, n]) => ({ word: names.get(off) ?? `+${off}`, share: n / steps })).sort((a, b) => b.share - a.share);
    expect(m.counters().forksOk).toBeGreaterThan(20); // the steps did fork (and exit and reap)
    // A word a step writes would change on ~every step; the busiest changes
    // about once per fork, as the kernel's own nr_threads does.
    expect(busiest[0]?.share ?? 0, JSON.stringify(busiest.slice(0, 5))).toBeLessThan(0.05);
  });
});
