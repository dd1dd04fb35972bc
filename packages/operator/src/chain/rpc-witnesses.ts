// Before a share keystore leaves the keys directory because of a recorded resharing, every configured
// RPC URL must show that recording the same way: one chain reader behind viem's `fallback` answers
// from whichever URL responds first, so one lying or forked RPC could otherwise make a node give up a
// live share. Each URL is asked on its own (its own transport, not the fallback) for the
// `ReshareRecorded` log of (draw, generation) with the public-shares hash the reader applied, its block
// at least `depth` blocks below that URL's head and in the same block (hash) at every URL, and for the
// registry's `sharesAt(draw, generation)` (shares hash and committee hash) as the reader folded them.
// With one URL only the depth rule protects (against a reorg, not against that RPC lying).
import { dkgResultRegistryAbi } from '@diva-dvt/contracts/abis';
import {
  type Address,
  type Chain,
  type Client,
  concatHex,
  createPublicClient,
  custom,
  encodePacked,
  type Hex,
  keccak256,
  type PublicClient,
  toHex,
} from 'viem';
import type { ChainValidator } from './chain-state.ts';

/** One RPC URL's own client, and how logs name it (host only: a URL may carry an API key). */
export interface RpcWitness {
  readonly name: string;
  readonly client: PublicClient;
}

interface TransportLike {
  readonly type?: string;
  readonly url?: string;
  readonly transports?: readonly {
    readonly request: (args: { method: string; params?: unknown }) => Promise<unknown>;
    readonly value?: { readonly url?: string };
  }[];
}

const hostOf = (url: string | undefined): string => {
  try {
    return url === undefined ? 'rpc' : new URL(url).host;
  } catch {
    return 'rpc';
  }
};

/**
 * The clients of each RPC URL behind `client`: each transport of a viem `fallback` (what
 * `createChainClients` builds for several URLs) as a client of its own, else `client` alone.
 */
export function rpcWitnessesOf(client: Pick<Client, 'transport' | 'chain' | 'request'>): RpcWitness[] {
  const transport = client.transport as TransportLike;
  const inner = transport.type === 'fallback' ? (transport.transports ?? []) : [];
  const clientOf = (request: (args: { method: string; params?: unknown }) => Promise<unknown>) =>
    createPublicClient({
      ...(client.chain === undefined ? {} : { chain: client.chain as Chain }),
      // that URL's own transport (its retries and timeout), never the fallback's next URL
      transport: custom({ request }, { retryCount: 0 }),
      cacheTime: 0,
    });
  if (inner.length === 0) {
    const request = client.request as (args: { method: string; params?: unknown }) => Promise<unknown>;
    return [{ name: hostOf(transport.url), client: clientOf((args) => request(args)) }];
  }
  return inner.map((t, i) => ({
    name: `${i + 1}/${inner.length} ${hostOf(t.value?.url)}`,
    client: clientOf((args) => t.request(args)),
  }));
}

/** What a recorded resharing must look like at every RPC: the reader's view of it. */
export interface RecordingClaim {
  readonly drawId: bigint;
  readonly generation: number;
  /** keccak256 of the recorded public shares, in seat order. */
  readonly publicSharesHash: Hex;
  /** keccak256(abi.encodePacked(committee)), as the registry keeps it. */
  readonly committeeHash: Hex;
  /** Where the reader saw it (logs are looked for from here on; default `fromBlock`). */
  readonly atBlock?: bigint | undefined;
}

/** The claim the chain reader's state makes about a validator's last recorded resharing. */
export function recordingClaimOf(v: ChainValidator): RecordingClaim {
  return {
    drawId: v.drawId,
    generation: v.generation,
    publicSharesHash: keccak256(concatHex(v.members.map((m) => toHex(m.publicShare)))),
    committeeHash: keccak256(encodePacked(['address[]'], [v.members.map((m) => m.operator as Address)])),
    atBlock: v.recordedAtBlock,
  };
}

export type RecordingCheck =
  | { readonly agreed: true; readonly blockNumber: bigint }
  | { readonly agreed: false; readonly rpc: string; readonly reason: string };

const RESHARE_RECORDED = dkgResultRegistryAbi.find(
  (x) => x.type === 'event' && x.name === 'ReshareRecorded',
)!;

/** One URL's view: the recording's block (number and hash), or why it does not confirm the claim. */
async function witness(
  w: RpcWitness,
  p: { registry: Address; claim: RecordingClaim; depth: number; fromBlock: bigint },
): Promise<{ blockNumber: bigint; blockHash: Hex } | string> {
  const { claim } = p;
  try {
    const head = await w.client.getBlockNumber();
    const logs = await w.client.getLogs({
      address: p.registry,
      event: RESHARE_RECORDED as Extract<typeof RESHARE_RECORDED, { type: 'event' }>,
      args: { drawId: claim.drawId },
      fromBlock: claim.atBlock ?? p.fromBlock,
      toBlock: head,
      strict: true,
    });
    const log = logs.find((l) => (l.args as { generation: bigint }).generation === BigInt(claim.generation));
    if (log === undefined || log.blockNumber === null || log.blockHash === null)
      return 'no ReshareRecorded log for this generation';
    if ((log.args as { publicSharesHash: Hex }).publicSharesHash !== claim.publicSharesHash)
      return 'its ReshareRecorded log carries other public shares';
    if (head - log.blockNumber < BigInt(p.depth))
      return `recorded ${head - log.blockNumber} blocks deep, ${p.depth} required`;
    const [shares, committee] = await w.client.readContract({
      address: p.registry,
      abi: dkgResultRegistryAbi,
      functionName: 'sharesAt',
      args: [claim.drawId, BigInt(claim.generation)],
      blockNumber: head,
    });
    if (shares !== claim.publicSharesHash || committee !== claim.committeeHash)
      return "the registry's sharesAt names other shares or another committee";
    return { blockNumber: log.blockNumber, blockHash: log.blockHash };
  } catch (error) {
    return `unreachable or failing (${(error as { shortMessage?: string }).shortMessage ?? String(error)})`;
  }
}

/**
 * Whether every witness confirms `claim`, at least `depth` blocks deep and in the same block; else the
 * first one that does not, and why (asked all at once).
 */
export async function confirmRecording(parameters: {
  readonly witnesses: readonly RpcWitness[];
  readonly registry: Address;
  readonly claim: RecordingClaim;
  readonly depth: number;
  readonly fromBlock: bigint;
}): Promise<RecordingCheck> {
  const views = await Promise.all(parameters.witnesses.map((w) => witness(w, parameters)));
  let first: { blockNumber: bigint; blockHash: Hex } | undefined;
  for (const [i, view] of views.entries()) {
    const rpc = parameters.witnesses[i]!.name;
    if (typeof view === 'string') return { agreed: false, rpc, reason: view };
    first ??= view;
    if (view.blockHash !== first.blockHash)
      return { agreed: false, rpc, reason: 'recorded in another block than at the other RPCs' };
  }
  if (first === undefined) return { agreed: false, rpc: 'none', reason: 'no RPC to ask' };
  return { agreed: true, blockNumber: first.blockNumber };
}
