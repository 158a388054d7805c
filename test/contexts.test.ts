// Execution contexts: interrupts between micro-ops, lockdep's hardirq usage
// and wait types, might_sleep(), sleeping locks that sleep and wake, and
// preemption. Each detector is shown catching its mutant (with the
// kernel's report shape and both sites) and passing the correct kernels.
import { describe, it, expect } from 'vitest';
import * as A from '../assembly/abi.js';
import { run, kasm, ofKind, kinds, lineOf, brief, machineFor, never, forkOnly } from './helpers.js';
import { runStepDriver } from '../src/drivers/step.js';
import { parseScenario, ScenarioError } from '../src/machine/scenario.js';
import { checkScenario, kernelProgram } from '../src/commands/run.js';
import type { Program } from '../src/kasm/index.js';

const irqs = { driver: 'step', cpus: 4, forks: 20_000, interrupts: 'on' } as const;
const at = (p: Program, pc: number): string => (pc >= 0 ? `${p.src[pc].file}:${p.src[pc].line}` : '-');
const className = (p: Program, node: number): string => p.vocab.className(node >> 3);

describe('interrupts and lockdep usage state', () => {
  it('irq-schedule-rq-lock: inconsistent {HARDIRQ-ON-W} -> {IN-HARDIRQ-W} on &rq->__lock, with both sites, then the one-CPU deadlock', async () => {
    const { m, f } = await run('mutants/irq-schedule-rq-lock', irqs);
    const p = m.program;
    const bad = ofKind(f, 'inconsistent-lock-state').map((g) => g.first);
    expect(bad.length, f.map(brief(p)).join('\n')).toBeGreaterThan(0);
    const b = bad[0];
    expect(className(p, b.node)).toBe('&rq->__lock');
    expect(new Set([b.usage, b.otherUsage])).toEqual(new Set([A.USED_IN_IRQ_W, A.ENABLED_IRQ_W]));
    const sites = [b.sitePc, b.otherPc].map((pc) => at(p, pc));
    expect(sites).toContain(`kernels/v6.10/irq.kasm:${lineOf('kernels/v6.10/irq.kasm', 'routine void scheduler_tick', 'raw_spin_lock this_rq.__lock')}`);
    expect(sites).toContain(`kernels/mutants/irq-schedule-rq-lock/sched.kasm:${lineOf('kernels/mutants/irq-schedule-rq-lock/sched.kasm', 'patch schedule', '+ raw_spin_lock this_rq.__lock')}`);
    const dead = ofKind(f, 'irq-deadlock').map((g) => g.first);
    expect(dead.length).toBeGreaterThan(0);
    expect(p.irqs[dead[0].irq].name).toBe('tick');
    expect(p.vocab.className(dead[0].lockClass)).toBe('&rq->__lock');
    expect(at(p, dead[0].heldAt)).toMatch(/irq-schedule-rq-lock\/sched\.kasm/);
  });

  it('the one-CPU deadlock replays: the same seed reaches it at the same step', async () => {
    const first = async (): Promise<number> => ofKind((await run('mutants/irq-schedule-rq-lock', { ...irqs, stopOnFinding: false })).f, 'irq-deadlock')[0].first.step;
    expect(await first()).toBe(await first());
  });

  it('irq-tasklist-write-lock: write_lock() where an interrupt reads tasklist_lock is {HARDIRQ-ON-W} -> {IN-HARDIRQ-R}, and deadlocks under the sigio handler', async () => {
    const { m, f } = await run('mutants/irq-tasklist-write-lock', irqs);
    const p = m.program;
    const b = ofKind(f, 'inconsistent-lock-state')[0]?.first;
    expect(b, f.map(brief(p)).join('\n')).toBeDefined();
    expect(className(p, b.node)).toBe('tasklist_lock');
    expect(new Set([b.usage, b.otherUsage])).toEqual(new Set([A.USED_IN_IRQ_R, A.ENABLED_IRQ_W]));
    expect([b.sitePc, b.otherPc].map((pc) => p.src[pc].routine).sort()).toEqual(['copy_process', 'send_sigio']);
    const dead = ofKind(f, 'irq-deadlock')[0]?.first;
    expect(dead && p.irqs[dead.irq].name).toBe('sigio');
  });

  it('the correct kernels take the tick and the sigio interrupt with no usage finding (tasklist_lock is read in hardirq context, written with interrupts off)', async () => {
    for (const k of ['v6.10', 'v6.10-patched', 'v6.12-scx', 'v6.17']) {
      const { m, f, r } = await run(k, { ...irqs, preempt: 'full', forks: 10_000 });
      expect(f.map(brief(m.program)), k).toEqual([]);
      expect(r.contexts.irqs, k).toBeGreaterThan(100);
      expect(r.contexts.preempts, k).toBeGreaterThan(10);
      expect(r.conservation?.balanced, k).toBe(true);
    }
  });
});

