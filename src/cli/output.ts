// Writing what a command produced: stdout that may be a closed pipe
// (`forksim check | head -1` ends quietly), and a report file checked before
// the work starts and written atomically after it, never at the cost of the
// report on stdout.
import { accessSync, constants, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export class OutputError extends Error {}

/** A closed stdout (EPIPE) ends the program quietly with the status so far. */
export function quietOnClosedStdout(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(Number(process.exitCode ?? 0));
    throw e;
  });
}

/** Refuse a report path that cannot be written, before running anything. */
export function checkReportPath(path: string): void {
  const dir = dirname(resolve(path));
  let isDir = false;
  try { isDir = statSync(dir).isDirectory(); } catch { /* below */ }
  if (!isDir) throw new OutputError(`--report ${path}: the folder ${dir} does not exist`);
  try { accessSync(dir, constants.W_OK); } catch { throw new OutputError(`--report ${path}: the folder ${dir} is not writable`); }
  try {
    if (statSync(path).isDirectory()) throw new OutputError(`--report ${path}: is a folder; give a file name`);
  } catch (e) {
    if (e instanceof OutputError) throw e; // a missing file is what we want
  }
}

/** Write `text` to `path` through a temporary file in the same folder. */
export function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new OutputError(`--report ${path}: cannot write it: ${(e as Error).message}`);
  }
}
