// The trace of a step-driver run: the run records its schedule; a second
// machine of the same scenario replays it a step at a time under the trace
// observer (the replay goes through the same states), draining where the
// run drained. What the trace holds is bounded by its event limit.
import * as A from '../../assembly/abi.js';
import type { Machine } from '../machine/machine.js';
import { quietLimit } from '../drivers/step.js';
import { ChromeTrace, type TraceDocument } from './chrome.js';

/** Steps of a run the trace can replay (the schedule buffer, one byte a step). */
export const TRACE_STEPS = 4_000_000;

export function traceRecorded(recorded: Machine, fresh: Machine, maxEvents?: number): TraceDocument {
  const { choices, overflow } = recorded.schedule();
  fresh.replaySchedule(choices);
  fresh.reboot();
  const trace = new ChromeTrace(fresh, { maxEvents });
  const quiet = quietLimit(fresh.scenario.cpus);
  let drained = false;
  for (;;) {
    if (!drained && recorded.drainedAt >= 0 && fresh.schedulePosition() >= recorded.drainedAt) { fresh.drain(); drained = true; }
    const c = fresh.nextScheduled();
    if (c < 0 || trace.full) break;
    trace.before(c);
    // A step the stop flag refused ran no micro-op (the drain goes on after it).
    if (fresh.core.runStep(1n, quiet) !== A.RUN_STOPPED) trace.after(c);
  }
  const doc = trace.finish();
  if (overflow) doc.otherData.scheduleCut = `the trace covers the run's first ${choices.length} steps`;
  return doc;
}