describe('sleeping in atomic context and wait types', () => {
  it('sleep-mutex-under-pidmap-lock: a mutex under spin_lock_irq(&pidmap_lock) sleeps in atomic context and nests LD_WAIT_SLEEP in LD_WAIT_SPIN', async () => {
    const { m, f } = await run('mutants/sleep-mutex-under-pidmap-lock', { ...irqs, interrupts: 'off', forks: 2000 });
    const p = m.program;
    const pidmap = `kernels/v6.10/pid.kasm:${lineOf('kernels/v6.10/pid.kasm', 'spin_unlock_irq pidmap_lock', 'spin_lock_irq pidmap_lock')}`;
    const s = ofKind(f, 'sleeping-in-atomic')[0]?.first;
    expect(s, f.map(brief(p)).join('\n')).toBeDefined();
    expect({ preemptCount: s.preemptCount, irqsDisabled: s.irqsDisabled, inHardirq: s.inHardirq }).toEqual({ preemptCount: 1, irqsDisabled: true, inHardirq: false });
    expect(at(p, s.disabledAt)).toBe(pidmap);
    expect(p.src[s.pc].text).toMatch(/mutex_lock pidfs_mutex/);
    const w = ofKind(f, 'invalid-wait-context')[0]?.first;
    expect({ lock: p.vocab.className(w.lockClass), wait: w.waitType, context: w.contextWait, held: className(p, w.heldNode) })
      .toEqual({ lock: 'pidfs_mutex', wait: A.WAIT_SLEEP, context: A.WAIT_SPIN, held: 'pidmap_lock' });
    expect(w.held.map((h) => at(p, h.pc))).toEqual([pidmap]);
  });

  it('sleep-gfp-kernel-under-siglock: a GFP_KERNEL allocation under siglock and tasklist_lock, naming where preemption was disabled', async () => {
    const { m, f } = await run('mutants/sleep-gfp-kernel-under-siglock', { ...irqs, interrupts: 'off', forks: 2000 });
    const p = m.program;
    const s = ofKind(f, 'sleeping-in-atomic')[0]?.first;
    expect(s, f.map(brief(p)).join('\n')).toBeDefined();
    expect(p.src[s.pc].text).toMatch(/kzalloc_task_extra/);
    expect(s.preemptCount).toBe(2);
    expect(s.irqsDisabled).toBe(true);
    expect(p.src[s.disabledAt].text).toMatch(/write_lock_irq tasklist_lock/);
    expect(s.held.map((h) => className(p, h.node))).toEqual(expect.arrayContaining(['tasklist_lock', '&sighand->siglock']));
    expect(kinds(f)).toEqual(['sleeping-in-atomic']);
  });

  it('PREEMPT_RT: a spinlock_t under a raw_spinlock_t is an invalid wait context (and sleeps in atomic context); without it, it is fine', async () => {
    const body = `
routine int sys_fork
    raw_spin_lock_irqsave current.pi_lock
    spin_lock current.alloc_lock
    spin_unlock current.alloc_lock
    raw_spin_unlock_irqrestore current.pi_lock
    return 0`;
    const p = kasm(body);
    const input = { driver: 'step', cpus: 2, forks: 200, weights: forkOnly } as const;
    expect((await run(p, input)).f).toEqual([]);
    const rt = await run(p, { ...input, preemptRt: true });
    expect(kinds(rt.f)).toEqual(['invalid-wait-context', 'sleeping-in-atomic']);
    const w = ofKind(rt.f, 'invalid-wait-context')[0].first;
    expect([w.waitType, w.contextWait]).toEqual([A.WAIT_CONFIG, A.WAIT_SPIN]);
  });
});

