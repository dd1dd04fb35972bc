// The verifying signer: Merkle proofs of `execution_payload.fee_recipient` (as Nimbus sends with
// --proven-block-property) made with @chainsafe/ssz's tree (@chainsafe/persistent-merkle-tree's
// single proofs), checked against the block header's body_root, alone and over HTTP.
import { type Fork, ssz, sszTypesFor } from '@diva-dvt/beacon-api/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFeeRecipientProof, feeRecipientGindex, isValidMerkleBranch } from '../../src/index.ts';
import { FORK_INFO_JSON, hex, newSecretKey, type Signer, startSigner } from './helpers.ts';

const PAID = new Uint8Array(20).fill(0xaa);
const OTHER = new Uint8Array(20).fill(0xbb);
const POST_MERGE: readonly Fork[] = ['bellatrix', 'capella', 'deneb', 'electra', 'fulu'];

// biome-ignore lint/suspicious/noExplicitAny: fork-dependent SSZ types share no useful supertype
const bodyType = (fork: Fork, blinded = false): any =>
  (sszTypesFor(fork as never) as unknown as Record<string, unknown>)[
    blinded ? 'BlindedBeaconBlockBody' : 'BeaconBlockBody'
  ];

/** A block body of `fork` paying `feeRecipient`, its root, and the proof ssz's tree makes for the field. */
function provenBody(fork: Fork, feeRecipient: Uint8Array, blinded = false) {
  const type = bodyType(fork, blinded);
  const body = type.defaultValue();
  const payloadField = blinded ? 'executionPayloadHeader' : 'executionPayload';
  body[payloadField].feeRecipient = feeRecipient;
  body.graffiti = new Uint8Array(32).fill(3);
  const gindex: bigint = type.getPathInfo([payloadField, 'feeRecipient']).gindex;
  const proof: Uint8Array[] = type.toView(body).tree.getSingleProof(gindex);
  return { bodyRoot: type.hashTreeRoot(body) as Uint8Array, gindex, proof };
}

describe('fee-recipient proofs', () => {
  it('uses the generalized index ssz gives for body.execution_payload.fee_recipient of each fork', () => {
    for (const fork of POST_MERGE) {
      const expected = bodyType(fork).getPathInfo(['executionPayload', 'feeRecipient']).gindex;
      expect(feeRecipientGindex(fork)).toBe(expected);
      expect(bodyType(fork, true).getPathInfo(['executionPayloadHeader', 'feeRecipient']).gindex).toBe(
        expected,
      );
    }
    expect(feeRecipientGindex('deneb')).toBe(801n);
    expect(feeRecipientGindex('capella')).toBe(401n);
    expect(feeRecipientGindex('altair')).toBeUndefined();
  });

  it.each(POST_MERGE.flatMap((f) => [[f, false] as const, [f, true] as const]))(
    'accepts the right fee recipient of a %s block (blinded: %s), refuses another and a corrupt proof',
    (fork, blinded) => {
      const { bodyRoot, gindex, proof } = provenBody(fork, PAID, blinded);
      const leaf = ssz.ExecutionAddress.hashTreeRoot(PAID);
      expect(isValidMerkleBranch(leaf, proof, gindex, bodyRoot)).toBe(true);
      const proofs = [{ index: gindex, proof }];
      expect(checkFeeRecipientProof(fork, bodyRoot, proofs, PAID)).toBeUndefined();
      expect(checkFeeRecipientProof(fork, bodyRoot, proofs, OTHER)?.reason).toMatch(
        /does not prove fee recipient/,
      );
      const corrupt = proof.map((p, i) => (i === 3 ? Uint8Array.from(p, (b) => b ^ 1) : p));
      expect(checkFeeRecipientProof(fork, bodyRoot, [{ index: gindex, proof: corrupt }], PAID)?.field).toBe(
        'proofs[0]',
      );
      expect(
        checkFeeRecipientProof(fork, bodyRoot, [{ index: gindex, proof: proof.slice(1) }], PAID),
      ).toBeDefined();
      expect(checkFeeRecipientProof(fork, bodyRoot, [], PAID)?.field).toBe('proofs');
    },
  );

  it('refuses a proof of the fee recipient of another block', () => {
    const paying = provenBody('deneb', PAID);
    const other = provenBody('deneb', OTHER);
    expect(
      checkFeeRecipientProof('deneb', other.bodyRoot, [{ index: paying.gindex, proof: paying.proof }], PAID),
    ).toBeDefined();
  });
});

describe('verifying Web3Signer over HTTP', () => {
  const checkedKey = newSecretKey();
  const uncheckedKey = newSecretKey();
  const checked = hex(checkedKey.toPublicKey().bytes);
  const unchecked = hex(uncheckedKey.toPublicKey().bytes);
  let s: Signer;
  beforeAll(async () => {
    s = await startSigner({
      keys: [checkedKey, uncheckedKey],
      feeRecipients: { byPublicKey: new Map([[checked, PAID]]) },
    });
  });
  afterAll(() => s.close());

  /** A deneb BLOCK_V2 request whose body pays `feeRecipient`, with the proof of `proofOf`'s body. */
  function blockRequest(slot: number, feeRecipient: Uint8Array) {
    const built = provenBody('deneb', feeRecipient);
    return {
      type: 'BLOCK_V2',
      fork_info: FORK_INFO_JSON,
      beacon_block: {
        version: 'DENEB',
        block_header: {
          slot: String(slot),
          proposer_index: '9',
          parent_root: hex(new Uint8Array(32)),
          state_root: hex(new Uint8Array(32)),
          body_root: hex(built.bodyRoot),
        },
      },
      // Nimbus sends the generalized index as a decimal string and the branch as 0x-hex roots.
      proofs: [{ index: String(built.gindex), proof: built.proof.map(hex) }],
    };
  }

  it('signs a block proven to pay the configured fee recipient', async () => {
    const res = await s.post(checked, blockRequest(800, PAID));
    expect(res.status).toBe(200);
  });

  it("refuses (400, as Nimbus's signing node) a block paying another, a bad proof and a missing one; signs none", async () => {
    const before = s.backend.signedCount;
    const wrong = await s.post(checked, blockRequest(801, OTHER));
    expect(wrong.status).toBe(400);
    expect(JSON.parse(wrong.text).message).toMatch(/at proofs\[0\]: does not prove fee recipient 0xaaaa/);
    const bad = blockRequest(802, PAID);
    (bad.proofs[0] as { proof: string[] }).proof[2] = hex(new Uint8Array(32).fill(1));
    expect((await s.post(checked, bad)).status).toBe(400);
    const missing: Record<string, unknown> = { ...blockRequest(803, PAID) };
    delete missing.proofs;
    const res = await s.post(checked, missing);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).message).toMatch(/at proofs: no proof of execution_payload.fee_recipient/);
    expect(s.backend.signedCount).toBe(before);
  });

  it('refuses (400) a pre-bellatrix block of a key with a fee recipient: nothing to prove', async () => {
    const block = ssz.altair.BeaconBlock.defaultValue();
    block.slot = 805;
    const res = await s.post(checked, {
      type: 'BLOCK_V2',
      fork_info: FORK_INFO_JSON,
      beacon_block: { version: 'ALTAIR', block: ssz.altair.BeaconBlock.toJson(block) },
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).message).toMatch(
      /at beacon_block.version: a altair block has no fee recipient/,
    );
  });

  it('signs the blocks of a key without a configured fee recipient unchecked', async () => {
    const res = await s.post(unchecked, blockRequest(804, OTHER));
    expect(res.status).toBe(200);
  });
});
