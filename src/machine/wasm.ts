// Loading build/forksim.wasm: compiled once per thread, instantiated once
// per driver thread over the shared memory.
import { readFileSync } from 'node:fs';
import { MAX_PAGES } from '../../assembly/layout.js';
import { WASM_PATH } from '../paths.js';

/** The core's exports (assembly/index.ts). */
export interface CoreExports {
  configure(): number;
  attach(): void;
  boot(): void;
  step(cpu: number): number;
  run(first: number, count: number, budget: number): number;
  runStep(budget: bigint, quietLimit: number): number;
  runTransition(cpu: number, max: number): number;
  nextAccess(cpu: number): number;
  enabledNow(cpu: number): number;
  arriveIrq(cpu: number): void;
  checkInvariants(): number;
  reportHang(cpu: number, lock: number): void;
  reportWorkerDied(cpu: number, held: number): void;
  reportLivelock(syscalls: number): void;
  reportDeadlock(spinning: number): void;
  reportHungTask(slot: number, blockedFor: number): void;
  lockdepMatrixWord(from: number, to: number): number;
  lockdepEdge(from: number, to: number): number;
  lockstatRecord(cpu: number, cls: number, mode: number): number;
}

let compiled: WebAssembly.Module | undefined;
export function wasmModule(): WebAssembly.Module {
  if (!compiled) {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(WASM_PATH));
    } catch {
      throw new Error(`${WASM_PATH} is missing: run \`npm run build\` first`);
    }
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

export function newMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: 2, maximum: MAX_PAGES, shared: true });
}

export function instantiate(memory: WebAssembly.Memory, module: WebAssembly.Module = wasmModule()): CoreExports {
  const instance = new WebAssembly.Instance(module, {
    env: {
      memory,
      abort(_msg: number, _file: number, line: number, col: number) {
        throw new Error(`forksim core aborted at ${line}:${col}`);
      },
    },
  });
  const core = instance.exports as unknown as CoreExports;
  core.attach(); // a no-op before configure(), which attaches its own instance
  return core;
}
