// A parallel-driver worker: one simulated CPU on one OS thread. Its hot loop
// is run(cpu, budget) inside WebAssembly; comlink carries control only
// (start, stats, dispose), and stop is the machine's flag word.
import { parentPort, workerData } from 'node:worker_threads';
import { expose } from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { instantiate } from '../wasm.js';
import { HEADER_BASE, H_STOP } from '../../assembly/layout.js';

export interface WorkerData { module: WebAssembly.Module; memory: WebAssembly.Memory; cpu: number }
const { module, memory, cpu } = workerData as WorkerData;
const core = instantiate(memory, module);
const stop = new Int32Array(memory.buffer, HEADER_BASE + H_STOP, 1);
const BUDGET = 1 << 16;

let steps = 0;
const api = {
  /** Run until the machine's stop flag is set; returns the steps taken. */
  start(): number {
    while (Atomics.load(stop, 0) === 0) steps += core.run(cpu, BUDGET);
    return steps;
  },
  stats(): { cpu: number; steps: number } {
    return { cpu, steps };
  },
  dispose(): void {
    parentPort?.close();
  },
};
export type WorkerApi = typeof api;
expose(api, nodeEndpoint(parentPort!));
