import { ListCompositeType } from '@chainsafe/ssz';
import { MAX_COMMITTEES_PER_SLOT, MAX_VALIDATORS_PER_COMMITTEE } from '@lodestar/params';
import { FORKS, type Fork, forkAtLeast } from '../forks.ts';
import {
  type ApiResponse,
  dataCodec,
  type Endpoint,
  emptyCodec,
  encodeBody,
  forkedListPublish,
  listBody,
  optionalQuery,
  type ParsedRequest,
  valueBody,
} from '../route.ts';
import {
  attestationType,
  type SignedVoluntaryExit,
  type SyncCommitteeMessage,
  SyncCommitteeMessages,
  ssz,
} from '../types.ts';

const noArgs = { writeReq: () => ({}), parseReq: () => undefined } as const;

/** `head`, `genesis`, `finalized`, `justified`, a slot or a 0x root. */
// ---- pool ----

/** Attestation lists of any fork (phase0 Attestation before electra, electra Attestation after). */
const MAX_POOL = MAX_VALIDATORS_PER_COMMITTEE * MAX_COMMITTEES_PER_SLOT * 64;
const attestationListType = (f: Fork) => new ListCompositeType(attestationType(f), MAX_POOL);
// Built once for every fork when the module loads (immutable afterwards).
const attestationLists = new Map(FORKS.map((f) => [f, attestationListType(f)]));
export function attestationList(f: Fork) {
  return attestationLists.get(f) as ReturnType<typeof attestationListType>;
}
const singleAttestationList = new ListCompositeType(ssz.electra.SingleAttestation, MAX_POOL);

// biome-ignore lint/suspicious/noExplicitAny: attestations of different forks
type AnyAttestation = any;

export const getPoolAttestations: Endpoint<
  { slot?: number; committeeIndex?: number },
  ApiResponse<AnyAttestation[]>
> = {
  name: 'getPoolAttestations',
  kind: 'read',
  routes: (['v2', 'v1'] as const).map((v) => ({
    id: `getPoolAttestations.${v}`,
    method: 'GET' as const,
    path: `/eth/${v}/beacon/pool/attestations`,
    reqSsz: false,
    writeReq: (a: { slot?: number; committeeIndex?: number }) => ({
      query: { slot: a.slot, committee_index: a.committeeIndex },
    }),
    parseReq: (r: ParsedRequest) => {
      const slot = optionalQuery(r, 'slot');
      const ci = optionalQuery(r, 'committee_index');
      return {
        ...(slot !== undefined ? { slot: Number(slot) } : {}),
        ...(ci !== undefined ? { committeeIndex: Number(ci) } : {}),
      };
    },
    resp:
      v === 'v2'
        ? dataCodec((f) => attestationList(f), { meta: ['version'] })
        : dataCodec(attestationList('phase0')),
  })),
};

export interface SubmitAttestationsArgs {
  fork: Fork;
  /** phase0 Attestation before electra; SingleAttestation from electra on. */
  data: AnyAttestation[];
}

const submittedAttestationList = (f: Fork) =>
  forkAtLeast(f, 'electra') ? singleAttestationList : attestationList('phase0');

export const submitPoolAttestations: Endpoint<SubmitAttestationsArgs, void> = forkedListPublish({
  name: 'submitPoolAttestations',
  v2Path: '/eth/v2/beacon/pool/attestations',
  v1Path: '/eth/v1/beacon/pool/attestations',
  listFor: submittedAttestationList,
});

export const submitPoolSyncCommitteeSignatures: Endpoint<{ data: SyncCommitteeMessage[] }, void> = {
  name: 'submitPoolSyncCommitteeSignatures',
  kind: 'publish',
  routes: [
    {
      id: 'submitPoolSyncCommitteeSignatures.v1',
      method: 'POST',
      path: '/eth/v1/beacon/pool/sync_committees',
      reqSsz: false,
      writeReq: (a, f) => ({ body: encodeBody(SyncCommitteeMessages, a.data, f) }),
      parseReq: (r) => ({ data: listBody(SyncCommitteeMessages, r) }),
      resp: emptyCodec,
    },
  ],
};

export const submitPoolVoluntaryExit: Endpoint<{ data: SignedVoluntaryExit }, void> = {
  name: 'submitPoolVoluntaryExit',
  kind: 'publish',
  routes: [
    {
      id: 'submitPoolVoluntaryExit.v1',
      method: 'POST',
      path: '/eth/v1/beacon/pool/voluntary_exits',
      reqSsz: false,
      writeReq: (a, f) => ({ body: encodeBody(ssz.phase0.SignedVoluntaryExit, a.data, f) }),
      parseReq: (r) => ({ data: valueBody(ssz.phase0.SignedVoluntaryExit, r) }),
      resp: emptyCodec,
    },
  ],
};

const exitList = new ListCompositeType(ssz.phase0.SignedVoluntaryExit, 1 << 16);

export const getPoolVoluntaryExits: Endpoint<void, ApiResponse<SignedVoluntaryExit[]>> = {
  name: 'getPoolVoluntaryExits',
  kind: 'read',
  routes: [
    {
      id: 'getPoolVoluntaryExits.v1',
      method: 'GET',
      path: '/eth/v1/beacon/pool/voluntary_exits',
      reqSsz: false,
      ...noArgs,
      resp: dataCodec(exitList, { ssz: false }),
    },
  ],
};
