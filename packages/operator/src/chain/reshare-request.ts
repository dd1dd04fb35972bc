// Resharing on the contracts' request, for one operator (a part of ./lifecycle.ts). When evidence or
// anyone's `drawReplacement` puts a replacement in an ejected member's seat, the chain's committee of
// the draw (`ReshareRequested`) no longer matches the validator's recorded shares: the validator's key
// must move to the new committee, same group key, new shares, while the old shares keep signing.
//   1. pending: an approved draw whose committee differs from its validator's members (the chain's
//      generation g), in ascending draw id (the same order at every member; one ceremony at a time per
//      network, after any drawn committee's DKG: that one has a deadline and a blocker report);
//   2. ceremony: the old members still seated deal from their promoted share (the replaced ones, and
//      those that asked for a new share, are left out), the new committee (seat order = share order)
//      receives (`runReshareCeremony`; an old member without a valid share only receives). A member
//      whose share is lost asks for this itself (./share-regeneration.ts). The outputs wait in
//      `<stateDir>/reshare/draw-<id>-gen-<g + 1>-<committee hash>` (a new committee is a new ceremony)
//      until the chain records them; a restarted member resumes from that directory and the chain;
//   3. approvals: each new member signs the registry's `ReshareApproval` (its ceremony id, generation
//      g + 1, the hash of the new public shares) and sends it to the others over p2p (./statements.ts);
//      with t of them, `recordReshare` is sent, the lowest seat at once, seat k after (k - 1)
//      staggers, again later if it did not land;
//   4. recorded (`ReshareRecorded`: the reader's validator now has the new members): the new share
//      keystore replaces the old one in the keys directory (same file name when the seat is kept) and
//      'share-promoted' tells the node to serve it.
// The registry has no failure report for a resharing (no deadline, no blocker to name): a failed
// ceremony is logged with its culprits and run again after `retryDelayMs` (at most half the connect
// timeout, so that the members' attempts overlap).
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SecretKey } from '@diva-dvt/bls-threshold';
import { toHex } from 'viem';
import type { OperatorAddress } from '../committee/types.ts';
import { runReshareCeremony } from '../dkg/reshare.ts';
import type { ReshareCeremonyFile } from '../dkg/reshare-file.ts';
import { isOperatorError, OperatorError } from '../errors.ts';
import { decryptKeystoreFile, shareKeystoreFileName } from '../keys/keystore.ts';
import { forgetBundledShares } from '../keys/share-cache.ts';
import type { Logger } from '../logger.ts';
import { publicKeyOf } from '../p2p/identity.ts';
import type { P2pNetwork, PeerInfo } from '../p2p/types.ts';
import type { ChainReader } from './chain-reader.ts';
import type { ChainState, ChainValidator } from './chain-state.ts';
import {
  type ChainLifecycleComponents,
  type ChainLifecycleEvent,
  type ChainLifecycleInit,
  ceremonyOptions,
} from './lifecycle-types.ts';
import { ReshareApprovals } from './reshare-approvals.ts';
import { expireReshareDirs } from './reshare-cleanup.ts';
import { type PendingReshare, pendingReshares, readFinished, reshareDir } from './reshare-pending.ts';
import { pruneRetiredKeystores, RETIRED_KEEP_MS, retireStaleShares } from './reshare-retire.ts';
import { type RpcWitness, rpcWitnessesOf } from './rpc-witnesses.ts';
import { ShareRegeneration } from './share-regeneration.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const errorText = (e: unknown) => (e as { shortMessage?: string }).shortMessage ?? String(e);
const CEREMONY_PEERS = 'dkg';
/** Before a share retirement an RPC did not confirm is asked again: doubling from 3 s to 5 min (a URL
 * that stays down holds retirements back, and warns, without flooding the log). */
const RETIRE_RETRY_MS = [3000, 300_000] as const;
/** How often the archive of retired keystores is looked at for files past their retention. */
const PRUNE_RETIRED_EVERY_MS = 3_600_000;

