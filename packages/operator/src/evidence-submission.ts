// Submits the stored leader equivocations to the evidence contract, once each. The chain is a port
// (`EvidenceChain`); `createContractsEvidenceChain` implements it with @diva-dvt/contracts over a
// viem client: `proveEquivocatingLeader`, `EvidenceSlasher.equivocationPunished(equivocationKey(...))`
// and `DkgResultRegistry.drawOfPubkey(keccak256(group key))`. Idempotent: what the
// store marks proven is not sent again, and what the contract has punished already (another
// member was faster, or this node before a restart) is marked and skipped, never an error. Other
// failures (the chain unreachable, a refusal) are answered per record and left for the next run,
// except `NotCommitteeMember`: the operator was already replaced (proven for another equivocation).
// The same port proves a key share's double signature (./share-evidence-submission.ts):
// `proveDoubleAttestation`/`proveDoubleProposal`, `punished(drawId, operator)` and
// `DkgResultRegistry.generationOf`/`sharesAt` (which generation the stored shares are).
import {
  createEvidencePartialSignature,
  type EvidenceAttestationData,
  type EvidenceBlockHeader,
  proveDoubleAttestation,
  proveDoubleProposal,
  proveEquivocatingLeader,
  type ShareRef,
} from '@diva-dvt/contracts';
import { dkgResultRegistryAbi, evidenceSlasherAbi } from '@diva-dvt/contracts/abis';
import {
  type Account,
  type Address,
  type Chain,
  type Client,
  encodePacked,
  type Hash,
  keccak256,
  type Transport,
} from 'viem';
import { readContract, waitForTransactionReceipt } from 'viem/actions';
import { revertOf } from './chain/revert.ts';
import type { OperatorAddress } from './committee/types.ts';
import { OperatorError } from './errors.ts';
import type { EvidenceStore, StoredLeaderEquivocation } from './evidence-store.ts';

/** A proposal as the contract's `Proposal` struct. */
export interface ChainProposal {
  readonly instance: `0x${string}`;
  readonly round: bigint;
  readonly valueRoot: `0x${string}`;
}

/** What submitting needs of the chain (see the file comment for what implements each call). */
export interface EvidenceChain {
  /** The draw whose committee holds the validator's shares; undefined when the chain has none. */
  drawIdOf(groupPublicKey: Uint8Array): Promise<bigint | undefined>;
  /** Whether the contract has punished `operator` for (`instance`, `round`) already. */
  isEquivocationPunished(operator: OperatorAddress, instance: `0x${string}`, round: bigint): Promise<boolean>;
  /** Sends the proof (simulated first); resolves with the transaction hash once it is mined. */
  proveEquivocatingLeader(parameters: {
    readonly drawId: bigint;
    readonly first: ChainProposal;
    readonly firstSignature: `0x${string}`;
    readonly second: ChainProposal;
    readonly secondSignature: `0x${string}`;
  }): Promise<`0x${string}`>;
  /**
   * The generation of `drawId`'s shares (0 = the DKG result, k = the k-th resharing) whose recorded
   * hashes are those of `committee` and `publicShares` (n × 48 bytes); undefined when none is.
   */
  generationOf(
    drawId: bigint,
    committee: readonly OperatorAddress[],
    publicShares: Uint8Array,
  ): Promise<bigint | undefined>;
  /** Whether the contract has punished `operator` in `drawId` already (for any evidence). */
  isSharePunished(drawId: bigint, operator: OperatorAddress): Promise<boolean>;
  /** proveDoubleAttestation with the two 96-byte partials; resolves once it is mined. */
  proveDoubleAttestation(parameters: ShareProof<EvidenceAttestationData>): Promise<`0x${string}`>;
  /** proveDoubleProposal with the two 96-byte partials; resolves once it is mined. */
  proveDoubleProposal(parameters: ShareProof<EvidenceBlockHeader>): Promise<`0x${string}`>;
}

/** Two values one key share signed, with its partial signatures (96 bytes each) and the share. */
export interface ShareProof<T> {
  readonly share: ShareRef;
  readonly first: T;
  readonly firstSignature: Uint8Array;
  readonly second: T;
  readonly secondSignature: Uint8Array;
}

/** What became of one stored equivocation in this run. */
export type EvidenceSubmission = {
  readonly operator: OperatorAddress;
  readonly instance: `0x${string}`;
  readonly round: bigint;
} & (
  | { readonly status: 'proven'; readonly transaction: `0x${string}` }
  | { readonly status: 'already-proven' }
  | { readonly status: 'not-a-member' }
  | { readonly status: 'unknown-validator' }
  | { readonly status: 'failed'; readonly error: unknown }
);

const strip = ({ instance, round, valueRoot }: ChainProposal): ChainProposal => ({
  instance,
  round,
  valueRoot,
});

