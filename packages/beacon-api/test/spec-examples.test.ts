// The beacon-APIs specification's own example data (test/vectors/beacon-apis/examples.json.gz, built
// by generate.py from the spec's schema and field examples at a pinned commit): every response
// and request body of the endpoints this package speaks is decoded with our route codecs (per
// fork where the spec gives one body per fork, electra included) and encoded back to the same
// JSON. Bodies whose example values do not fit the mainnet types are listed with the reason.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { SYNC_COMMITTEE_SIZE } from '@lodestar/params';
import { describe, expect, it } from 'vitest';
import { type AnyEndpoint, type EndpointName, endpoints, type RouteDefinition } from '../src/index.ts';
import type { ParsedRequest } from '../src/route.ts';

interface Body {
  fork: string | null;
  blinded: boolean;
  body: unknown;
}
interface Operation {
  operationId: string;
  method: string;
  path: string;
  responses: Body[];
  requests: Body[];
}
const examples = JSON.parse(
  gunzipSync(readFileSync(new URL('./vectors/beacon-apis/examples.json.gz', import.meta.url))).toString(
    'utf8',
  ),
) as {
  source: string;
  operations: Operation[];
};

const ROUTES: Record<string, [EndpointName, string]> = {
  getGenesis: ['getGenesis', 'getGenesis.v1'],
  getStateFork: ['getStateFork', 'getStateFork.v1'],
  getStateFinalityCheckpoints: ['getStateFinalityCheckpoints', 'getStateFinalityCheckpoints.v1'],
  getStateValidators: ['getStateValidators', 'getStateValidators.v1'],
  postStateValidators: ['getStateValidators', 'postStateValidators.v1'],
  getBlockHeaders: ['getBlockHeaders', 'getBlockHeaders.v1'],
  getBlockHeader: ['getBlockHeader', 'getBlockHeader.v1'],
  getBlockV2: ['getBlock', 'getBlock.v2'],
  getBlindedBlock: ['getBlindedBlock', 'getBlindedBlock.v1'],
  getPoolAttestationsV2: ['getPoolAttestations', 'getPoolAttestations.v2'],
  getPoolVoluntaryExits: ['getPoolVoluntaryExits', 'getPoolVoluntaryExits.v1'],
  getSpec: ['getSpec', 'getSpec.v1'],
  getForkSchedule: ['getForkSchedule', 'getForkSchedule.v1'],
  getDepositContract: ['getDepositContract', 'getDepositContract.v1'],
  getSyncingStatus: ['getSyncingStatus', 'getSyncingStatus.v1'],
  getNodeVersion: ['getNodeVersion', 'getNodeVersion.v1'],
  getNetworkIdentity: ['getNodeIdentity', 'getNodeIdentity.v1'],
  getAttesterDuties: ['getAttesterDuties', 'getAttesterDuties.v1'],
  getProposerDuties: ['getProposerDuties', 'getProposerDuties.v1'],
  getSyncCommitteeDuties: ['getSyncCommitteeDuties', 'getSyncCommitteeDuties.v1'],
  produceAttestationData: ['produceAttestationData', 'produceAttestationData.v1'],
  getAggregatedAttestationV2: ['getAggregatedAttestation', 'getAggregatedAttestation.v2'],
  produceBlockV3: ['produceBlock', 'produceBlock.v3'],
  produceSyncCommitteeContribution: [
    'produceSyncCommitteeContribution',
    'produceSyncCommitteeContribution.v1',
  ],
  getLiveness: ['getLiveness', 'getLiveness.v1'],
  publishBlockV2: ['publishBlock', 'publishBlock.v2'],
  publishBlindedBlockV2: ['publishBlindedBlock', 'publishBlindedBlock.v2'],
  submitPoolAttestationsV2: ['submitPoolAttestations', 'submitPoolAttestations.v2'],
  submitPoolSyncCommitteeSignatures: [
    'submitPoolSyncCommitteeSignatures',
    'submitPoolSyncCommitteeSignatures.v1',
  ],
  submitPoolVoluntaryExit: ['submitPoolVoluntaryExit', 'submitPoolVoluntaryExit.v1'],
  publishAggregateAndProofsV2: ['publishAggregateAndProofs', 'publishAggregateAndProofs.v2'],
  prepareBeaconCommitteeSubnet: ['prepareBeaconCommitteeSubnet', 'prepareBeaconCommitteeSubnet.v1'],
  prepareSyncCommitteeSubnets: ['prepareSyncCommitteeSubnets', 'prepareSyncCommitteeSubnets.v1'],
  publishContributionAndProofs: ['publishContributionAndProofs', 'publishContributionAndProofs.v1'],
  prepareBeaconProposer: ['prepareBeaconProposer', 'prepareBeaconProposer.v1'],
  registerValidator: ['registerValidator', 'registerValidator.v1'],
};

