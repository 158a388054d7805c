// The names the static walk's issues use: lock classes with their mode,
// resources, conditions.
import * as A from '../../../assembly/abi.js';
import { CONDITIONS, RESOURCE_NAMES } from '../../kasm/vocabulary.js';
import { heldLockName } from '../../kasm/locks.js';

export { className } from '../../kasm/locks.js';

export const condName = (id: number): string => Object.keys(CONDITIONS).find((k) => CONDITIONS[k].id === id) ?? `cond${id}`;
export const resNames = (mask: number): string[] => RESOURCE_NAMES.filter((_, i) => mask & (1 << i));
export const modeName = (m: number): string => (m === A.MODE_READ ? 'read' : m === A.MODE_EXCL ? 'write' : 'any');
export const lockDesc = (h: { cls: number; mode: number }): string => heldLockName(h.cls, h.mode);

