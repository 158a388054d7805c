// Litmus tests of the locks themselves (not kernel functions): a shared
// counter incremented in two halves, racy unless a lock covers both.
import { H_LITMUS, C_SCRATCH } from '../layout';
import { hdr } from '../machine';
import { cget, cset } from '../cpu';

export function litmusLoad(cpu: i32): void { cset(cpu, C_SCRATCH, atomic.load<i32>(hdr(H_LITMUS))); }
export function litmusStore(cpu: i32): void { atomic.store<i32>(hdr(H_LITMUS), cget(cpu, C_SCRATCH) + 1); }
