// A finding's identity across schedules: what the core's distinct table
// keys on (kind, place, first failure, subject), with task slots, pids and
// lock addresses left out — they differ between schedules of one bug.
import type { Machine } from '../machine/machine.js';
import type { FindingGroup } from '../analysis/findings.js';

export function findingKey(m: Machine, g: FindingGroup): string {
  const f = g.first;
  const subject = ((): unknown => {
    switch (f.kind) {
      case 'leak': case 'double-release': case 'double-acquire': case 'freed-while-owning': return f.resources.toString(16);
      case 'circular-locking-dependency': return g.cycle?.nodes ?? [f.from, f.to];
      case 'deadlock': case 'hung-cpu':
        // The classes the CPUs wait on.
        return m.cpus().filter((c) => c.busy && c.spinLock).map((c) => { const id = m.identifyLock(c.spinLock); return 'cls' in id ? id.cls : -1; }).sort();
      case 'invariant': return [f.invariant, f.lockClass, f.resources.toString(16)];
      case 'refcount': return [f.variable, f.underflow];
      case 'guarded-state': return [f.lockClass, f.variable, f.write];
      case 'warning': return f.cond;
      case 'inconsistent-lock-state': case 'irq-lock-inversion': return [f.node, f.usage, f.otherNode, f.otherUsage];
      case 'sleeping-in-atomic': return [f.preemptCount, f.irqsDisabled, f.inHardirq];
      case 'invalid-wait-context': return [f.lockClass, f.heldNode];
      case 'livelock': case 'worker-died': case 'call-stack-overflow': return null;
      default: return 'lockClass' in f ? f.lockClass : null;
    }
  })();
  return JSON.stringify([f.kind, f.pc, f.failPc, subject]);
}
