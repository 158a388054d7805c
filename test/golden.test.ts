// Same seed, same run report for every shipped kernel and mutant (see
// golden.ts); the faults reports are in test/slow/golden-faults.test.ts.
import { describe, it } from 'vitest';
import { MODELS, golden } from './golden.js';

describe('same seed, same JSON report', () => {
  it.each(MODELS)('run: %s', (model) => {
    golden(`run-${model}`, ['run', '--driver', 'step', '--kernel', model, '--cpus', '4', '--forks', '5000', '--seed', '3', '--max-steps', '4000000']);
  });
});
