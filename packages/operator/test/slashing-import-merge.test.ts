// Importing an interchange into a database that already holds a record at the same target epoch
// (or slot) merges the two as EIP-3076's minimal strategy does: the higher source epoch is kept, so
// the export still carries what a later attestation must not surround.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSlashingProtection, type SlashingInterchange } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'diva-slashing-merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const open = () =>
  createSlashingProtection({ path: join(dir, `db-${files++}.sqlite`), genesisValidatorsRoot: gvr });

const gvr = new Uint8Array(32).fill(7);
const pubkey = new Uint8Array(48).fill(1);
const hexRoot = (n: number): `0x${string}` => `0x${n.toString(16).padStart(2, '0').repeat(32)}`;

const interchange = (
  attestations: SlashingInterchange['data'][number]['signed_attestations'],
  blocks: SlashingInterchange['data'][number]['signed_blocks'] = [],
): SlashingInterchange => ({
  metadata: { interchange_format_version: '5', genesis_validators_root: `0x${'07'.repeat(32)}` },
  data: [{ pubkey: `0x${'01'.repeat(48)}`, signed_blocks: blocks, signed_attestations: attestations }],
});

describe('importing a record at a target epoch or slot already held', () => {
  it('keeps the higher source epoch, so a database fed the export refuses a surrounding vote', async () => {
    const db = await open();
    await db.importInterchange(
      interchange([{ source_epoch: '3', target_epoch: '10', signing_root: hexRoot(1) }]),
    );
    await db.importInterchange(
      interchange([{ source_epoch: '5', target_epoch: '10', signing_root: hexRoot(2) }]),
    );
    const exported = await db.exportInterchange();
    expect(exported.data[0]?.signed_attestations).toEqual([
      { source_epoch: '5', target_epoch: '10', signing_root: hexRoot(2) },
    ]);
    await db.close();
    // (4, 11) surrounds (5, 10): the database that only knows the export must refuse it.
    const other = await open();
    await other.importInterchange(exported);
    const surrounding = await other.checkAndRecordAttestation({
      pubkey,
      sourceEpoch: 4,
      targetEpoch: 11,
      signingRoot: new Uint8Array(32).fill(3),
    });
    expect(surrounding.allowed).toBe(false);
    await other.close();
  });

  it('keeps the held record when the imported one has a lower source epoch', async () => {
    const db = await open();
    await db.importInterchange(
      interchange([{ source_epoch: '5', target_epoch: '10', signing_root: hexRoot(2) }]),
    );
    await db.importInterchange(
      interchange([{ source_epoch: '3', target_epoch: '10', signing_root: hexRoot(1) }]),
    );
    expect((await db.exportInterchange()).data[0]?.signed_attestations).toEqual([
      { source_epoch: '5', target_epoch: '10', signing_root: hexRoot(2) },
    ]);
    await db.close();
  });

  it('merges a locally signed attestation with an imported one of a higher source', async () => {
    const db = await open();
    expect(
      (
        await db.checkAndRecordAttestation({
          pubkey,
          sourceEpoch: 3,
          targetEpoch: 10,
          signingRoot: new Uint8Array(32).fill(1),
        })
      ).allowed,
    ).toBe(true);
    await db.importInterchange(
      interchange([{ source_epoch: '6', target_epoch: '10', signing_root: hexRoot(4) }]),
    );
    expect((await db.exportInterchange()).data[0]?.signed_attestations).toEqual([
      { source_epoch: '6', target_epoch: '10', signing_root: hexRoot(4) },
    ]);
    await db.close();
  });

  it('drops the signing root where two different roots were signed at one target or slot', async () => {
    const db = await open();
    await db.importInterchange(
      interchange(
        [{ source_epoch: '5', target_epoch: '10', signing_root: hexRoot(1) }],
        [{ slot: '20', signing_root: hexRoot(1) }],
      ),
    );
    await db.importInterchange(
      interchange(
        [{ source_epoch: '5', target_epoch: '10', signing_root: hexRoot(2) }],
        [{ slot: '20', signing_root: hexRoot(2) }],
      ),
    );
    // The same root again changes nothing.
    await db.importInterchange(interchange([], [{ slot: '21', signing_root: hexRoot(3) }]));
    await db.importInterchange(interchange([], [{ slot: '21', signing_root: hexRoot(3) }]));
    const exported = (await db.exportInterchange()).data[0];
    expect(exported?.signed_attestations).toEqual([{ source_epoch: '5', target_epoch: '10' }]);
    expect(exported?.signed_blocks).toEqual([{ slot: '20' }, { slot: '21', signing_root: hexRoot(3) }]);
    await db.close();
  });
});
