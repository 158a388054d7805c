// Reading one line of kasm, token by token (the language is line-based).
import { KasmError, shown, type Diagnostics, type Loc } from './errors.js';

export interface Tok { text: string; loc: Loc }

/** A file of kasm; `path` as shown in errors. A patched routine comes as a
 *  file whose lines each say where they came from (`origins`, per line). */
export interface SourceFile { path: string; text: string; origins?: { file: string; line: number }[] }

// Every non-blank character is in a token: a string, a two-character
// operator, a number, a word (with dots: `p.pi_lock`), or one character.
const TOKEN = /"[^"]*"|==|!=|<=|>=|&&|0x[0-9a-fA-F]+|\d+|[A-Za-z_][\w.]*|\S/g;
export const WORD = /^[A-Za-z_]/;

/** The tokens of one line, read left to right, scanned only as far as they
 *  are read: a 100 MB line is not split up front. Errors throw KasmError. */
export class Cursor {
  private readonly toks: Tok[] = [];
  private i = 0;
  private pos = 0; // where scanning goes on (the shared TOKEN's lastIndex is set from it)
  private scanned = false;
  constructor(private readonly code: string, private readonly file: string, private readonly line: number, private readonly diag: Diagnostics) {}
  /** The k-th token from here. */
  peek(k = 0): Tok | undefined {
    while (!this.scanned && this.toks.length <= this.i + k) {
      TOKEN.lastIndex = this.pos; // one regex for every cursor: a cursor may be read on later (declare.ts)
      const m = TOKEN.exec(this.code);
      this.pos = TOKEN.lastIndex;
      if (m) this.toks.push({ text: m[0], loc: { file: this.file, line: this.line, col: m.index + 1 } });
      else this.scanned = true;
    }
    return this.toks[this.i + k];
  }
  next(): Tok | undefined {
    const t = this.peek();
    if (t) this.i++;
    return t;
  }
  /** Where a missing token would go: just past the last one, which ends at
   *  the line's last non-blank character. */
  private end(): Loc { return { file: this.file, line: this.line, col: this.code.trimEnd().length + 1 }; }
  fail(what: string, at?: Tok): never { throw new KasmError(at?.loc ?? this.end(), what); }
  suggest(word: string, candidates: Iterable<string>): string { return this.diag.suggest(word, candidates); }
  word(what: string): Tok {
    const t = this.next();
    if (!t) this.fail(`expected ${what}`);
    if (!WORD.test(t.text)) this.fail(`expected ${what}, found '${shown(t.text)}'`, t);
    return t;
  }
  int(what: string): { value: number; tok: Tok } {
    const neg = this.accept('-');
    const t = this.next();
    if (!t || !/^(\d+|0x[0-9a-fA-F]+)$/.test(t.text)) this.fail(`expected ${what}${t ? `, found '${shown(t.text)}'` : ''}`, t);
    const value = (neg ? -1 : 1) * Number(t.text);
    if (!Number.isSafeInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) this.fail(`${what} out of range (a 32-bit integer)`, t);
    return { value, tok: neg ?? t };
  }
  accept(text: string): Tok | undefined {
    if (this.peek()?.text !== text) return undefined;
    return this.next();
  }
  expect(text: string, why: string): Tok {
    const t = this.next();
    if (t?.text !== text) this.fail(`expected '${text}' ${why}${t ? `, found '${shown(t.text)}'` : ''}`, t);
    return t;
  }
  /** A trailing `"doc string"`, if any. */
  doc(): string | undefined {
    const t = this.peek();
    if (!t?.text.startsWith('"')) return undefined;
    if (t.text.length < 2 || !t.text.endsWith('"')) this.fail('unterminated string: a doc string ends with " on its line', t);
    this.next();
    return t.text.slice(1, -1);
  }
  done(): void {
    const t = this.peek();
    if (t) this.fail(`unexpected '${shown(t.text)}' at end of line`, t);
  }
}

/** A line without its `; comment` (a `;` inside a "doc string" is text). */
export function stripComment(line: string): string {
  for (let i = 0; ;) {
    const semi = line.indexOf(';', i), quote = line.indexOf('"', i);
    if (semi < 0) return line;
    if (quote < 0 || semi < quote) return line.slice(0, semi);
    const close = line.indexOf('"', quote + 1);
    if (close < 0) return line; // an unterminated string: the tokenizer says so
    i = close + 1;
  }
}
