// Server-sent events of `/eth/v1/events`: topics as repeated `topics=` query parameters (Lodestar
// 1.5.1 ignores the comma form), a text/event-stream parser, typed decoding of the common topics,
// and automatic reconnection with backoff (sending Last-Event-ID). An event that does not decode
// is reported through `onStatus`, never thrown.
import { type BeaconNodeClient, defaultTimers, type Timers } from './client.ts';
import { BeaconApiError, isBeaconApiError } from './errors.ts';
import { buildUrl } from './internal/http.ts';
import { fieldError, fromJsonStrict, hexToBytes } from './internal/json.ts';
import { bool, obj, uint } from './internal/read.ts';
import { createSseParser } from './sse.ts';
import {
  type ElectraAttestation,
  type Phase0Attestation,
  type SignedContributionAndProof,
  type SignedVoluntaryExit,
  type SingleAttestation,
  ssz,
} from './types.ts';

export type EventTopic =
  | 'head'
  | 'block'
  | 'finalized_checkpoint'
  | 'chain_reorg'
  | 'attestation'
  | 'single_attestation'
  | 'voluntary_exit'
  | 'contribution_and_proof'
  | 'payload_attributes'
  | 'blob_sidecar'
  | 'bls_to_execution_change'
  | 'light_client_optimistic_update'
  | 'light_client_finality_update'
  | (string & {});

export interface HeadEvent {
  slot: number;
  block: Uint8Array;
  state: Uint8Array;
  epochTransition: boolean;
  previousDutyDependentRoot?: Uint8Array;
  currentDutyDependentRoot?: Uint8Array;
  executionOptimistic?: boolean;
}
export interface BlockEvent {
  slot: number;
  block: Uint8Array;
  executionOptimistic?: boolean;
}
export interface FinalizedCheckpointEvent {
  block: Uint8Array;
  state: Uint8Array;
  epoch: number;
  executionOptimistic?: boolean;
}
export interface ChainReorgEvent {
  slot: number;
  depth: number;
  oldHeadBlock: Uint8Array;
  newHeadBlock: Uint8Array;
  oldHeadState: Uint8Array;
  newHeadState: Uint8Array;
  epoch: number;
  executionOptimistic?: boolean;
}

export type BeaconEvent =
  | { readonly topic: 'head'; readonly data: HeadEvent; readonly id?: string }
  | { readonly topic: 'block'; readonly data: BlockEvent; readonly id?: string }
  | { readonly topic: 'finalized_checkpoint'; readonly data: FinalizedCheckpointEvent; readonly id?: string }
  | { readonly topic: 'chain_reorg'; readonly data: ChainReorgEvent; readonly id?: string }
  | { readonly topic: 'voluntary_exit'; readonly data: SignedVoluntaryExit; readonly id?: string }
  | {
      readonly topic: 'contribution_and_proof';
      readonly data: SignedContributionAndProof;
      readonly id?: string;
    }
  /** phase0 Attestation, or electra's (it has committee_bits) from electra on. */
  | {
      readonly topic: 'attestation';
      readonly data: Phase0Attestation | ElectraAttestation;
      readonly id?: string;
    }
  | { readonly topic: 'single_attestation'; readonly data: SingleAttestation; readonly id?: string }
  /** Other topics (payload attributes, light client updates, ...) as parsed JSON. */
  | { readonly topic: 'raw'; readonly event: string; readonly data: unknown; readonly id?: string };

export type EventStreamStatus =
  | { readonly type: 'connected'; readonly node: string }
  | {
      readonly type: 'disconnected';
      readonly node: string;
      readonly reason: string;
      readonly retryInMs: number;
    }
  | {
      readonly type: 'invalid-event';
      readonly node: string;
      readonly event: string;
      readonly field: string;
      readonly reason: string;
    };

function root(o: Record<string, unknown>, key: string): Uint8Array {
  const b = hexToBytes(o[key], `data.${key}`);
  if (b.length !== 32) throw fieldError(`data.${key}`, 'expected 32 bytes');
  return b;
}

function optBool(o: Record<string, unknown>, key: string): { executionOptimistic?: boolean } {
  return o[key] === undefined ? {} : { executionOptimistic: bool(o, key, 'data') };
}

