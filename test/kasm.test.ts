import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import * as abi from '../assembly/abi.js';
import { BUILTIN_ACTIONS } from '../src/kasm/builtins.js';
import { AggregateKasmError, KasmError, assemble, disassemble, listModels, loadKernel, type Program, type SourceFile } from '../src/kasm/index.js';
import { PRELUDE } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/kasm/kernels/', import.meta.url));

/** `text` as file t.kasm after the declarations it is written in (PRELUDE,
 *  files of their own, so t.kasm's lines are its own), plus a stubs file
 *  defining any required entry point it lacks. */
function files(text: string): SourceFile[] {
  const stubs = BUILTIN_ACTIONS.filter((e) => e.required && !new RegExp(`routine\\s+\\w+\\s+${e.routine}\\b`).test(text))
    .map((e) => `routine void ${e.routine}\n    return\n`).join('');
  return [...PRELUDE, { path: 't.kasm', text }, { path: 'stubs.kasm', text: stubs }];
}
const asm = (text: string): Program => assemble(files(text));

/** The errors of assembling `text`, as `file:line:col: message` lines. */
function errorsOf(text: string): string[] {
  try {
    asm(text);
  } catch (e) {
    expect(e).toBeInstanceOf(AggregateKasmError);
    return (e as AggregateKasmError).errors.map((x) => x.message);
  }
  throw new Error('assembled without errors');
}

const insn = (p: Program, pc: number): number[] => Array.from(p.code.subarray(pc * abi.INSN_WORDS, (pc + 1) * abi.INSN_WORDS));
const w0 = (op: number, obj = 0, site = 0): number => op | (obj << 8) | (site << 16);
/** A lock ref from its parts, as abi.ts lays it out: class, register, slot. */
const ref = (p: Program, lock: string, reg: number): number => {
  const l = p.vocab.locks.get(lock)!;
  return (l.cls << abi.LOCKREF_CLASS_SHIFT) | (reg << abi.LOCKREF_REG_SHIFT) | l.slot;
};
/** The row of the conditions table whose text is `text` (and it must be there). */
const condRow = (p: Program, text: string): number => {
  const i = p.conds.findIndex((c) => c.cond.text === text);
  expect(i, `no condition '${text}'`).toBeGreaterThanOrEqual(0);
  return i;
};

