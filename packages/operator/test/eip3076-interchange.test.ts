// The EIP-3076 interchange conformance tests (eth-clients/slashing-protection-interchange-tests
// v5.3.0, every generated file): a fresh database per file, each step imports its interchange, then
// each block and attestation is attempted and compared with `should_succeed` (the minimal strategy).
// Agreement with `should_succeed_complete` (the complete strategy) is counted and pinned by the last
// test: imported records are watermarks, so re-signing an imported message is refused (minimal).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readVectorFiles } from '@diva-dvt/test-vectors';
import { afterAll, describe, expect, it } from 'vitest';
import { createSlashingProtection } from '../src/index.ts';

interface Attempt {
  readonly pubkey: string;
  readonly should_succeed: boolean;
  readonly should_succeed_complete: boolean;
  readonly signing_root?: string;
}
interface Step {
  readonly should_succeed: boolean;
  readonly contains_slashable_data: boolean;
  readonly interchange: unknown;
  readonly blocks: readonly (Attempt & { readonly slot: string })[];
  readonly attestations: readonly (Attempt & {
    readonly source_epoch: string;
    readonly target_epoch: string;
  })[];
}
interface TestFile {
  readonly name: string;
  readonly genesis_validators_root: string;
  readonly steps: readonly Step[];
}

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.slice(2), 'hex'));
const root = (hex: string | undefined): Uint8Array => (hex === undefined ? new Uint8Array(32) : bytes(hex));

const files = readVectorFiles<TestFile>('eip3076').filter((f) => f.name !== 'schema.json');
const dir = mkdtempSync(join(tmpdir(), 'diva-eip3076-'));
const tally = { attempts: 0, complete: 0 };

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('EIP-3076 interchange tests (minimal strategy)', () => {
  it('finds all 38 test files', () => {
    expect(files.length).toBe(38);
  });

  for (const { name, data } of files) {
    it(name, async () => {
      const db = await createSlashingProtection({
        path: join(dir, `${name}.sqlite`),
        genesisValidatorsRoot: bytes(data.genesis_validators_root),
      });
      try {
        for (const [i, step] of data.steps.entries()) {
          let imported = true;
          try {
            await db.importInterchange(step.interchange);
          } catch {
            imported = false;
          }
          if (!imported && step.contains_slashable_data) return;
          expect(imported, `step ${i} import`).toBe(step.should_succeed);
          for (const [j, b] of step.blocks.entries()) {
            const result = await db.checkAndRecordBlock({
              pubkey: bytes(b.pubkey),
              slot: Number(b.slot),
              signingRoot: root(b.signing_root),
            });
            expect(result.allowed, `step ${i} block ${j} (slot ${b.slot})`).toBe(b.should_succeed);
            tally.attempts++;
            if (result.allowed === b.should_succeed_complete) tally.complete++;
          }
          for (const [j, a] of step.attestations.entries()) {
            const result = await db.checkAndRecordAttestation({
              pubkey: bytes(a.pubkey),
              sourceEpoch: Number(a.source_epoch),
              targetEpoch: Number(a.target_epoch),
              signingRoot: root(a.signing_root),
            });
            expect(result.allowed, `step ${i} attestation ${j} (${a.source_epoch}, ${a.target_epoch})`).toBe(
              a.should_succeed,
            );
            tally.attempts++;
            if (result.allowed === a.should_succeed_complete) tally.complete++;
          }
        }
      } finally {
        await db.close();
      }
    });
  }

  it('also agrees with the complete strategy on 133 of the 150 attempts', () => {
    expect(tally).toEqual({ attempts: 150, complete: 133 });
  });
});
