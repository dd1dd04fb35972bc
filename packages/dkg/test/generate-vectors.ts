// Writes the known-answer files in test/vectors/diva-dkg/ (run: node test/generate-vectors.ts).
// The test known-answers.test.ts re-derives them and fails on any difference.
import { writeFileSync } from 'node:fs';
import { deriveKnownAnswer, KNOWN_ANSWER_CASES } from './helpers/known-answers.ts';

for (const c of KNOWN_ANSWER_CASES) {
  const kat = deriveKnownAnswer(c.seed, c.n, c.t, c.k);
  writeFileSync(
    new URL(`./vectors/diva-dkg/${c.file}`, import.meta.url),
    `${JSON.stringify(kat, null, 2)}\n`,
  );
  process.stderr.write(`wrote ${c.file}\n`);
}
