// Gas of our contract actions, measured from real receipts by the tests and collected in
// .test-results/crypto-gas.json (docs/crypto.md quotes them; scripts may include the file).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const GAS_FILE = join(import.meta.dirname, '../../.test-results/crypto-gas.json');

export function recordGas(name: string, gas: bigint): void {
  mkdirSync(join(GAS_FILE, '..'), { recursive: true });
  const all = existsSync(GAS_FILE)
    ? (JSON.parse(readFileSync(GAS_FILE, 'utf8')) as Record<string, number>)
    : {};
  all[name] = Number(gas);
  writeFileSync(GAS_FILE, `${JSON.stringify(all, null, 2)}\n`);
}
