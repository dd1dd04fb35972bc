/**
 * The default backend: pure TypeScript on @noble/curves (audited, no native code, runs anywhere).
 * Implements the Ethereum POP ciphersuite (`BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_`) as in the
 * consensus specs' BLS section and draft-irtf-cfrg-bls-signature-05.
 */
import {
  asPrepared,
  type BlsBackend,
  checkAggregateInputs,
  type KeyedSignature,
  type PreparedMessage,
  type SignatureSet,
} from './backend.ts';
import { randomBatchScalars } from './batch-scalars.ts';
import {
  G1,
  type G1Point,
  G2,
  type G2Point,
  hashToG2,
  msmG1,
  msmG2,
  NEG_G1_GENERATOR,
  pairingProductIsOne,
} from './curve.ts';
import { BlsError } from './errors.ts';
import { bytesToPrefixedHex, PublicKey, type SecretKey, Signature } from './keys.ts';
import { defaultRandom, type RandomSource } from './random.ts';

export interface NobleBackendOptions {
  /** Source of the batch-verification scalars (default: the platform CSPRNG). */
  readonly random?: RandomSource;
}

/** The point H(m), hashed once per prepared message. */
export function hashedMessage(prepared: PreparedMessage): G2Point {
  if (prepared.cache === undefined) prepared.cache = hashToG2(prepared.message);
  return prepared.cache as G2Point;
}

function coreVerify(pk: G1Point, h: G2Point, sig: G2Point): boolean {
  if (pk.is0() || sig.is0()) return false;
  return pairingProductIsOne([
    { g1: pk, g2: h },
    { g1: NEG_G1_GENERATOR, g2: sig },
  ]);
}

export function createNobleBackend(options: NobleBackendOptions = {}): BlsBackend {
  const random = options.random ?? defaultRandom;

  const backend: BlsBackend = {
    name: 'noble',
    publicKeyFromBytes: (bytes, opts) => PublicKey.fromBytes(bytes, opts),
    signatureFromBytes: (bytes, opts) => Signature.fromBytes(bytes, opts),
    prepareMessage: (message) => ({ message }),

    sign(secretKey: SecretKey, message: Uint8Array): Signature {
      return Signature.fromPoint(hashToG2(message).multiply(secretKey.toScalar()));
    },

    verify(publicKey, message, signature) {
      return coreVerify(publicKey.point, hashedMessage(asPrepared(backend, message)), signature.point);
    },

    aggregatePublicKeys(publicKeys) {
      if (publicKeys.length === 0) throw new BlsError({ code: 'EMPTY_INPUT', field: 'publicKeys' });
      let acc = G1.ZERO;
      for (const pk of publicKeys) acc = acc.add(pk.point);
      return PublicKey.fromPoint(acc);
    },

    aggregateSignatures(signatures) {
      if (signatures.length === 0) throw new BlsError({ code: 'EMPTY_INPUT', field: 'signatures' });
      let acc = G2.ZERO;
      for (const s of signatures) acc = acc.add(s.point);
      return Signature.fromPoint(acc);
    },

    fastAggregateVerify(message, publicKeys, signature) {
      if (publicKeys.length === 0) return false;
      if (publicKeys.some((pk) => pk.point.is0())) return false;
      let agg = G1.ZERO;
      for (const pk of publicKeys) agg = agg.add(pk.point);
      return coreVerify(agg, hashToG2(message), signature.point);
    },

    aggregateVerify(messages, publicKeys, signature) {
      checkAggregateInputs(messages, publicKeys);
      if (publicKeys.length === 0 || signature.point.is0()) return false;
      if (publicKeys.some((pk) => pk.point.is0())) return false;
      const pairs = publicKeys.map((pk, i) => ({ g1: pk.point, g2: hashToG2(messages[i]!) }));
      pairs.push({ g1: NEG_G1_GENERATOR, g2: signature.point });
      return pairingProductIsOne(pairs);
    },

    verifyBatch(sets: readonly SignatureSet[]) {
      if (sets.length === 0) return false;
      if (sets.length === 1) {
        const s = sets[0]!;
        return backend.verify(s.publicKey, s.message, s.signature);
      }
      if (sets.some((s) => s.publicKey.point.is0())) return false;
      const r = randomBatchScalars(sets.length, random);
      // Sets that share a message share one hash and one Miller loop.
      const byMessage = new Map<string, { h: G2Point; keys: G1Point[]; scalars: bigint[] }>();
      for (let i = 0; i < sets.length; i++) {
        const s = sets[i]!;
        const key = bytesToPrefixedHex(s.message);
        let group = byMessage.get(key);
        if (!group) {
          group = { h: hashToG2(s.message), keys: [], scalars: [] };
          byMessage.set(key, group);
        }
        group.keys.push(s.publicKey.point);
        group.scalars.push(r[i]!);
      }
      const pairs = [...byMessage.values()].map((g) => ({
        g1: msmG1(g.keys, g.scalars),
        g2: g.h,
      }));
      const aggSig = msmG2(
        sets.map((s) => s.signature.point),
        r,
      );
      pairs.push({ g1: NEG_G1_GENERATOR, g2: aggSig });
      return pairingProductIsOne(pairs);
    },

    verifySameMessage(message, items: readonly KeyedSignature[]) {
      if (items.length === 0) return false;
      const h = hashedMessage(asPrepared(backend, message));
      if (items.length === 1) return coreVerify(items[0]!.publicKey.point, h, items[0]!.signature.point);
      if (items.some((it) => it.publicKey.point.is0())) return false;
      const r = randomBatchScalars(items.length, random);
      const aggPk = msmG1(
        items.map((it) => it.publicKey.point),
        r,
      );
      const aggSig = msmG2(
        items.map((it) => it.signature.point),
        r,
      );
      return coreVerify(aggPk, h, aggSig);
    },
  };
  return backend;
}