export class ReshareRequests {
  readonly #c: ChainLifecycleComponents;
  readonly #init: ChainLifecycleInit;
  readonly #self: OperatorAddress;
  readonly #logger: Logger;
  readonly #emit: (event: ChainLifecycleEvent) => void;
  readonly #approvals: ReshareApprovals;
  readonly #retryAfter = new Map<string, number>();
  /** `<drawId>:<generation>` whose recorded share was dealt with. */
  readonly #promoted = new Set<string>();
  readonly #finished = new Map<string, { publicShares: Uint8Array[]; keystore: string | undefined }>();
  /** The pending directory of the ceremony under way. */
  #running: string | undefined;
  /** The recorded resharings (`<drawId>:<generation>,…`) when the keys directory was last checked. */
  #staleSharesChecked = '';
  /** When retirements an RPC did not confirm are asked again (undefined: none waits). */
  #retireAgainAt: number | undefined;
  #pruneRetiredAt = 0;
  #retireRetryMs = 0;
  readonly #witnesses: readonly RpcWitness[];
  readonly #regeneration: ShareRegeneration;

  constructor(parameters: {
    components: ChainLifecycleComponents;
    init: ChainLifecycleInit;
    logger: Logger;
    emit: (event: ChainLifecycleEvent) => void;
    onChange: () => void;
  }) {
    this.#c = parameters.components;
    this.#init = parameters.init;
    this.#self = parameters.components.network.address;
    this.#logger = parameters.logger;
    this.#emit = parameters.emit;
    this.#approvals = new ReshareApprovals(parameters);
    this.#witnesses = parameters.components.witnesses ?? rpcWitnessesOf(parameters.components.wallet);
    this.#regeneration = new ShareRegeneration({
      ...parameters,
      wallet: parameters.components.wallet,
      committeeDraw: this.#init.addresses.committeeDraw,
      keysDir: this.#init.keysDir,
      self: this.#self,
      // a recorded generation's share is looked for once its promotion ran (not while it writes)
      settled: (drawId, generation) => generation === 0 || this.#promoted.has(`${drawId}:${generation}`),
      unusable: parameters.components.unusableKeystores,
    });
  }

  /** A reshare approval from another member (./reshare-approvals.ts). */
  receive(from: OperatorAddress, bytes: Uint8Array): void {
    this.#approvals.receive(from, bytes);
  }

  get #network(): P2pNetwork {
    return this.#c.network;
  }

  get #reader(): ChainReader {
    return this.#c.reader;
  }

  /** The operators this member trades with while its resharings wait (both committees). */
  peers(state: ChainState): PeerInfo[] {
    const out = new Map<OperatorAddress, PeerInfo>();
    for (const p of pendingReshares(state, this.#self)) {
      if (!p.committee.includes(this.#self)) continue;
      for (const a of [...p.committee, ...p.dealers]) {
        const peer = a === this.#self ? undefined : state.operator(a)?.peer;
        if (peer !== undefined) out.set(a, peer);
      }
    }
    return [...out.values()];
  }

  /**
   * One step: promotes recorded shares, approves and submits finished resharings and, when `start` is
   * given (the network's one ceremony slot is free), starts the first undone one with it. Returns how
   * long until something is due (Infinity: nothing).
   */
  async run(state: ChainState, start?: (ceremony: () => Promise<void>) => void): Promise<number> {
    await this.settle(state);
    await this.#regeneration.run(state);
    let next =
      this.#retireAgainAt === undefined ? Number.POSITIVE_INFINITY : this.#retireAgainAt - Date.now();
    let slot = start;
    for (const p of pendingReshares(state, this.#self)) {
      if (!p.committee.includes(this.#self)) continue; // a replaced member: left out
      const dir = reshareDir(this.#init.stateDir, p.validator.drawId, p.generation, p.committee);
      // a finished ceremony's files never change: read (and checked) once
      const finished = this.#finished.get(dir) ?? (await readFinished(dir, this.#self));
      if (finished !== undefined) {
        this.#finished.set(dir, finished);
        next = Math.min(next, await this.#approvals.approve(p, dir, finished.publicShares));
        continue;
      }
      if (slot === undefined) continue;
      const wait = (this.#retryAfter.get(dir) ?? 0) - Date.now();
      if (wait > 0) next = Math.min(next, wait);
      else slot(() => this.#ceremony(state, p, dir));
      slot = undefined; // ascending draw order: the first undone resharing only
    }
    return next;
  }

  /**
   * Brings the disk to where the chain is: recorded shares promoted, pending directories the chain
   * superseded removed, shares it no longer gives this operator deleted (./reshare-cleanup.ts). Run at
   * every step, and by the lifecycle's start before anyone loads the keys directory.
   */
  async settle(state: ChainState): Promise<void> {
    await this.#promoteRecorded(state);
    const { stateDir, keysDir, password, shareCacheFile } = this.#init;
    const base = { state, self: this.#self, logger: this.#logger };
    const promoted = (drawId: bigint, generation: number) => this.#promoted.has(`${drawId}:${generation}`);
    for (const name of await expireReshareDirs({ ...base, stateDir, running: this.#running, promoted }))
      for (const d of this.#finished.keys()) if (d.endsWith(`/${name}`)) this.#finished.delete(d);
    // the keys directory is listed when a resharing was recorded since the last look, or when a
    // retirement waits for the RPCs to confirm its recording
    const recorded = state.validators().filter((v) => v.generation > 0);
    const seen = recorded.map((v) => `${v.drawId}:${v.generation}`).join(',');
    const due = this.#retireAgainAt !== undefined && Date.now() >= this.#retireAgainAt;
    if (recorded.length > 0 && (seen !== this.#staleSharesChecked || due)) {
      const { deferred } = await retireStaleShares({
        ...base,
        keysDir,
        password,
        shareCacheFile,
        promoted,
        witnesses: this.#witnesses,
        registry: this.#init.addresses.dkgResultRegistry!,
        depth: this.#init.retireDepth ?? 12,
        fromBlock: this.#init.addresses.fromBlock,
      });
      this.#staleSharesChecked = seen;
      this.#retireRetryMs =
        deferred.length === 0
          ? 0
          : Math.min(Math.max(this.#retireRetryMs * 2, RETIRE_RETRY_MS[0]), RETIRE_RETRY_MS[1]);
      this.#retireAgainAt = deferred.length > 0 ? Date.now() + this.#retireRetryMs : undefined;
    }
    if (Date.now() >= this.#pruneRetiredAt) {
      this.#pruneRetiredAt = Date.now() + PRUNE_RETIRED_EVERY_MS;
      await pruneRetiredKeystores({
        keysDir,
        keepMs: this.#init.retiredKeepMs ?? RETIRED_KEEP_MS,
        logger: this.#logger,
      });
    }
  }

  /** This old member's share of `v`, checked against its public share; undefined when it is lost. */
  async #oldShare(v: ChainValidator): Promise<SecretKey | undefined> {
    const me = v.members.find((m) => m.operator === this.#self)!;
    const file = join(this.#init.keysDir, shareKeystoreFileName(v.groupPublicKey, me.shareIndex));
    try {
      const { secret } = await decryptKeystoreFile(file, this.#init.password);
      try {
        const share = SecretKey.fromBytes(secret);
        return hex(share.toPublicKey().bytes) === hex(me.publicShare) ? share : undefined;
      } finally {
        secret.fill(0);
      }
    } catch {
      return undefined;
    }
  }

  async #ceremony(state: ChainState, p: PendingReshare, dir: string): Promise<void> {
    const v = p.validator;
    const log = { drawId: v.drawId.toString(), generation: p.generation };
    const self = {
      address: this.#self,
      publicKey: publicKeyOf(this.#init.identityKey),
      multiaddrs: this.#network.listenAddresses(),
    };
    const peerOf = (a: OperatorAddress) => (a === this.#self ? self : state.operator(a)?.peer);
    const old = v.members.map((m) => m.operator);
    // ejected and replaced, or asking for a new share of its seat (this one, if it asked, receives only)
    const replaced = old.filter((a) => !p.dealers.includes(a) && a !== this.#self);
    try {
      const unknown = [...p.committee, ...p.dealers].filter((a) => peerOf(a) === undefined);
      if (unknown.length > 0) {
        throw new OperatorError({
          code: 'DKG_CEREMONY_FAILED',
          stage: 'connect',
          reason: 'members without a registered p2p identity',
          culprits: [...new Set(unknown)],
        });
      }
      // A replaced member's identity only enters the file digest (it takes no part): any key will do,
      // the same at every member.
      const oldPeers = old.map(
        (a) => peerOf(a) ?? { address: a, publicKey: new Uint8Array(33), multiaddrs: [] as string[] },
      );
      const committee = { groupPublicKey: v.groupPublicKey, threshold: v.threshold, members: v.members };
      const ceremony: ReshareCeremonyFile = {
        version: 1,
        type: 'reshare',
        operators: p.committee.map((a) => peerOf(a)!),
        threshold: this.#reader.parameters().threshold,
        previous: { version: 1, operators: oldPeers, validators: [committee] },
        validators: [committee],
        oldMembers: oldPeers,
        oldThreshold: v.threshold,
      };
      const share = p.dealers.includes(this.#self) ? await this.#oldShare(v) : undefined;
      const lostShares = old.includes(this.#self) && share === undefined;
      if (lostShares) this.#logger.warn('resharing: this member holds no valid share; it only receives', log);
      this.#logger.info('resharing requested by the chain: ceremony starts', { ...log, replaced });
      this.#emit({ type: 'reshare-started', drawId: v.drawId, generation: p.generation });
      await mkdir(join(this.#init.stateDir, 'reshare'), { recursive: true });
      let lastStage = '';
      this.#running = dir;
      const result = await runReshareCeremony({
        identityKey: this.#init.identityKey,
        ceremony,
        network: this.#network,
        peerOwner: CEREMONY_PEERS,
        ...(share === undefined ? {} : { existingShares: new Map([[toHex(v.groupPublicKey), share]]) }),
        ...(lostShares ? { lostShares: true } : {}),
        excludedDealers: replaced,
        outDir: dir,
        ...ceremonyOptions(this.#init, this.#c.bls),
        onProgress: ({ stage, received, expected }) => {
          if (stage !== lastStage) this.#logger.debug('resharing ceremony stage', { ...log, stage });
          lastStage = stage;
          if (received === expected)
            this.#logger.debug('resharing stage complete', { ...log, stage, received });
        },
      });
      this.#logger.info('resharing ceremony done', { ...log, shareIndex: result.shareIndex });
      this.#emit({ type: 'reshare-done', drawId: v.drawId, generation: p.generation });
    } catch (error) {
      // anything else (a keystore not written, the outputs directory taken) is retried the same way
      const { stage, reason, culprits } = isOperatorError(error, 'DKG_CEREMONY_FAILED')
        ? error.details
        : { stage: 'setup', reason: errorText(error), culprits: [] as string[] };
      // Nothing on chain lines the members' retries up: each tries again within half a connect
      // timeout, so a member still waiting for hellos sees the others come back.
      const retryMs = Math.min(
        this.#init.retryDelayMs ?? 30_000,
        (this.#init.connectTimeoutMs ?? 120_000) / 2,
      );
      // no failure report for a resharing on chain: the same committee tries again
      this.#logger.warn('resharing ceremony failed; it runs again later', {
        ...log,
        stage,
        reason,
        culprits,
        retryMs,
      });
      this.#emit({
        type: 'reshare-failed',
        drawId: v.drawId,
        generation: p.generation,
        stage,
        reason,
        culprits,
      });
      this.#retryAfter.set(dir, Date.now() + retryMs);
    } finally {
      this.#running = undefined;
      this.#network.setPeers([], { owner: CEREMONY_PEERS });
    }
  }

  /** Recorded resharings with this operator in the new committee: the new share into the keys directory. */
  async #promoteRecorded(state: ChainState): Promise<void> {
    for (const v of state.validators()) {
      const me = v.members.find((m) => m.operator === this.#self);
      const done = `${v.drawId}:${v.generation}`;
      if (v.generation === 0 || me === undefined || this.#promoted.has(done)) continue;
      const dir = reshareDir(
        this.#init.stateDir,
        v.drawId,
        v.generation,
        v.members.map((m) => m.operator),
      );
      if (this.#running === dir) continue; // recorded with the others' approvals: it writes now
      this.#promoted.add(done);
      const log = { drawId: v.drawId.toString(), generation: v.generation };
      const target = join(this.#init.keysDir, shareKeystoreFileName(v.groupPublicKey, me.shareIndex));
      const finished = await readFinished(dir, this.#self);
      const matches =
        finished?.keystore !== undefined &&
        finished.publicShares.length === v.members.length &&
        finished.publicShares.every((s, i) => hex(s) === hex(v.members[i]!.publicShare));
      if (matches) {
        try {
          await mkdir(this.#init.keysDir, { recursive: true });
          // over the old share's keystore when the seat is kept: the old share signs no more
          await rename(finished.keystore!, target);
          const root = join(this.#init.stateDir, 'reshare');
          for (const d of await readdir(root))
            if (d.startsWith(`draw-${v.drawId}-gen-`))
              await rm(join(root, d), { recursive: true, force: true });
        } catch (cause) {
          this.#promoted.delete(done); // the next step tries again
          throw new OperatorError(
            { code: 'FILE_ACCESS_FAILED', path: target, operation: 'write' },
            { cause },
          );
        }
        // the old share's entry in the start-up bundle (same file name when the seat is kept)
        if (this.#init.shareCacheFile !== undefined) {
          const { shareCacheFile: cacheFile, password } = this.#init;
          await forgetBundledShares({ cacheFile, password, files: [target] });
        }
        this.#approvals.forget(v.drawId);
        for (const d of this.#finished.keys())
          if (d.includes(`draw-${v.drawId}-gen-`)) this.#finished.delete(d);
        this.#logger.info('resharing recorded; share keystore promoted', { ...log, file: target });
        this.#emit({ type: 'share-promoted', drawId: v.drawId, file: target, generation: v.generation });
        continue;
      }
      // promoted before a restart: the keystore in place is the recorded share's
      const inPlace = await readFile(target, 'utf8')
        .then((t) => (JSON.parse(t) as { pubkey?: string }).pubkey)
        .catch(() => undefined);
      if (inPlace === hex(me.publicShare)) continue;
      // The keystore in place (if any) is the old generation's: it cannot sign with the new committee
      // (the loaders check the public share), its bundle entry goes now (a cache, rebuilt from the
      // keystore if the chain turns out otherwise), the keystore itself once every RPC confirms the
      // record (./reshare-retire.ts). ./share-regeneration.ts asks the chain for a new share.
      if (this.#init.shareCacheFile !== undefined) {
        const { shareCacheFile: cacheFile, password } = this.#init;
        await forgetBundledShares({ cacheFile, password, files: [target] });
      }
      this.#logger.error('resharing recorded but this member holds no share of it', {
        ...log,
        oldKeystore:
          inPlace === undefined ? 'absent' : 'old generation: never used, retired once every RPC confirms',
        mended: 'by a resharing this member requests (requestShareRegeneration)',
      });
      this.#emit({ type: 'share-missing', drawId: v.drawId, groupPublicKey: v.groupPublicKey });
    }
  }
}
