// Reading the files a user names (kasm files, base files, scenarios): only
// regular files, and only up to a limit, so a FIFO, /dev/zero or a huge file
// gives a clear error instead of a hang or an out-of-memory crash.
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

const KiB = 1024, MiB = 1024 * KiB;

/** The limit for a scenario file. */
export const SCENARIO_FILE_MAX_BYTES = MiB;

/** A file that cannot be used as input: missing, not a regular file, too large. */
export class InputFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputFileError';
  }
}

export const formatBytes = (n: number): string =>
  n % MiB === 0 ? `${n / MiB} MiB` : n % KiB === 0 ? `${n / KiB} KiB` : `${n} bytes`;

const kindOf = (s: Stats): string =>
  s.isDirectory() ? 'a directory' : s.isFIFO() ? 'a FIFO' : s.isSocket() ? 'a socket'
    : s.isCharacterDevice() ? 'a character device' : s.isBlockDevice() ? 'a block device' : 'a special file';

/** The text (UTF-8) of the regular file at `path` (symlinks followed), at
 *  most `maxBytes` long; `what` names it in errors ('kasm file'). */
export function readInputFile(path: string, what: string, maxBytes: number): string {
  const fail = (why: string): never => { throw new InputFileError(`${what} ${path} ${why}`); };
  const tooLarge = `is larger than ${formatBytes(maxBytes)} (the limit for a ${what})`;
  let fd: number;
  try {
    // Stat first: opening a FIFO for reading would wait for a writer.
    const s = statSync(path);
    if (!s.isFile()) fail(`is ${kindOf(s)}, not a regular file`);
    if (s.size > maxBytes) fail(tooLarge);
    // O_NONBLOCK: it may have been swapped for a FIFO since the stat.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    if (e instanceof InputFileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (e as Error).message})`);
  }
  try {
    const s = fstatSync(fd);
    if (!s.isFile()) fail(`is ${kindOf(s)}, not a regular file`);
    // Up to one byte past the limit: the file may have grown since the stat.
    const buf = Buffer.allocUnsafe(maxBytes + 1);
    let n = 0;
    for (let got = -1; got !== 0 && n < buf.length; n += got) got = readSync(fd, buf, n, buf.length - n, null);
    if (n > maxBytes) fail(tooLarge);
    return buf.toString('utf8', 0, n);
  } catch (e) {
    if (e instanceof InputFileError) throw e;
    return fail(`cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  } finally {
    closeSync(fd);
  }
}
