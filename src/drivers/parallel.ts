// The parallel driver: one worker_thread per simulated CPU, all running the
// same module over one shared memory, so races and contention are real. The
// host only watches: fork count, duration, Ctrl-C, a watchdog on per-CPU
// progress, and workers that die. Every exit path stops every worker.
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { join } from 'node:path';
import { wrap, releaseProxy, type Remote } from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { PACKAGE_ROOT } from '../paths.js';
import { wasmModule } from '../wasm.js';
import type { Machine } from '../machine.js';
import type { RunOutcome, StopReason } from '../report.js';
import type { DriverControl } from './step.js';
import { drain } from './step.js';
import type { WorkerApi } from './worker.js';
import { describeWaiters, waiters } from '../waitfor.js';
import { FIND_HANG, FIND_WORKER_DIED } from '../../assembly/abi.js';
import * as L from '../../assembly/layout.js';
import { lockName } from '../findings.js';

export const WORKER_PATH = join(PACKAGE_ROOT, 'dist', 'src', 'drivers', 'worker.js');
const TICK_MS = 20;

interface Cpu { worker: Worker; remote: Remote<WorkerApi>; done: Promise<unknown>; exited: boolean; error?: unknown }

export async function runParallelDriver(m: Machine, ctl: DriverControl, hooks: { onStarted?(cpus: Worker[]): void } = {}): Promise<RunOutcome> {
  const s = m.scenario;
  m.hset(L.H_FLAGS, m.h(L.H_FLAGS) | L.FLAG_PARK); // more simulated CPUs than cores still progress
  const module = wasmModule();
  const cpus: Cpu[] = [];
  let stop: StopReason | undefined;
  const extra: string[] = [];
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  try {
    for (let cpu = 0; cpu < s.cpus; cpu++) {
      const worker = new Worker(WORKER_PATH, { workerData: { module, memory: m.memory, cpu } });
      const remote = wrap<WorkerApi>(nodeEndpoint(worker));
      const entry: Cpu = { worker, remote, done: Promise.resolve(), exited: false };
      worker.on('error', (e) => { entry.error ??= e; });
      worker.on('exit', () => { entry.exited = true; });
      // Done when its loop returns, or when the thread is gone.
      entry.done = Promise.race([remote.start().catch((e: unknown) => { entry.error ??= e; }), once(worker, 'exit')]);
      cpus.push(entry);
    }
    hooks.onStarted?.(cpus.map((c) => c.worker));

    // The watchdog: a CPU inside a syscall whose progress counter has not
    // moved for watchdogMs is hung.
    const last = cpus.map(() => ({ progress: -1, since: performance.now() }));
    while (!stop) {
      await new Promise((r) => setTimeout(r, TICK_MS));
      const now = performance.now();
      const dead = cpus.findIndex((c) => c.exited || c.error !== undefined);
      if (dead >= 0) {
        stop = 'worker-died';
        reportDeadWorker(m, dead, cpus[dead], extra);
      } else if (m.stopped()) stop = s.stopOnFinding && m.h(L.H_NR_FINDINGS) > 0 ? 'finding' : 'forks';
      else if (s.duration !== undefined && elapsed() >= s.duration) stop = 'duration';
      else if (ctl.interrupted()) stop = 'interrupted';
      else {
        for (let c = 0; c < s.cpus && !stop; c++) {
          const p = m.progress(c);
          if (p !== last[c].progress || !m.cpuBusy(c)) last[c] = { progress: p, since: now };
          else if (now - last[c].since >= s.watchdogMs) {
            stop = 'hang';
            const lock = m.at(m.cpuAddr(c) + L.C_SPIN_LOCK);
            m.core.reportHang(FIND_HANG, c, lock, 0);
            extra.push(`watchdog: CPU${c} made no progress for ${s.watchdogMs} ms${lock ? ` waiting for ${lockName(m, lock)}` : ''}`);
            extra.push(...describeWaiters(waiters(m)));
          }
        }
        ctl.progress?.(m);
      }
    }
  } finally {
    await stopAll(m, cpus);
  }
  const elapsedSeconds = elapsed();
  // With every worker gone, the host finishes in-flight syscalls itself,
  // single-threaded, so invariants are checked at a quiescent point.
  const quiescent = stop !== 'worker-died' && stop !== 'hang' && drain(m);
  return { stopReason: stop!, elapsedSeconds, quiescent, extra, partial: stop === 'interrupted' };
}

/** Set the stop flag, wait for every worker's loop to return, then end them.
 *  A worker that does not return in time is terminated. */
async function stopAll(m: Machine, cpus: Cpu[]): Promise<void> {
  m.requestStop();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((r) => { timer = setTimeout(r, 5000); });
  await Promise.race([Promise.all(cpus.map((c) => c.done)), timeout]);
  clearTimeout(timer);
  await Promise.all(cpus.map(async (c) => {
    c.remote[releaseProxy]();
    await c.worker.terminate();
  }));
}

function reportDeadWorker(m: Machine, cpu: number, c: Cpu, extra: string[]): void {
  const base = m.cpuAddr(cpu);
  const held: string[] = [];
  for (let i = 0; i < m.at(base + L.C_HELD_DEPTH); i++) held.push(lockName(m, m.at(base + L.C_HELD + i * L.HELD_SIZE + L.HL_LOCK)));
  m.core.reportHang(FIND_WORKER_DIED, cpu, 0, held.length);
  const why = c.error instanceof Error ? c.error.message : c.error !== undefined ? String(c.error) : 'terminated';
  extra.push(`worker for CPU${cpu} died (${why}) holding ${held.length ? held.join(', ') : 'no locks'}`);
}
