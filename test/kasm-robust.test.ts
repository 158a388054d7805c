// The assembler and loader against hostile input: Object.prototype names,
// huge tokens and error counts, files that are not regular files or are too
// large, unknown models, and a file checked inside the model it belongs to.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_ACTIONS } from '../src/kasm/builtins.js';
import { PRELUDE } from './helpers.js';
import { suggest, MAX_REPORTED_ERRORS, MAX_SUGGESTIONS } from '../src/kasm/errors.js';
import {
  AggregateKasmError, KasmError, ModelError, ModelNotFoundError, assemble, defaultKernelsDir, loadFileInModel, loadKernel,
  type Program, type SourceFile,
} from '../src/kasm/index.js';
import { InputFileError, SCENARIO_FILE_MAX_BYTES, readInputFile } from '../src/files.js';

const stubs = (text: string): string => BUILTIN_ACTIONS.filter((e) => e.required && !new RegExp(`routine\\s+\\w+\\s+${e.routine}\\b`).test(text))
  .map((e) => `routine void ${e.routine}\n    return\n`).join('');
const files = (text: string): SourceFile[] => [...PRELUDE, { path: 't.kasm', text }, { path: 'stubs.kasm', text: stubs(text) }];
const asm = (text: string): Program => assemble(files(text));

/** The error assembling `text` throws (it must throw an AggregateKasmError). */
function rejection(text: string): AggregateKasmError {
  try {
    asm(text);
  } catch (e) {
    expect(e).toBeInstanceOf(AggregateKasmError);
    return e as AggregateKasmError;
  }
  throw new Error('assembled without errors');
}
const where = (e: KasmError): { file: string; line: number; col: number; what: string } => ({ file: e.file, line: e.line, col: e.col, what: e.what });
/** `body` as line 2.. of an int routine `r` with a label `out`. */
const inR = (body: string): string => `routine int r\n${body}\nout:\n    return\n`;
const firstError = (body: string): ReturnType<typeof where> => where(rejection(inR(body)).errors[0]);

const PROTO = Object.getOwnPropertyNames(Object.prototype); // constructor, __proto__, hasOwnProperty, valueOf, ...

describe('Object.prototype names are names like any other', () => {
  it('covers the names the bug was seen with', () => {
    expect(PROTO).toEqual(expect.arrayContaining(['constructor', '__proto__', 'hasOwnProperty', 'valueOf', 'toString', 'isPrototypeOf']));
  });

  it.each(PROTO)('%s: unknown as a mnemonic, operand, condition, register, lock object or errno', (n) => {
    expect(firstError(`    ${n} tasklist_lock`)).toMatchObject({ file: 't.kasm', line: 2, col: 5, what: expect.stringMatching(new RegExp(`^unknown instruction '${n}'`)) });
    expect(firstError(`    spin_lock ${n}`)).toMatchObject({ line: 2, col: 15, what: expect.stringMatching(/^unknown lock object/) });
    expect(firstError(`    spin_lock ${n}.pi_lock`)).toMatchObject({ line: 2, col: 15, what: expect.stringMatching(/^unknown register/) });
    expect(firstError(`    spin_lock ${n}.lock`)).toMatchObject({ line: 2, col: 15, what: expect.stringMatching(/^unknown register/) });
    expect(firstError(`    spin_lock p.${n}`)).toMatchObject({ line: 2, col: 15, what: expect.stringMatching(/^unknown lock object/) });
    expect(firstError(`    raw_spin_lock_nested rq.__lock, ${n}`)).toMatchObject({ line: 2, col: 37, what: expect.stringMatching(/^bad nesting level/) });
    expect(firstError(`    if ${n} goto out`)).toMatchObject({ line: 2, col: 8, what: expect.stringMatching(/^unknown condition/) });
    expect(firstError(`    require !${n} else out EAGAIN`)).toMatchObject({ line: 2, col: 14, what: expect.stringMatching(/^unknown condition/) });
    expect(firstError(`    mov ${n}, p`)).toMatchObject({ line: 2, col: 9, what: expect.stringMatching(/^unknown register/) });
    expect(firstError(`    copy_mm ${n} else out`)).toMatchObject({ line: 2, col: 13, what: expect.stringMatching(/^unknown register/) });
    expect(firstError(`    copy_mm else out ${n}`)).toMatchObject({ line: 2, col: 22, what: expect.stringMatching(/^unknown errno/) });
    expect(firstError(`    call ${n} else out`)).toMatchObject({ line: 2, col: 10, what: expect.stringMatching(/^unknown routine/) });
    expect(firstError(`    goto ${n}`)).toMatchObject({ line: 2, col: 10, what: expect.stringMatching(/^unknown label/) });
  });

  it.each(PROTO)('%s: a fine routine and label name', (n) => {
    const p = asm(`routine int ${n}\n    copy_mm else ${n}\n    return\n${n}:\n    return\nroutine void sys_fork\n    call ${n} else out\nout:\n    return\n`);
    expect(p.routines.get(n)).toMatchObject({ name: n, returnsInt: true, entry: 0 });
    expect(p.labels.find((l) => l.routine === n)?.name).toBe(n);
  });

  it('rejects the reported cases with a KasmError, not a TypeError or errno 0', () => {
    const e = rejection('routine void sys_sched_yield\n    constructor tasklist_lock\n    return\n');
    expect(e.errors.map(where)).toEqual([{ file: 't.kasm', line: 2, col: 5, what: "unknown instruction 'constructor'" }]);
    const errno = rejection('routine int r\n    dup_task_struct else fork_out constructor\n    return\nfork_out:\n    return\n');
    expect(errno.errors.map(where)).toEqual([{ file: 't.kasm', line: 2, col: 35, what: "unknown errno 'constructor'" }]);
  });
});