async function submitOne(
  store: EvidenceStore,
  chain: EvidenceChain,
  e: StoredLeaderEquivocation,
): Promise<EvidenceSubmission> {
  const key = { operator: e.operator, instance: e.first.instance, round: e.first.round };
  const already = async (): Promise<EvidenceSubmission | undefined> => {
    if (!(await chain.isEquivocationPunished(key.operator, key.instance, key.round))) return undefined;
    store.markProven(key, { status: 'already-proven' });
    return { ...key, status: 'already-proven' };
  };
  try {
    const punished = await already();
    if (punished !== undefined) return punished;
    const drawId = await chain.drawIdOf(e.groupPublicKey);
    if (drawId === undefined) return { ...key, status: 'unknown-validator' };
    const transaction = await chain.proveEquivocatingLeader({
      drawId,
      first: strip(e.first),
      firstSignature: e.first.signature,
      second: strip(e.second),
      secondSignature: e.second.signature,
    });
    store.markProven(key, { status: 'proven', transaction });
    return { ...key, status: 'proven', transaction };
  } catch (error) {
    // Someone may have proven it between the check and the proof: that is success, not a failure.
    const punished = await already().catch(() => undefined);
    if (punished !== undefined) return punished;
    // An operator proven for another equivocation is replaced in the committee: this one is moot.
    if (revertOf(error)?.name === 'NotCommitteeMember') {
      store.markProven(key, { status: 'not-a-member' });
      return { ...key, status: 'not-a-member' };
    }
    return { ...key, status: 'failed', error };
  }
}

/**
 * Proves every equivocation the store holds and the chain has not punished yet, one transaction
 * each, in the order they were recorded; answers what became of each one looked at.
 */
export async function submitLeaderEquivocations(
  store: EvidenceStore,
  chain: EvidenceChain,
): Promise<EvidenceSubmission[]> {
  const results: EvidenceSubmission[] = [];
  for (const e of store.leaderEquivocations({ unproven: true }))
    results.push(await submitOne(store, chain, e));
  return results;
}

export interface ContractsEvidenceChainParameters {
  /** The EvidenceSlasher (`deployDiva(...).evidenceSlasher`): the proposals' EIP-712 domain too. */
  readonly evidenceSlasher: Address;
  /** The DKG-result registry, which knows each validator's draw. */
  readonly dkgResultRegistry: Address;
}

/**
 * The evidence port over a viem client whose account pays for the proofs (and, as the reporter,
 * receives the contract's share of the slashed collateral). A proof resolves once it is mined.
 */
export function createContractsEvidenceChain(
  client: Client<Transport, Chain | undefined, Account>,
  parameters: ContractsEvidenceChainParameters,
): EvidenceChain {
  const { evidenceSlasher, dkgResultRegistry } = parameters;
  const mined = async (transaction: Hash) => {
    const receipt = await waitForTransactionReceipt(client, { hash: transaction });
    if (receipt.status !== 'success') throw new OperatorError({ code: 'EVIDENCE_REVERTED', transaction });
    return transaction;
  };
  const partials = <T>(p: ShareProof<T>) => ({
    evidenceSlasher,
    share: p.share,
    first: p.first,
    firstSignature: createEvidencePartialSignature(p.firstSignature),
    second: p.second,
    secondSignature: createEvidencePartialSignature(p.secondSignature),
  });
  return {
    async drawIdOf(groupPublicKey) {
      const drawId = await readContract(client, {
        address: dkgResultRegistry,
        abi: dkgResultRegistryAbi,
        functionName: 'drawOfPubkey',
        args: [keccak256(groupPublicKey)],
      });
      return drawId === 0n ? undefined : drawId;
    },
    async isEquivocationPunished(operator, instance, round) {
      const read = { address: evidenceSlasher, abi: evidenceSlasherAbi } as const;
      const key = await readContract(client, {
        ...read,
        functionName: 'equivocationKey',
        args: [operator, instance, round],
      });
      return readContract(client, { ...read, functionName: 'equivocationPunished', args: [key] });
    },
    async proveEquivocatingLeader(proof) {
      return mined(await proveEquivocatingLeader(client, { evidenceSlasher, ...proof }));
    },
    async generationOf(drawId, committee, publicShares) {
      const read = { address: dkgResultRegistry, abi: dkgResultRegistryAbi } as const;
      const sharesHash = keccak256(publicShares);
      // abi.encodePacked(address[]) pads each address to 32 bytes, as viem's encodePacked does
      const committeeHash = keccak256(encodePacked(['address[]'], [[...committee]]));
      const latest = await readContract(client, { ...read, functionName: 'generationOf', args: [drawId] });
      // the newest first: evidence is most often about the shares in use
      for (let g = latest; g >= 0n; g--) {
        const [shares, members] = await readContract(client, {
          ...read,
          functionName: 'sharesAt',
          args: [drawId, g],
        });
        if (shares === sharesHash && members === committeeHash) return g;
      }
      return undefined;
    },
    async isSharePunished(drawId, operator) {
      return readContract(client, {
        address: evidenceSlasher,
        abi: evidenceSlasherAbi,
        functionName: 'punished',
        args: [drawId, operator],
      });
    },
    async proveDoubleAttestation(proof) {
      return mined(await proveDoubleAttestation(client, partials(proof)));
    },
    async proveDoubleProposal(proof) {
      return mined(await proveDoubleProposal(client, partials(proof)));
    },
  };
}
