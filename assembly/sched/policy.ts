// The scheduler seam: a policy chooses which CPU the step driver steps next
// (shuttle's next_task), and says whether a spell with no progress anywhere
// is something it resolves or a deadlock. The mechanism is step(cpu); one
// file per policy, selected by the header's H_POLICY word.
import { POLICY_REPLAY, POLICY_TIME } from '../layout';
import { randomNext, randomQuiet } from './random';
import { replayNext, replayQuiet } from './replay';
import { timeNext } from './time';

// @ts-ignore: decorator
@inline export function nextCpu(policy: i32, cpus: i32): i32 {
  return policy == POLICY_REPLAY ? replayNext(cpus) : policy == POLICY_TIME ? timeNext(cpus) : randomNext(cpus);
}

/** Every CPU has spun or idled for the quiet limit: true when the policy
 *  accounts for it (and the run goes on), false for a deadlock. */
// @ts-ignore: decorator
@inline export function quietSpell(policy: i32): bool {
  return policy == POLICY_REPLAY ? replayQuiet() : policy == POLICY_TIME ? false : randomQuiet();
}