describe('bounded suggestions and error counts', () => {
  it('still suggests close names and prefixes', () => {
    expect(suggest('pidmap', ['tasklist_lock', 'pidmap_lock'])).toBe(" (did you mean 'pidmap_lock'?)");
    expect(suggest('copy_fz', ['copy_mm', 'copy_fs', 'copy_files'])).toBe(" (did you mean 'copy_fs'?)");
    expect(suggest('scx_enable', ['scx_enabled', 'scx_init_task_enabled'])).toBe(" (did you mean 'scx_enabled'?)");
    expect(suggest('abcdef', ['uvwxyz'])).toBe('');
    const long = 'x'.repeat(65);
    expect(suggest(long, [long, `${long}y`])).toBe(''); // too long to look for one
  });

  it('rejects 10,000 routines that each call an unknown routine in well under 2 s', () => {
    const n = 10_000;
    const text = Array.from({ length: n }, (_, i) => `routine void fork_step_${i}\n    call fork_stop_${i}\n    return\n`).join('');
    const t0 = performance.now();
    const e = rejection(text);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(e.errors.length).toBe(MAX_REPORTED_ERRORS);
    expect(e.more).toBe(n - MAX_REPORTED_ERRORS);
    expect(where(e.errors[0])).toEqual({ file: 't.kasm', line: 2, col: 10, what: "unknown routine 'fork_stop_0' (did you mean 'fork_step_0'?)" });
    expect(e.errors[MAX_SUGGESTIONS - 1].what).toMatch(/did you mean/);
    expect(where(e.errors[MAX_SUGGESTIONS])).toEqual({ file: 't.kasm', line: 3 * MAX_SUGGESTIONS + 2, col: 10, what: `unknown routine 'fork_stop_${MAX_SUGGESTIONS}'` });
    const lines = e.message.split('\n');
    expect(lines.length).toBe(MAX_REPORTED_ERRORS + 1);
    expect(lines[MAX_REPORTED_ERRORS]).toBe(`... and ${n - MAX_REPORTED_ERRORS} more errors not shown`);
  });

  it('rejects a 1 MB token in well under 1 s', () => {
    const big = 'a'.repeat(1 << 20);
    for (const body of [`    ${big}`, `    call ${big}`, `    spin_lock ${big}`, `    copy_mm else out ${big}`]) {
      const t0 = performance.now();
      const e = rejection(inR(body));
      expect(performance.now() - t0, body.slice(0, 20)).toBeLessThan(1000);
      expect(e.errors[0].line).toBe(2);
    }
  });
});

