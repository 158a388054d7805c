// One instruction back to text, read from the bytecode itself (not the
// source), so it shows what the interpreter will run.
import * as abi from '../../assembly/abi.js';
import { decodeInsn, objSubclass, objMode } from './insn.js';
import { CTX_OPS, errnoName, regName } from './builtins.js';
import type { Program } from './assemble.js';

const IRQ_FORMS: Record<number, string> = { [abi.LF_IRQ]: '_irq', [abi.LF_IRQSAVE]: '_irqsave', [abi.LF_BH]: '_bh' };
const OP_NAMES = ['nop', 'label', 'prim', 'lock', 'unlock', 'assert_held', 'call', 'return', 'goto', 'require', 'if', 'mov', 'state', 'WARN_ON', 'ctx'];
const MODE_NAMES = ['excl', 'read', 'any'];
const STATE_OPS = ['set', 'inc', 'dec', 'get', 'put', 'charge', 'set', 'set'];

/** `PC: OPERATION  ; file:line` */
export function disassemble(p: Program, pc: number): string {
  const w = pc * abi.INSN_WORDS;
  if (pc < 0 || w >= p.code.length) return `${pc}: <out of range>`;
  const { op, obj, site, arg, target, errno } = decodeInsn(p.code, pc);
  const v = p.vocab;
  const label = (t: number): string => (t === abi.NO_TARGET ? '-' : p.labels[decodeInsn(p.code, t).arg]?.name ?? `@${t}`);
  const orElse = (): string => (target === abi.NO_TARGET ? '' : ` else ${label(target)} ${errnoName(errno)}`);
  const cond = (row: number): string => p.conds[row]?.cond.text ?? `cond#${row}`;
  let text: string;
  switch (op) {
    case abi.OP_LABEL: text = `${p.labels[arg]?.name ?? `label#${arg}`}:`; break;
    case abi.OP_PRIM: text = `${p.effects[arg]?.name ?? `prim#${arg}`} ${regName(obj)}${orElse()}`; break;
    case abi.OP_LOCK: {
      const sub = objSubclass(obj);
      text = `lock.${MODE_NAMES[objMode(obj)]}${IRQ_FORMS[errno & 7] ?? ''} ${v.lockrefName(arg)}${sub ? `, ${sub}` : ''}`;
      break;
    }
    case abi.OP_UNLOCK: case abi.OP_ASSERT_HELD: text = `${OP_NAMES[op]}.${MODE_NAMES[objMode(obj)]}${op === abi.OP_UNLOCK ? IRQ_FORMS[errno & 7] ?? '' : ''} ${v.lockrefName(arg)}`; break;
    case abi.OP_CALL: {
      const callee = [...p.routines.values()].find((r) => r.entry === arg)?.name ?? `@${arg}`;
      text = `call ${callee}${orElse()}`;
      break;
    }
    case abi.OP_REQUIRE: text = `require ${cond(arg)}${orElse()}`; break;
    case abi.OP_IF: text = `if ${cond(arg)} goto ${label(target)}`; break;
    case abi.OP_WARN: text = `WARN_ON ${cond(arg)}`; break;
    case abi.OP_GOTO: text = `goto ${label(target)}`; break;
    case abi.OP_MOV: text = `mov ${regName(arg)}, ${errno ? v.varName(errno - 1, obj) : regName(obj)}`; break;
    case abi.OP_STATE: {
      const sop = obj & 0xf;
      const val = sop === abi.ST_SET ? ` ${errno}` : sop === abi.ST_SET_TASK ? ` ${regName(errno)}` : sop === abi.ST_COPY ? ` ${v.varName(errno & 0xffff, errno >> 16)}` : '';
      text = `${STATE_OPS[sop] ?? `state#${sop}`} ${v.varName(arg, obj >> abi.STATE_REG_SHIFT)}${val}`;
      break;
    }
    case abi.OP_CTX: text = Object.keys(CTX_OPS).find((k) => CTX_OPS[k] === arg) ?? `ctx#${arg}`; break;
    case abi.OP_RETURN: text = obj === abi.RET_ZERO ? 'return 0' : obj === abi.RET_ERRNO ? `return ${errnoName(errno)}` : 'return'; break;
    default: text = OP_NAMES[op] ?? `op#${op}`;
  }
  const s = p.src[pc];
  const siteName = site ? `  [site ${site} ${p.sites[site]?.name}]` : '';
  return `${pc}: ${text}${siteName}${s ? `  ; ${s.file}:${s.line}` : ''}`;
}