/** Decodes one SSE message of `event` with JSON `data`; throws DECODE_ERROR on a bad payload. */
export function decodeBeaconEvent(event: string, dataText: string, id?: string): BeaconEvent {
  let json: unknown;
  try {
    json = JSON.parse(dataText);
  } catch {
    throw fieldError('data', 'not JSON');
  }
  const idPart = id !== undefined ? { id } : {};
  switch (event) {
    case 'head': {
      const o = obj(json, 'data');
      return {
        topic: 'head',
        data: {
          slot: uint(o, 'slot', 'data'),
          block: root(o, 'block'),
          state: root(o, 'state'),
          epochTransition: bool(o, 'epoch_transition', 'data'),
          ...(o.previous_duty_dependent_root !== undefined
            ? { previousDutyDependentRoot: root(o, 'previous_duty_dependent_root') }
            : {}),
          ...(o.current_duty_dependent_root !== undefined
            ? { currentDutyDependentRoot: root(o, 'current_duty_dependent_root') }
            : {}),
          ...optBool(o, 'execution_optimistic'),
        },
        ...idPart,
      };
    }
    case 'block': {
      const o = obj(json, 'data');
      return {
        topic: 'block',
        data: {
          slot: uint(o, 'slot', 'data'),
          block: root(o, 'block'),
          ...optBool(o, 'execution_optimistic'),
        },
        ...idPart,
      };
    }
    case 'finalized_checkpoint': {
      const o = obj(json, 'data');
      return {
        topic: 'finalized_checkpoint',
        data: {
          block: root(o, 'block'),
          state: root(o, 'state'),
          epoch: uint(o, 'epoch', 'data'),
          ...optBool(o, 'execution_optimistic'),
        },
        ...idPart,
      };
    }
    case 'chain_reorg': {
      const o = obj(json, 'data');
      return {
        topic: 'chain_reorg',
        data: {
          slot: uint(o, 'slot', 'data'),
          depth: uint(o, 'depth', 'data'),
          oldHeadBlock: root(o, 'old_head_block'),
          newHeadBlock: root(o, 'new_head_block'),
          oldHeadState: root(o, 'old_head_state'),
          newHeadState: root(o, 'new_head_state'),
          epoch: uint(o, 'epoch', 'data'),
          ...optBool(o, 'execution_optimistic'),
        },
        ...idPart,
      };
    }
    case 'voluntary_exit':
      return {
        topic: 'voluntary_exit',
        data: fromJsonStrict(ssz.phase0.SignedVoluntaryExit, json, 'data'),
        ...idPart,
      };
    case 'attestation': {
      const electra = typeof json === 'object' && json !== null && 'committee_bits' in json;
      const data = electra
        ? fromJsonStrict(ssz.electra.Attestation, json, 'data')
        : fromJsonStrict(ssz.phase0.Attestation, json, 'data');
      return { topic: 'attestation', data, ...idPart };
    }
    case 'single_attestation':
      return {
        topic: 'single_attestation',
        data: fromJsonStrict(ssz.electra.SingleAttestation, json, 'data'),
        ...idPart,
      };
    case 'contribution_and_proof':
      return {
        topic: 'contribution_and_proof',
        data: fromJsonStrict(ssz.altair.SignedContributionAndProof, json, 'data'),
        ...idPart,
      };
    default:
      return { topic: 'raw', event, data: json, ...idPart };
  }
}

export interface SubscribeOptions {
  readonly topics: readonly EventTopic[];
  readonly onEvent: (event: BeaconEvent) => void;
  readonly onStatus?: (status: EventStreamStatus) => void;
  /** First reconnection delay (ms, default 500); doubles per failed attempt up to maxReconnectDelayMs. */
  readonly reconnectDelayMs?: number;
  readonly maxReconnectDelayMs?: number;
  /** Reconnect when no bytes arrived for this long (ms); off by default (an idle chain sends nothing). */
  readonly idleTimeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly timers?: Timers;
}

export interface EventSubscription {
  close(): void;
  /** Resolves once closed. */
  readonly closed: Promise<void>;
}

/**
 * Subscribes to events, reconnecting until closed. `source` is a node or a function returning
 * the node to use for each (re)connection; it is told which node the previous stream was on (a
 * pool moves to another node after a drop).
 */
