// Where the package's files are, whether running from src/ (tests) or dist/src/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('forksim: cannot find the package root');
    dir = up;
  }
  return dir;
}

export const PACKAGE_ROOT = findRoot();
export const KERNELS_DIR = join(PACKAGE_ROOT, 'kernels');
export const WASM_PATH = join(PACKAGE_ROOT, 'build', 'forksim.wasm');
