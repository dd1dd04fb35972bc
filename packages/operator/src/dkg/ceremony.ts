// A DKG ceremony over the operator network, for one operator of the ceremony file:
//
//   connect  every operator sends a hello (ceremony-file digest, a fresh X25519 key for this
//            ceremony) to every other, again every 2 s to those not heard from (./hello.ts); all
//            must arrive with the same digest
//   DKG      a @diva-dvt/dkg member (deal, complain, justify, finish) with the X25519 keys of the
//            hellos; the ceremony id hashes the digest and those keys, so each attempt is new
//   deposit  each member signs every validator's deposit message with its share and sends the
//            partials; any t valid ones combine into the group signature (the same for everyone)
//   write    share keystores, cluster file and deposit data, in one rename (./outputs.ts)
//
// A member missing at connect, a dealer not qualified, or fewer than t deposit partials end the
// ceremony with `DKG_CEREMONY_FAILED` naming the operators, nothing written; a retry is a new attempt.
// One gone only by the deposit stage (t < n) does not stop it: `missingDepositSigners` names it.
import { randomBytes } from 'node:crypto';
import { type Bls, createBls } from '@diva-dvt/bls-threshold';
import { createEncryptionKeyPair, type DkgResult } from '@diva-dvt/dkg';
import type { KeystoreKdf } from '../keys/keystore.ts';
import type { P2pNetwork } from '../p2p/types.ts';
import {
  type CeremonyFile,
  ceremonyDkgConfig,
  ceremonyFileDigest,
  ceremonyRole,
  parseCeremonyFile,
} from './ceremony-file.ts';
import {
  combineDeposits,
  type DepositPartials,
  depositSigningRoots,
  signDepositPartials,
} from './deposits.ts';
import { encodeDeposit } from './frames.ts';
import { createHelloExchange } from './hello.ts';
import { ceremonyFailure, createDkgMemberDriver } from './member-driver.ts';
import {
  type CeremonyOutputs,
  checkOutDirFree,
  removeStaleStaging,
  writeCeremonyOutputs,
} from './outputs.ts';

export type DkgCeremonyStage =
  | 'connect'
  | 'deal'
  | 'complain'
  | 'justify'
  | 'finish'
  | 'deposit'
  | 'write'
  | 'done';

/** Progress for a display: the stage, and how many of the expected messages arrived. */
export interface DkgCeremonyProgress {
  readonly stage: DkgCeremonyStage;
  readonly received: number;
  readonly expected: number;
}

export interface RunDkgCeremonyParameters {
  /** This operator's secp256k1 identity key (32 bytes): it signs DKG messages; the network's key. */
  readonly identityKey: Uint8Array;
  /** The ceremony file's text (parsed and checked here) or the parsed file. */
  readonly ceremony: string | CeremonyFile;
  /** Named in errors about the ceremony file. */
  readonly ceremonyFileName?: string;
  /** Started by the caller, with the identity key; its peers are set here. Not stopped here. */
  readonly network: P2pNetwork;
  /**
   * The owner of the ceremony's operators in the network's peer set (default `'dkg'`): they are
   * added beside the peers other owners set (a running node's committees) and left in place at the
   * end, for the caller to remove (`setPeers([], { owner })`) once nothing more is exchanged.
   */
  readonly peerOwner?: string;
  /** Absent or empty; receives the outputs in one rename. */
  readonly outDir: string;
  /** The share keystores' password. */
  readonly password: string;
  /** Default `production`. */
  readonly kdf?: KeystoreKdf;
  /** How long to wait for every operator's hello (default 120 s). */
  readonly connectTimeoutMs?: number;
  /** Deadline of each DKG phase and of the deposit signatures (default 30 s). */
  readonly phaseTimeoutMs?: number;
  /** After writing, how long to wait for the others' deposit partials before returning (default 3 s). */
  readonly lingerMs?: number;
  readonly onProgress?: (progress: DkgCeremonyProgress) => void;
  /** Default noble; the runtime's blst-backed one is faster. */
  readonly bls?: Bls;
  /** Unix time named in deposit_data-<time>.json (default now). */
  readonly nowSec?: number;
}

