// The names the static walk's issues use: lock modes.
import * as A from '../../../assembly/abi.js';

export const modeName = (m: number): string => (m === A.MODE_READ ? 'read' : m === A.MODE_EXCL ? 'write' : 'any');