describe('encoding', () => {
  const p = asm(`
routine int copy_process
    dup_task_struct else fork_out
    call sched_fork else bad_fork_cleanup EAGAIN
    require nproc_ok else bad_fork_cleanup EAGAIN
    write_lock_irq tasklist_lock
    spin_lock current.sighand.siglock
    raw_spin_lock_nested rq2.__lock, SINGLE_DEPTH_NESTING
    read_unlock tasklist_lock
    if !scx_enabled goto fork_out
    mov t, current
    __set_task_cpu t
    return
bad_fork_cleanup:            ; pc 11
    delayed_free_task
fork_out:                    ; pc 13
    return

routine int sched_fork
    copy_files else out ENOMEM
out: return
`);
  const copyProcess = p.routines.get('copy_process')!;
  const sched = p.routines.get('sched_fork')!;
  const row = (name: string, reg: number): number => p.effects.findIndex((e) => e.name === name && e.reg === reg);

  it('lays out routines and labels', () => {
    expect(copyProcess).toMatchObject({ entry: 0, returnsInt: true, file: 't.kasm', line: 2 });
    expect(sched.entry).toBe(15);
    expect(p.labels).toEqual([
      { id: 0, name: 'bad_fork_cleanup', routine: 'copy_process', pc: 11 },
      { id: 1, name: 'fork_out', routine: 'copy_process', pc: 13 },
      { id: 2, name: 'out', routine: 'sched_fork', pc: 16 },
    ]);
    expect(p.code.length).toBe(p.src.length * abi.INSN_WORDS);
    expect(p.src[3]).toEqual({ file: 't.kasm', line: 6, col: 5, text: 'write_lock_irq tasklist_lock', routine: 'copy_process' });
  });

  it('encodes each instruction form', () => {
    const nproc = condRow(p, 'nproc_ok'), scx = condRow(p, '!scx_enabled');
    expect(insn(p, 0)).toEqual([w0(abi.OP_PRIM, abi.REG_P, 1), row('dup_task_struct', abi.REG_P), 13, abi.ENOMEM]);
    expect(insn(p, 1)).toEqual([w0(abi.OP_CALL, 0, 2), 15, 11, abi.EAGAIN]);
    expect(insn(p, 2)).toEqual([w0(abi.OP_REQUIRE, 0, 3), nproc, 11, abi.EAGAIN]);
    // A lock's errno word: what its form does to interrupts, and the class's wait type.
    const lf = (irq: number, wait: number): number => irq | (wait << abi.LF_WAIT_SHIFT);
    expect(insn(p, 3)).toEqual([w0(abi.OP_LOCK, abi.MODE_EXCL | (abi.KIND_RWLOCK << abi.KIND_SHIFT)), ref(p, 'tasklist_lock', abi.REG_NONE), -1, lf(abi.LF_IRQ, abi.WAIT_CONFIG)]);
    expect(insn(p, 4)).toEqual([w0(abi.OP_LOCK, abi.MODE_EXCL | (abi.KIND_SPIN << abi.KIND_SHIFT)), ref(p, 'sighand.siglock', abi.REG_CURRENT), -1, lf(0, abi.WAIT_CONFIG)]);
    expect(insn(p, 5)).toEqual([w0(abi.OP_LOCK, abi.MODE_EXCL | (1 << abi.SUBCLASS_SHIFT) | (abi.KIND_SPIN << abi.KIND_SHIFT)), ref(p, '__lock', abi.REG_RQ2), -1, lf(0, abi.WAIT_SPIN)]);
    expect(insn(p, 6)).toEqual([w0(abi.OP_UNLOCK, abi.MODE_READ | (abi.KIND_RWLOCK << abi.KIND_SHIFT)), ref(p, 'tasklist_lock', abi.REG_NONE), -1, lf(0, abi.WAIT_CONFIG)]);
    expect(insn(p, 7)).toEqual([w0(abi.OP_IF), scx, 13, 0]);
    expect(insn(p, 8)).toEqual([w0(abi.OP_MOV, abi.REG_CURRENT), abi.REG_T, -1, 0]);
    expect(insn(p, 9)).toEqual([w0(abi.OP_PRIM, abi.REG_T), row('__set_task_cpu', abi.REG_T), -1, 0]);
    expect(insn(p, 10)).toEqual([w0(abi.OP_RETURN), 0, -1, 0]);
    expect(insn(p, 11)).toEqual([w0(abi.OP_LABEL), 0, -1, 0]);
    expect(insn(p, 13)).toEqual([w0(abi.OP_LABEL), 1, -1, 0]);
    expect(insn(p, 15)).toEqual([w0(abi.OP_PRIM, abi.REG_P, 4), row('copy_files', abi.REG_P), 16, abi.ENOMEM]);
    expect(insn(p, 17)).toEqual([w0(abi.OP_RETURN), 0, -1, 0]);
  });

  it('encodes lock refs as class, register and slot, in declaration order', () => {
    const v = p.vocab;
    expect(v.parseLockObject('tasklist_lock')).toBe(ref(p, 'tasklist_lock', abi.REG_NONE));
    expect(v.parseLockObject('current.sighand.siglock')).toBe(ref(p, 'sighand.siglock', abi.REG_CURRENT));
    expect(v.parseLockObject('rq2.__lock')).toBe(ref(p, '__lock', abi.REG_RQ2));
    // classes are numbered in declaration order, across the files in order
    const declared = PRELUDE.flatMap((f) => [...f.text.matchAll(/^lock\s+(\S+)/gm)].map((m) => m[1]));
    expect(declared).toEqual(expect.arrayContaining(['tasklist_lock', 'pi_lock', '__lock', 'sighand.siglock', 'scx_fork_rwsem']));
    expect(v.classes.map((l) => l.name)).toEqual(declared);
    expect(v.classes.map((l, i) => v.classOf(l.name) === i)).toEqual(v.classes.map(() => true));
    expect(['tasklist_lock', 'pi_lock', '__lock', 'sighand.siglock'].map((n) => v.className(v.classOf(n)!))).toEqual(['tasklist_lock', '&p->pi_lock', '&rq->__lock', '&sighand->siglock']);
  });

  it('encodes conditions as rows of the conditions table', () => {
    const v = p.vocab;
    expect(p.conds[condRow(p, 'nproc_ok')].cond.atoms).toEqual([
      { cmp: abi.CMP_TRUE, lhs: { kind: abi.OPD_CONST, reg: '', value: v.consts.get('nproc_ok')!.value, racy: false, text: 'nproc_ok' } },
    ]);
    expect(p.conds[condRow(p, '!scx_enabled')].cond.atoms).toEqual([
      { cmp: abi.CMP_FALSE, lhs: { kind: abi.OPD_VAR, reg: '', value: v.vars.get('scx_enabled')!.id, racy: false, text: 'scx_enabled' } },
    ]);
  });

  it('records fault sites', () => {
    expect(p.sites[0].id).toBe(0);
    expect(p.sites[1]).toEqual({ id: 1, name: 'dup_task_struct', routine: 'copy_process', pc: 0, kind: 'prim', what: 'dup_task_struct', errno: abi.ENOMEM, target: 'fork_out', file: 't.kasm', line: 3, col: 5 });
    expect(p.sites.slice(1).map((s) => [s.name, s.kind, s.errno, s.target])).toEqual([
      ['dup_task_struct', 'prim', abi.ENOMEM, 'fork_out'],
      ['sched_fork', 'call', abi.EAGAIN, 'bad_fork_cleanup'],
      ['nproc_ok', 'require', abi.EAGAIN, 'bad_fork_cleanup'],
      ['copy_files', 'prim', abi.ENOMEM, 'out'],
    ]);
  });

  it('maps entry points and disassembles', () => {
    expect(p.entries.get(abi.ACT_FORK)).toBe(p.routines.get('sys_fork')!.entry);
    // the declarations declare no action (their model's actions name its routines): only the built-in ones
    expect(p.entries.has(abi.ACT_MODEL)).toBe(false);
    expect(p.actions.map((a) => [a.name, a.builtin])).toEqual(BUILTIN_ACTIONS.filter((e) => e.required).map((e) => [e.name, true]));
    expect(disassemble(p, 0)).toBe('0: dup_task_struct p else fork_out ENOMEM  [site 1 dup_task_struct]  ; t.kasm:3');
    expect(disassemble(p, 5)).toBe('5: lock.excl rq2.__lock, 1  ; t.kasm:8');
    expect(disassemble(p, 7)).toBe('7: if !scx_enabled goto fork_out  ; t.kasm:10');
  });
});

