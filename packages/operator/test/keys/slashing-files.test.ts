// Slashing-protection migration through files, against the EIP-3076 interchange tests (v5.3.0):
// every step's interchange is imported from a file, then the whole database is exported to a file
// and imported into a fresh database (a migration to another machine), and the step's signing
// attempts run on the migrated database with the minimal-strategy expectations. Plus the errors that
// name the file and field, and the database opened without a beacon node.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readVectorFiles } from '@diva-dvt/test-vectors';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createSlashingProtection,
  exportInterchangeFile,
  importInterchangeFile,
  isOperatorError,
  type OperatorErrorCode,
  openSlashingProtectionFile,
  readSlashingProtectionRoot,
  type SlashingProtection,
} from '../../src/index.ts';
import { tempRoot } from './fixtures.ts';

interface Attempt {
  readonly pubkey: string;
  readonly should_succeed: boolean;
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
  readonly genesis_validators_root: string;
  readonly steps: readonly Step[];
}

const tmp = tempRoot('diva-sp-files-');
afterAll(tmp.cleanup);
const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.slice(2), 'hex'));
const signingRoot = (hex: string | undefined) => (hex === undefined ? new Uint8Array(32) : bytes(hex));
const files = readVectorFiles<TestFile>('eip3076').filter((f) => f.name !== 'schema.json');

async function expectCode(promise: Promise<unknown>, code: OperatorErrorCode, mentions: string[]) {
  try {
    await promise;
  } catch (error) {
    if (!isOperatorError(error)) throw error;
    expect(error.code).toBe(code);
    for (const m of mentions) expect(error.message).toContain(m);
    return error;
  }
  return expect.unreachable(`expected ${code}`);
}

describe('EIP-3076 interchange tests through files, migrated to a fresh database after every import', () => {
  it('finds all 38 test files', () => {
    expect(files.length).toBe(38);
  });

  for (const { name, data } of files) {
    it(name, async () => {
      const dir = tmp.dir(name);
      const root = bytes(data.genesis_validators_root);
      let db: SlashingProtection = await openSlashingProtectionFile({
        path: join(dir, 'db-0.sqlite'),
        genesisValidatorsRoot: root,
      });
      try {
        for (const [i, step] of data.steps.entries()) {
          const input = join(dir, `step-${i}.json`);
          writeFileSync(input, JSON.stringify(step.interchange));
          let imported = true;
          try {
            await importInterchangeFile(db, input);
          } catch (error) {
            if (!isOperatorError(error, 'INVALID_INPUT_FILE')) throw error;
            expect(error.message).toContain(input);
            imported = false;
          }
          if (!imported && step.contains_slashable_data) return;
          expect(imported, `step ${i} import`).toBe(step.should_succeed);
          // Migrate: export everything, import into a new file (which learns the root from the flag).
          const exported = join(dir, `export-${i}.json`);
          await exportInterchangeFile(db, exported);
          await db.close();
          db = await openSlashingProtectionFile({
            path: join(dir, `db-${i + 1}.sqlite`),
            genesisValidatorsRoot: root,
          });
          await importInterchangeFile(db, exported);
          for (const [j, b] of step.blocks.entries()) {
            const result = await db.checkAndRecordBlock({
              pubkey: bytes(b.pubkey),
              slot: Number(b.slot),
              signingRoot: signingRoot(b.signing_root),
            });
            expect(result.allowed, `step ${i} block ${j} (slot ${b.slot})`).toBe(b.should_succeed);
          }
          for (const [j, a] of step.attestations.entries()) {
            const result = await db.checkAndRecordAttestation({
              pubkey: bytes(a.pubkey),
              sourceEpoch: Number(a.source_epoch),
              targetEpoch: Number(a.target_epoch),
              signingRoot: signingRoot(a.signing_root),
            });
            expect(result.allowed, `step ${i} attestation ${j} (${a.source_epoch}, ${a.target_epoch})`).toBe(
              a.should_succeed,
            );
          }
        }
      } finally {
        await db.close();
      }
    });
  }
});

