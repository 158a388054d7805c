// Same seed, same faults report (see ../golden.ts).
import { describe, it } from 'vitest';
import { golden } from '../golden.js';

describe('same seed, same JSON report', () => {
  it.each(['v6.12-scx', 'mutants/scx-prepatch-ladder', 'mutants/scx-no-label-split', 'mutants/leak-skip-release'])('faults: %s', (model) => {
    golden(`faults-${model}`, ['faults', '--kernel', model, '--forks', '200']);
  });
});