export interface DkgCeremonyResult extends CeremonyOutputs {
  /** This operator's 1-based share index. */
  readonly shareIndex: number;
  readonly groupPublicKeys: readonly Uint8Array[];
  readonly transcriptHash: Uint8Array;
  /** Operators whose deposit signature shares had not arrived by the end (t < n: they were not needed). */
  readonly missingDepositSigners: readonly string[];
}

const fail = (stage: DkgCeremonyStage, reason: string, culprits?: Iterable<string>) =>
  ceremonyFailure(stage, reason, culprits);

/**
 * Runs this operator's part of the ceremony (see the file comment) and writes its outputs. Errors:
 * `INVALID_INPUT_FILE` (ceremony file), `INVALID_OPTION` (identity not in the ceremony or not the
 * network's), `FILE_EXISTS` (outDir not empty), `DKG_CEREMONY_FAILED` (names the culprits),
 * `FILE_ACCESS_FAILED`.
 */
export async function runDkgCeremony(parameters: RunDkgCeremonyParameters): Promise<DkgCeremonyResult> {
  const ceremony =
    typeof parameters.ceremony === 'string'
      ? parseCeremonyFile(parameters.ceremony, parameters.ceremonyFileName)
      : parameters.ceremony;
  const { network, identityKey } = parameters;
  const { self, position } = ceremonyRole(ceremony, identityKey, network.address);
  await checkOutDirFree(parameters.outDir);
  await removeStaleStaging(parameters.outDir);
  const bls = parameters.bls ?? createBls();
  const phaseMs = parameters.phaseTimeoutMs ?? 30_000;
  const progress = parameters.onProgress ?? (() => undefined);
  const n = ceremony.operators.length;
  const t = ceremony.threshold;
  const others = ceremony.operators.filter((o) => o.address !== self);
  const digest = ceremonyFileDigest(ceremony);
  const encryption = createEncryptionKeyPair((size) => new Uint8Array(randomBytes(size)));

  const driver = createDkgMemberDriver({
    network,
    self,
    others,
    senders: () => ceremony.operators,
    threshold: t,
    phaseTimeoutMs: phaseMs,
    onProgress: progress,
    onFrame: (from, frame) => {
      if (frame.type === 'hello') {
        const outcome = hello.receive(from, frame);
        // A peer restarted mid-ceremony: this attempt cannot use its new key (and it lost its state).
        if (outcome === 'restarted') driver.culprits.add(from);
        if (outcome !== 'joined') return;
        progress({ stage: 'connect', received: hellos.size, expected: n });
        if (hellos.size === n) onHelloComplete?.();
      } else if (frame.type === 'deposit') {
        deposits.set(from, frame);
        onDeposit?.();
      }
    },
  });
  const after = driver.after;

  // connect: hellos (./hello.ts); a new key once the member exists means the peer restarted
  const hello = createHelloExchange({
    network,
    digest,
    self,
    encryptionKey: encryption.publicKey,
    peers: others.map((o) => o.address),
    keyInUse: () => driver.started(),
  });
  const hellos = hello.keys;
  let onHelloComplete: (() => void) | undefined;

  // deposit partials: buffered until this member has its result
  const deposits = new Map<
    string,
    { transcriptHash: Uint8Array; shareIndex: number; signatures: readonly Uint8Array[] }
  >();
  let onDeposit: (() => void) | undefined;

  try {
    network.setPeers(others, { owner: parameters.peerOwner ?? 'dkg' });
    // connect
    progress({ stage: 'connect', received: 1, expected: n });
    hello.start();
    const connectMs = parameters.connectTimeoutMs ?? 120_000;
    await new Promise<void>((resolve, reject) => {
      if (hellos.size === n) return resolve();
      onHelloComplete = resolve;
      after(connectMs, () => {
        const missing = others.filter((o) => !hellos.has(o.address)).map((o) => o.address);
        const odd = [...hello.mismatched];
        const reason = `${missing.length} of ${n} operators did not join within ${connectMs} ms${odd.length > 0 ? ` (${odd.join(', ')} hold a different ceremony file)` : ''}`;
        reject(fail('connect', reason, missing));
      });
    });
    hello.stopRepeating();
    // DKG
    const encryptionKeys = ceremony.operators.map((o) => hellos.get(o.address)!);
    const result = await driver.run({
      config: ceremonyDkgConfig(ceremony, digest, encryptionKeys),
      identityKey,
      encryptionSecretKey: encryption.secretKey,
      signers: ceremony.operators,
    });
    const notQualified = ceremony.operators
      .filter((_, i) => !result.qualified.includes(i + 1))
      .map((o) => o.address);
    if (notQualified.length > 0) {
      throw fail(
        'finish',
        `${notQualified.length} dealers were disqualified; every operator must deal`,
        notQualified,
      );
    }
    if (result.shareIndex !== position + 1 || result.validators.some((v) => v.secretShare === undefined)) {
      throw fail('finish', 'this operator holds no valid share of every validator', driver.culprits);
    }
    // deposit
    const depositSignatures = await signDeposits(result);
    // write
    progress({ stage: 'write', received: 0, expected: ceremony.validatorCount });
    const outputs = await writeCeremonyOutputs({
      outDir: parameters.outDir,
      ceremony,
      result,
      depositSignatures,
      password: parameters.password,
      kdf: parameters.kdf ?? 'production',
      bls,
      nowSec: parameters.nowSec ?? Math.floor(Date.now() / 1000),
    });
    // Stay a moment for those still waiting on our partials (the caller stops the network after us).
    await new Promise<void>((resolve) => {
      if (deposits.size >= n - 1) return resolve();
      onDeposit = () => deposits.size >= n - 1 && resolve();
      after(parameters.lingerMs ?? 3000, resolve);
    });
    progress({ stage: 'done', received: n, expected: n });
    return {
      ...outputs,
      shareIndex: position + 1,
      groupPublicKeys: result.validators.map((v) => v.groupPublicKey.bytes),
      transcriptHash: result.transcriptHash,
      missingDepositSigners: others.filter((o) => !deposits.has(o.address)).map((o) => o.address),
    };
  } finally {
    driver.close();
    hello.stopRepeating();
  }

  /** Sends this member's deposit partials and waits for t usable ones per validator (./deposits.ts). */
  async function signDeposits(result: DkgResult): Promise<Uint8Array[]> {
    const roots = depositSigningRoots(ceremony, result);
    const own = signDepositPartials(bls, result, roots);
    for (const o of others) network.send(o.address, encodeDeposit(result.transcriptHash, position + 1, own));
    const received = new Map<string, DepositPartials>([
      [self, { transcriptHash: result.transcriptHash, shareIndex: position + 1, signatures: own }],
    ]);
    const faulty = new Set<string>();
    const operators = ceremony.operators.map((o) => o.address);
    let usable = 1;
    const attempt = (): Uint8Array[] | undefined => {
      for (const [from, d] of deposits) received.set(from, d);
      const combined = combineDeposits({ bls, result, roots, operators, received, faulty });
      usable = combined.usable;
      progress({ stage: 'deposit', received: usable, expected: t });
      return combined.signatures;
    };
    const signatures = await new Promise<Uint8Array[]>((resolve, reject) => {
      const done = attempt();
      if (done !== undefined) return resolve(done);
      onDeposit = () => {
        const now = attempt();
        if (now !== undefined) resolve(now);
      };
      after(phaseMs, () => {
        const silent = others.filter((o) => !deposits.has(o.address)).map((o) => o.address);
        reject(
          fail('deposit', `${usable} valid deposit signature shares, need ${t}`, [...silent, ...faulty]),
        );
      });
    });
    onDeposit = undefined;
    return signatures;
  }
}
