// kernels/mutants/explore.yaml: how explore finds each shipped mutant (the
// scenario, the strategy, the kind of finding), read and checked.
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PACKAGE_ROOT } from '../paths.js';
import { readInputFile } from '../files.js';
import { parseScenario, type Scenario } from '../machine/scenario.js';
import { STRATEGIES } from './strategy.js';

export const MUTANTS_FILE = join(PACKAGE_ROOT, 'kernels', 'mutants', 'explore.yaml');

const Entry = z.strictObject({ strategy: z.enum(STRATEGIES), finds: z.string(), scenario: z.record(z.string(), z.unknown()) });

export interface MutantSearch { mutant: string; strategy: (typeof STRATEGIES)[number]; finds: string; scenario: Scenario }

/** Each mutant's search; a closed scenario has one CPU per program, and an
 *  open one two CPUs and 20 fork attempts a schedule, as explore does. */
export function mutantSearches(file = MUTANTS_FILE): MutantSearch[] {
  const raw = parseYaml(readInputFile(file, 'mutant table', 1 << 20)) as Record<string, unknown>;
  return Object.entries(raw).map(([mutant, v]) => {
    const e = Entry.parse(v);
    const programs = e.scenario.programs as unknown[] | undefined;
    const scenario = parseScenario({ kernel: `mutants/${mutant}`, driver: 'step', cpus: programs?.length ?? 2, tasks: 64, forks: programs ? 0 : 20, ...e.scenario }, `${file}: ${mutant}`);
    return { mutant, strategy: e.strategy, finds: e.finds, scenario };
  });
}
