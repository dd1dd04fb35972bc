// Parses the JSON body of `POST /api/v1/eth2/sign/{pubkey}` into a typed `Web3SignerRequest`,
// after Web3Signer's eth2 OpenAPI spec and what clients send (Lodestar's externalSignerClient,
// Nimbus's Web3SignerRequest): `type`, `fork_info` (required except for DEPOSIT and
// VALIDATOR_REGISTRATION), the optional `signingRoot` (alias `signing_root`), and one body field
// per type. Every fault is INVALID_SIGN_REQUEST naming the JSON path (answered 400).
import { ContainerType, ListCompositeType } from '@chainsafe/ssz';
import {
  aggregateAndProofType,
  blockType,
  type Fork,
  forkAtLeast,
  isFork,
  ssz,
  sszTypesFor,
} from '@diva-dvt/beacon-api/spec';
import { decodeJson, requestError } from './json.ts';
import {
  type BlockPropertyProof,
  WEB3SIGNER_REQUEST_TYPES,
  type Web3SignerForkInfo,
  type Web3SignerRequest,
  type Web3SignerRequestType,
} from './types.ts';

const eth2 = { jsonCase: 'eth2' } as const;
/** The consensus specs' SYNC_COMMITTEE_SUBNET_COUNT (the same in every preset). */
const SYNC_COMMITTEE_SUBNET_COUNT = 4;

const ForkInfoType = new ContainerType(
  { fork: ssz.phase0.Fork, genesisValidatorsRoot: ssz.Root },
  { ...eth2, typeName: 'Web3SignerForkInfo' },
);
const SlotData = new ContainerType({ slot: ssz.Slot }, { ...eth2, typeName: 'Web3SignerSlot' });
const EpochData = new ContainerType({ epoch: ssz.Epoch }, { ...eth2, typeName: 'Web3SignerEpoch' });
const SyncMessageData = new ContainerType(
  { beaconBlockRoot: ssz.Root, slot: ssz.Slot },
  { ...eth2, typeName: 'Web3SignerSyncCommitteeMessage' },
);
const DepositData = new ContainerType(
  {
    pubkey: ssz.BLSPubkey,
    withdrawalCredentials: ssz.Bytes32,
    amount: ssz.UintNum64,
    genesisForkVersion: ssz.Bytes4,
  },
  { ...eth2, typeName: 'Web3SignerDeposit' },
);
// A branch deeper than 64 levels cannot be a block-body proof (gindices are uint64).
const ProofType = new ContainerType(
  { index: ssz.UintBn64, proof: new ListCompositeType(ssz.Root, 64) },
  { ...eth2, typeName: 'Web3SignerMerkleProof' },
);
const ProofsType = new ListCompositeType(ProofType, 64);

