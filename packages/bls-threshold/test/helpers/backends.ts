// Both backends, for tests that must pass identically on each.
import * as blst from '@chainsafe/blst';
import {
  type Bls,
  createBls,
  createBlstBackend,
  createNobleBackend,
  createSeededRandom,
} from '../../src/index.ts';

export const nobleBls: Bls = createBls({
  backend: createNobleBackend({ random: createSeededRandom('tests') }),
});
export const blstBls: Bls = createBls({ backend: createBlstBackend(blst) });

export const backends: readonly [string, Bls][] = [
  ['noble', nobleBls],
  ['blst', blstBls],
];
