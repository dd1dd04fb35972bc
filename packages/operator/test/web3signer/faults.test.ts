// The 400 and 404 answers of POST /api/v1/eth2/sign/{pubkey} over loopback: a signingRoot that
// differs from the recomputed one, a path that is not a key, an unknown key, and malformed bodies,
// each message naming the JSON field at fault; nothing is signed.
import { ssz } from '@diva-dvt/beacon-api/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORK_INFO_JSON, hex, newSecretKey, type Signer, startSigner } from './helpers.ts';

let s: Signer;
let pubkey: string;
beforeAll(async () => {
  s = await startSigner({ keyCount: 1 });
  pubkey = hex((s.keys[0] as ReturnType<typeof newSecretKey>).toPublicKey().bytes);
});
afterAll(() => s.close());

const attestation = (slot: number, source: number, target: number) => {
  const data = ssz.phase0.AttestationData.defaultValue();
  data.slot = slot;
  data.source = { epoch: source, root: new Uint8Array(32).fill(2) };
  data.target = { epoch: target, root: new Uint8Array(32).fill(3) };
  return data;
};

describe('Web3Signer sign API faults', () => {
  it('answers 400 naming signingRoot when the supplied root differs from the recomputed one', async () => {
    const before = s.backend.signedCount;
    const res = await s.post(pubkey, {
      type: 'RANDAO_REVEAL',
      fork_info: FORK_INFO_JSON,
      randao_reveal: { epoch: '20' },
      signingRoot: hex(new Uint8Array(32).fill(1)),
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).message).toMatch(
      /signingRoot: .* differs from the root computed from the request/,
    );
    expect(s.backend.signedCount).toBe(before);
  });

  it('answers 400 for a path that is not a public key', async () => {
    for (const bad of ['0x1234', '%E0%A4%A', `${pubkey}00`]) {
      const res = await s.post(bad, {
        type: 'RANDAO_REVEAL',
        fork_info: FORK_INFO_JSON,
        randao_reveal: { epoch: '20' },
      });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).message).toMatch(/invalid public key in the path/);
    }
  });

  it('answers 404 for a key it does not hold', async () => {
    const res = await s.post(hex(newSecretKey().toPublicKey().bytes), {
      type: 'RANDAO_REVEAL',
      fork_info: FORK_INFO_JSON,
      randao_reveal: { epoch: '20' },
    });
    expect(res.status).toBe(404);
  });

  it.each([
    [{ type: 'NOPE' }, /at type: expected one of/],
    [{ type: 'ATTESTATION', attestation: {} }, /at fork_info: required for ATTESTATION/],
    [{ type: 'RANDAO_REVEAL', fork_info: FORK_INFO_JSON }, /at randao_reveal: missing/],
    [
      { type: 'RANDAO_REVEAL', fork_info: FORK_INFO_JSON, randao_reveal: { epoch: '12abc' } },
      /at randao_reveal.epoch: /,
    ],
    [
      {
        type: 'ATTESTATION',
        fork_info: FORK_INFO_JSON,
        attestation: {
          ...(ssz.phase0.AttestationData.toJson(attestation(1, 0, 0)) as object),
          beacon_block_root: '0x12',
        },
      },
      /at attestation.beacon_block_root: /,
    ],
    [
      {
        type: 'ATTESTATION',
        fork_info: { ...FORK_INFO_JSON, fork: { ...FORK_INFO_JSON.fork, current_version: '0x0500000z' } },
        attestation: {},
      },
      /at fork_info.fork.current_version: /,
    ],
    [
      { type: 'BLOCK_V2', fork_info: FORK_INFO_JSON, beacon_block: { version: 'DENEB', block: {} } },
      /at beacon_block.block_header: missing/,
    ],
    [
      { type: 'BLOCK_V2', fork_info: FORK_INFO_JSON, beacon_block: { version: 'CANCUN' } },
      /at beacon_block.version: unknown fork/,
    ],
    [
      {
        type: 'SYNC_COMMITTEE_SELECTION_PROOF',
        fork_info: FORK_INFO_JSON,
        sync_aggregator_selection_data: { slot: '1', subcommittee_index: '4' },
      },
      /at sync_aggregator_selection_data.subcommittee_index: must be below 4/,
    ],
    [
      {
        type: 'RANDAO_REVEAL',
        fork_info: { ...FORK_INFO_JSON, genesis_validators_root: hex(new Uint8Array(32)) },
        randao_reveal: { epoch: '1' },
      },
      /at fork_info.genesis_validators_root: .* is not this signer's chain/,
    ],
    ['{"type":', /not JSON/],
  ])('answers 400 naming the field of a malformed body (%#)', async (body, message) => {
    const res = await s.post(pubkey, body);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).message).toMatch(message);
  });
});
