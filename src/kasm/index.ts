// kasm: the assembler for forksim's kernel models (kernels/README.md).
export { KasmError, AggregateKasmError, ModelError, ModelNotFoundError, type Loc } from './errors.js';
export type { SourceFile } from './parse.js';
export {
  assemble, type Program, type RoutineInfo, type LabelInfo, type SiteInfo, type EffectsRow, type SrcInfo, type VarRow, type ActionInfo, type StateEffect,
} from './assemble.js';
export { loadKernel, loadFileInModel, listModels, defaultKernelsDir, declarationsOf } from './load.js';
export { Vocabulary, isSharedKind, type LockDecl, type VarDecl, type PrimDecl, type Cond } from './vocabulary.js';
export { errnoName, regName } from './builtins.js';
export { disassemble } from './disassemble.js';
export { kernelVocabulary } from './listing.js';
export { compileCond, type CondRow } from './cond.js';
