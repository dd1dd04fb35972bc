// The `web3signer` section of the configuration: a Web3Signer-compatible API a stock validator
// client (Lodestar, Teku, Lighthouse, Nimbus) signs through, backed by the committee
// (@diva-dvt/operator `createCommitteeWeb3SignerBackend`, decision 29). The validators it lists are
// driven by that client's requests; the node's built-in validator client skips them (see
// `remoteSignedFilter`). A decision that is not the client's value is published by the node
// (`createBeaconDecidedPublisher`) and answered 412. `POST /reload` re-reads the cluster file and
// the key shares of validators added to it (`reload`), so `publicKeys` lists them without a restart.
import type { BeaconApi, Genesis } from '@diva-dvt/beacon-api';
import { createSigningContext, forkScheduleFromSpec } from '@diva-dvt/beacon-api/spec';
import {
  type Clock,
  createBeaconDecidedPublisher,
  createCommitteeWeb3SignerBackend,
  createSlotTimes,
  createWeb3SignerServer,
  type Logger,
  type OperatorNode,
  parseValidatorSpec,
  type SlashingProtection,
  type SlashingRefusalReason,
  type Web3SignerReloadReport,
  type Web3SignerServer,
  type Web3SignerSignRequest,
} from '@diva-dvt/operator';
import type { Web3SignerConfig } from './config.ts';
import { DivaNodeError } from './errors.ts';

const hex = (b: Uint8Array): `0x${string}` => `0x${Buffer.from(b).toString('hex')}`;

/** Which validators the external client drives (`OperatorNodeInit.remoteSigned`). */
export function remoteSignedFilter(config: Web3SignerConfig): (groupPublicKey: Uint8Array) => boolean {
  if (config.validators === 'all') return () => true;
  const keys = new Set(config.validators);
  return (groupPublicKey) => keys.has(hex(groupPublicKey));
}

export interface RemoteSignerParameters {
  readonly config: Web3SignerConfig;
  readonly node: OperatorNode;
  readonly api: BeaconApi;
  readonly genesis: Genesis;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The node's slashing protection: slashable requests are refused (412) before anything starts. */
  readonly protection: SlashingProtection;
  /** Re-reads the cluster file and loads new key shares; resolves once the node applied them. */
  readonly reload: () => Promise<Web3SignerReloadReport>;
}

/** What the node's slashing protection says of an attestation or block request now (nothing recorded). */
async function precheck(
  protection: SlashingProtection,
  { pubkey, request, signingRoot }: Web3SignerSignRequest,
): Promise<SlashingRefusalReason | undefined> {
  let result: Awaited<ReturnType<SlashingProtection['dryRunBlock']>> | undefined;
  if (request.type === 'ATTESTATION') {
    const { source, target } = request.attestation;
    result = await protection.dryRunAttestation({
      pubkey,
      sourceEpoch: source.epoch,
      targetEpoch: target.epoch,
      signingRoot,
    });
  } else if (request.type === 'BLOCK' || request.type === 'BLOCK_V2') {
    result = await protection.dryRunBlock({ pubkey, slot: request.blockHeader.slot, signingRoot });
  }
  return result?.allowed === false ? result.reason : undefined;
}

/** Starts the API (after the node: its committee signer must exist). */
export async function startRemoteSigner(p: RemoteSignerParameters): Promise<Web3SignerServer> {
  const { node, api, genesis, clock, logger, config } = p;
  const signer = node.signer;
  // the committee signer exists once the node started (startNode starts it first)
  if (signer === undefined) throw new DivaNodeError({ code: 'START_FAILED', component: 'web3signer api' });
  const specJson = (await api.getSpec()).data;
  const spec = parseValidatorSpec(specJson);
  const times = createSlotTimes({
    genesisTimeSec: genesis.genesisTime,
    slotDurationMs: spec.slotDurationMs,
    slotsPerEpoch: spec.slotsPerEpoch,
  });
  const signing = createSigningContext({
    genesisValidatorsRoot: genesis.genesisValidatorsRoot,
    schedule: forkScheduleFromSpec(specJson),
  });
  const publisher = createBeaconDecidedPublisher({
    api,
    signing,
    times,
    validatorIndices: () => node.remoteSignedValidators().map((v) => v.validatorIndex),
    logger,
  });
  const backend = createCommitteeWeb3SignerBackend({
    signer,
    validators: () => node.remoteSignedValidators(),
    clock,
    times,
    signing,
    attestationDueBps: spec.attestationDueBps,
    publisher,
    precheck: (request) => precheck(p.protection, request),
    onPublished: (e) =>
      e.published
        ? logger.info('published the committee decision for the validator client', { ...e })
        : logger.warn('could not publish the committee decision', { ...e }),
  });
  const server = createWeb3SignerServer({
    backend: { publicKeys: () => backend.publicKeys(), sign: (r) => backend.sign(r), reload: p.reload },
    genesisValidatorsRoot: genesis.genesisValidatorsRoot,
    genesisForkVersion: genesis.genesisForkVersion,
    ...(config.feeRecipient !== undefined
      ? { feeRecipients: { default: Buffer.from(config.feeRecipient.slice(2), 'hex') } }
      : {}),
    host: config.host,
    port: config.port,
    logger,
  });
  await server.start();
  return server;
}
