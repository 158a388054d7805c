// Errors of the kasm assembler. Every error points at a token (1-based line
// and column) so editors and terminals can jump to it.

export interface Loc { file: string; line: number; col: number }

export class KasmError extends Error {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** The message without its location. */
  readonly what: string;
  constructor(at: Loc, what: string) {
    super(`${at.file}:${at.line}:${at.col}: ${what}`);
    this.name = 'KasmError';
    this.file = at.file;
    this.line = at.line;
    this.col = at.col;
    this.what = what;
  }
}

/** At most this many errors of one assembly are reported. */
export const MAX_REPORTED_ERRORS = 200;
/** Only the first this many errors of one assembly look for a suggestion:
 *  each scans every candidate (thousands of routines, say). */
export const MAX_SUGGESTIONS = 100;

/** The first MAX_REPORTED_ERRORS errors of one assembly, in source order.
 *  Its own location is the first error's, so code that handles a single
 *  KasmError still works; `more` counts those not reported. */
export class AggregateKasmError extends KasmError {
  readonly errors: KasmError[];
  readonly more: number;
  constructor(all: KasmError[]) {
    super(all[0], all[0].what);
    this.name = 'AggregateKasmError';
    this.errors = all.slice(0, MAX_REPORTED_ERRORS);
    this.more = all.length - this.errors.length;
    const lines = this.errors.map((e) => e.message);
    if (this.more) lines.push(`... and ${this.more} more error${this.more === 1 ? '' : 's'} not shown`);
    this.message = lines.join('\n');
  }
}

/** A kernel model that cannot be loaded: a bad `base`, a base cycle, a folder
 *  without .kasm files or with too many. The message is one line. */
export class ModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelError';
  }
}

/** A kernel model name (or path) that names no model. */
export class ModelNotFoundError extends ModelError {
  constructor(message: string) {
    super(message);
    this.name = 'ModelNotFoundError';
  }
}

const MAX_SHOWN = 60;
// A terminal shows these messages: control and bidi characters are escaped.
const UNPRINTABLE = /[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Input text as echoed in a message: escaped, and cut when longer than
 *  `max`, so a 100 MB token makes a short message. */
export function shown(text: string, max = MAX_SHOWN): string {
  const cut = text.length > max ? `${text.slice(0, max - 20)}…(${text.length} chars)` : text;
  return cut.replace(UNPRINTABLE, (ch) => `\\u{${ch.charCodeAt(0).toString(16)}}`);
}

/** Words longer than this get no suggestion. */
const MAX_SUGGESTED = 64;

/** ` (did you mean 'x'?)` for the closest candidate, or '' if none is close. */
export function suggest(word: string, candidates: Iterable<string>): string {
  if (word.length > MAX_SUGGESTED) return '';
  const allowed = Math.max(2, Math.floor(word.length / 3));
  let best = '', bestD = allowed + 1;
  for (const c of candidates) {
    // A prefix (`pidmap` for `pidmap_lock`) counts as close.
    const d = word.length >= 3 && c.startsWith(word) ? 1 : distance(word, c, Math.min(allowed, bestD - 1));
    if (d < bestD) { best = c; bestD = d; }
  }
  return bestD <= allowed ? ` (did you mean '${shown(best)}'?)` : '';
}

/** Levenshtein distance if it is at most `max`, else max + 1: only the band
 *  |i - j| <= max of the table can stay within it. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const far = max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => (j <= max ? j : far));
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(b.length + 1).fill(far);
    if (i <= max) cur[0] = i;
    let rowMin = cur[0];
    for (let j = Math.max(1, i - max); j <= Math.min(b.length, i + max); j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1), far);
      rowMin = Math.min(rowMin, cur[j]);
    }
    if (rowMin > max) return far; // every later row is at least this
    prev = cur;
  }
  return prev[b.length];
}

/** The errors of one assembly, and its budget of suggestions. */
export class Diagnostics {
  readonly errors: KasmError[] = [];
  private suggestions = 0;
  add(e: KasmError): void { this.errors.push(e); }
  /** suggest() for the first MAX_SUGGESTIONS asks, '' after. */
  suggest(word: string, candidates: Iterable<string>): string {
    return this.suggestions++ < MAX_SUGGESTIONS ? suggest(word, candidates) : '';
  }
}
