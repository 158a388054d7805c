// The parallel driver's hot loop: one worker thread runs it over its CPUs.
import { H_FLAGS, H_SPIN_PARK, H_STOP, FLAG_PARK, C_SPINS_NOW, C_SPIN_PC } from './layout';
import * as A from './abi';
import { hget, hdr, insnAddr } from './machine';
import { cget } from './cpu';
import { step } from './interp';
import { park } from './lock';
import { insnObj, objKind } from './insn';

/** Up to `budget` steps of the CPUs first .. first+count-1, round robin (one
 *  worker thread may drive several simulated CPUs). When none of them
 *  progresses, a CPU that has spun too long parks the thread on its lock
 *  word. Returns the steps taken. */
export function run(first: i32, count: i32, budget: i32): i32 {
  const parkAfter = (hget(H_FLAGS) & FLAG_PARK) != 0 ? hget(H_SPIN_PARK) : 0x7fffffff;
  let idleRounds = 0;
  for (let i = 0; i < budget; i += count) {
    let progressed = false, allIdle = true;
    let spinner = -1;
    for (let k = 0; k < count; k++) {
      const cpu = first + k;
      const r = step(cpu);
      if (r == A.STEP_STOPPED) return i + k;
      if (r == A.STEP_PROGRESS) progressed = true;
      if (r != A.STEP_IDLE) allIdle = false;
      if (r == A.STEP_SPIN && cget(cpu, C_SPINS_NOW) > parkAfter) spinner = cpu;
    }
    if (progressed) { idleRounds = 0; continue; }
    if (spinner >= 0) park(spinner, objKind(insnObj(load<i32>(insnAddr(cget(spinner, C_SPIN_PC))))));
    else if (allIdle && ++idleRounds > 64) { idleRounds = 0; atomic.wait<i32>(hdr(H_STOP), 0, 100000); } // nothing to run: doze 0.1 ms
  }
  return budget;
}
