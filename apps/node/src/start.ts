// `diva-node run`: builds every component from the configuration and starts the operator node.
// Order: logger → data-dir lock → identity → with `contracts`: p2p and the chain lifecycle (it needs
// no beacon node; ./contracts.ts) → beacon nodes (genesis, to open the slashing-protection file for
// this chain; with `contracts` waited for) → committees (cluster file or contracts) and key shares
// (decrypted once) → p2p → slashing protection and proposal store → node → HTTP endpoints. A failure
// names the component; what was started is stopped again. `stop()` (SIGTERM) ends duties in flight,
// then closes everything.
import { join } from 'node:path';
import {
  type BeaconApi,
  createBeaconApi,
  createBeaconNodeClient,
  createBeaconNodePool,
} from '@diva-dvt/beacon-api';
import type { SignGuard } from '@diva-dvt/consensus';
import {
  createAttestationGuard,
  createBlockGuard,
  createClusterFileSource,
  createInstanceGuard,
  createP2pNetwork,
  createSlashingProtection,
  createSqliteEvidenceStore,
  createSqliteProposalStore,
  createSystemClock,
  type KeyShareLoadFailure,
  type Logger,
  loadAddedKeyShares,
  loadIdentity,
  loadKeySharesCached,
  loadRuntimeBls,
  lockDataDir,
  markUnusableKeystore,
  OperatorNode,
  readClusterFile,
  type SignerValidator,
  type SigningDuty,
  type ValidatorCommittee,
  type Web3SignerReloadReport,
  type Web3SignerServer,
} from '@diva-dvt/operator';
import type { NodeConfig } from './config.ts';
import { type ChainParts, startChainParts } from './contracts.ts';
import { createDashboardHandler } from './dashboard/handler.ts';
import { createNodeDashboardSource } from './dashboard/node-source.ts';
import { createDashboardRecorder } from './dashboard/recorder.ts';
import { DivaNodeError } from './errors.ts';
import { exitEndpoint } from './exit.ts';
import { actOnExitRequests } from './exit-requests.ts';
import { applyFaultInjection } from './fault-injection.ts';
import { type HttpEndpoints, startHttpEndpoints } from './http.ts';
import { createNodeMetrics } from './metrics.ts';
import { readiness, waitForGenesis } from './readiness.ts';
import { remoteSignedFilter, startRemoteSigner } from './remote-signer.ts';

export interface RunningNode {
  readonly node: OperatorNode;
  /** The HTTP endpoints' base URL, when configured. */
  readonly httpUrl: string | undefined;
  /** The p2p listening addresses. */
  readonly listen: readonly string[];
  /** The Web3Signer API's base URL, when configured. */
  readonly web3signerUrl: string | undefined;
  stop(): Promise<void>;
}

