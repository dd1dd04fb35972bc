// The key-management side of the Web3Signer API over loopback: publicKeys, upcheck, healthcheck,
// and POST /reload picking up keystores added to and removed from the directory without a restart
// (202, 409 while one runs, GET /reload for the outcome).
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Web3SignerReloadStatus } from '../../src/index.ts';
import { FORK_INFO_JSON, hex, newSecretKey, type Signer, startSigner, writeKeystore } from './helpers.ts';

let s: Signer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const randao = { type: 'RANDAO_REVEAL', fork_info: FORK_INFO_JSON, randao_reveal: { epoch: '20' } };

/**
 * Waits for the reload a POST started (`reload()` joins a running one; run again after it ended,
 * it finds the same directory), then reads its outcome from GET /reload.
 */
async function settled(signer: Signer): Promise<Web3SignerReloadStatus> {
  await signer.server.reload();
  return JSON.parse((await signer.get('/reload')).text) as Web3SignerReloadStatus;
}

describe('Web3Signer key endpoints', () => {
  it('lists its public keys and answers upcheck and healthcheck', async () => {
    s = await startSigner({ keyCount: 2 });
    const keys = JSON.parse((await s.get('/api/v1/eth2/publicKeys')).text) as string[];
    expect(keys.sort()).toEqual(s.keys.map((k) => hex(k.toPublicKey().bytes)).sort());
    expect(await s.get('/upcheck', 'text/plain')).toMatchObject({ status: 200, text: 'OK' });
    expect(JSON.parse((await s.get('/upcheck')).text)).toEqual({ status: 'OK' });
    const bare = await fetch(`${s.server.url}/upcheck`, { headers: { 'content-type': 'application/json' } });
    expect(await bare.json()).toEqual({ status: 'OK' }); // Lodestar 1.5's upcheck parses JSON
    const health = await s.get('/healthcheck');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text)).toMatchObject({
      status: 'UP',
      checks: [{ id: 'keys-check', status: 'UP', data: { keysLoaded: 2, errorCount: 0 } }],
    });
  });

  it('picks up a keystore added to the directory on POST /reload, and drops a removed one', async () => {
    s = await startSigner({ keyCount: 1 });
    const added = newSecretKey();
    const addedHex = hex(added.toPublicKey().bytes);
    expect((await s.post(addedHex, randao)).status).toBe(404);
    await writeKeystore(s.keystoresDir, 'keystore-added.json', added);
    const res = await fetch(`${s.server.url}/reload`, { method: 'POST' });
    expect(res.status).toBe(202);
    const status = await settled(s);
    expect(status).toMatchObject({ status: 'completed', report: { keyCount: 2, errors: [] } });
    expect(JSON.parse((await s.get('/api/v1/eth2/publicKeys')).text)).toContain(addedHex);
    expect((await s.post(addedHex, randao)).status).toBe(200);

    // The same file rewritten with another key: the old key goes, the new one comes.
    const replaced = newSecretKey();
    await writeKeystore(s.keystoresDir, 'keystore-added.json', replaced);
    await fetch(`${s.server.url}/reload`, { method: 'POST' });
    expect((await settled(s)).report?.keyCount).toBe(2);
    expect((await s.post(addedHex, randao)).status).toBe(404);
    expect((await s.post(hex(replaced.toPublicKey().bytes), randao)).status).toBe(200);

    rmSync(join(s.keystoresDir, 'keystore-added.json'));
    await fetch(`${s.server.url}/reload`, { method: 'POST' });
    expect((await settled(s)).report?.keyCount).toBe(1);
    expect((await s.post(addedHex, randao)).status).toBe(404);
  });

  it('answers 409 to POST /reload while a reload runs', async () => {
    let release: () => void = () => {};
    let gate: Promise<void> = Promise.resolve();
    // The local backend behind a reload that waits for the test: the second POST arrives mid-reload.
    s = await startSigner({
      keyCount: 1,
      wrap: (local) => ({
        publicKeys: () => local.publicKeys(),
        sign: (r) => local.sign(r),
        reload: async () => {
          await gate;
          return local.reload();
        },
      }),
    });
    gate = new Promise((resolve) => {
      release = resolve;
    });
    expect((await fetch(`${s.server.url}/reload`, { method: 'POST' })).status).toBe(202);
    expect(JSON.parse((await s.get('/reload')).text).status).toBe('running');
    expect((await fetch(`${s.server.url}/reload`, { method: 'POST' })).status).toBe(409);
    release();
    expect((await settled(s)).status).toBe('completed');
    expect((await fetch(`${s.server.url}/reload`, { method: 'POST' })).status).toBe(202);
    await settled(s);
  });

  it('reports a keystore that does not load (healthcheck 503) and keeps signing with the others', async () => {
    s = await startSigner({ keyCount: 1 });
    writeFileSync(join(s.keystoresDir, 'broken.json'), '{"not":"a keystore"}');
    await writeKeystore(s.keystoresDir, 'wrong-password.json', newSecretKey(), 'another password');
    await fetch(`${s.server.url}/reload`, { method: 'POST' });
    const status = await settled(s);
    expect(status.report?.keyCount).toBe(1);
    expect(status.report?.errors.map((e) => e.file.split('/').pop()).sort()).toEqual([
      'broken.json',
      'wrong-password.json',
    ]);
    expect(JSON.stringify(status)).not.toContain('another password');
    const health = await s.get('/healthcheck');
    expect(health.status).toBe(503);
    expect(JSON.parse(health.text).checks[0].data.errorCount).toBe(2);
    expect(
      (await s.post(hex((s.keys[0] as ReturnType<typeof newSecretKey>).toPublicKey().bytes), randao)).status,
    ).toBe(200);
  });
});
