// What the server makes of a backend's answers, for backends other than the local one (the
// operator runtime's committee backend will refuse with VALUE_DIFFERS or UNAVAILABLE): a second
// implementation of `Web3SignerBackend` in front of the real local backend, over loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Web3SignerRefusal, Web3SignerSignRequest } from '../../src/index.ts';
import { FORK_INFO_JSON, hex, type newSecretKey, type Signer, startSigner } from './helpers.ts';

const refusals: Record<string, Web3SignerRefusal | 'throw'> = {
  '21': { reason: 'VALUE_DIFFERS', detail: 'decided head 0x01' },
  '22': { reason: 'UNAVAILABLE', detail: 'no committee decision by the deadline' },
  '23': { reason: 'UNKNOWN_KEY' },
  '24': 'throw',
};

let s: Signer;
const seen: Web3SignerSignRequest[] = [];
beforeAll(async () => {
  s = await startSigner({
    keyCount: 1,
    wrap: (local) => ({
      publicKeys: () => local.publicKeys(),
      reload: () => local.reload(),
      async sign(request) {
        seen.push(request);
        const r = request.request;
        const refusal = r.type === 'RANDAO_REVEAL' ? refusals[String(r.epoch)] : undefined;
        if (refusal === 'throw') throw new Error('backend exploded at /secret/path');
        if (refusal !== undefined) return { ok: false, refusal };
        return local.sign(request);
      },
    }),
  });
});
afterAll(() => s.close());

const randao = (epoch: number) => ({
  type: 'RANDAO_REVEAL',
  fork_info: FORK_INFO_JSON,
  randao_reveal: { epoch: String(epoch) },
});

describe('backend refusals', () => {
  it('hands the backend the typed request, the URL key and the recomputed signing root', async () => {
    const pubkey = hex((s.keys[0] as ReturnType<typeof newSecretKey>).toPublicKey().bytes);
    expect((await s.post(pubkey.toUpperCase().replace('0X', '0x'), randao(20))).status).toBe(200);
    const last = seen.at(-1);
    expect(last?.pubkeyHex).toBe(pubkey);
    expect(last?.request).toMatchObject({ type: 'RANDAO_REVEAL', epoch: 20 });
    expect(last?.signingRoot).toHaveLength(32);
  });

  it.each([
    [21, 412, /the committee decided another value \(decided head 0x01\)/],
    [22, 503, /cannot sign now: no committee decision/],
    [23, 404, /not found/],
    [24, 500, /^internal error/],
  ])('epoch %i: answers %i', async (epoch, status, message) => {
    const pubkey = hex((s.keys[0] as ReturnType<typeof newSecretKey>).toPublicKey().bytes);
    const res = await s.post(pubkey, randao(epoch), 'text/plain');
    expect(res.status).toBe(status);
    expect(res.type).toMatch(/^text\/plain/);
    expect(res.text).toMatch(message);
    expect(res.text).not.toContain('/secret/path');
  });
});
