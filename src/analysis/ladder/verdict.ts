// What the static ladder check says: the issues on each failure path, per
// fault site, and the verdict classes that the dynamic enumeration
// (forksim faults) gives too.
export type IssueKind = 'leak' | 'lock-held' | 'double-release' | 'double-acquire' | 'bad-unlock' | 'recursive-lock' | 'assert-held' | 'overflow' | 'guarded' | 'refcount'
  | 'might-sleep' | 'wait-context' | 'irq-unsafe'; // execution contexts (contexts.ts): always on paths with no failure

/** One bad thing on a path, placed in the kasm source. */
export interface LadderIssue {
  kind: IssueKind;
  entry: string; // the entry routine (sys_fork, ...)
  site: string | null; // the first failure on the path (null: a path with no failure)
  errno: string | null; // the error at that point
  what: string; // resource names, or lock (mode)
  at: string; // file:line of the instruction (for lock-held: where the lock was taken)
  routine: string;
  text: string; // the kasm line
  ladder: string[]; // labels passed by the failing routine(s) so far
  message: string;
}

/** What the walk says about one fault site. */
export interface SiteLadder {
  site: string;
  routine: string;
  at: string;
  reached: boolean; // some path fails first here
  entries: string[];
  errnos: string[]; // what the syscall returns ('0': a void routine dropped the error and the syscall went on)
  ladders: string[][]; // distinct label paths
  leaks: string[]; // resources the child still owns at return
  heldLocks: string[]; // locks held at return, 'class (read)'
  doubleReleases: string[]; // resources released twice / never acquired, refcounts put below zero
  lockMisuse: string[]; // bad unlocks, recursive locking, failed asserts, unguarded state: 'lock @file:line'
  issues: LadderIssue[];
}

export interface LadderReport {
  sites: SiteLadder[];
  unattributed: LadderIssue[]; // on paths with no failure
  states: number;
  truncated: boolean; // the state cap was hit: the verdict is partial
}

/** The verdict classes both the static walk and the dynamic enumeration give a site. */
export type VerdictClass = 'LEAK' | 'DOUBLE RELEASE' | 'BAD UNLOCK';
export function verdictClasses(x: { leaks: string[]; heldLocks: string[]; doubleReleases: string[]; lockMisuse: string[] }): VerdictClass[] {
  const v: VerdictClass[] = [];
  if (x.leaks.length || x.heldLocks.length) v.push('LEAK');
  if (x.doubleReleases.length) v.push('DOUBLE RELEASE');
  if (x.lockMisuse.length) v.push('BAD UNLOCK');
  return v;
}

export const ladderBad = (r: LadderReport): boolean => r.truncated || r.unattributed.length > 0 || r.sites.some((s) => verdictClasses(s).length > 0);
