// A resharing ceremony over the operator network, for one operator of the old or the new committee
// of a resharing ceremony file (./reshare-file.ts): the validators keep their group keys, the new
// committee gets new shares (any t new shares sign; the old shares do not mix with them).
//
//   connect  every participant (old and new members) sends every other a hello (file digest, a
//            fresh X25519 key; ./hello.ts); every new member must join, and at least t_old old
//            members. Once that quorum is in, the others get one phase deadline more, then the
//            ceremony goes on without them (an operator being replaced is often gone for good)
//   DKG      @diva-dvt/dkg resharing: old members deal their shares (the constant term of each
//            dealing must be the dealer's public share), new members receive. The ceremony id hashes
//            the digest and the new members' X25519 keys: the old-only members' keys are not used,
//            so a dealer joining late still deals into the same ceremony
//   confirm  each new member signs a confirmation root per validator with its new share; every
//            participant checks each partial against the new public share and waits for all of them,
//            so no new member is left silently without a working share
//   write    new share keystores (new members) and the updated cluster file, in one rename
//
// Old members absent or disqualified are left out (`excludedDealers`): any t_old qualified dealings
// give the same group key, each dealer held to its public share. An old member that lost its shares
// and stays (`lostShares`) is one of them: its hello says it deals nothing, so nobody waits for its
// dealing nor counts it among the t_old dealers, and it receives its new share like a joining
// member. A ceremony that cannot finish (a
// new member missing, fewer than t_old qualified dealers, a new member whose share does not confirm)
// throws `DKG_CEREMONY_FAILED` naming the operators and writes nothing; run it again (new X25519
// keys, new ceremony id). The old shares stay valid until their holders delete them.
import { randomBytes } from 'node:crypto';
import { type Bls, createBls, type SecretKey } from '@diva-dvt/bls-threshold';
import { createEncryptionKeyPair, type DkgResult } from '@diva-dvt/dkg';
import { MessageKind } from '@diva-dvt/dkg/wire';
import type { OperatorAddress, ValidatorCommittee } from '../committee/types.ts';
import { OperatorError } from '../errors.ts';
import type { KeystoreKdf } from '../keys/keystore.ts';
import type { P2pNetwork, PeerInfo } from '../p2p/types.ts';
import type { DkgCeremonyStage } from './ceremony.ts';
import { encodeDeposit } from './frames.ts';
import { createHelloExchange } from './hello.ts';
import { ceremonyFailure, createDkgMemberDriver } from './member-driver.ts';
import { type CeremonyOutputs, checkOutDirFree, removeStaleStaging, writeReshareOutputs } from './outputs.ts';
import {
  parseReshareFile,
  type ReshareCeremonyFile,
  reshareCluster,
  reshareFileDigest,
} from './reshare-file.ts';
import {
  type ConfirmationPartials,
  isValidConfirmation,
  reshareConfirmationRoot,
  reshareDkgConfig,
  reshareRoles,
} from './reshare-shares.ts';

export type ReshareCeremonyStage = Exclude<DkgCeremonyStage, 'deposit'> | 'confirm';

export interface ReshareCeremonyProgress {
  readonly stage: ReshareCeremonyStage;
  readonly received: number;
  readonly expected: number;
}

export interface RunReshareCeremonyParameters {
  /** This operator's secp256k1 identity key: it signs DKG messages; the network's key. */
  readonly identityKey: Uint8Array;
  /** The resharing ceremony file's text (parsed and checked here) or the parsed file. */
  readonly ceremony: string | ReshareCeremonyFile;
  readonly ceremonyFileName?: string;
  /** Started by the caller, with the identity key; its peers are set here. Not stopped here. */
  readonly network: P2pNetwork;
  /**
   * The owner of the ceremony's operators in the network's peer set (default `'dkg'`): they are
   * added beside the peers other owners set (a running node's committees) and left in place at the
   * end, for the caller to remove (`setPeers([], { owner })`) once nothing more is exchanged.
   */
  readonly peerOwner?: string;
  /**
   * An old member's current shares, by group key (lower-case 0x hex): one per reshared validator,
   * each checked against its public share in the ceremony file before anything is sent.
   */
  readonly existingShares?: ReadonlyMap<string, SecretKey>;
  /**
   * This old member lost its shares but stays in the new committee: it deals nothing, and its hello
   * says so (nobody waits for its dealing; it is named among the excluded dealers), and it receives
   * and confirms its new share.
   */
  readonly lostShares?: boolean;
  /**
   * Old members left out from the start (an operator the contracts ejected and replaced): no hello
   * to them, their frames ignored, no wait for their dealing. The others must still make t_old.
   */
  readonly excludedDealers?: readonly OperatorAddress[];
  /** Absent or empty; receives the outputs in one rename. */
  readonly outDir: string;
  /** The new share keystores' password. */
  readonly password: string;
  readonly kdf?: KeystoreKdf;
  /** How long to wait for the participants' hellos (default 120 s). */
  readonly connectTimeoutMs?: number;
  /** Deadline of each DKG phase, of the confirmations, and the wait for absent old members (default 30 s). */
  readonly phaseTimeoutMs?: number;
  readonly onProgress?: (progress: ReshareCeremonyProgress) => void;
  readonly bls?: Bls;
}

