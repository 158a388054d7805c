// SIGINT and SIGTERM (Ctrl-C, `timeout`, `kill`) end a command with what it
// has: the first asks the running phase to stop and the report is still
// written; the second cuts what remains short (the lockdep replay search)
// but still writes what is known; only a third ends the process at once.
export interface Interrupts {
  /** A signal arrived: stop the run and report what there is. */
  readonly interrupted: boolean;
  /** A second one: skip the optional work that follows. */
  readonly hurried: boolean;
  dispose(): void;
}

export function onInterrupt(what: string): Interrupts {
  let count = 0;
  const handler = (signal: NodeJS.Signals): void => {
    count++;
    if (count === 1) process.stderr.write(`\n${signal}: stopping ${what} and writing the report (again to skip what remains)\n`);
    else if (count === 2) process.stderr.write(`${signal}: skipping what remains; writing what is known (again to abort)\n`);
    else process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    get interrupted() { return count > 0; },
    get hurried() { return count > 1; },
    dispose() { process.off('SIGINT', handler); process.off('SIGTERM', handler); },
  };
}
