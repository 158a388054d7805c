// A parallel-driver worker: one OS thread driving one simulated CPU (or a
// few, round robin). Its hot loop is run(first, count, budget) inside
// WebAssembly; comlink carries control only (start), and stop is the
// machine's flag word.
import { parentPort, workerData } from 'node:worker_threads';
import { expose } from 'comlink';
import { nodeEndpoint } from './endpoint.js';
import { instantiate } from '../machine/wasm.js';

export interface WorkerData { module: WebAssembly.Module; memory: WebAssembly.Memory; stop: Int32Array; cpu: number; count: number }
const { module, memory, stop, cpu, count } = workerData as WorkerData;
const core = instantiate(memory, module);
const BUDGET = 1 << 16;

const api = {
  /** Run until the machine's stop flag is set; returns the steps taken. */
  start(): number {
    let steps = 0;
    while (Atomics.load(stop, 0) === 0) steps += core.run(cpu, count, BUDGET);
    return steps;
  },
};
export type WorkerApi = typeof api;
expose(api, nodeEndpoint(parentPort!));