describe('echoed input is cut', () => {
  it('shows a long token as its first 40 characters and its length', () => {
    const long = `x${'y'.repeat(99)}`;
    expect(firstError(`    ${long}`)).toEqual({ file: 't.kasm', line: 2, col: 5, what: `unknown instruction '${long.slice(0, 40)}…(100 chars)'` });
    // the unreachable check echoes the whole previous line
    const e = rejection(`routine void r\n    goto ${long}\n    return\n${long}:\n    return\n`);
    expect(where(e.errors[0])).toEqual({ file: 't.kasm', line: 3, col: 5, what: `unreachable instruction: it follows 'goto ${long.slice(0, 35)}…(105 chars)' (line 2) and has no label` });
  });

  it('keeps tokens of 60 characters whole', () => {
    const sixty = 'z'.repeat(60);
    expect(firstError(`    call ${sixty} else out`).what).toBe(`unknown routine '${sixty}'`);
  });

  it('makes a short message of a 100 MB line', () => {
    const huge = 'b'.repeat(100_000_000);
    for (const body of [`    call ${huge}`, `    ${huge} ${huge.slice(0, 1000)}`, `    goto out ${huge}`]) {
      let e: unknown;
      try { assemble([{ path: 't.kasm', text: inR(body) }, { path: 'stubs.kasm', text: stubs('') }]); } catch (x) { e = x; }
      if (!(e instanceof AggregateKasmError)) throw new Error(`expected an AggregateKasmError, got ${e}`);
      expect(e.message.length).toBeLessThan(1000);
      for (const x of e.errors) expect(x.what.length).toBeLessThan(200);
    }
  });

  it('escapes control characters', () => {
    const e = firstError('    \x1b[2J');
    expect(e).toMatchObject({ line: 2, col: 5 });
    expect(e.what).toBe("expected an instruction, found '\\u{1b}'");
  });
});

describe('input files', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'forksim-files-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const expectInputError = (path: string, pattern: RegExp, max = 1024): void => {
    let err: unknown;
    try { readInputFile(path, 'kasm file', max); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(InputFileError);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toMatch(pattern);
  };

  it('reads a regular file, through a symlink too, up to the limit', () => {
    writeFileSync(join(dir, 'ok.kasm'), 'x'.repeat(1024));
    symlinkSync(join(dir, 'ok.kasm'), join(dir, 'link.kasm'));
    expect(readInputFile(join(dir, 'ok.kasm'), 'kasm file', 1024)).toBe('x'.repeat(1024));
    expect(readInputFile(join(dir, 'link.kasm'), 'kasm file', 1024).length).toBe(1024);
  });

  it('names the path, what it is, and the limit', () => {
    writeFileSync(join(dir, 'big.kasm'), 'x'.repeat(1025));
    expectInputError(join(dir, 'big.kasm'), /is larger than 1 KiB \(the limit for a kasm file\)$/);
    expectInputError(join(dir, 'missing.kasm'), /does not exist$/);
    expectInputError(dir, /is a directory, not a regular file$/);
    expect(SCENARIO_FILE_MAX_BYTES).toBe(1024 * 1024);
  });

  it.skipIf(!existsSync('/dev/zero'))('rejects /dev/zero and a symlink to it', () => {
    expectInputError('/dev/zero', /is a character device, not a regular file$/);
    symlinkSync('/dev/zero', join(dir, 'zero.kasm'));
    expectInputError(join(dir, 'zero.kasm'), /is a character device/);
  });

  it.skipIf(process.platform === 'win32')('rejects a FIFO without waiting for a writer', () => {
    execFileSync('mkfifo', [join(dir, 'fifo.kasm')]);
    expectInputError(join(dir, 'fifo.kasm'), /is a FIFO, not a regular file$/);
  });

  it.skipIf(process.platform === 'win32')('rejects a socket', async () => {
    const path = join(dir, 'sock.kasm');
    const server: Server = await new Promise((ok) => { const s = createServer().listen(path, () => ok(s)); });
    try {
      expectInputError(path, /is a socket, not a regular file$/);
    } finally {
      await new Promise((ok) => server.close(ok));
    }
  });

  describe('in a model folder', () => {
    const model = (name: string, fill: (d: string) => void): string => {
      const d = join(dir, name);
      mkdirSync(d);
      fill(d);
      return d;
    };
    const thrown = (f: () => unknown): Error => {
      try { f(); } catch (e) { return e as Error; }
      throw new Error('did not throw');
    };

    it('limits each kasm file to 1 MiB and a base file to 4 KiB', () => {
      const big = model('bigfile', (d) => writeFileSync(join(d, 'fork.kasm'), ';'.repeat(1024 * 1024 + 1)));
      const e = thrown(() => loadKernel(big));
      expect(e).toBeInstanceOf(InputFileError);
      expect(e.message).toMatch(/fork\.kasm is larger than 1 MiB \(the limit for a kasm file\)$/);
      const base = model('bigbase', (d) => writeFileSync(join(d, 'base'), `v6.10${' '.repeat(5000)}`));
      expect(thrown(() => loadKernel(base)).message).toMatch(/base is larger than 4 KiB \(the limit for a base file\)$/);
    });

    it.skipIf(process.platform === 'win32')('rejects a FIFO named .kasm', () => {
      const d = model('fifo', (x) => execFileSync('mkfifo', [join(x, 'fork.kasm')]));
      expect(thrown(() => loadKernel(d))).toBeInstanceOf(InputFileError);
    });

    it('limits the number of .kasm files and their total size', () => {
      const many = model('many', (d) => { for (let i = 0; i <= 256; i++) writeFileSync(join(d, `f${i}.kasm`), ''); });
      const e = thrown(() => loadKernel(many));
      expect(e).toBeInstanceOf(ModelError);
      expect(e.message).toMatch(/has more than 256 \.kasm files$/);
      const large = model('large', (d) => { for (let i = 0; i < 17; i++) writeFileSync(join(d, `f${i}.kasm`), ';'.repeat(1024 * 1024)); });
      const t = thrown(() => loadKernel(large));
      expect(t).toBeInstanceOf(ModelError);
      expect(t.message).toMatch(/is larger than 16 MiB in all$/);
    });
  });
});

