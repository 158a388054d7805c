// The replay policy: follow a recorded schedule (one CPU id per step)
// exactly, so the machine goes through the same states as the run that
// recorded it.
import { H_SCHED_POS, H_SCHED_LEN } from '../layout';
import { hget, hset, schedAddr } from '../machine';
import { CHOICE_END } from '../abi';

export function replayNext(cpus: i32): i32 {
  const pos = hget(H_SCHED_POS);
  if (pos >= hget(H_SCHED_LEN)) return CHOICE_END;
  const c = <i32>load<u8>(schedAddr(pos));
  if (c >= cpus) return CHOICE_END; // not a schedule of this machine
  hset(H_SCHED_POS, pos + 1);
  return c;
}

/** The recorded run went on past a quiet spell exactly when choices remain. */
export function replayQuiet(): bool { return hget(H_SCHED_POS) < hget(H_SCHED_LEN); }
