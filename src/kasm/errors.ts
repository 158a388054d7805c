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

/** All errors of one assembly, in source order. Its own location is the
 *  first error's, so code that handles a single KasmError still works. */
export class AggregateKasmError extends KasmError {
  readonly errors: KasmError[];
  constructor(errors: KasmError[]) {
    super(errors[0], errors[0].what);
    this.name = 'AggregateKasmError';
    this.errors = errors;
    this.message = errors.map((e) => e.message).join('\n');
  }
}

/** ` (did you mean 'x'?)` for the closest candidate, or '' if none is close. */
export function suggest(word: string, candidates: Iterable<string>): string {
  let best = '', bestD = Infinity;
  for (const c of candidates) {
    // A prefix (`pidmap` for `pidmap_lock`) counts as close.
    const d = c.startsWith(word) && word.length >= 3 ? 1 : distance(word, c);
    if (d < bestD) { best = c; bestD = d; }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? ` (did you mean '${best}'?)` : '';
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