describe('unknown kernel models', () => {
  const thrown = (f: () => unknown): Error => {
    try { f(); } catch (e) { return e as Error; }
    throw new Error('did not throw');
  };

  it('says so in one line, with the models', () => {
    for (const name of ['no-such-kernel', 'some/file.kasm']) {
      const e = thrown(() => loadKernel(name));
      expect(e).toBeInstanceOf(ModelNotFoundError);
      expect(e.message).not.toContain('\n');
      expect(e.message).toMatch(new RegExp(`^unknown kernel model '${name}'; models: .*v6\\.10, v6\\.10-patched, v6\\.12-scx`));
    }
  });

  it('points a .kasm file given as a model at forksim check or its folder', () => {
    const e = thrown(() => loadKernel('kernels/v6.10/fork.kasm'));
    expect(e).toBeInstanceOf(ModelNotFoundError);
    expect(e.message).not.toContain('\n');
    expect(e.message).toContain("use 'forksim check kernels/v6.10/fork.kasm' or pass its folder kernels/v6.10");
    expect(e.message).toMatch(/models: .*v6\.12-scx/);
  });

  it('reports a bad base and a base cycle as ModelError, in one line', () => {
    const fixtures = fileURLToPath(new URL('./fixtures/kasm/kernels/', import.meta.url));
    const cycle = thrown(() => loadKernel('cyclic', fixtures));
    expect(cycle).toBeInstanceOf(ModelError);
    expect(cycle).not.toBeInstanceOf(ModelNotFoundError);
    expect(cycle.message).toMatch(/^kernel model base cycle: .*cyclic -> .*cyclic$/);
    const dir = mkdtempSync(join(tmpdir(), 'forksim-base-'));
    try {
      writeFileSync(join(dir, 'base'), 'no-such-base\n');
      const bad = thrown(() => loadKernel(dir));
      expect(bad).toBeInstanceOf(ModelError);
      expect(bad.message).not.toContain('\n');
      expect(bad.message).toMatch(/base: unknown base model 'no-such-base'; models: .*v6\.10/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('loadFileInModel', () => {
  const rel = (f: SourceFile): string => relative(defaultKernelsDir(), f.path).split('\\').join('/');

  it("checks a mutant's file with the mutant's base", () => {
    const files = loadFileInModel('kernels/mutants/scx-prepatch-ladder/fork.kasm');
    expect(files.map(rel)).toEqual(expect.arrayContaining(['v6.12-scx/ext.kasm', 'mutants/scx-prepatch-ladder/fork.kasm']));
    const p = assemble(files);
    expect(p.routines.get('sched_cgroup_fork')?.returnsInt).toBe(false); // the mutant's, not the base's
    expect(p.routines.has('scx_ops_enable')).toBe(true);
  });

  it('checks a file of a model without a base with its siblings', () => {
    expect(loadFileInModel('kernels/v6.10/fork.kasm').map(rel)).toEqual(loadKernel('v6.10').map(rel));
  });

  it('checks a file alone where its folder holds no model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'forksim-lone-'));
    try {
      writeFileSync(join(dir, 'only.kasm'), 'routine void r\n    return\n');
      writeFileSync(join(dir, 'notes.txt'), 'not kasm');
      const files = loadFileInModel(join(dir, 'only.kasm'));
      expect(files).toEqual([{ path: join(dir, 'only.kasm'), text: 'routine void r\n    return\n' }]);
      writeFileSync(join(dir, 'other.kasm'), 'routine void q\n    return\n');
      expect(loadFileInModel(join(dir, 'only.kasm')).map((f) => f.path)).toEqual([join(dir, 'only.kasm'), join(dir, 'other.kasm')]);
      expect(() => loadFileInModel(join(dir, 'missing.kasm'))).toThrow(InputFileError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