export async function startNode(config: NodeConfig, logger: Logger): Promise<RunningNode> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const step = async <T>(component: string, fn: () => Promise<T> | T): Promise<T> => {
    try {
      return await fn();
    } catch (cause) {
      for (const c of cleanups.reverse()) await c();
      throw new DivaNodeError({ code: 'START_FAILED', component }, { cause });
    }
  };

  const lock = await step('data directory lock', () => lockDataDir(config.dataDir));
  cleanups.push(() => lock.release());

  const metrics = createNodeMetrics();
  // fed only when the dashboard is served
  const dashboard = config.http?.dashboard
    ? createDashboardRecorder({ beaconNodeUrls: config.beaconNodes })
    : undefined;
  const clients = config.beaconNodes.map((url, i) =>
    createBeaconNodeClient({
      url,
      label: `bn${i}`,
      onEvent: (e) => {
        metrics.beaconRequest(e);
        dashboard?.beaconRequest(e);
      },
    }),
  );
  // one node, or a pool with failover; the pool's call options extend the client's
  const api: BeaconApi =
    clients.length === 1
      ? createBeaconApi(clients[0]!)
      : (createBeaconNodePool({ nodes: clients }).api as BeaconApi);
  const identity = await step('keys (identity)', () =>
    loadIdentity({ dir: config.keys.dir, passwordFile: config.keys.passwordFile }),
  );
  const { bls, native } = await loadRuntimeBls();
  const network = await step('p2p', () =>
    createP2pNetwork({ privateKey: identity.secretKey, listen: config.p2p.listen, logger }),
  );
  let chain: ChainParts | undefined;
  // share keystores the loader below cannot use: with the contracts their seats ask for new shares
  const unusableKeystores = new Set<string>();
  if (config.contracts !== undefined) {
    const contracts = config.contracts;
    await step('p2p', () => network.start());
    cleanups.push(() => network.stop());
    chain = await step('contracts', () =>
      startChainParts({
        config: contracts,
        identityKey: identity.secretKey,
        network,
        api,
        bls,
        keysDir: config.keys.dir,
        passwordFile: config.keys.passwordFile,
        dataDir: config.dataDir,
        logger,
        unusableKeystores,
      }),
    );
    const started = chain;
    cleanups.push(() => started.stop());
    logger.info('chain lifecycle running', {
      operator: identity.address,
      p2p: network.listenAddresses(),
      rpc: contracts.rpcUrls.length,
    });
  }
  // with the contracts the node may start before the beacon chain exists (a devnet's genesis is
  // built from the validators its lifecycle creates): it waits for the beacon node
  const genesis = await step('beacon node', () =>
    chain === undefined ? api.getGenesis().then((r) => r.data) : waitForGenesis(api, logger),
  );
  chain?.beaconReady();

  const clusterSource =
    chain === undefined
      ? createClusterFileSource({
          path: config.cluster!,
          self: identity.address,
          watch: config.watchCluster,
          bls,
          // committees checked at an earlier start are not checked again (minutes at 10,000 validators)
          checkedCommitteesFile: join(config.dataDir, 'checked-committees.txt'),
          logger,
        })
      : undefined;
  const committees = chain?.committees ?? clusterSource!;
  await step(chain === undefined ? 'cluster file' : 'contracts', () => committees.start());
  // after the first start the shares come from one encrypted bundle in the data directory (one KDF
  // instead of one per keystore: a quarter of an hour at 10,000 validators)
  const {
    shares: loaded,
    fromCache,
    decrypted,
  } = await step('keys (shares)', () =>
    loadKeySharesCached({
      dir: config.keys.dir,
      passwordFile: config.keys.passwordFile,
      committees: committees.current().validators,
      self: identity.address,
      cacheFile: join(config.dataDir, 'key-shares.cache.json'),
      // with the contracts a share the chain names that this node cannot use (lost, or the old
      // generation's after a resharing) leaves its validator unserved, logged; the others start
      ...(chain === undefined
        ? {}
        : {
            onUnusable: (f: KeyShareLoadFailure) => {
              logger.error('key share not usable; validator skipped, a new share asked', { ...f });
              if (f.file !== undefined) void markUnusableKeystore(unusableKeystores, f.file);
            },
          }),
    }),
  );
  logger.info('key shares loaded', { fromBundle: fromCache, decrypted });
  await committees.stop();
  const shares = new Map([...loaded].map(([key, share]) => [key.slice(2), share.secretShare]));
  // shares of validators added later (keys import + an edited cluster file, a DKG result the chain
  // accepted): the node loads them from the keys directory at the next snapshot, one by one
  const loadShares = (added: readonly ValidatorCommittee[]) =>
    loadAddedKeyShares({
      dir: config.keys.dir,
      passwordFile: config.keys.passwordFile,
      committees: added,
      self: identity.address,
    });

  const protection = await step('slashing protection', () =>
    createSlashingProtection({
      path: join(config.dataDir, 'slashing-protection.sqlite'),
      genesisValidatorsRoot: genesis.genesisValidatorsRoot,
    }),
  );
  cleanups.push(() => protection.close());
  const proposals = await step('proposal store', () => createSqliteProposalStore(protection));
  // a leader's two signed proposals, kept for `submitLeaderEquivocations` (EIP-712 proposals only);
  // with the contracts, signed for their evidence contract unless configured otherwise
  const slasher = config.contracts?.addresses.evidenceSlasher;
  const evidenceDomain =
    config.consensus.evidence ??
    (slasher === undefined ? undefined : { chainId: config.contracts!.chainId, contract: slasher });
  const evidence =
    evidenceDomain === undefined
      ? undefined
      : await step('evidence store', () => createSqliteEvidenceStore(protection));
  // duties Ethereum does not slash still sign one root per consensus instance (decision 19)
  const perInstance = await step('sign guard', () => createInstanceGuard(protection));
  const prune = setInterval(() => {
    const before = Date.now() - 3_600_000;
    void perInstance.prune(before).catch(() => {});
    void proposals.prune(before).catch(() => {});
  }, 600_000);
  prune.unref();
  cleanups.push(() => clearInterval(prune));

  const guardFor = (v: SignerValidator, duty: SigningDuty): SignGuard => {
    const onRefused = (r: { reason: string }) =>
      logger.warn('slashing protection refused to sign', {
        duty: duty.type,
        slot: duty.slot,
        validatorIndex: duty.validatorIndex,
        reason: r.reason,
      });
    if (duty.type === 'attestation') {
      return createAttestationGuard(protection, v.committee.groupPublicKey, { onRefused }) as SignGuard;
    }
    if (duty.type === 'block') {
      return createBlockGuard(protection, v.committee.groupPublicKey, { onRefused }) as SignGuard;
    }
    return perInstance as SignGuard;
  };

  const clock = createSystemClock();
  const vault = config.contracts?.addresses.executionRewardsVault;
  const node = new OperatorNode(
    {
      api,
      clock,
      bls,
      network,
      committees,
      shares,
      loadShares,
      guardFor,
      proposals,
      ...(evidence !== undefined ? { evidence } : {}),
      logger,
      onOutcome: (o) => {
        metrics.outcome(o);
        dashboard?.outcome(o);
      },
      onInclusion: (r) => {
        metrics.inclusion(r);
        dashboard?.inclusion(r);
      },
      onSigningEvent: (e) => {
        metrics.signing(e);
        dashboard?.signing(e);
      },
    },
    {
      identityKey: identity.secretKey,
      ...(config.graffiti !== undefined
        ? { graffiti: Buffer.concat([Buffer.from(config.graffiti)], 32) }
        : {}),
      ...(config.consensus.roundTimeoutMs !== undefined
        ? { roundTimeoutMs: config.consensus.roundTimeoutMs }
        : {}),
      ...(evidenceDomain !== undefined
        ? { proposalDomain: { chainId: evidenceDomain.chainId, evidenceContract: evidenceDomain.contract } }
        : {}),
      ...(config.web3signer !== undefined ? { remoteSigned: remoteSignedFilter(config.web3signer) } : {}),
      ...(config.faultInjection?.equivocateAsLeader === true ? { faults: { equivocateAsLeader: true } } : {}),
      // every validator of the protocol pays its execution-layer rewards to the vault
      ...(vault !== undefined
        ? { defaultProposerSetting: { feeRecipient: bytesOf(vault), gasLimit: DEFAULT_GAS_LIMIT } }
        : {}),
      ...(chain !== undefined ? { networkStartedByCaller: true } : {}),
    },
  );
  applyFaultInjection(config, network, logger, cleanups);
  await step('operator node', () => node.start());
  if (evidence !== undefined) chain?.submitEvidence(evidence);
  cleanups.push(() => node.stop());
  // a validator the chain accepted: its share was promoted into the keys directory just now
  chain?.onEvent((e) => {
    if (e.type === 'share-promoted') void node.applyCommittees();
  });
  // an exit the ExitRequests contract asks of this operator's validator: signed with the committee
  if (chain !== undefined) {
    const { dataDir } = config;
    const exits = actOnExitRequests({
      chain,
      node,
      api,
      genesisTimeSec: genesis.genesisTime,
      dataDir,
      logger,
    });
    cleanups.push(() => exits.stop());
  }
  metrics.watchNetwork(network, () => node.status().peers);
  metrics.watchClockOffsets(() => node.clockOffsets());

  // POST /reload: the cluster file again (a bad one fails the reload), and the key shares of
  // validators new in it (loaded by the node, as for a watched file)
  const reload = async (): Promise<Web3SignerReloadReport> => {
    if (config.cluster !== undefined) {
      await readClusterFile(config.cluster, { bls, checkKeysOf: identity.address });
      await clusterSource?.reload();
    }
    const failures = await node.applyCommittees();
    // the node keeps serving what it has; the validators without a share are skipped (logged)
    const errors = failures.map((f) => ({ file: f.file ?? config.keys.dir, reason: f.reason }));
    return { keyCount: node.remoteSignedValidators().length, errors };
  };
  let signerApi: Web3SignerServer | undefined;
  if (config.web3signer !== undefined) {
    // with the contracts a proof-sending client's blocks must pay the vault unless told otherwise
    const w3s =
      config.web3signer.feeRecipient === undefined && vault !== undefined
        ? { ...config.web3signer, feeRecipient: vault }
        : config.web3signer;
    signerApi = await step('web3signer api', () =>
      startRemoteSigner({ config: w3s, node, api, genesis, clock, logger, protection, reload }),
    );
    cleanups.push(() => signerApi?.stop());
  }

  let http: HttpEndpoints | undefined;
  if (config.http !== undefined) {
    const { host, port, exits } = config.http;
    http = await step('http endpoints', () =>
      startHttpEndpoints({
        host,
        port,
        registry: metrics.registry,
        status: () => node.status(),
        readiness: () => readiness(node, api),
        ...(exits ? { exit: exitEndpoint(node) } : {}),
        ...(dashboard !== undefined
          ? {
              dashboard: createDashboardHandler({
                source: createNodeDashboardSource({
                  recorder: dashboard,
                  operator: identity.address,
                  node,
                  committees,
                  genesisTimeSec: genesis.genesisTime,
                  connectedPeers: () => network.connectedPeers(),
                  readiness: () => readiness(node, api),
                }),
              }),
            }
          : {}),
      }),
    );
  }
  logger.info('diva-node running', {
    operator: identity.address,
    bls: native ? 'blst' : 'noble',
    p2p: network.listenAddresses(),
    http: http?.url,
    web3signer: signerApi?.url,
  });
  let stopping: Promise<void> | undefined;
  return {
    node,
    httpUrl: http?.url,
    listen: network.listenAddresses(),
    web3signerUrl: signerApi?.url,
    stop() {
      stopping ??= (async () => {
        await http?.close();
        await signerApi?.stop();
        clearInterval(prune);
        await node.stop();
        await chain?.stop();
        if (chain !== undefined) await network.stop();
        await protection.close();
        await lock.release();
      })();
      return stopping;
    },
  };
}

/** The gas limit registered with builders for the protocol's validators (validator clients' default). */
const DEFAULT_GAS_LIMIT = 30_000_000;

const bytesOf = (hex: `0x${string}`) => Uint8Array.from(Buffer.from(hex.slice(2), 'hex'));