describe('slashing-protection files', () => {
  const ROOT = new Uint8Array(32).fill(3);
  const pubkey = new Uint8Array(48).fill(0xa1);

  it('opens an existing database with its stored root, and needs the root to create one', async () => {
    const dir = tmp.dir('open');
    const path = join(dir, 'sp.sqlite');
    expect(await readSlashingProtectionRoot(path)).toBeUndefined();
    await expectCode(openSlashingProtectionFile({ path }), 'INVALID_OPTION', ['genesisValidatorsRoot', path]);
    expect(existsSync(path)).toBe(false);
    const created = await createSlashingProtection({ path, genesisValidatorsRoot: ROOT });
    await created.checkAndRecordBlock({ pubkey, slot: 5, signingRoot: new Uint8Array(32).fill(1) });
    await created.close();
    expect(await readSlashingProtectionRoot(path)).toEqual(ROOT);
    const reopened = await openSlashingProtectionFile({ path });
    expect(reopened.genesisValidatorsRoot).toEqual(ROOT);
    expect((await reopened.exportInterchange()).data).toHaveLength(1);
    await reopened.close();
    await expectCode(
      openSlashingProtectionFile({ path, genesisValidatorsRoot: new Uint8Array(32) }),
      'GENESIS_VALIDATORS_ROOT_MISMATCH',
      [`0x${'03'.repeat(32)}`],
    );
    const notDb = join(dir, 'not-a-db.sqlite');
    writeFileSync(notDb, 'plain text');
    await expectCode(readSlashingProtectionRoot(notDb), 'SLASHING_DB_FAILED', [notDb]);
  });

  it('names the file and field of a malformed interchange or one of another chain, and imports nothing', async () => {
    const dir = tmp.dir('bad');
    const db = await openSlashingProtectionFile({
      path: join(dir, 'sp.sqlite'),
      genesisValidatorsRoot: ROOT,
    });
    try {
      const good = {
        metadata: { interchange_format_version: '5', genesis_validators_root: `0x${'03'.repeat(32)}` },
        data: [{ pubkey: `0x${'a1'.repeat(48)}`, signed_blocks: [{ slot: '9' }], signed_attestations: [] }],
      };
      const cases: [string, unknown, string][] = [
        ['not-json.json', '{"metadata":', '(document)'],
        [
          'slot.json',
          { ...good, data: [{ ...good.data[0], signed_blocks: [{ slot: 9 }] }] },
          'data[0].signed_blocks[0].slot',
        ],
        ['pubkey.json', { ...good, data: [{ ...good.data[0], pubkey: '0x12' }] }, 'data[0].pubkey'],
        [
          'chain.json',
          { ...good, metadata: { ...good.metadata, genesis_validators_root: `0x${'04'.repeat(32)}` } },
          'metadata.genesis_validators_root',
        ],
      ];
      for (const [fileName, content, field] of cases) {
        const file = join(dir, fileName);
        writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
        await expectCode(importInterchangeFile(db, file), 'INVALID_INPUT_FILE', [file, field]);
      }
      expect((await db.exportInterchange()).data).toEqual([]);
      const file = join(dir, 'good.json');
      writeFileSync(file, JSON.stringify(good));
      expect(await importInterchangeFile(db, file)).toEqual({ validators: 1, blocks: 1, attestations: 0 });
    } finally {
      await db.close();
    }
  });

  it('exports chosen validators, refuses an unknown one and never overwrites a file', async () => {
    const dir = tmp.dir('export');
    const db = await openSlashingProtectionFile({
      path: join(dir, 'sp.sqlite'),
      genesisValidatorsRoot: ROOT,
    });
    try {
      const other = new Uint8Array(48).fill(0xb2);
      await db.checkAndRecordBlock({ pubkey, slot: 5, signingRoot: new Uint8Array(32).fill(1) });
      await db.checkAndRecordAttestation({
        pubkey: other,
        sourceEpoch: 1,
        targetEpoch: 2,
        signingRoot: new Uint8Array(32).fill(2),
      });
      const file = join(dir, 'one.json');
      const { summary } = await exportInterchangeFile(db, file, [other]);
      expect(summary).toEqual({ validators: 1, blocks: 0, attestations: 1 });
      expect(JSON.parse(readFileSync(file, 'utf8')).data.map((d: { pubkey: string }) => d.pubkey)).toEqual([
        `0x${'b2'.repeat(48)}`,
      ]);
      await expectCode(exportInterchangeFile(db, file), 'FILE_EXISTS', [file]);
      const unknown = new Uint8Array(48).fill(0xc3);
      const missing = join(dir, 'missing.json');
      await expectCode(exportInterchangeFile(db, missing, [unknown]), 'UNKNOWN_PUBKEY', [
        `0x${'c3'.repeat(48)}`,
        'sp.sqlite',
      ]);
      expect(existsSync(missing)).toBe(false);
    } finally {
      await db.close();
    }
  });
});