describe('PREEMPT_RT', () => {
  it('spinlock_t and rwlock_t sleep: v6.10 runs clean, exiting tasks that sleep on one finish their exit, and the threaded sigio handler does not arrive', async () => {
    const { m, r, f } = await run('v6.10', { ...irqs, preemptRt: true, preempt: 'full' });
    expect(f.map(brief(m.program))).toEqual([]);
    expect(r.contexts.blocks).toBeGreaterThan(100);
    expect(r.contexts.wakeups).toBe(r.contexts.blocks);
    expect(r.contexts.rates).toMatchObject({ tick: 500, sigio: 0 }); // send_sigio() takes tasklist_lock: a threaded handler on RT
    expect(r.conservation?.balanced).toBe(true);
  });
});

describe('sleeping locks that sleep, and hung tasks', () => {
  it('sleep-rwsem-held-to-user: the task that returned holding mmap_lock sleeps on it at its next fork; the hung task names the lock and its holder in user space', async () => {
    const { m, f, o } = await run('mutants/sleep-rwsem-held-to-user', { ...irqs, interrupts: 'off', forks: 20_000 });
    const p = m.program;
    const held = ofKind(f, 'lock-held-returning-to-user').map((g) => g.first);
    expect(held.map((h) => p.vocab.className(h.lockClass))).toContain('&mm->mmap_lock');
    const h = ofKind(f, 'hung-task').map((g) => g.first);
    expect(h.length, f.map(brief(p)).join('\n')).toBeGreaterThan(0);
    expect(p.vocab.className(h[0].lockClass)).toBe('&mm->mmap_lock');
    expect(h[0].mode).toBe(A.MODE_EXCL);
    expect(h[0].holders).toEqual([{ pid: h[0].pid, state: A.HOLDER_USER, waitPc: -1 }]); // its own lock, from its failed fork
    expect(held.some((x) => x.pid === h[0].pid)).toBe(true);
    expect(o.stopReason).toBe('hang');
  });

  it('scx-prepatch-ladder: the story ends with scx_ops_enable() asleep on scx_fork_rwsem, held by a task that returned to user space with it', async () => {
    const { m, f, o } = await run('mutants/scx-prepatch-ladder', { driver: 'step', cpus: 4, forks: 20_000 });
    const p = m.program;
    const enable = ofKind(f, 'hung-task').map((g) => g.first).find((h) => p.src[h.pc].routine === 'scx_ops_enable');
    expect(enable, f.map(brief(p)).join('\n')).toBeDefined();
    expect(p.vocab.className(enable!.lockClass)).toBe('scx_fork_rwsem');
    expect(enable!.mode).toBe(A.MODE_EXCL);
    // The holders: every task that went back to user space with a read hold (each leaked on a failed fork).
    expect(enable!.holders.length).toBeGreaterThan(0);
    expect(enable!.holders.every((x) => x.state === A.HOLDER_USER && x.waitPc === -1)).toBe(true);
    const leakers = ofKind(f, 'lock-held-returning-to-user').map((g) => g.first.pid);
    expect(leakers.some((pid) => enable!.holders.some((x) => x.pid === pid))).toBe(true);
    expect(o.hang?.cause).toBe('hung-task');
  });

  it('the parallel driver reports the hung task too', async () => {
    const { m, f } = await run('mutants/sleep-rwsem-held-to-user', { driver: 'parallel', cpus: 2, forks: 20_000, hungTaskMs: 100, duration: 20 });
    const h = ofKind(f, 'hung-task').map((g) => g.first);
    expect(h.length, f.map(brief(m.program)).join('\n')).toBeGreaterThan(0);
    expect(m.program.vocab.className(h[0].lockClass)).toBe('&mm->mmap_lock');
  });

  it('v6.12-scx: forks sleep on scx_fork_rwsem while a scheduler loads, and every sleeper is woken (no slot left in use)', async () => {
    const { m, r, f } = await run('v6.12-scx', { ...irqs, forks: 30_000 });
    expect(f.map(brief(m.program))).toEqual([]);
    expect(r.contexts.blocks).toBeGreaterThan(0);
    expect(r.contexts.wakeups).toBe(r.contexts.blocks);
    expect(m.sleepers()).toEqual([]);
    expect(m.quiescent()).toBe(true);
  });

  it('the parallel driver runs the correct kernel with interrupts and full preemption', async () => {
    // The proposed fix, not v6.12-scx: real parallelism can open v6.12's
    // scx_cancel_fork() window (test/known.ts), and then a fork leaks its scx_task.
    const { m, r, f } = await run('proposed/scx-cancel-fork-state', { driver: 'parallel', cpus: 4, forks: 20_000, interrupts: 'on', preempt: 'full', duration: 60 });
    expect(f.map(brief(m.program))).toEqual([]);
    expect(r.stopReason).toBe('forks');
    expect(r.contexts.irqs).toBeGreaterThan(0);
    expect(r.conservation?.balanced).toBe(true);
  });
});

