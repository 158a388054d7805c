// Patches as patches: a model may change a routine of its base by hunks,
// the way quilt and git do, instead of copying it whole.
//
//   patch copy_process
//   @@ perf_event_init_task() failing must undo sched_fork()
//        sched_fork                     else bad_fork_cleanup_policy
//   -    perf_event_init_task           else bad_fork_cleanup_policy
//   +    perf_event_init_task           else bad_fork_sched_cancel_fork
//
// A line of a hunk is context (' '), removed ('-') or added ('+') in its
// first column; lines are compared by their tokens, comments and spacing
// aside. Each hunk's context and removed lines must match exactly one place
// of the base's routine, or the patch fails with the hunk's file:line:col:
// a patch whose base has moved on does not apply silently. Every line of
// the result keeps where it came from (the base's file:line, or the
// patch's for added lines), so findings and `forksim show` cite both.
import { KasmError, type Loc } from './errors.js';
import { endsRoutine, routineHeader, type SourceFile } from './parse.js';

interface Origin { file: string; line: number }
interface Line { text: string; origin: Origin }
type Kind = ' ' | '-' | '+';
interface Hunk { at: Loc; lines: (Line & { kind: Kind })[] }
export interface Patch { routine: string; at: Loc; hunks: Hunk[] }

const PATCH = /^patch\s+([A-Za-z_][\w.]*)\s*(;.*)?$/;
const code = (s: string): string => s.replace(/;.*/, '').trim().split(/\s+/).join(' ');
const originOf = (f: SourceFile, i: number): Origin => f.origins?.[i] ?? { file: f.path, line: i + 1 };

/** Take the `patch` blocks out of a file (blanked, so its line numbers stay). */
export function extractPatches(f: SourceFile): { rest: SourceFile; patches: Patch[] } {
  const lines = f.text.split(/\r?\n/);
  const patches: Patch[] = [];
  let cur: Patch | undefined;
  lines.forEach((raw, i) => {
    const at = { ...originOf(f, i), col: 1 };
    const m = PATCH.exec(raw);
    if (m) {
      cur = { routine: m[1], at, hunks: [] };
      patches.push(cur);
    } else if (endsRoutine(raw)) cur = undefined;
    if (!cur) return;
    lines[i] = '';
    if (m || code(raw) === '') return; // the header; blank and comment lines
    if (raw.startsWith('@@')) { cur.hunks.push({ at, lines: [] }); return; }
    const kind = raw[0];
    if (kind !== ' ' && kind !== '-' && kind !== '+') {
      throw new KasmError(at, `patch ${cur.routine}: a hunk line starts with ' ' (context), '-' or '+', not '${kind}'`);
    }
    if (!cur.hunks.length) cur.hunks.push({ at, lines: [] });
    const text = raw.slice(1);
    if (routineHeader(text) !== undefined) throw new KasmError(at, `patch ${cur.routine}: a hunk cannot change the routine line; define the routine whole to change its type`);
    cur.hunks[cur.hunks.length - 1].lines.push({ kind, text, origin: at });
  });
  return { rest: { ...f, text: lines.join('\n') }, patches };
}

/** The routine `name` in `files`: where it is and its code lines. */
function findRoutine(files: SourceFile[], name: string): { file: number; from: number; to: number; header: Line; body: Line[] } | undefined {
  for (let k = 0; k < files.length; k++) {
    const lines = files[k].text.split(/\r?\n/);
    const from = lines.findIndex((l) => routineHeader(l) === name);
    if (from < 0) continue;
    let to = from + 1;
    while (to < lines.length && !endsRoutine(lines[to])) to++;
    const body: Line[] = [];
    for (let i = from + 1; i < to; i++) if (code(lines[i]) !== '') body.push({ text: lines[i], origin: originOf(files[k], i) });
    return { file: k, from, to, header: { text: lines[from], origin: originOf(files[k], from) }, body };
  }
  return undefined;
}

/** Where the hunk's old lines (context and removed) stand in `body`. */
function place(p: Patch, h: Hunk, body: Line[], after: number): number {
  const old = h.lines.filter((l) => l.kind !== '+').map((l) => code(l.text));
  if (!old.length) throw new KasmError(h.at, `patch ${p.routine}: a hunk needs a context or removed line to say where it goes`);
  const matches: number[] = [];
  for (let i = 0; i + old.length <= body.length; i++) if (old.every((t, k) => code(body[i + k].text) === t)) matches.push(i);
  if (!matches.length) {
    // Name the first line that no longer matches, for a patch whose base moved on.
    const lost = h.lines.find((l) => l.kind !== '+' && !body.some((b) => code(b.text) === code(l.text)));
    const at = lost ? { ...lost.origin, col: 2 } : h.at;
    throw new KasmError(at, `patch ${p.routine}: the hunk's context no longer matches the base's ${p.routine}${lost ? `: no line '${code(lost.text)}'` : ' (its lines are there, not in this order)'}`);
  }
  if (matches.length > 1) throw new KasmError(h.at, `patch ${p.routine}: the hunk's context matches ${matches.length} places in ${p.routine}; give it more context lines`);
  if (matches[0] < after) throw new KasmError(h.at, `patch ${p.routine}: hunks must go in the order of the routine; this one comes before the one above it`);
  return matches[0];
}

/** Apply `patches` to the routines of `files` (a base model's). A patched
 *  routine stays where it is in its file (so the program's order, and with
 *  it every pc, is the base's), and that file's every line then says where
 *  it came from. */
export function applyPatches(files: SourceFile[], patches: Patch[]): SourceFile[] {
  const out = files.slice();
  for (const p of patches) {
    const r = findRoutine(out, p.routine);
    if (!r) throw new KasmError(p.at, `patch ${p.routine}: the base has no routine '${p.routine}' to patch`);
    const result: Line[] = [r.header];
    let next = 0;
    for (const h of p.hunks) {
      const at = place(p, h, r.body, next);
      result.push(...r.body.slice(next, at));
      next = at;
      for (const l of h.lines) {
        if (l.kind === '+') result.push(l); // the patch's own line
        else {
          if (l.kind === ' ') result.push(r.body[next]); // the base's line, with its origin
          next++;
        }
      }
    }
    result.push(...r.body.slice(next));
    const f = out[r.file];
    const lines = f.text.split(/\r?\n/);
    const origins = lines.map((_, i) => originOf(f, i));
    out[r.file] = {
      path: f.path,
      text: [...lines.slice(0, r.from), ...result.map((l) => l.text), ...lines.slice(r.to)].join('\n'),
      origins: [...origins.slice(0, r.from), ...result.map((l) => l.origin), ...origins.slice(r.to)],
    };
  }
  return out;
}
