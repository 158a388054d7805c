// A model's vocabulary as text (`forksim check --list MODEL`): what it
// declares, each with its effects, and what every model has built in.
import * as abi from '../../assembly/abi.js';
import { BUILTIN_ACTIONS, BUILTIN_VALUES, CTX_OPS, errnoName, LOCK_KINDS } from './builtins.js';

const WAIT_NAMES: Record<number, string> = { [abi.WAIT_SPIN]: 'spins', [abi.WAIT_CONFIG]: 'spins; sleeps on PREEMPT_RT', [abi.WAIT_SLEEP]: 'sleeps' };
import { SERVICES } from './services.js';
import type { Program } from './assemble.js';
import { bare } from './vocabulary.js';

export function kernelVocabulary(p: Program): string {
  const v = p.vocab;
  const out: string[] = [];
  const row = (name: string, ...parts: (string | undefined | false)[]): void => { out.push(`  ${name.padEnd(28)} ${parts.filter(Boolean).join('  ')}`.trimEnd()); };
  out.push('locks (kind, where, lockdep class):');
  for (const l of v.classes) row(l.name, l.kind.padEnd(12), (l.scope === 'global' ? 'global' : `per ${l.scope}`).padEnd(8), l.className, l.host && `in ${l.host.name}`);
  out.push('', 'resources (booked per task by the ledger):');
  for (const r of v.resourceList) row(r.name, r.doc);
  out.push('', 'state:');
  for (const d of v.varList) {
    const type = d.type === 'param' ? `param${d.ppm ? ' (ppm)' : ''} = ${d.ppm ? d.init / 1e6 : d.init}` : d.type === 'refcount' ? `refcount${d.init ? ` = ${d.init}` : ''}${d.release ? `, release ${d.release}` : ''}`
      : d.struct ? 'struct' : `${d.type}${d.live ? ' live' : ''}${d.init ? ` = ${d.init}` : ''}`;
    row(d.name, bare(d.scope) ? d.scope : `per ${d.scope}`, type, d.host && `in ${d.host.name}`, d.guard && `guarded_by ${d.guard}`, d.doc);
  }
  if (v.consts.size) {
    out.push('', 'constants:');
    for (const c of v.consts.values()) row(c.name, String(c.value), c.doc);
  }
  out.push('', 'primitives (register, acquires, releases, asserts held, can fail, state effects, service):');
  for (const pr of v.prims.values()) {
    row(pr.name, pr.reg,
      pr.acquires.length > 0 && `+${pr.acquires.join(' +')}`,
      pr.releases.length > 0 && `-${pr.releases.join(' -')}`,
      pr.asserts.length > 0 && `held: ${pr.asserts.join(', ')}`,
      pr.fails !== undefined && `fails -${errnoName(pr.fails)}${pr.failsWhen ? ` when ${pr.failsWhen.text}` : pr.service && SERVICES[pr.service].fails ? ` when ${SERVICES[pr.service].fails!.when}` : ''}`,
      ...pr.effects.map((e) => `${e.text}${e.op === abi.ST_SET && e.var.type !== 'flag' ? ` ${e.value}` : ''}${e.limit ? ` limit ${e.limit.name}` : ''}${e.when ? ` if ${e.when.text}` : ''}`),
      pr.service && `service ${pr.service}${pr.serviceCond ? ` ${pr.serviceCond.text}` : ''}`,
      pr.sleeps && 'sleeps');
  }
  if (p.irqs.length) {
    out.push('', 'interrupts (routine, rate per million steps of a CPU; --irq):');
    for (const q of p.irqs) row(q.name, q.routine, q.wakeup ? 'the wakeup IPI' : `rate ${q.rate}`, q.doc);
  }
  out.push('', 'actions (weight, precondition):');
  for (const a of p.actions) {
    const d = v.actions.find((x) => x.name === a.name);
    const kind = a.first ? 'first' : a.builtin && a.action === abi.ACT_SCHEDULE ? 'not weighted' : `weight ${a.weight}${!a.builtin && a.fork ? ' fork' : ''}`;
    row(a.name, a.routine, kind, d?.when && `when ${d.when.text}`, a.builtin ? `built-in: ${a.doc}` : a.doc);
  }
  for (const b of BUILTIN_ACTIONS) if (!b.required && !p.actions.some((a) => a.name === b.name)) row(b.name, `(no routine ${b.routine}: off)`);
  if (v.trials.length) {
    out.push('', 'fault trials (forksim faults):');
    for (const t of v.trials) row(t.name, Object.entries(t.weights).map(([k, w]) => `${k}=${w}`).join(' '), t.interval ? `interval ${t.interval}` : '', t.doc);
  }
  out.push('', 'built-in values (conditions):');
  for (const [name, b] of Object.entries(BUILTIN_VALUES)) row(b.task ? `REG.${name}` : name, b.doc);
  out.push('', 'built-in services (a primitive runs one with `service NAME`):');
  for (const [name, s] of Object.entries(SERVICES)) row(name, s.doc, s.fails && `fails -${errnoName(s.fails.errno)} when ${s.fails.when}`);
  out.push('', `lock kinds: ${Object.entries(LOCK_KINDS).map(([k, x]) => `${k} (${WAIT_NAMES[x.wait]})`).join(', ')}`);
  out.push(`context instructions: ${Object.keys(CTX_OPS).join(', ')}`);
  return out.join('\n');
}