describe('encoding state, arguments and expressions', () => {
  const p = asm(`
routine void r
    set p.on_scx_tasks
    clear scx_enabled
    inc pids_charged
    dec t.scx_state
    set t.scx_state SCX_TASK_READY
    call free_it p
    call free_it t
    if t.scx_state == SCX_TASK_NONE goto out
    if rq == rq2 goto out
    if t.cpu == rq goto out
    require nr_threads < max_threads else out EAGAIN
out:
    return
routine void free_it(t)
    return
`);
  const v = p.vocab;
  const id = (name: string): number => v.vars.get(name)!.id;
  const st = (op: number, reg: number): number => op | (reg << abi.STATE_REG_SHIFT);

  it('encodes set, clear, inc and dec of declared state', () => {
    expect(insn(p, 0)).toEqual([w0(abi.OP_STATE, st(abi.ST_SET, abi.REG_P)), id('on_scx_tasks'), -1, 1]);
    expect(insn(p, 1)).toEqual([w0(abi.OP_STATE, st(abi.ST_SET, abi.REG_NONE)), id('scx_enabled'), -1, 0]);
    expect(insn(p, 2)).toEqual([w0(abi.OP_STATE, st(abi.ST_INC, abi.REG_NONE)), id('pids_charged'), -1, 0]);
    expect(insn(p, 3)).toEqual([w0(abi.OP_STATE, st(abi.ST_DEC, abi.REG_T)), id('scx_state'), -1, 0]);
    expect(insn(p, 4)).toEqual([w0(abi.OP_STATE, st(abi.ST_SET, abi.REG_T)), id('scx_state'), -1, v.consts.get('SCX_TASK_READY')!.value]);
    expect(disassemble(p, 4)).toBe(`4: set t.scx_state ${v.consts.get('SCX_TASK_READY')!.value}  ; t.kasm:7`);
  });

  it('binds a routine\'s task parameter at the call: the passed register and the parameter\'s', () => {
    const entry = p.routines.get('free_it')!.entry;
    expect(insn(p, 5)).toEqual([w0(abi.OP_CALL, abi.REG_P | (abi.REG_T << abi.CALL_PARAM_SHIFT)), entry, -1, 0]);
    expect(insn(p, 6)).toEqual([w0(abi.OP_CALL, 0), entry, -1, 0]); // passing t to (t) binds nothing
  });

  it('encodes comparisons of state, constants, registers and built-in values', () => {
    const opd = (kind: number, reg: string, value: number, text: string) => ({ kind, reg, value, racy: false, text });
    expect(insn(p, 7)).toEqual([w0(abi.OP_IF), condRow(p, 't.scx_state == SCX_TASK_NONE'), p.labels[0].pc, 0]);
    expect(p.conds[insn(p, 7)[1]].cond.atoms).toEqual([{ cmp: abi.CMP_EQ, lhs: opd(abi.OPD_VAR, 't', id('scx_state'), 't.scx_state'), rhs: opd(abi.OPD_CONST, '', v.consts.get('SCX_TASK_NONE')!.value, 'SCX_TASK_NONE') }]);
    expect(p.conds[insn(p, 8)[1]].cond.atoms).toEqual([{ cmp: abi.CMP_EQ, lhs: opd(abi.OPD_REG, 'rq', 0, 'rq'), rhs: opd(abi.OPD_REG, 'rq2', 0, 'rq2') }]);
    expect(p.conds[insn(p, 9)[1]].cond.atoms).toEqual([{ cmp: abi.CMP_EQ, lhs: opd(abi.OPD_BUILTIN, 't', abi.BV_TASK_CPU, 't.cpu'), rhs: opd(abi.OPD_REG, 'rq', 0, 'rq') }]);
    expect(insn(p, 10)).toEqual([w0(abi.OP_REQUIRE, 0, 1), condRow(p, 'nr_threads < max_threads'), p.labels[0].pc, abi.EAGAIN]);
    expect(p.conds[insn(p, 10)[1]].cond.atoms).toEqual([{ cmp: abi.CMP_LT, lhs: opd(abi.OPD_BUILTIN, '', abi.BV_NR_THREADS, 'nr_threads'), rhs: opd(abi.OPD_BUILTIN, '', abi.BV_MAX_THREADS, 'max_threads') }]);
    expect(p.sites[1]).toMatchObject({ name: 'nr_threads_max_threads', kind: 'require', what: 'nr_threads_max_threads' });
  });
});

