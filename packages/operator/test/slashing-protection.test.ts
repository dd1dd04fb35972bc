import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createSlashingProtection, isOperatorError, SlashingProtection } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'diva-slashing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = (): string => join(dir, `db-${files++}.sqlite`);

const gvr = new Uint8Array(32).fill(7);
const key = (n: number): Uint8Array => new Uint8Array(48).fill(n);
const root = (n: number): Uint8Array => new Uint8Array(32).fill(n);

describe('SlashingProtection', () => {
  it('refuses a second block at a slot, allows the same root again, refuses lower slots', async () => {
    const db = await createSlashingProtection({ path: freshPath(), genesisValidatorsRoot: gvr });
    const pubkey = key(1);
    expect(await db.checkAndRecordBlock({ pubkey, slot: 10, signingRoot: root(1) })).toEqual({
      allowed: true,
      repeat: false,
    });
    expect(await db.checkAndRecordBlock({ pubkey, slot: 10, signingRoot: root(1) })).toEqual({
      allowed: true,
      repeat: true,
    });
    expect(await db.checkAndRecordBlock({ pubkey, slot: 10, signingRoot: root(2) })).toEqual({
      allowed: false,
      reason: 'DOUBLE_PROPOSAL',
    });
    expect(await db.checkAndRecordBlock({ pubkey, slot: 9, signingRoot: root(2) })).toEqual({
      allowed: false,
      reason: 'BELOW_LOWEST_SIGNED',
    });
    // Another validator is independent.
    expect((await db.checkAndRecordBlock({ pubkey: key(2), slot: 10, signingRoot: root(2) })).allowed).toBe(
      true,
    );
    await db.close();
  });

  it('a dry run answers as the recording check would, and records nothing', async () => {
    const db = await createSlashingProtection({ path: freshPath(), genesisValidatorsRoot: gvr });
    const pubkey = key(1);
    const att = (sourceEpoch: number, targetEpoch: number, r: number) => ({
      pubkey,
      sourceEpoch,
      targetEpoch,
      signingRoot: root(r),
    });
    // never seen: allowed, and still not recorded afterwards (another root is allowed for real)
    expect(await db.dryRunAttestation(att(2, 5, 1))).toEqual({ allowed: true, repeat: false });
    expect(await db.dryRunBlock({ pubkey, slot: 10, signingRoot: root(1) })).toEqual({
      allowed: true,
      repeat: false,
    });
    expect((await db.checkAndRecordAttestation(att(2, 5, 2))).allowed).toBe(true);
    expect((await db.checkAndRecordBlock({ pubkey, slot: 10, signingRoot: root(2) })).allowed).toBe(true);
    expect(await db.dryRunAttestation(att(3, 5, 3))).toEqual({ allowed: false, reason: 'DOUBLE_VOTE' });
    expect(await db.dryRunAttestation(att(1, 6, 3))).toEqual({ allowed: false, reason: 'SURROUNDING_VOTE' });
    expect(await db.dryRunAttestation(att(2, 5, 2))).toEqual({ allowed: true, repeat: true });
    expect(await db.dryRunBlock({ pubkey, slot: 10, signingRoot: root(3) })).toEqual({
      allowed: false,
      reason: 'DOUBLE_PROPOSAL',
    });
    // a dry run that would allow a new target leaves it free
    expect(await db.dryRunAttestation(att(5, 6, 4))).toEqual({ allowed: true, repeat: false });
    expect(await db.checkAndRecordAttestation(att(5, 6, 5))).toEqual({ allowed: true, repeat: false });
    const exported = await db.exportInterchange();
    expect(exported.data[0]?.signed_attestations).toHaveLength(2);
    await db.close();
  });

  it('refuses double votes, surrounding and surrounded votes, and source after target', async () => {
    const db = await createSlashingProtection({ path: freshPath(), genesisValidatorsRoot: gvr });
    const pubkey = key(1);
    const att = (sourceEpoch: number, targetEpoch: number, r: number) =>
      db.checkAndRecordAttestation({ pubkey, sourceEpoch, targetEpoch, signingRoot: root(r) });
    expect((await att(2, 5, 1)).allowed).toBe(true);
    expect(await att(2, 5, 1)).toEqual({ allowed: true, repeat: true });
    expect(await att(3, 5, 2)).toEqual({ allowed: false, reason: 'DOUBLE_VOTE' });
    expect(await att(1, 6, 3)).toEqual({ allowed: false, reason: 'SURROUNDING_VOTE' });
    expect((await att(5, 8, 4)).allowed).toBe(true);
    expect(await att(6, 7, 5)).toEqual({ allowed: false, reason: 'SURROUNDED_VOTE' });
    expect(await att(9, 8, 6)).toEqual({ allowed: false, reason: 'SOURCE_AFTER_TARGET' });
    expect(await att(1, 3, 7)).toEqual({ allowed: false, reason: 'BELOW_LOWEST_SIGNED' });
    await db.close();
  });

  it('checks and records a batch of attestations in one transaction, each against the ones before', async () => {
    const db = await createSlashingProtection({ path: freshPath(), genesisValidatorsRoot: gvr });
    const results = await db.checkAndRecordAttestations([
      { pubkey: key(1), sourceEpoch: 1, targetEpoch: 2, signingRoot: root(1) },
      { pubkey: key(2), sourceEpoch: 1, targetEpoch: 2, signingRoot: root(1) },
      { pubkey: key(1), sourceEpoch: 1, targetEpoch: 2, signingRoot: root(9) },
    ]);
    expect(results).toEqual([
      { allowed: true, repeat: false },
      { allowed: true, repeat: false },
      { allowed: false, reason: 'DOUBLE_VOTE' },
    ]);
    const exported = await db.exportInterchange([key(2)]);
    expect(exported.data).toHaveLength(1);
    expect(exported.data[0]?.signed_attestations).toEqual([
      { source_epoch: '1', target_epoch: '2', signing_root: `0x${'01'.repeat(32)}` },
    ]);
    await db.close();
  });

  it('keeps a recorded block across close and reopen of the file', async () => {
    const path = freshPath();
    const first = await createSlashingProtection({ path, genesisValidatorsRoot: gvr });
    expect((await first.checkAndRecordBlock({ pubkey: key(1), slot: 5, signingRoot: root(1) })).allowed).toBe(
      true,
    );
    await first.close();
    const again = new SlashingProtection({ path, genesisValidatorsRoot: gvr });
    await again.open();
    expect(await again.checkAndRecordBlock({ pubkey: key(1), slot: 5, signingRoot: root(2) })).toEqual({
      allowed: false,
      reason: 'DOUBLE_PROPOSAL',
    });
    await again.close();
  });

  it('keeps a block recorded by a process killed with SIGKILL right after the check resolved', async () => {
    const path = freshPath();
    const module = fileURLToPath(new URL('../src/slashing-protection.ts', import.meta.url));
    const script = `
      const { createSlashingProtection } = await import(${JSON.stringify(module)});
      const db = await createSlashingProtection({ path: ${JSON.stringify(path)}, genesisValidatorsRoot: new Uint8Array(32).fill(7) });
      const r = await db.checkAndRecordBlock({ pubkey: new Uint8Array(48).fill(1), slot: 42, signingRoot: new Uint8Array(32).fill(1) });
      process.stdout.write(r.allowed ? 'allowed\\n' : 'refused\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const said = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8');
      child.stdout.once('data', (d: string) => resolve(d.trim()));
      child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
    });
    expect(said).toBe('allowed');
    const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const db = await createSlashingProtection({ path, genesisValidatorsRoot: gvr });
    expect(await db.checkAndRecordBlock({ pubkey: key(1), slot: 42, signingRoot: root(2) })).toEqual({
      allowed: false,
      reason: 'DOUBLE_PROPOSAL',
    });
    await db.close();
  });

  it('exports an interchange that another database imports with the same protection', async () => {
    const source = await createSlashingProtection({ path: freshPath(), genesisValidatorsRoot: gvr });
    await source.checkAndRecordBlock({ pubkey: key(1), slot: 100, signingRoot: root(1) });
    await source.checkAndRecordAttestation({
      pubkey: key(1),
      sourceEpoch: 3,
      targetEpoch: 4,
      signingRoot: root(2),
    });
    const exported = await source.exportInterchange();
    await source.close();
    expect(exported).toEqual({
      metadata: { interchange_format_version: '5', genesis_validators_root: `0x${'07'.repeat(32)}` },
      data: [
        {
          pubkey: `0x${'01'.repeat(48)}`,
          signed_blocks: [{ slot: '100', signing_root: `0x${'01'.repeat(32)}` }],
          signed_attestations: [
            { source_epoch: '3', target_epoch: '4', signing_root: `0x${'02'.repeat(32)}` },
          ],
        },
      ],
    });
    const target = await createSlashingProtection({ path: freshPath(), genesisValidatorsRoot: gvr });
    await target.importInterchange(JSON.stringify(exported));
    expect(await target.exportInterchange()).toEqual(exported);
    expect(
      (await target.checkAndRecordBlock({ pubkey: key(1), slot: 100, signingRoot: root(1) })).allowed,
    ).toBe(false);
    expect(
      await target.checkAndRecordAttestation({
        pubkey: key(1),
        sourceEpoch: 3,
        targetEpoch: 4,
        signingRoot: root(2),
      }),
    ).toEqual({ allowed: false, reason: 'BELOW_WATERMARK' });
    expect(
      (await target.checkAndRecordBlock({ pubkey: key(1), slot: 101, signingRoot: root(1) })).allowed,
    ).toBe(true);
    await target.close();
  });

  it('throws OperatorError naming the field for malformed input', async () => {
    const db = await createSlashingProtection({ path: freshPath(), genesisValidatorsRoot: gvr });
    const expectError = async (p: Promise<unknown>, code: string, details: Record<string, unknown>) => {
      const error = await p.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isOperatorError(error)).toBe(true);
      if (!isOperatorError(error)) return;
      expect(error.code).toBe(code);
      expect(error.details).toMatchObject(details);
    };
    await expectError(
      db.checkAndRecordBlock({ pubkey: key(1).subarray(1), slot: 1, signingRoot: root(1) }),
      'INVALID_SLASHING_INPUT',
      { field: 'pubkey' },
    );
    await expectError(
      db.checkAndRecordBlock({ pubkey: key(1), slot: -1, signingRoot: root(1) }),
      'INVALID_SLASHING_INPUT',
      { field: 'slot' },
    );
    await expectError(
      db.checkAndRecordAttestations([
        { pubkey: key(1), sourceEpoch: 1, targetEpoch: 2, signingRoot: root(1) },
        { pubkey: key(1), sourceEpoch: 1, targetEpoch: 2, signingRoot: new Uint8Array(31) },
      ]),
      'INVALID_SLASHING_INPUT',
      { field: 'requests[1].signingRoot' },
    );
    const good = await db.exportInterchange();
    await expectError(
      db.importInterchange({
        ...good,
        metadata: { ...good.metadata, genesis_validators_root: `0x${'00'.repeat(32)}` },
      }),
      'GENESIS_VALIDATORS_ROOT_MISMATCH',
      { source: 'interchange' },
    );
    await expectError(db.importInterchange('{'), 'INVALID_INTERCHANGE', { field: '(document)' });
    await expectError(
      db.importInterchange({ ...good, metadata: { ...good.metadata, interchange_format_version: '4' } }),
      'INVALID_INTERCHANGE',
      { field: 'metadata.interchange_format_version' },
    );
    await expectError(
      db.importInterchange({
        ...good,
        data: [{ pubkey: `0x${'01'.repeat(48)}`, signed_blocks: [{ slot: '1x' }], signed_attestations: [] }],
      }),
      'INVALID_INTERCHANGE',
      { field: 'data[0].signed_blocks[0].slot' },
    );
    // A rejected import changes nothing.
    expect((await db.exportInterchange()).data).toEqual([]);
    await db.close();
    await expectError(db.exportInterchange(), 'SLASHING_DB_CLOSED', {});
  });

  it('wraps a file that cannot be opened as SLASHING_DB_FAILED with the cause', async () => {
    const error = await createSlashingProtection({
      path: join(dir, 'no-such-folder', 'db.sqlite'),
      genesisValidatorsRoot: gvr,
    }).catch((e: unknown) => e);
    expect(isOperatorError(error, 'SLASHING_DB_FAILED') && error.details.operation).toBe('open');
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('refuses to open a file made for another genesis_validators_root', async () => {
    const path = freshPath();
    await (await createSlashingProtection({ path, genesisValidatorsRoot: gvr })).close();
    const error = await createSlashingProtection({ path, genesisValidatorsRoot: root(8) }).catch(
      (e: unknown) => e,
    );
    expect(isOperatorError(error, 'GENESIS_VALIDATORS_ROOT_MISMATCH') && error.details.source).toBe(
      'database',
    );
  });
});
