// The names the static walk's issues use: lock classes with their mode,
// resources, conditions.
import * as A from '../../../assembly/abi.js';
import { CONDITIONS, LOCK_CLASSES, RESOURCE_NAMES } from '../../kasm/vocabulary.js';

export const condName = (id: number): string => Object.keys(CONDITIONS).find((k) => CONDITIONS[k].id === id) ?? `cond${id}`;
export const className = (cls: number): string => LOCK_CLASSES.find((c) => c.id === cls)?.name ?? `class ${cls}`;
export const resNames = (mask: number): string[] => RESOURCE_NAMES.filter((_, i) => mask & (1 << i));
export const modeName = (m: number): string => (m === A.MODE_READ ? 'read' : m === A.MODE_EXCL ? 'write' : 'any');
export const lockDesc = (h: { cls: number; mode: number }): string => {
  const kind = LOCK_CLASSES.find((c) => c.id === h.cls)?.kind;
  const shared = kind === A.KIND_RWLOCK || kind === A.KIND_RWSEM;
  return shared ? `${className(h.cls)} (${modeName(h.mode)})` : className(h.cls);
};