describe('sites and effects', () => {
  it('names sites ROUTINE:NAME where the name repeats, and #K within a routine', () => {
    const p = asm(`
routine int a
    copy_files else out
    copy_mm else out
    copy_mm else out
    call b else out
    require !fatal_signal_pending else out EINTR
out:
    return
routine int b
    copy_files else out
    return
out:
    return
`);
    expect(p.sites.slice(1).map((s) => s.name)).toEqual(['a:copy_files', 'a:copy_mm#1', 'a:copy_mm#2', 'b', 'fatal_signal_pending', 'b:copy_files']);
  });

  it('dedupes effects rows per (primitive, register) and resolves self.', () => {
    const p = asm(`
routine void a
    __set_task_cpu
    __set_task_cpu t
    __set_task_cpu
    attach_pid
    copy_creds else out
out:
    return
`);
    const v = p.vocab;
    expect(p.effects.map((e) => [e.name, e.reg])).toEqual([
      ['__set_task_cpu', abi.REG_P], ['__set_task_cpu', abi.REG_T], ['attach_pid', abi.REG_P], ['copy_creds', abi.REG_P],
    ]);
    expect(p.effects[0]).toEqual({
      name: '__set_task_cpu', service: abi.B_SET_TASK_CPU, serviceArg: 0, reg: abi.REG_P, acquires: 0n, releases: 0n,
      asserts: [ref(p, 'pi_lock', abi.REG_P)], natural: -1, errno: 0, flags: 0, effects: [],
    });
    expect(p.effects[1].asserts).toEqual([ref(p, 'pi_lock', abi.REG_T)]);
    expect(p.effects[2].asserts.map((r) => v.lockrefName(r))).toEqual(['tasklist_lock', 'current.sighand.siglock']);
    expect(p.effects[3]).toMatchObject({ service: abi.B_NONE, acquires: v.resourceMask(['creds', 'nproc']), releases: 0n, errno: abi.ENOMEM, natural: -1 });
    expect(v.resourceNames(p.effects[3].acquires)).toEqual(['creds', 'nproc']);
    expect(p.effects[3].acquires).toBe((1n << BigInt(v.resources.get('creds')!.bit)) | (1n << BigInt(v.resources.get('nproc')!.bit)));
    expect(insn(p, 2)[1]).toBe(0);
  });

  it('gives a primitive\'s natural failure and its state effects their conditions, self bound to its register', () => {
    const p = asm(`
routine void a
    scx_ops_init_task t else out
    scx_set_ready t
out:
    return
`);
    const v = p.vocab;
    const [init, ready] = p.effects;
    const scxState = v.vars.get('scx_state')!.id;
    expect(init).toMatchObject({ name: 'scx_ops_init_task', reg: abi.REG_T, errno: abi.ENOMEM, acquires: v.resourceMask(['scx_task']), asserts: [v.parseLockObject('scx_fork_rwsem')] });
    expect(p.conds[init.natural].cond.text).toBe('random_ppm < scx_init_task_fail');
    expect(init.effects).toEqual([{ op: abi.ST_SET, var: scxState, reg: abi.REG_T, value: v.consts.get('SCX_TASK_INIT')!.value, cond: -1 }]);
    expect(ready.effects).toEqual([{ op: abi.ST_SET, var: scxState, reg: abi.REG_T, value: v.consts.get('SCX_TASK_READY')!.value, cond: condRow(p, 'self.scx_state == SCX_TASK_INIT') }]);
    expect(p.conds[ready.effects[0].cond].self).toBe(abi.REG_T);
  });

  it('names lock refs', () => {
    const v = asm('').vocab;
    const p = { vocab: v } as Program;
    expect(v.lockrefName(ref(p, 'pidmap_lock', abi.REG_NONE))).toBe('pidmap_lock');
    expect(v.lockrefName(ref(p, 'pi_lock', abi.REG_P))).toBe('p.pi_lock');
    expect(v.lockrefName(ref(p, 'sighand.siglock', abi.REG_PARENT))).toBe('parent.sighand.siglock');
    expect(v.lockrefName(ref(p, '__lock', abi.REG_THIS_RQ))).toBe('this_rq.__lock');
    for (const name of v.lockObjectNames()) expect(v.lockrefName(v.parseLockObject(name) as number)).toBe(name);
  });
});

