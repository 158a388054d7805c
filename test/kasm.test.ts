import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import * as abi from '../assembly/abi.js';
import { ENTRY_POINTS } from '../src/kasm/vocabulary.js';
import { AggregateKasmError, KasmError, assemble, disassemble, listModels, loadKernel, lockrefName, type Program, type SourceFile } from '../src/kasm/index.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/kasm/kernels/', import.meta.url));

/** `text` as file t.kasm, plus a stubs file defining any required entry point it lacks. */
function files(text: string): SourceFile[] {
  const stubs = ENTRY_POINTS.filter((e) => e.required && !new RegExp(`routine\\s+\\w+\\s+${e.routine}\\b`).test(text))
    .map((e) => `routine void ${e.routine}\n    return\n`).join('');
  return [{ path: 't.kasm', text }, { path: 'stubs.kasm', text: stubs }];
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
const ref = (reg: number, field: number): number => (reg << abi.LOCKREF_REG_SHIFT) | field;

describe('encoding', () => {
  const p = asm(`
routine int copy_process
    dup_task_struct else fork_out
    call sched_fork else bad_fork_cleanup EAGAIN
    require nproc_ok else bad_fork_cleanup EAGAIN
    write_lock_irq tasklist_lock
    spin_lock current.sighand.siglock
    raw_spin_lock_nested rq2.lock, SINGLE_DEPTH_NESTING
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
    expect(insn(p, 0)).toEqual([w0(abi.OP_PRIM, abi.REG_P, 1), row('dup_task_struct', abi.REG_P), 13, abi.ENOMEM]);
    expect(insn(p, 1)).toEqual([w0(abi.OP_CALL, 0, 2), 15, 11, abi.EAGAIN]);
    expect(insn(p, 2)).toEqual([w0(abi.OP_REQUIRE, 0, 3), abi.COND_NPROC_OK, 11, abi.EAGAIN]);
    expect(insn(p, 3)).toEqual([w0(abi.OP_LOCK, abi.MODE_EXCL | (abi.KIND_RWLOCK << abi.KIND_SHIFT)), ref(abi.REG_NONE, abi.CLASS_TASKLIST_LOCK), -1, 0]);
    expect(insn(p, 4)).toEqual([w0(abi.OP_LOCK, abi.MODE_EXCL | (abi.KIND_SPIN << abi.KIND_SHIFT)), ref(abi.REG_CURRENT, abi.F_SIGLOCK), -1, 0]);
    expect(insn(p, 5)).toEqual([w0(abi.OP_LOCK, abi.MODE_EXCL | (1 << abi.SUBCLASS_SHIFT)), ref(abi.REG_RQ2, abi.F_RQ_LOCK), -1, 0]);
    expect(insn(p, 6)).toEqual([w0(abi.OP_UNLOCK, abi.MODE_READ | (abi.KIND_RWLOCK << abi.KIND_SHIFT)), ref(abi.REG_NONE, abi.CLASS_TASKLIST_LOCK), -1, 0]);
    expect(insn(p, 7)).toEqual([w0(abi.OP_IF, 1), abi.COND_SCX_ENABLED, 13, 0]);
    expect(insn(p, 8)).toEqual([w0(abi.OP_MOV, abi.REG_CURRENT), abi.REG_T, -1, 0]);
    expect(insn(p, 9)).toEqual([w0(abi.OP_PRIM, abi.REG_T), row('__set_task_cpu', abi.REG_T), -1, 0]);
    expect(insn(p, 10)).toEqual([w0(abi.OP_RETURN), 0, -1, 0]);
    expect(insn(p, 11)).toEqual([w0(abi.OP_LABEL), 0, -1, 0]);
    expect(insn(p, 13)).toEqual([w0(abi.OP_LABEL), 1, -1, 0]);
    expect(insn(p, 15)).toEqual([w0(abi.OP_PRIM, abi.REG_P, 4), row('copy_files', abi.REG_P), 16, abi.ENOMEM]);
    expect(insn(p, 17)).toEqual([w0(abi.OP_RETURN), 0, -1, 0]);
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
    expect(p.entries.has(abi.ACT_SCX_ENABLE)).toBe(false);
    expect(disassemble(p, 0)).toBe('0: dup_task_struct p else fork_out ENOMEM  [site 1 dup_task_struct]  ; t.kasm:3');
    expect(disassemble(p, 5)).toBe('5: lock.excl rq2.lock, 1  ; t.kasm:8');
    expect(disassemble(p, 7)).toBe('7: if !scx_enabled goto fork_out  ; t.kasm:10');
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
    expect(p.effects.map((e) => [e.name, e.reg])).toEqual([
      ['__set_task_cpu', abi.REG_P], ['__set_task_cpu', abi.REG_T], ['attach_pid', abi.REG_P], ['copy_creds', abi.REG_P],
    ]);
    expect(p.effects[0]).toEqual({ name: '__set_task_cpu', behaviour: abi.B_SET_TASK_CPU, reg: abi.REG_P, acquires: 0n, releases: 0n, asserts: [ref(abi.REG_P, abi.F_PI_LOCK)] });
    expect(p.effects[1].asserts).toEqual([ref(abi.REG_T, abi.F_PI_LOCK)]);
    expect(p.effects[2].asserts.map(lockrefName)).toEqual(['tasklist_lock', 'current.sighand.siglock']);
    expect(p.effects[3].acquires).toBe((1n << BigInt(abi.RES_CREDS)) | (1n << BigInt(abi.RES_NPROC)));
    expect(insn(p, 2)[1]).toBe(0);
  });

  it('names lock refs', () => {
    expect(lockrefName(ref(abi.REG_NONE, abi.CLASS_PIDMAP_LOCK))).toBe('pidmap_lock');
    expect(lockrefName(ref(abi.REG_P, abi.F_PI_LOCK))).toBe('p.pi_lock');
    expect(lockrefName(ref(abi.REG_PARENT, abi.F_SIGLOCK))).toBe('parent.sighand.siglock');
    expect(lockrefName(ref(abi.REG_THIS_RQ, abi.F_RQ_LOCK))).toBe('this_rq.lock');
  });
});

describe('errors', () => {
  const one = (body: string): string[] => errorsOf(`routine int r\n${body}\nout:\n    return\n`);

  it('reports each with file:line:col', () => {
    expect(one('    dup_task_strut else out')).toEqual(["t.kasm:2:5: unknown instruction 'dup_task_strut' (did you mean 'dup_task_struct'?)"]);
    expect(one('    copy_mm else nowhere')).toEqual(["t.kasm:2:18: unknown label 'nowhere' in routine 'r'"]);
    expect(one('out:\n    mpol_put')).toEqual(["t.kasm:4:1: duplicate label 'out' in routine 'r' (first defined at line 2)"]);
    expect(one('    spin_lock q.pi_lock')).toEqual(["t.kasm:2:15: unknown register 'q' in lock object 'q.pi_lock' (did you mean 'p.pi_lock'?)"]);
    expect(one('    spin_lock pidmap')).toEqual(["t.kasm:2:15: unknown lock object 'pidmap' (did you mean 'pidmap_lock'?)"]);
    expect(one('    read_lock pidmap_lock')).toEqual(['t.kasm:2:5: read_lock on spinlock pidmap_lock']);
    expect(one('    mutex_lock tasklist_lock')).toEqual(['t.kasm:2:5: mutex_lock on rwlock tasklist_lock']);
    expect(one('    copy_mm')).toEqual(["t.kasm:2:5: copy_mm can fail (ENOMEM): it needs 'else LABEL'"]);
    expect(one('    mpol_put else out')).toEqual(["t.kasm:2:14: mpol_put cannot fail: remove 'else out'"]);
    expect(one('    copy_mm else out ENOMEN')).toEqual(["t.kasm:2:22: unknown errno 'ENOMEN' (did you mean 'ENOMEM'?)"]);
    expect(one('    copy_mm rq else out')).toEqual(["t.kasm:2:13: 'rq' is a runqueue register; a task register is needed (p, t, current, parent)"]);
    expect(one('    mov x, p')).toEqual(["t.kasm:2:9: unknown register 'x' (did you mean 'p'?)"]);
    expect(one('    if scx_enable goto out')).toEqual(["t.kasm:2:8: unknown condition 'scx_enable' (did you mean 'scx_enabled'?)"]);
    expect(one('    require nproc_ok else out')).toEqual(["t.kasm:2:30: 'require' needs an errno after its label (e.g. EAGAIN)"]);
    expect(one('    raw_spin_lock_nested rq2.lock, 9')).toEqual(["t.kasm:2:36: bad nesting level '9' (0..7 or SINGLE_DEPTH_NESTING)"]);
    expect(one('    spin_lock pidmap_lock extra')).toEqual(["t.kasm:2:27: unexpected 'extra' at end of line"]);
    expect(one('    call nothing else out')).toEqual(["t.kasm:2:10: unknown routine 'nothing'"]);
  });

  it('checks else against the callee type', () => {
    const text = (call: string): string => `routine int r\n${call}\nout:\n    return\nroutine int i\n    return\nroutine void v\n    return\n`;
    expect(errorsOf(text('    call i'))).toEqual(["t.kasm:2:10: i is an int routine and can fail: it needs 'else LABEL'"]);
    expect(errorsOf(text('    call v else out'))).toEqual(["t.kasm:2:12: v is a void routine and cannot fail: remove 'else out'"]);
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
    expect(e.errors.length).toBe(ENTRY_POINTS.filter((x) => x.required).length - 1);
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
  it('loads a model, its files sorted by name', () => {
    const f = loadKernel('basic', FIXTURES);
    expect(f.map((x) => x.path.split('/').slice(-2).join('/'))).toEqual(['basic/a_fork.kasm', 'basic/b_rest.kasm']);
    expect(assemble(f).routines.has('helper')).toBe(true);
  });

  it('replaces base routines with the model\'s own, recursively', () => {
    const p = assemble(loadKernel('derived2', FIXTURES));
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
