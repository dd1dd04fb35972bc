// What a devnet run does with its data directory (./src/devnet/resume.ts): a new network in an empty
// one, the network a clean stop left to resume (its shape from devnet.json), a clear refusal of
// anything else. The resumed network itself runs in test/e2e/devnet-contracts.test.ts.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDevnetArguments } from '../src/devnet/options.ts';
import { type DevnetManifest, planDataDir, readManifest, writeManifest } from '../src/devnet/resume.ts';
import { isDivaNodeError } from '../src/errors.ts';

const manifest: DevnetManifest = {
  version: 1,
  operators: 5,
  validators: 2,
  committeeSize: 4,
  threshold: 3,
  slotSeconds: 4,
  basePort: 40_000,
  anvilPort: 40_100,
  emulator: '0x00000000000000000000000000000000000000e1',
  genesisTimeSec: 1_800_000_000,
  runs: 1,
  stoppedCleanly: true,
};

async function dataDir(m?: unknown): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'diva-devnet-plan-')), 'net');
  await mkdir(dir, { recursive: true });
  if (typeof m === 'string') await writeFile(join(dir, 'devnet.json'), m);
  else if (m !== undefined) await writeManifest(dir, m as DevnetManifest);
  return dir;
}

const options = (dir: string, ...flags: string[]) => parseDevnetArguments(['--data-dir', dir, ...flags])!;

async function refusal(dir: string, ...flags: string[]) {
  const err = await planDataDir(options(dir, ...flags)).catch((e: unknown) => e);
  if (!isDivaNodeError(err, 'INVALID_ARGUMENTS')) throw new Error(`expected a refusal, got ${String(err)}`);
  return err.details;
}

describe('a devnet data directory', () => {
  it('absent or empty: a new network with the flags given', async () => {
    const dir = await dataDir();
    const plan = await planDataDir(options(dir, '--operators', '7'));
    expect(plan.resume).toBeUndefined();
    expect(plan.options.operators).toBe(7);
    const absent = await planDataDir(options(join(dir, 'not-yet')));
    expect(absent.resume).toBeUndefined();
  });

  it('stopped cleanly: resumed with the shape it was created with', async () => {
    const dir = await dataDir(manifest);
    const plan = await planDataDir(options(dir, '--epochs', '20', '--port', '0'));
    expect(plan.resume).toEqual(manifest);
    expect(plan.options).toMatchObject({
      operators: 5,
      validators: 2,
      committeeSize: 4,
      threshold: 3,
      slotSeconds: 4,
    });
    expect(plan.options.epochs).toBe(20);
    // a shape flag that agrees is fine
    expect((await planDataDir(options(dir, '--operators', '5'))).resume).toBeDefined();
    expect(await readManifest(dir)).toEqual(manifest);
  });

  it('refuses what cannot be resumed, naming the flag and the way out', async () => {
    const other = await refusal(await dataDir(manifest), '--operators', '20');
    expect(other).toMatchObject({ argument: '--operators' });
    expect(other.reason).toMatch(/has 5 \(pass --fresh to start over with 20\)/);
    const late = await refusal(await dataDir(manifest), '--late-validators', '1');
    expect(late).toMatchObject({ argument: '--late-validators' });
    expect(late.reason).toMatch(/first run/);
    const direct = await refusal(await dataDir(manifest), '--direct');
    expect(direct.argument).toBe('--direct');

    const unclean = await refusal(await dataDir({ ...manifest, stoppedCleanly: false }));
    expect(unclean.argument).toBe('--data-dir');
    expect(unclean.reason).toMatch(/did not stop cleanly.*--fresh/);
    const noChain = await refusal(await dataDir({ ...manifest, genesisTimeSec: undefined }));
    expect(noChain.reason).toMatch(/never reached its beacon chain/);

    const stranger = await dataDir();
    await writeFile(join(stranger, 'notes.txt'), 'mine');
    expect((await refusal(stranger)).reason).toMatch(/not empty and holds no devnet\.json \(pass --fresh/);
    expect((await refusal(await dataDir('{ not json'))).reason).toMatch(/devnet\.json is not JSON/);
    expect((await refusal(await dataDir({ ...manifest, basePort: 'x' }))).reason).toMatch(
      /basePort is not an integer/,
    );
    expect((await refusal(await dataDir({ ...manifest, version: 2 }))).reason).toMatch(
      /version 2, expected 1/,
    );
  });
});