describe('errors', () => {
  const one = (body: string): string[] => errorsOf(`routine int r\n${body}\nout:\n    return\n`);

  it('reports each with file:line:col', () => {
    expect(one('    dup_task_strut else out')).toEqual(["t.kasm:2:5: unknown instruction 'dup_task_strut' (did you mean 'dup_task_struct'?)"]);
    expect(one('    copy_mm else nowhere')).toEqual(["t.kasm:2:18: unknown label 'nowhere' in routine 'r'"]);
    expect(one('out:\n    mpol_put')).toEqual(["t.kasm:4:1: duplicate label 'out' in routine 'r' (first defined at line 2)"]);
    expect(one('    raw_spin_lock q.pi_lock')).toEqual(["t.kasm:2:19: unknown register 'q' in lock object 'q.pi_lock' (did you mean 'p.pi_lock'?)"]);
    expect(one('    spin_lock pidmap')).toEqual(["t.kasm:2:15: unknown lock object 'pidmap' (did you mean 'pidmap_lock'?)"]);
    expect(one('    read_lock pidmap_lock')).toEqual(['t.kasm:2:5: read_lock on spinlock pidmap_lock']);
    expect(one('    mutex_lock tasklist_lock')).toEqual(['t.kasm:2:5: mutex_lock on rwlock tasklist_lock']);
    expect(one('    spin_lock p.pi_lock')).toEqual(['t.kasm:2:5: spin_lock on raw_spinlock p.pi_lock (use raw_spin_lock)']);
    expect(one('    raw_spin_lock current.sighand.siglock')).toEqual(['t.kasm:2:5: raw_spin_lock on spinlock current.sighand.siglock']);
    expect(one('    raw_spin_lock p.__lock')).toEqual(['t.kasm:2:19: __lock is a per-rq lock: write it rq.__lock']);
    expect(one('    copy_mm')).toEqual(["t.kasm:2:5: copy_mm can fail (ENOMEM): it needs 'else LABEL'"]);
    expect(one('    mpol_put else out')).toEqual(["t.kasm:2:14: mpol_put cannot fail: remove 'else out'"]);
    expect(one('    copy_mm else out ENOMEN')).toEqual(["t.kasm:2:22: unknown errno 'ENOMEN' (did you mean 'ENOMEM'?)"]);
    expect(one('    copy_mm rq else out')).toEqual(["t.kasm:2:13: 'rq' is a runqueue register; a task register is needed (p, t, t2, current, parent)"]);
    expect(one('    mov x, p')).toEqual(["t.kasm:2:9: unknown register 'x' (did you mean 'p'?)"]);
    expect(one('    if scx_enable goto out')).toEqual(["t.kasm:2:8: unknown condition 'scx_enable' (not a declared state or constant, nor a built-in value) (did you mean 'scx_enabled'?)"]);
    expect(one('    require nproc_ok else out')).toEqual(["t.kasm:2:30: 'require' needs an errno after its label (e.g. EAGAIN)"]);
    expect(one('    raw_spin_lock_nested rq2.__lock, 9')).toEqual(["t.kasm:2:38: bad nesting level '9' (0..7 or SINGLE_DEPTH_NESTING)"]);
    expect(one('    spin_lock pidmap_lock extra')).toEqual(["t.kasm:2:27: unexpected 'extra' at end of line"]);
    expect(one('    call nothing else out')).toEqual(["t.kasm:2:10: unknown routine 'nothing'"]);
  });

  it('checks state instructions against the declarations', () => {
    expect(one('    set on_scx_tasks')).toEqual(['t.kasm:2:9: on_scx_tasks is per-task state: name its task (p.on_scx_tasks)']);
    expect(one('    set rq.scx_state')).toEqual(['t.kasm:2:9: scx_state is per-task state, not per-rq']);
    expect(one('    set scx_enable')).toEqual(["t.kasm:2:9: unknown state 'scx_enable' (did you mean 'scx_enabled'?)"]);
    expect(one('    set p.scx_state SCX_TASK_REDY')).toEqual(["t.kasm:2:21: unknown constant 'SCX_TASK_REDY' (did you mean 'SCX_TASK_READY'?)"]);
    expect(one('    get scx_enabled')).toEqual(['t.kasm:2:5: get and put are for refcounts; scx_enabled is flag state']);
  });

  it('checks else against the callee type, and a task parameter against the call', () => {
    const text = (call: string): string => `routine int r\n${call}\nout:\n    return\nroutine int i\n    return\nroutine void v\n    return\nroutine void w(t)\n    return\n`;
    expect(errorsOf(text('    call i'))).toEqual(["t.kasm:2:10: i is an int routine and can fail: it needs 'else LABEL'"]);
    expect(errorsOf(text('    call v else out'))).toEqual(["t.kasm:2:12: v is a void routine and cannot fail: remove 'else out'"]);
    expect(errorsOf(text('    call v p'))).toEqual(["t.kasm:2:12: v takes no task: remove 'p'"]);
    expect(errorsOf(text('    call w'))).toEqual(['t.kasm:2:5: w takes a task (t): pass it (call w REG)']);
    expect(errorsOf(text('    call w rq'))).toEqual(["t.kasm:2:12: 'rq' is a runqueue register; a task register is needed (p, t, t2, current, parent)"]);
  });

  it('checks structure', () => {
    expect(errorsOf('routine void r\n    return\n    mpol_put\n    return\n')).toEqual(["t.kasm:3:5: unreachable instruction: it follows 'return' (line 2) and has no label"]);
    expect(() => asm('routine void r\n    goto l\nl:  mpol_put\n    return\n')).not.toThrow();
  });
});

