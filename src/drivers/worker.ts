// A parallel-driver worker: one OS thread driving one simulated CPU (or a
// few, round robin). Its hot loop is run(first, count, budget) inside
// WebAssembly; comlink carries control only (start, stats, dispose), and
// stop is the machine's flag word.
import { parentPort, workerData } from 'node:worker_threads';
import { expose } from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { instantiate } from '../wasm.js';
import { HEADER_BASE, H_STOP } from '../../assembly/layout.js';

export interface WorkerData { module: WebAssembly.Module; memory: WebAssembly.Memory; cpu: number; count: number }
const { module, memory, cpu, count } = workerData as WorkerData;
const core = instantiate(memory, module);
const stop = new Int32Array(memory.buffer, HEADER_BASE + H_STOP, 1);
const BUDGET = 1 << 16;

let steps = 0;
const api = {
  /** Run until the machine's stop flag is set; returns the steps taken. */
  start(): number {
    while (Atomics.load(stop, 0) === 0) steps += core.run(cpu, count, BUDGET);
    return steps;
  },
  stats(): { cpu: number; count: number; steps: number } {
    return { cpu, count, steps };
  },
  dispose(): void {
    parentPort?.close();
  },
};
export type WorkerApi = typeof api;
expose(api, nodeEndpoint(parentPort!));
