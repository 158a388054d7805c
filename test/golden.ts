// Same seed, same report: the JSON that `forksim run --json` and
// `forksim faults --json` print, against fixtures first recorded before the
// host's view of the machine was redesigned. Host timings are zeroed;
// everything else must match byte for byte. Regenerate (only for an intended
// change of output, and read the diff): UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts test/slow/golden-faults.test.ts
import { expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/paths.js';

const CLI = join(PACKAGE_ROOT, 'dist', 'src', 'cli.js');
const DIR = join(PACKAGE_ROOT, 'test', 'fixtures', 'golden');
export const MODELS = ['v6.10', 'v6.10-patched', 'v6.12-scx', 'v6.17', 'proposed/scx-cancel-fork-state',
  ...['leak-skip-release', 'bad-unlock-balance', 'scx-prepatch-ladder', 'scx-no-label-split', 'deadlock-abba',
    'wake-up-rq-before-pi', 'exit-siglock-before-tasklist', 'double-rq-unordered', 'three-lock-cycle', 'recursive-lock'].map((m) => `mutants/${m}`)];

/** Zero what depends on the host's speed. */
function stable(key: string, v: unknown): unknown {
  if (key === 'elapsedSeconds' || key === 'perSecond' || key === 'nsPerStep') return typeof v === 'number' ? 0 : v;
  return v;
}

export function golden(name: string, args: string[]): void {
  const out = spawnSync(process.execPath, [CLI, ...args, '--json'], { encoding: 'utf8', cwd: PACKAGE_ROOT, timeout: 120_000 });
  expect(out.status, out.stderr).toBeLessThan(2);
  const got = JSON.stringify(JSON.parse(out.stdout), stable, 2) + '\n';
  const file = join(DIR, `${name.replace(/\//g, '__')}.json`);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, got);
  expect(existsSync(file), `${file} is missing: UPDATE_GOLDEN=1 records it`).toBe(true);
  expect(got).toBe(readFileSync(file, 'utf8'));
}