describe('structural errors', () => {
  it('reports a routine falling off its end, duplicates, stray instructions', () => {
    expect(errorsOf('routine void r\n    mpol_put\n')).toEqual(["t.kasm:2:5: routine 'r' falls off its end: its last instruction must be return or goto"]);
    expect(errorsOf('    return\nroutine void r\n    return\nroutine int r\n    return\n')).toEqual([
      't.kasm:1:5: instruction outside a routine (start one with `routine int|void NAME`)',
      "t.kasm:4:13: duplicate routine 'r' (first defined at t.kasm:2)",
    ]);
    expect(errorsOf('routine void r\n    return\nroutine bool q\n    mpol_put\n')).toEqual(["t.kasm:3:9: expected 'int' or 'void' after 'routine', found 'bool'"]);
  });

  it('reports a missing required entry point at the first file', () => {
    const e = (() => { try { assemble([{ path: 'only.kasm', text: 'routine void sys_fork\n    return\n' }]); } catch (x) { return x as AggregateKasmError; } })()!;
    expect(e).toBeInstanceOf(KasmError);
    expect(e.errors[0].message).toBe("only.kasm:1:1: missing required entry point: routine 'sys_exit'");
    expect(e.errors.length).toBe(BUILTIN_ACTIONS.filter((x) => x.required).length - 1);
    expect(e.message.split('\n')[0]).toBe(e.errors[0].message);
  });

  it('collects every error in source order without cascades', () => {
    expect(errorsOf('routine int r\n    bogus\n    goto nowhere\nx:\n    mpol_put else x\n    retur\n')).toEqual([
      "t.kasm:2:5: unknown instruction 'bogus'",
      "t.kasm:3:10: unknown label 'nowhere' in routine 'r'",
      "t.kasm:5:14: mpol_put cannot fail: remove 'else x'",
      "t.kasm:6:5: unknown instruction 'retur' (did you mean 'return'?)",
    ]);
  });
});

describe('loadKernel', () => {
  // The fixtures declare nothing: they are written in PRELUDE's vocabulary.
  it('loads a model, its files sorted by name', () => {
    const f = loadKernel('basic', FIXTURES);
    expect(f.map((x) => x.path.split('/').slice(-2).join('/'))).toEqual(['basic/a_fork.kasm', 'basic/b_rest.kasm']);
    expect(assemble([...PRELUDE, ...f]).routines.has('helper')).toBe(true);
  });

  it('replaces base routines with the model\'s own, recursively', () => {
    const p = assemble([...PRELUDE, ...loadKernel('derived2', FIXTURES)]);
    const names = (r: string): string[] => {
      const out: string[] = [];
      for (let pc = p.routines.get(r)!.entry; p.code[pc * abi.INSN_WORDS] !== abi.OP_RETURN; pc++) out.push(p.effects[p.code[pc * abi.INSN_WORDS + 1]].name);
      return out;
    };
    expect(names('helper')).toEqual(['exit_files']);
    expect(names('sys_exit')).toEqual(['exit_fs']);
    // line numbers in the base files survive the override
    expect(p.routines.get('sys_wait')).toMatchObject({ line: 3 });
    expect(p.routines.get('helper')!.file).toMatch(/derived\/helper\.kasm$/);
  });

  it('accepts a folder path and rejects unknown models and cycles', () => {
    expect(loadKernel(FIXTURES + 'basic').length).toBe(2);
    expect(() => loadKernel('nope', FIXTURES)).toThrow(/unknown kernel model 'nope'.*models: basic, cyclic, derived, derived2/);
    expect(() => loadKernel('cyclic', FIXTURES)).toThrow(/base cycle/);
  });
});