export function subscribeEvents(
  source: BeaconNodeClient | ((previous: { readonly node: string } | undefined) => BeaconNodeClient),
  opts: SubscribeOptions,
): EventSubscription {
  if (opts.topics.length === 0) {
    throw new BeaconApiError({
      code: 'INVALID_REQUEST',
      endpoint: 'events',
      field: 'topics',
      reason: 'at least one topic',
    });
  }
  const pick = typeof source === 'function' ? source : () => source;
  const timers = opts.timers ?? defaultTimers;
  const base = opts.reconnectDelayMs ?? 500;
  const max = opts.maxReconnectDelayMs ?? 30_000;
  let closed = false;
  let controller: AbortController | undefined;
  let wake: (() => void) | undefined;
  let resolveClosed!: () => void;
  const closedPromise = new Promise<void>((r) => {
    resolveClosed = r;
  });
  const close = () => {
    if (closed) return;
    closed = true;
    controller?.abort();
    wake?.();
  };
  opts.signal?.addEventListener('abort', close, { once: true });
  if (opts.signal?.aborted) close();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const h = timers.setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        timers.clearTimeout(h);
        wake = undefined;
        resolve();
      };
    });

  (async () => {
    let delay = base;
    let lastEventId: string | undefined;
    let previous: { node: string } | undefined;
    while (!closed) {
      const node = pick(previous);
      controller = new AbortController();
      const ctl = controller;
      let reason = 'stream ended';
      let idleTimer: unknown;
      const armIdle = () => {
        if (opts.idleTimeoutMs === undefined) return;
        if (idleTimer !== undefined) timers.clearTimeout(idleTimer);
        idleTimer = timers.setTimeout(() => {
          reason = `idle for ${opts.idleTimeoutMs} ms`;
          ctl.abort();
        }, opts.idleTimeoutMs);
      };
      try {
        const url = buildUrl(node.url, '/eth/v1/events', { query: { topics: [...opts.topics] } });
        armIdle();
        const res = await node.transport.fetch(url, {
          method: 'GET',
          headers: {
            ...node.transport.headers,
            accept: 'text/event-stream',
            ...(lastEventId !== undefined ? { 'last-event-id': lastEventId } : {}),
          },
          signal: ctl.signal,
        });
        if (res.status !== 200 || res.body === null) {
          reason = `HTTP ${res.status}`;
          await res.body?.cancel().catch(() => {});
        } else {
          opts.onStatus?.({ type: 'connected', node: node.label });
          const parser = createSseParser((m) => {
            delay = base;
            try {
              opts.onEvent(decodeBeaconEvent(m.event, m.data, m.id));
            } catch (e) {
              if (isBeaconApiError(e, 'DECODE_ERROR')) {
                opts.onStatus?.({
                  type: 'invalid-event',
                  node: node.label,
                  event: m.event,
                  field: e.details.field,
                  reason: e.details.reason,
                });
              } else {
                opts.onStatus?.({
                  type: 'invalid-event',
                  node: node.label,
                  event: m.event,
                  field: '(handler)',
                  reason: e instanceof Error ? e.message : String(e),
                });
              }
            }
          });
          const reader = res.body.getReader();
          const dec = new TextDecoder();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            armIdle();
            parser.push(dec.decode(value, { stream: true }));
            lastEventId = parser.lastEventId() ?? lastEventId;
          }
          const r = parser.retryMs();
          if (r !== undefined) delay = Math.max(delay, r);
        }
      } catch (e) {
        if (!ctl.signal.aborted || reason === 'stream ended') {
          const cause = (e as { cause?: { code?: string } }).cause;
          reason = cause?.code ?? (e instanceof Error ? e.message : String(e));
        }
      } finally {
        if (idleTimer !== undefined) timers.clearTimeout(idleTimer);
      }
      if (closed) break;
      previous = { node: node.label };
      opts.onStatus?.({ type: 'disconnected', node: node.label, reason, retryInMs: delay });
      await sleep(delay);
      delay = Math.min(max, delay * 2);
    }
    resolveClosed();
  })();

  return { close, closed: closedPromise };
}