describe('determinism and replay with interrupts and preemption', () => {
  it('the same seed gives the same machine, byte for byte', async () => {
    const input = { ...irqs, kernel: 'v6.12-scx', forks: 5000, preempt: 'full' } as const;
    const a = machineFor('v6.12-scx', input), b = machineFor('v6.12-scx', input);
    await runStepDriver(a, never);
    await runStepDriver(b, never);
    expect(a.counters().preempts).toBeGreaterThan(0);
    expect(Buffer.compare(a.machineBytes(), b.machineBytes())).toBe(0);
  });

  it('a recorded schedule, interrupt arrivals included, replays to the same machine', async () => {
    const input = { ...irqs, kernel: 'v6.12-scx', forks: 2000, preempt: 'full' } as const;
    const a = machineFor('v6.12-scx', input, { scheduleCapacity: 1 << 24 });
    a.recordSchedule();
    a.reboot();
    await runStepDriver(a, never);
    const { choices, overflow } = a.schedule();
    expect(overflow).toBe(false);
    expect(choices.some((c) => (c & A.IRQ_MARK) !== 0)).toBe(true);
    const b = machineFor('v6.12-scx', input, { scheduleCapacity: 1 << 24 });
    b.replaySchedule(choices);
    b.reboot();
    await runStepDriver(b, never);
    expect(Buffer.compare(a.machineBytes(), b.machineBytes())).toBe(0);
  });
});

describe('declaring contexts', () => {
  it('a scenario naming an interrupt the model lacks names the ones it has', () => {
    const s = parseScenario({ kernel: 'v6.10', interrupts: { timer: 5 } });
    expect(() => checkScenario(kernelProgram('v6.10'), s)).toThrow(ScenarioError);
    expect(() => checkScenario(kernelProgram('v6.10'), s)).toThrow(/no interrupt 'timer'; its interrupts are: tick, sigio, ipi/);
    expect(() => parseScenario({ preempt: 'voluntary' })).toThrow(/preempt/);
  });

  it('the interrupt declaration is checked: its routine, one wakeup IPI, its rate', () => {
    expect(() => kasm('interrupt timer2 no_such_routine rate 5')).toThrow(/interrupt timer2: unknown routine 'no_such_routine'/);
    expect(() => kasm('interrupt ipi1 sys_fork wakeup\ninterrupt ipi2 sys_exit wakeup')).toThrow(/only one interrupt is the wakeup IPI/);
    expect(() => kasm('interrupt timer3 sys_fork rate 2000000')).toThrow(/a rate is 0..1000000/);
    expect(() => kasm('interrupt timer4 sys_fork sometimes')).toThrow(/unexpected 'sometimes'/);
    expect(() => kasm('interrupt timer5 sys_fork rate 5\ninterrupt timer5 sys_exit rate 5')).toThrow(/interrupt 'timer5' is declared twice/);
  });
});