/** What the body says, before any check against keys or chain. */
export interface ParsedSignBody {
  readonly request: Web3SignerRequest;
  /** The `signingRoot` the client sent, if any: it must equal the recomputed one. */
  readonly suppliedSigningRoot?: Uint8Array;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(o: Record<string, unknown>, key: string, path = key): unknown {
  const v = o[key];
  if (v === undefined || v === null) throw requestError(path, 'missing');
  return v;
}

function objectField(o: Record<string, unknown>, key: string, path = key): Record<string, unknown> {
  const v = field(o, key, path);
  if (!isObject(v)) throw requestError(path, 'expected an object');
  return v;
}

/** `version` of BLOCK_V2 and AGGREGATE_AND_PROOF_V2: an upper-case fork name (`DENEB`). */
function forkOf(o: Record<string, unknown>, path: string): Fork {
  const v = field(o, 'version', path);
  const name = typeof v === 'string' ? v.toLowerCase() : '';
  if (!isFork(name)) throw requestError(path, `unknown fork version ${JSON.stringify(v)}`);
  return name;
}

function forkInfoOf(o: Record<string, unknown>, type: Web3SignerRequestType): Web3SignerForkInfo {
  const v = o.fork_info;
  if (v === undefined || v === null) throw requestError('fork_info', `required for ${type}`);
  return decodeJson(ForkInfoType, v, 'fork_info');
}

function typed(name: Fork, key: string, path: string) {
  // biome-ignore lint/suspicious/noExplicitAny: fork-dependent SSZ types share no useful supertype
  const t = (sszTypesFor(name as never) as unknown as Record<string, any>)[key];
  if (t === undefined) throw requestError(path, `fork ${name} has no ${key}`);
  return t;
}

function blockRequest(o: Record<string, unknown>, forkInfo: Web3SignerForkInfo, legacy: boolean) {
  let fork: Fork = 'phase0';
  let source = o;
  let path = 'block';
  if (!legacy) {
    source = objectField(o, 'beacon_block');
    fork = forkOf(source, 'beacon_block.version');
    path = 'beacon_block.block';
  }
  const proofs: BlockPropertyProof[] =
    legacy || o.proofs === undefined || o.proofs === null
      ? []
      : decodeJson(ProofsType, o.proofs, 'proofs').map((p) => ({ index: p.index, proof: p.proof }));
  if (legacy || !forkAtLeast(fork, 'bellatrix')) {
    // Before bellatrix the client sends the whole block (Web3Signer's BLOCK and BLOCK_V2 alike).
    const block = decodeJson(blockType(fork), field(source, 'block', path), path) as {
      slot: number;
      proposerIndex: number;
      parentRoot: Uint8Array;
      stateRoot: Uint8Array;
      body: unknown;
    };
    const bodyRoot = typed(fork, 'BeaconBlockBody', path).hashTreeRoot(block.body) as Uint8Array;
    const { slot, proposerIndex, parentRoot, stateRoot } = block;
    const blockHeader = { slot, proposerIndex, parentRoot, stateRoot, bodyRoot };
    return { type: legacy ? 'BLOCK' : 'BLOCK_V2', forkInfo, fork, block, blockHeader, proofs } as const;
  }
  const headerPath = 'beacon_block.block_header';
  const blockHeader = decodeJson(
    ssz.phase0.BeaconBlockHeader,
    field(source, 'block_header', headerPath),
    headerPath,
  );
  return { type: 'BLOCK_V2', forkInfo, fork, blockHeader, proofs } as const;
}

/** Parses a sign request body (already JSON-decoded). */
export function parseSignBody(json: unknown): ParsedSignBody {
  if (!isObject(json)) throw requestError('(body)', 'expected a JSON object');
  const type = json.type;
  if (typeof type !== 'string' || !(WEB3SIGNER_REQUEST_TYPES as readonly string[]).includes(type)) {
    throw requestError(
      'type',
      `expected one of ${WEB3SIGNER_REQUEST_TYPES.join(', ')}, got ${JSON.stringify(type)}`,
    );
  }
  const t = type as Web3SignerRequestType;
  const rootKey = json.signingRoot !== undefined ? 'signingRoot' : 'signing_root';
  const rootJson = json[rootKey];
  const suppliedSigningRoot =
    rootJson === undefined || rootJson === null ? undefined : decodeJson(ssz.Root, rootJson, rootKey);
  const request = parseRequest(json, t);
  return suppliedSigningRoot === undefined ? { request } : { request, suppliedSigningRoot };
}

function parseRequest(o: Record<string, unknown>, type: Web3SignerRequestType): Web3SignerRequest {
  switch (type) {
    case 'DEPOSIT':
      return { type, deposit: decodeJson(DepositData, field(o, 'deposit'), 'deposit') };
    case 'VALIDATOR_REGISTRATION': {
      const validatorRegistration = decodeJson(
        ssz.bellatrix.ValidatorRegistrationV1,
        field(o, 'validator_registration'),
        'validator_registration',
      );
      if (o.epoch === undefined || o.epoch === null) return { type, validatorRegistration };
      return { type, validatorRegistration, epoch: decodeJson(ssz.Epoch, o.epoch, 'epoch') };
    }
    default:
      break;
  }
  const forkInfo = forkInfoOf(o, type);
  switch (type) {
    case 'AGGREGATION_SLOT':
      return {
        type,
        forkInfo,
        slot: decodeJson(SlotData, field(o, 'aggregation_slot'), 'aggregation_slot').slot,
      };
    case 'AGGREGATE_AND_PROOF':
      return {
        type,
        forkInfo,
        fork: 'phase0',
        aggregateAndProof: decodeJson(
          ssz.phase0.AggregateAndProof,
          field(o, 'aggregate_and_proof'),
          'aggregate_and_proof',
        ),
      };
    case 'AGGREGATE_AND_PROOF_V2': {
      const wrapper = objectField(o, 'aggregate_and_proof');
      const fork = forkOf(wrapper, 'aggregate_and_proof.version');
      const path = 'aggregate_and_proof.data';
      const aggregateAndProof = decodeJson(
        aggregateAndProofType(fork, false),
        field(wrapper, 'data', path),
        path,
      );
      return { type, forkInfo, fork, aggregateAndProof };
    }
    case 'ATTESTATION':
      return {
        type,
        forkInfo,
        attestation: decodeJson(ssz.phase0.AttestationData, field(o, 'attestation'), 'attestation'),
      };
    case 'BLOCK':
      return blockRequest(o, forkInfo, true);
    case 'BLOCK_V2':
      return blockRequest(o, forkInfo, false);
    case 'RANDAO_REVEAL':
      return {
        type,
        forkInfo,
        epoch: decodeJson(EpochData, field(o, 'randao_reveal'), 'randao_reveal').epoch,
      };
    case 'VOLUNTARY_EXIT':
      return {
        type,
        forkInfo,
        voluntaryExit: decodeJson(ssz.phase0.VoluntaryExit, field(o, 'voluntary_exit'), 'voluntary_exit'),
      };
    case 'SYNC_COMMITTEE_MESSAGE': {
      const m = decodeJson(SyncMessageData, field(o, 'sync_committee_message'), 'sync_committee_message');
      return { type, forkInfo, slot: m.slot, beaconBlockRoot: m.beaconBlockRoot };
    }
    case 'SYNC_COMMITTEE_SELECTION_PROOF': {
      const path = 'sync_aggregator_selection_data';
      const d = decodeJson(ssz.altair.SyncAggregatorSelectionData, field(o, path), path);
      if (d.subcommitteeIndex >= SYNC_COMMITTEE_SUBNET_COUNT) {
        throw requestError(`${path}.subcommittee_index`, `must be below ${SYNC_COMMITTEE_SUBNET_COUNT}`);
      }
      return { type, forkInfo, slot: d.slot, subcommitteeIndex: d.subcommitteeIndex };
    }
    case 'SYNC_COMMITTEE_CONTRIBUTION_AND_PROOF':
      return {
        type,
        forkInfo,
        contributionAndProof: decodeJson(
          ssz.altair.ContributionAndProof,
          field(o, 'contribution_and_proof'),
          'contribution_and_proof',
        ),
      };
  }
}
