// What two assembled models differ in, routine by routine and instruction
// by instruction (comments and spacing aside), with where each instruction
// comes from: `forksim diff`, and the effective routines of `forksim show`.
import { diffArrays } from 'diff';
import type { Program, SrcInfo } from './assemble.js';

export interface Instruction { text: string; file: string; line: number }
export interface RoutineLines { routine: string; returnsInt: boolean; lines: Instruction[] }
export type DiffLine = Instruction & { op: ' ' | '-' | '+' };
export interface RoutineDiff {
  routine: string;
  only?: 'a' | 'b'; // in one model only
  returns?: { a: 'int' | 'void'; b: 'int' | 'void' }; // the routine's type changed
  lines: DiffLine[]; // every instruction of both, in order ('-': only in a, '+': only in b)
}

const words = (s: string): string => s.trim().split(/\s+/).join(' ');
const at = (s: SrcInfo): Instruction => ({ text: words(s.text), file: s.file, line: s.line });

/** Each routine's instructions, in program order. */
export function routineLines(p: Program): RoutineLines[] {
  const rs = [...p.routines.values()].sort((x, y) => x.entry - y.entry);
  return rs.map((r, i) => ({
    routine: r.name, returnsInt: r.returnsInt,
    lines: p.src.slice(r.entry, i + 1 < rs.length ? rs[i + 1].entry : p.src.length).map(at),
  }));
}

/** The routines that differ between `a` and `b`: changed, retyped, or in one only. */
export function diffPrograms(a: Program, b: Program): RoutineDiff[] {
  const left = new Map(routineLines(a).map((r) => [r.routine, r]));
  const right = new Map(routineLines(b).map((r) => [r.routine, r]));
  const out: RoutineDiff[] = [];
  for (const name of new Set([...left.keys(), ...right.keys()])) {
    const x = left.get(name), y = right.get(name);
    if (!x || !y) {
      out.push({ routine: name, only: x ? 'a' : 'b', lines: (x ?? y)!.lines.map((l) => ({ ...l, op: x ? '-' : '+' })) });
      continue;
    }
    const lines: DiffLine[] = [];
    let ai = 0, bi = 0;
    for (const c of diffArrays(x.lines.map((l) => l.text), y.lines.map((l) => l.text))) {
      for (let k = 0; k < (c.count ?? c.value.length); k++) {
        if (c.removed) lines.push({ ...x.lines[ai++], op: '-' });
        else if (c.added) lines.push({ ...y.lines[bi++], op: '+' });
        else { lines.push({ ...y.lines[bi++], op: ' ' }); ai++; }
      }
    }
    const retyped = x.returnsInt !== y.returnsInt;
    if (retyped || lines.some((l) => l.op !== ' ')) {
      out.push({ routine: name, ...(retyped ? { returns: { a: x.returnsInt ? 'int' : 'void', b: y.returnsInt ? 'int' : 'void' } } : {}), lines });
    }
  }
  return out;
}
