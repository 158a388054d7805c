// One instruction back to text, read from the bytecode itself (not the
// source), so it shows what the interpreter will run.
import * as abi from '../../assembly/abi.js';
import { decodeInsn, objSubclass, objMode } from './insn.js';
import { CONDITIONS, RQ_REGS, TASK_REGS, errnoName } from './vocabulary.js';
import { lockrefName } from './locks.js';
import type { Program } from './assemble.js';

const OP_NAMES = ['nop', 'label', 'prim', 'lock', 'unlock', 'assert_held', 'call', 'return', 'goto', 'require', 'if', 'mov'];
const MODE_NAMES = ['excl', 'read', 'any'];
const REG_NAMES: Record<number, string> = Object.fromEntries(Object.entries({ ...TASK_REGS, ...RQ_REGS }).map(([k, v]) => [v, k]));
const condName = (id: number): string => Object.keys(CONDITIONS).find((k) => CONDITIONS[k].id === id) ?? `cond#${id}`;

/** `PC: OPERATION  ; file:line` */
export function disassemble(p: Program, pc: number): string {
  const w = pc * abi.INSN_WORDS;
  if (pc < 0 || w >= p.code.length) return `${pc}: <out of range>`;
  const { op, obj, site, arg, target, errno } = decodeInsn(p.code, pc);
  const label = (t: number): string => (t === abi.NO_TARGET ? '-' : p.labels[decodeInsn(p.code, t).arg]?.name ?? `@${t}`);
  const orElse = (): string => (target === abi.NO_TARGET ? '' : ` else ${label(target)} ${errnoName(errno)}`);
  let text: string;
  switch (op) {
    case abi.OP_LABEL: text = `${p.labels[arg]?.name ?? `label#${arg}`}:`; break;
    case abi.OP_PRIM: text = `${p.effects[arg]?.name ?? `prim#${arg}`} ${REG_NAMES[obj]}${orElse()}`; break;
    case abi.OP_LOCK: {
      const sub = objSubclass(obj);
      text = `lock.${MODE_NAMES[objMode(obj)]} ${lockrefName(arg)}${sub ? `, ${sub}` : ''}`;
      break;
    }
    case abi.OP_UNLOCK: case abi.OP_ASSERT_HELD: text = `${OP_NAMES[op]}.${MODE_NAMES[objMode(obj)]} ${lockrefName(arg)}`; break;
    case abi.OP_CALL: {
      const callee = [...p.routines.values()].find((r) => r.entry === arg)?.name ?? `@${arg}`;
      text = `call ${callee}${orElse()}`;
      break;
    }
    case abi.OP_REQUIRE: text = `require ${obj ? '!' : ''}${condName(arg)}${orElse()}`; break;
    case abi.OP_IF: text = `if ${obj ? '!' : ''}${condName(arg)} goto ${label(target)}`; break;
    case abi.OP_GOTO: text = `goto ${label(target)}`; break;
    case abi.OP_MOV: text = `mov ${REG_NAMES[arg]}, ${REG_NAMES[obj]}`; break;
    default: text = OP_NAMES[op] ?? `op#${op}`;
  }
  const s = p.src[pc];
  const siteName = site ? `  [site ${site} ${p.sites[site]?.name}]` : '';
  return `${pc}: ${text}${siteName}${s ? `  ; ${s.file}:${s.line}` : ''}`;
}