/** Bodies we do not decode, with the reason (each must still fail to decode). */
const SKIPS: Record<string, string> = {
  'getBlockV2 response gloas': 'gloas comes after fulu: not decoded by this package',
  'publishBlockV2 request gloas': 'gloas comes after fulu: not decoded by this package',
};

/**
 * The spec's example for sync_committee_bits is "0x01" (one byte); a Bitvector[SYNC_COMMITTEE_SIZE]
 * needs SYNC_COMMITTEE_SIZE / 8 bytes, so the example is zero-padded to that size before decoding.
 */
function fit(body: unknown): unknown {
  return JSON.parse(JSON.stringify(body), (k, v) =>
    k === 'sync_committee_bits' && typeof v === 'string' ? v.padEnd(2 + SYNC_COMMITTEE_SIZE / 4, '0') : v,
  );
}

function route(op: Operation): RouteDefinition<unknown, unknown> {
  const [name, id] = ROUTES[op.operationId] ?? [];
  const e = name !== undefined ? (endpoints[name] as AnyEndpoint) : undefined;
  const r = e?.routes.find((x) => x.id === id);
  if (r === undefined) throw new Error(`no route for ${op.operationId}`);
  return r as RouteDefinition<unknown, unknown>;
}

/** Hex is case-insensitive in the API: compare lowercased. */
const norm = (v: unknown): unknown =>
  JSON.parse(JSON.stringify(v), (_k, x) =>
    typeof x === 'string' && /^0x[0-9a-fA-F]*$/.test(x) ? x.toLowerCase() : x,
  );

const key = (op: Operation, kind: string, b: Body) =>
  `${op.operationId} ${kind} ${b.fork ?? '-'}${b.blinded ? ' blinded' : ''}`;

const cases: [string, Operation, 'response' | 'request', Body][] = [];
for (const op of examples.operations) {
  for (const b of op.responses) cases.push([key(op, 'response', b), op, 'response', b]);
  for (const b of op.requests) cases.push([key(op, 'request', b), op, 'request', b]);
}

describe(`beacon-APIs examples (${examples.source.split(' (')[0]})`, () => {
  it('covers every endpoint operation this package maps', () => {
    expect(new Set(examples.operations.map((o) => o.operationId))).toEqual(new Set(Object.keys(ROUTES)));
    expect(cases.length).toBeGreaterThan(60);
  });

  it.each(cases)('%s', (name, op, kind, b) => {
    const r = route(op);
    const skip = SKIPS[name];
    const header = (n: string) =>
      n.toLowerCase() === 'eth-consensus-version' && b.fork !== null ? b.fork : undefined;
    const run = () => {
      if (kind === 'response') {
        const value = r.resp.fromJson(fit(b.body), { status: 200, header });
        return r.resp.toJson(value).body;
      }
      const req: ParsedRequest = {
        params: { epoch: '1', state_id: 'head', block_id: 'head', slot: '1' },
        query: {},
        header,
        body: { json: fit(b.body) },
      };
      const args = r.parseReq(req);
      const parts = r.writeReq(args, 'json');
      return parts.body !== undefined && 'json' in parts.body ? parts.body.json : undefined;
    };
    if (skip !== undefined) {
      expect(run).toThrow();
      return;
    }
    expect(norm(run())).toEqual(norm(fit(b.body)));
  });
});
