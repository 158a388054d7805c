// The replay policy: follow a recorded schedule (one CPU id per step)
// exactly, so the machine goes through the same states as the run that
// recorded it.
import { H_SCHED_POS, H_SCHED_LEN } from '../layout';
import { hget, hset, schedAddr } from '../machine';
import { CHOICE_END } from '../abi';
import { IRQ_MARK } from './irqs';
import { raiseIrq } from '../irq';

export function replayNext(cpus: i32): i32 {
  let pos = hget(H_SCHED_POS);
  const len = hget(H_SCHED_LEN);
  let raised = 0; // interrupts that arrived before this step (marker bytes)
  while (pos < len && (load<u8>(schedAddr(pos)) & IRQ_MARK) != 0) {
    raised |= 1 << (load<u8>(schedAddr(pos)) & 7);
    pos++;
  }
  if (pos >= len) return CHOICE_END;
  const c = <i32>load<u8>(schedAddr(pos));
  if (c >= cpus) return CHOICE_END; // not a schedule of this machine
  hset(H_SCHED_POS, pos + 1);
  for (let h = 0; raised != 0; h++, raised >>= 1) if ((raised & 1) != 0) raiseIrq(c, h);
  return c;
}

/** The recorded run went on past a quiet spell exactly when choices remain. */
export function replayQuiet(): bool { return hget(H_SCHED_POS) < hget(H_SCHED_LEN); }