export interface ReshareCeremonyResult extends Omit<CeremonyOutputs, 'depositDataFile'> {
  /** This operator's new 1-based share index; undefined for an old member that leaves (no keystore). */
  readonly shareIndex: number | undefined;
  readonly groupPublicKeys: readonly Uint8Array[];
  readonly transcriptHash: Uint8Array;
  /** Old members whose shares were not used (absent or disqualified), sorted. */
  readonly excludedDealers: readonly string[];
}

const fail = (stage: ReshareCeremonyStage, reason: string, culprits?: Iterable<string>) =>
  ceremonyFailure(stage, reason, culprits);

/**
 * Runs this operator's part of a resharing (see the file comment) and writes its outputs. Errors:
 * `INVALID_INPUT_FILE` (ceremony file), `INVALID_OPTION` (identity in neither committee, network of
 * another key, an old member's share missing or not its public share, `lostShares` for an operator
 * that is not an old member staying), `FILE_EXISTS` (outDir not empty), `DKG_CEREMONY_FAILED` (names the operators), `FILE_ACCESS_FAILED`.
 */
export async function runReshareCeremony(
  parameters: RunReshareCeremonyParameters,
): Promise<ReshareCeremonyResult> {
  const bls = parameters.bls ?? createBls();
  const ceremony =
    typeof parameters.ceremony === 'string'
      ? parseReshareFile(parameters.ceremony, parameters.ceremonyFileName, bls)
      : parameters.ceremony;
  const { network, identityKey } = parameters;
  const { self, position, ownShares } = reshareRoles(
    ceremony,
    identityKey,
    network.address,
    parameters.existingShares,
    parameters.lostShares,
  );
  const newMembers = ceremony.operators;
  const excluded = new Set(parameters.excludedDealers ?? []);
  if (excluded.has(network.address)) {
    throw new OperatorError({
      code: 'INVALID_OPTION',
      option: 'excludedDealers',
      reason: 'names this operator',
    });
  }
  // the dealers that take part; positions in the DKG stay those of the whole old committee
  const oldMembers = ceremony.oldMembers.filter((o) => !excluded.has(o.address));
  await checkOutDirFree(parameters.outDir);
  await removeStaleStaging(parameters.outDir);
  const phaseMs = parameters.phaseTimeoutMs ?? 30_000;
  const progress = parameters.onProgress ?? (() => undefined);
  const t = ceremony.threshold;
  const tOld = ceremony.oldThreshold;
  const participants: PeerInfo[] = [...newMembers];
  for (const o of oldMembers) if (!participants.some((p) => p.address === o.address)) participants.push(o);
  const others = participants.filter((o) => o.address !== self);
  const isNew = new Set(newMembers.map((o) => o.address));
  const digest = reshareFileDigest(ceremony);
  const encryption = createEncryptionKeyPair((size) => new Uint8Array(randomBytes(size)));

  const driver = createDkgMemberDriver({
    network,
    self,
    others,
    senders: (phase) => (phase === 'deal' ? oldMembers : newMembers),
    threshold: t,
    phaseTimeoutMs: phaseMs,
    onProgress: progress,
    onFrame: (from, frame) => {
      if (frame.type === 'hello') {
        const outcome = hello.receive(from, frame);
        // A new member restarted mid-ceremony (or began a new attempt): this one cannot use its new key
        // and can no longer finish, so it ends now and the next attempt can meet it.
        if (outcome === 'restarted') {
          driver.culprits.add(from);
          driver.fail(`new member ${from} restarted the ceremony`);
        }
        if (outcome !== 'joined') return; // a late old member got ours in answer: it needs it to deal
        progress({ stage: 'connect', received: hellos.size, expected: participants.length });
        onHello?.();
      } else if (frame.type === 'confirm') {
        confirms.set(from, frame);
        onConfirm?.();
      }
    },
    // The deal phase may end once every old member that joined has dealt (the absent never will).
    dealsComplete: () =>
      joinedDealers().every((o) => o.address === self || driver.hasSent(o.address, MessageKind.Dealing)),
  });
  const after = driver.after;
  // connect: hellos (./hello.ts); a new member's new key once the member exists means it restarted
  const hello = createHelloExchange({
    network,
    digest,
    self,
    encryptionKey: encryption.publicKey,
    peers: others.map((o) => o.address),
    keyInUse: (peer) => driver.started() && isNew.has(peer as OperatorAddress),
    dealsNothing: parameters.lostShares === true,
  });
  const hellos = hello.keys;
  let onHello: (() => void) | undefined;
  const confirms = new Map<string, ConfirmationPartials>();
  let onConfirm: (() => void) | undefined;
  const joinedDealers = () =>
    oldMembers.filter((o) => hellos.has(o.address) && !hello.dealsNothing.has(o.address));

  try {
    network.setPeers(others, { owner: parameters.peerOwner ?? 'dkg' });
    progress({ stage: 'connect', received: 1, expected: participants.length });
    hello.start();
    await connect();
    // DKG
    const recipientKeys = newMembers.map((o) => hellos.get(o.address)!);
    const result = await driver.run({
      config: reshareDkgConfig(ceremony, digest, recipientKeys),
      identityKey,
      encryptionSecretKey: encryption.secretKey,
      signers: participants,
      ...(ownShares === undefined ? {} : { existingShares: ownShares }),
      ...(parameters.lostShares === true ? { recipientOnly: true } : {}),
    });
    if (
      position >= 0 &&
      (result.shareIndex !== position + 1 || result.validators.some((v) => !v.secretShare))
    ) {
      throw fail('finish', 'this operator holds no valid new share of every validator', driver.culprits);
    }
    await confirm(result);
    // write
    progress({ stage: 'write', received: 0, expected: ceremony.validators.length });
    const committees: ValidatorCommittee[] = result.validators.map((v) => ({
      groupPublicKey: v.groupPublicKey.bytes,
      threshold: t,
      members: newMembers.map((o, i) => ({
        operator: o.address,
        shareIndex: i + 1,
        publicShare: v.publicShares[i]!.bytes,
      })),
    }));
    const outputs = await writeReshareOutputs({
      outDir: parameters.outDir,
      cluster: reshareCluster(ceremony, committees),
      shares:
        position < 0
          ? []
          : result.validators.map((v) => ({
              groupPublicKey: v.groupPublicKey.bytes,
              shareIndex: position + 1,
              secretKey: v.secretShare!,
              publicShare: v.publicShares[position]!,
            })),
      password: parameters.password,
      kdf: parameters.kdf ?? 'production',
      bls,
    });
    progress({ stage: 'done', received: newMembers.length, expected: newMembers.length });
    return {
      ...outputs,
      shareIndex: position < 0 ? undefined : position + 1,
      groupPublicKeys: result.validators.map((v) => v.groupPublicKey.bytes),
      transcriptHash: result.transcriptHash,
      excludedDealers: ceremony.oldMembers
        .filter((_, i) => !result.qualified.includes(i + 1))
        .map((o) => o.address)
        .sort(),
    };
  } finally {
    driver.close();
    hello.stopRepeating();
  }

  /** Waits for every new member and t_old old members, then (bounded) for the rest. */
  async function connect(): Promise<void> {
    const connectMs = parameters.connectTimeoutMs ?? 120_000;
    const quorum = () => newMembers.every((o) => hellos.has(o.address)) && joinedDealers().length >= tOld;
    await new Promise<void>((resolve, reject) => {
      let graceStarted = false;
      const check = () => {
        if (hellos.size === participants.length) return resolve();
        if (quorum() && !graceStarted) {
          graceStarted = true;
          after(phaseMs, resolve);
        }
      };
      onHello = check;
      check();
      after(connectMs, () => {
        if (quorum()) return resolve();
        const missing = others.filter((o) => !hellos.has(o.address)).map((o) => o.address);
        const dealers = joinedDealers().length;
        const odd = [...hello.mismatched];
        const reason = `${newMembers.filter((o) => !hellos.has(o.address)).length} new members missing, ${dealers} of ${oldMembers.length} old members joined (need ${tOld}) within ${connectMs} ms${odd.length > 0 ? ` (${odd.join(', ')} hold a different ceremony file)` : ''}`;
        reject(fail('connect', reason, [...missing, ...odd]));
      });
    });
    onHello = undefined;
    hello.stopRepeating();
  }

  /** Sends this new member's confirmation partials and waits for every new member's, each checked. */
  async function confirm(result: DkgResult): Promise<void> {
    const roots = result.validators.map((v) =>
      reshareConfirmationRoot(result.transcriptHash, v.groupPublicKey.bytes),
    );
    const confirmed = new Set<string>();
    const faulty = new Set<string>();
    if (position >= 0) {
      const own = result.validators.map((v, i) => bls.sign(v.secretShare!, roots[i]!).bytes);
      for (const o of others)
        network.send(o.address, encodeDeposit(result.transcriptHash, position + 1, own, 'confirm'));
      confirmed.add(self);
    }
    const check = () => {
      for (const [from, c] of confirms) {
        if (confirmed.has(from) || faulty.has(from)) continue;
        const index = newMembers.findIndex((o) => o.address === from) + 1;
        const ok = index > 0 && isValidConfirmation(bls, result, roots, index, c);
        (ok ? confirmed : faulty).add(from);
      }
      progress({ stage: 'confirm', received: confirmed.size, expected: newMembers.length });
      return confirmed.size === newMembers.length;
    };
    await new Promise<void>((resolve, reject) => {
      if (check()) return resolve();
      onConfirm = () => check() && resolve();
      after(phaseMs, () => {
        const silent = newMembers.filter((o) => !confirmed.has(o.address)).map((o) => o.address);
        reject(
          fail(
            'confirm',
            `${confirmed.size} of ${newMembers.length} new members confirmed a working share`,
            silent,
          ),
        );
      });
    });
    onConfirm = undefined;
  }
}
