// Gas of our contract actions, measured from real receipts by the tests. Each measurement is appended as
// one JSON line to .test-results/crypto-gas.jsonl (test files run in parallel: appends of short lines do
// not interleave, where a read-modify-write of one JSON file could lose entries). Readers keep the last
// line per name; docs/crypto.md quotes them.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const GAS_FILE = join(import.meta.dirname, '../../.test-results/crypto-gas.jsonl');

export function recordGas(name: string, gas: bigint): void {
  mkdirSync(join(GAS_FILE, '..'), { recursive: true });
  appendFileSync(GAS_FILE, `${JSON.stringify({ name, gas: Number(gas) })}\n`);
}