describe('the kernel models in kernels/', () => {
  const models = listModels();
  it('are found (so the checks below cannot pass by running none)', () => {
    expect(models).toEqual(expect.arrayContaining(['v6.10', 'v6.10-patched', 'v6.12-scx', 'mutants/leak-skip-release']));
  });
  it.each(models)('%s assembles', (m) => {
    const p = assemble(loadKernel(m));
    expect(p.entries.size).toBeGreaterThanOrEqual(6);
  });
});

describe('declarations are checked as the core keeps them', () => {
  const first = (text: string): string => errorsOf(text)[0];
  it('weights, ppm defaults, names and preconditions', () => {
    expect(first('routine void r\n    return\naction a r weight 200000')).toMatch(/t\.kasm:3:\d+: a weight must be 0 or between 0\.001 and 100000, not 200000/);
    expect(first('routine void r\n    return\naction a r weight 0.0001')).toMatch(/a weight must be 0 or between 0\.001 and 100000/);
    expect(first('param big ppm 1.5')).toMatch(/t\.kasm:1:\d+: a probability must be 0 or between 0\.000001 and 1, not 1\.5/);
    expect(first('state foo global\nlock foo spinlock global')).toMatch(/t\.kasm:2:6: 'foo' is declared twice/);
    expect(first('lock foo spinlock global\nstate foo global')).toMatch(/t\.kasm:2:7: 'foo' is declared twice/);
    expect(first('primitive return p')).toMatch(/t\.kasm:1:11: 'return' is a kasm instruction or keyword/);
    expect(first('routine void r\n    return\naction a r weight 1 when p.scx_state == 0')).toMatch(/t\.kasm:3:26: an action's precondition is read between syscalls/);
    expect(first('state n task int\nprimitive x t\n    service task_iter_next n')).toMatch(/t\.kasm:3:28: n is per-task state: write it with a register \(p\.n\)/);
    expect(first('primitive x t\n    service task_iter_next')).toMatch(/t\.kasm:2:27: task_iter_next takes a condition on t/);
    expect(first('lock l spinlock global "abc')).toMatch(/t\.kasm:1:24: unterminated string/);
  });
  it('a release routine takes a task exactly for a per-task refcount', () => {
    expect(first('refcount r global release rel\nroutine void rel(t)\n    return')).toMatch(/t\.kasm:2:14: rel releases a global refcount: it takes no task/);
    expect(first('refcount r task release rel\nroutine void rel\n    return')).toMatch(/t\.kasm:2:14: rel releases a per-task refcount: it takes the task/);
  });
  it('a refcount is set, got and put; other state is not got or put', () => {
    expect(() => asm('refcount r task\nroutine void f(t)\n    set t.r 1\n    get t.r\n    put t.r\n    return')).not.toThrow();
    expect(first('refcount r task\nroutine void f(t)\n    inc t.r\n    return')).toMatch(/t\.kasm:3:5: r is a refcount: set, get or put it/);
    expect(first('state s task int\nroutine void f(t)\n    put t.s\n    return')).toMatch(/t\.kasm:3:5: get and put are for refcounts; s is int state/);
  });
});

describe('the block structure of declarations', () => {
  it('a blank or comment line between a primitive\'s clauses does not end it, for the parser and the loader alike', () => {
    const p = asm('resource r\nprimitive grab p\n    acquires r\n\n    ; it can fail\n    fails ENOMEM\nroutine int f\n    grab else out\nout:\n    return');
    expect(p.vocab.prims.get('grab')).toMatchObject({ acquires: ['r'], fails: abi.ENOMEM });
  });
  it('a keyword is a whole token: `lock.x` at the first column is not a declaration', () => {
    expect(errorsOf('lock.x spinlock global')[0]).toMatch(/t\.kasm:1:1: instruction outside a routine/);
  });
});

describe('structs, task references, the syscall\'s locals, flag tests', () => {
  const body = (p: Program, r: string): number[][] => {
    const out: number[][] = [];
    for (let pc = p.routines.get(r)!.entry; pc < p.src.length && p.src[pc].routine === r; pc++) out.push(insn(p, pc));
    return out;
  };
  it('are kept as the core keeps them', () => {
    const p = asm(['state w task task live', 'state g local int', 'routine int r',
      '    set g CLONE_VFORK|CLONE_VM', '    if g & CLONE_VM goto a', '    if !(g & CLONE_THREAD) goto a',
      'a:', '    set p.w current', '    set p.w current.w', '    mov t, p.w', '    WARN_ON t.w != current', '    return EINVAL'].join('\n'));
    const v = p.vocab, w = v.vars.get('w')!, g = v.vars.get('g')!;
    expect(p.vars[w.id]).toMatchObject({ scope: abi.SCOPE_TASK, flags: abi.VF_TASK | abi.VF_LIVE, host: abi.NO_HOST });
    expect(p.vars[g.id]).toMatchObject({ scope: abi.SCOPE_LOCAL, flags: 0 });
    // a struct and what lives in it
    const sighand = v.vars.get('sighand')!;
    expect(p.vars[sighand.id].flags).toBe(abi.VF_TASK | abi.VF_STRUCT);
    expect(p.vars[v.vars.get('sighand.count')!.id].host).toBe(sighand.slot);
    expect(p.taskLockHosts[v.locks.get('sighand.siglock')!.slot]).toBe(sighand.slot);
    expect(p.taskLockHosts[v.locks.get('pi_lock')!.slot]).toBe(abi.NO_HOST);
    const [set, and, nand, , setTask, copy, mov, warn, ret] = body(p, 'r');
    expect(set).toEqual([w0(abi.OP_STATE, abi.ST_SET), g.id, -1, v.consts.get('CLONE_VFORK')!.value | v.consts.get('CLONE_VM')!.value]);
    expect(p.conds[and[1]].cond.atoms[0].cmp).toBe(abi.CMP_AND);
    expect(p.conds[nand[1]].cond.atoms[0].cmp).toBe(abi.CMP_NAND);
    expect(setTask).toEqual([w0(abi.OP_STATE, abi.ST_SET_TASK | (abi.REG_P << abi.STATE_REG_SHIFT)), w.id, -1, abi.REG_CURRENT]);
    expect(copy).toEqual([w0(abi.OP_STATE, abi.ST_COPY | (abi.REG_P << abi.STATE_REG_SHIFT)), w.id, -1, w.id | (abi.REG_CURRENT << 16)]);
    expect(mov).toEqual([w0(abi.OP_MOV, abi.REG_P), abi.REG_T, -1, w.id + 1]);
    expect(warn[0]).toBe(w0(abi.OP_WARN));
    expect(p.conds[warn[1]].cond.atoms[0]).toMatchObject({ cmp: abi.CMP_NE, rhs: { kind: abi.OPD_TASK, reg: 'current' } });
    expect(ret).toEqual([w0(abi.OP_RETURN, abi.RET_ERRNO), 0, -1, abi.EINVAL]);
  });

  it('reject what they cannot mean, at the token', () => {
    const first = (text: string): string => errorsOf(text)[0];
    const r = (line: string): string => first(`state w task task\nroutine void r\n${line}\n    return\n`);
    expect(r('    inc p.w')).toMatch(/t\.kasm:3:5: w is a task reference: set it to a task/);
    expect(r('    set p.w 3')).toMatch(/t\.kasm:3:13: expected a task register or task reference, found '3'/);
    expect(r('    mov t, p.exit_signal')).toMatch(/t\.kasm:3:12: mov loads a task: exit_signal is int state/);
    expect(r('    set clone_flags.x 1')).toMatch(/t\.kasm:3:9: unknown register 'clone_flags'/);
    expect(first('state x local int guarded_by tasklist_lock')).toMatch(/t\.kasm:1:30: a syscall's locals are its own/);
    expect(first('state x local int = 3')).toMatch(/t\.kasm:1:19: per-local state starts at zero/);
    expect(first('state x global task = self')).toMatch(/a per-task one may say '= self'/);
    expect(first('routine void q\n    return\naction a q first')).toMatch(/t\.kasm:3:8: a 'first' action runs whenever its precondition holds/);
    expect(first('struct sighand')).toMatch(/t\.kasm:1:8: 'sighand' is declared twice/);
    expect(first('state n task int counts')).toMatch(/t\.kasm:1:7: n counts the tasks sharing its struct: it must be a struct's/);
    expect(first('routine void q\n    if clone_flags & goto out\nout:\n    return')).toMatch(/t\.kasm:2:22: unknown condition 'goto'/);
  });
});
