// kasm: the assembler for forksim's kernel models (kernels/README.md).
export { KasmError, AggregateKasmError, ModelError, ModelNotFoundError, type Loc } from './errors.js';
export type { SourceFile } from './parse.js';
export { assemble, type Program, type RoutineInfo, type LabelInfo, type SiteInfo, type EffectsRow, type SrcInfo } from './assemble.js';
export { loadKernel, loadFileInModel, listModels, defaultKernelsDir } from './load.js';
export { lockrefName, parseLockObject } from './locks.js';
export { disassemble } from './disassemble.js';
