// The parallel driver: one worker_thread per simulated CPU (or, with
// `threads`, each worker driving a few CPUs round robin), all running the
// same module over one shared memory, so races and contention are real. The
// host only watches: fork count, duration, Ctrl-C, a watchdog on CPUs that
// stay in one syscall, and workers that die. Every exit path stops every worker.
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { join } from 'node:path';
import { wrap, releaseProxy, type Remote } from 'comlink';
import { nodeEndpoint } from './endpoint.js';
import { PACKAGE_ROOT } from '../paths.js';
import { wasmModule } from '../machine/wasm.js';
import type { Machine } from '../machine/machine.js';
import type { DeadWorker, DriverControl, Hang, RunOutcome, StopReason } from './outcome.js';
import { drain, LivelockWatch } from './step.js';
import { HungTaskWatch } from './hung.js';
import { IrqTimer } from './irq-timer.js';
import type { WorkerApi, WorkerData } from './worker.js';

export const WORKER_PATH = join(PACKAGE_ROOT, 'dist', 'src', 'drivers', 'worker.js');
const TICK_MS = 20;

interface Thread { worker: Worker; remote: Remote<WorkerApi>; done: Promise<unknown>; exited: boolean; error?: unknown; first: number; count: number }

/** Split `cpus` simulated CPUs over `threads` workers, as evenly as possible. */
export function cpuGroups(cpus: number, threads: number): { first: number; count: number }[] {
  return Array.from({ length: threads }, (_, i) => {
    const first = Math.floor((i * cpus) / threads);
    return { first, count: Math.floor(((i + 1) * cpus) / threads) - first };
  });
}

export async function runParallelDriver(m: Machine, ctl: DriverControl, hooks: { onStarted?(cpus: Worker[]): void } = {}): Promise<RunOutcome> {
  const s = m.scenario;
  m.setParking(true); // more simulated CPUs than cores still progress
  const module = wasmModule();
  const threads: Thread[] = [];
  let stop: StopReason | undefined;
  let hang: Hang | undefined;
  const deadWorkers: DeadWorker[] = [];
  let timer: IrqTimer | undefined;
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  try {
    for (const { first, count } of cpuGroups(s.cpus, s.threads ?? s.cpus)) {
      const data: WorkerData = { module, memory: m.memory, stop: m.stopWord(), cpu: first, count };
      const worker = new Worker(WORKER_PATH, { workerData: data });
      const remote = wrap<WorkerApi>(nodeEndpoint(worker));
      const entry: Thread = { worker, remote, done: Promise.resolve(), exited: false, first, count };
      worker.on('error', (e) => { entry.error ??= e; });
      worker.on('exit', () => { entry.exited = true; });
      // Done when its loop returns, or when the thread is gone.
      entry.done = Promise.race([remote.start().catch((e: unknown) => { entry.error ??= e; }), once(worker, 'exit')]);
      threads.push(entry);
    }
    hooks.onStarted?.(threads.map((t) => t.worker));

    // The watchdog: a CPU that stays inside one syscall for watchdogMs is
    // hung, whether it spins on a lock or loops (a livelock makes progress
    // steps but never returns to user space).
    const last = Array.from({ length: s.cpus }, () => ({ syscalls: -1, since: performance.now() }));
    const livelock = new LivelockWatch(s.watchdogMs);
    const hung = new HungTaskWatch(s.hungTaskMs);
    timer = new IrqTimer(m);
    while (!stop) {
      await new Promise((r) => setTimeout(r, TICK_MS));
      const now = performance.now();
      const dead = threads.find((t) => t.exited || t.error !== undefined);
      if (dead) {
        stop = 'worker-died';
        deadWorkers.push(...reportDeadWorker(m, dead));
      } else if (m.stopped()) stop = m.stopCause();
      else if (s.duration !== undefined && elapsed() >= s.duration) stop = 'duration';
      else if (ctl.interrupted()) stop = 'interrupted';
      else {
        for (let c = 0; c < s.cpus && !stop; c++) {
          const syscalls = m.syscalls(c);
          if (syscalls !== last[c].syscalls || !m.cpuBusy(c)) last[c] = { syscalls, since: now };
          else if (now - last[c].since >= s.watchdogMs) {
            stop = 'hang';
            m.core.reportHang(c, m.cpu(c).spinLock);
            hang = { cause: 'watchdog', cpu: c, stuckFor: s.watchdogMs, unit: 'ms', state: m.waitState() };
          }
        }
        if (!stop && hung.check(m, now) > 0 && Array.from({ length: s.cpus }, (_, c) => m.cpuBusy(c)).every((b) => !b)) {
          // Tasks hung and every CPU idle: nothing will wake them.
          stop = 'hang';
          hang = { cause: 'hung-task', cpu: -1, stuckFor: s.hungTaskMs, unit: 'ms', state: m.waitState() };
        }
        const lost = stop ? -1 : livelock.check(m, now);
        if (lost >= 0) {
          stop = 'livelock';
          m.core.reportLivelock(lost);
          hang = { cause: 'livelock', cpu: -1, stuckFor: s.watchdogMs, unit: 'ms', syscalls: lost, state: m.waitState() };
        }
        ctl.progress?.(m);
      }
    }
  } finally {
    timer?.stop();
    await stopAll(m, threads);
  }
  const elapsedSeconds = elapsed();
  // With every worker gone, the host finishes in-flight syscalls itself,
  // single-threaded, so invariants are checked at a quiescent point.
  if (stop !== 'worker-died' && stop !== 'hang' && stop !== 'livelock') {
    const drained = drain(m);
    if (drained) {
      stop = drained.cause === 'soft-lockup' || drained.cause === 'hung-task' ? 'hang' : 'deadlock';
      hang = drained;
    }
  }
  return { stopReason: stop!, elapsedSeconds, quiescent: m.quiescent(), hang, deadWorkers, partial: stop === 'interrupted' };
}

/** Set the stop flag, wait for every worker's loop to return, then end them.
 *  A worker that does not return in time is terminated. */
async function stopAll(m: Machine, threads: Thread[]): Promise<void> {
  m.requestStop();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((r) => { timer = setTimeout(r, 5000); });
  await Promise.race([Promise.all(threads.map((t) => t.done)), timeout]);
  clearTimeout(timer);
  await Promise.all(threads.map(async (t) => {
    t.remote[releaseProxy]();
    await t.worker.terminate();
  }));
}

/** A dead worker takes its simulated CPUs with it: report each, with the
 *  locks it held. */
function reportDeadWorker(m: Machine, t: Thread): DeadWorker[] {
  const why = t.error instanceof Error ? t.error.message : t.error !== undefined ? String(t.error) : 'terminated';
  const out: DeadWorker[] = [];
  for (let cpu = t.first; cpu < t.first + t.count; cpu++) {
    const held = m.cpu(cpu).held.map((h) => m.identifyLock(h.lock));
    m.core.reportWorkerDied(cpu, held.length);
    out.push({ cpu, why, held });
  }
  return out;
}
