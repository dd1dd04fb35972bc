// Several beacon nodes behind one caller. Reads go to the best node first (healthy, then lowest
// latency, fewest recent failures) and fail over to the next on error or timeout; publishes go to
// every node at once and succeed when one accepts. Per-attempt timeouts come from the duty's
// deadline: with more nodes left to try, an attempt gets half of the remaining time, so a slow
// node cannot eat the whole slot. Everything is reported as PoolEvents for metrics.
import { type BeaconApi, createBeaconApi, type EndpointCaller } from './api.ts';
import type { BeaconNodeClient, CallOptions } from './client.ts';
import { BeaconApiError } from './errors.ts';
import { type EventSubscription, type SubscribeOptions, subscribeEvents } from './events.ts';
import type { AnyEndpoint, ArgsOf, RetOf } from './route.ts';
import { getHealth, getSyncingStatus } from './routes/node.ts';

export interface PoolCallOptions extends CallOptions {
  /** Absolute deadline on the pool's clock (`now()`), e.g. the end of the duty's window. */
  readonly deadlineMs?: number;
}

export interface NodeScore {
  readonly node: string;
  /** Last health verdict: true after a 200 health check or a successful call. */
  readonly healthy: boolean;
  /** Smoothed latency of successful calls (ms); undefined before the first. */
  readonly latencyMs: number | undefined;
  readonly consecutiveFailures: number;
  /** Lower is better. */
  readonly score: number;
}

export type PoolEvent =
  | {
      readonly type: 'attempt';
      readonly endpoint: string;
      readonly node: string;
      readonly ok: boolean;
      readonly durationMs: number;
      readonly timeoutMs: number;
      readonly errorCode?: string;
    }
  | {
      readonly type: 'failover';
      readonly endpoint: string;
      readonly from: string;
      readonly to: string;
      readonly errorCode: string;
    }
  | {
      readonly type: 'publish';
      readonly endpoint: string;
      readonly succeeded: readonly string[];
      readonly failed: readonly { node: string; errorCode: string }[];
    }
  | { readonly type: 'health'; readonly node: string; readonly healthy: boolean; readonly reason: string };

export interface PoolOptions {
  readonly nodes: readonly BeaconNodeClient[];
  /** Clock for deadlines and latency, in ms (default performance.now; pass the runtime's clock). */
  readonly now?: () => number;
  readonly onEvent?: (event: PoolEvent) => void;
  /** Smallest timeout an attempt is given while other nodes remain (default 250 ms). */
  readonly minAttemptMs?: number;
  /** Weight of the newest sample in the latency average (default 0.3). */
  readonly latencyAlpha?: number;
}

export interface BeaconNodePool extends EndpointCaller<PoolCallOptions> {
  readonly nodes: readonly BeaconNodeClient[];
  /** Typed methods over the pool. */
  readonly api: BeaconApi<PoolCallOptions>;
  /** Current scores, best first. */
  scores(): NodeScore[];
  /** Nodes in the order the next read would try them. */
  ranked(): BeaconNodeClient[];
  /** Checks every node's health and syncing status now and updates the scores. */
  checkHealth(opts?: { timeoutMs?: number }): Promise<NodeScore[]>;
  /** SSE subscription on the best node; after a drop it reconnects to the best other node. */
  subscribeEvents(opts: SubscribeOptions): EventSubscription;
}

interface State {
  healthy: boolean;
  latency: number | undefined;
  failures: number;
}

/** Errors that say the request itself is wrong; another node would answer the same. */
function isCallerError(e: unknown): boolean {
  if (!(e instanceof BeaconApiError)) return false;
  const d = e.details;
  return (
    d.code === 'INVALID_REQUEST' || d.code === 'ABORTED' || (d.code === 'HTTP_ERROR' && d.status === 400)
  );
}

const codeOf = (e: unknown) => (e instanceof BeaconApiError ? e.code : 'UNKNOWN');

export function createBeaconNodePool(opts: PoolOptions): BeaconNodePool {
  if (opts.nodes.length === 0)
    throw new BeaconApiError({ code: 'INVALID_CONFIG', field: 'nodes', reason: 'at least one node' });
  const labels = new Set(opts.nodes.map((n) => n.label));
  if (labels.size !== opts.nodes.length) {
    throw new BeaconApiError({
      code: 'INVALID_CONFIG',
      field: 'nodes',
      reason: 'node labels must be unique',
    });
  }
  const now = opts.now ?? (() => performance.now());
  const minAttempt = opts.minAttemptMs ?? 250;
  const alpha = opts.latencyAlpha ?? 0.3;
  const state = new Map<BeaconNodeClient, State>(
    opts.nodes.map((n) => [n, { healthy: true, latency: undefined, failures: 0 }]),
  );
  const emit = (e: PoolEvent) => opts.onEvent?.(e);

  const st = (n: BeaconNodeClient) => state.get(n) as State;
  const scoreOf = (s: State) => (s.healthy ? 0 : 1e9) + (s.latency ?? 100) * (1 + s.failures);

  function ranked(): BeaconNodeClient[] {
    // Stable: ties keep the configured order (the operator's preference).
    return opts.nodes
      .map((n, i) => ({ n, i, s: scoreOf(st(n)) }))
      .sort((a, b) => a.s - b.s || a.i - b.i)
      .map((x) => x.n);
  }

  function scores(): NodeScore[] {
    return ranked().map((n) => {
      const s = st(n);
      return {
        node: n.label,
        healthy: s.healthy,
        latencyMs: s.latency,
        consecutiveFailures: s.failures,
        score: scoreOf(s),
      };
    });
  }

  function recordSuccess(n: BeaconNodeClient, ms: number) {
    const s = st(n);
    s.latency = s.latency === undefined ? ms : s.latency * (1 - alpha) + ms * alpha;
    s.failures = 0;
    if (!s.healthy) {
      s.healthy = true;
      emit({ type: 'health', node: n.label, healthy: true, reason: 'call succeeded' });
    }
  }

  function recordFailure(n: BeaconNodeClient, e: unknown) {
    if (isCallerError(e)) return;
    const s = st(n);
    s.failures += 1;
    if (s.healthy) {
      s.healthy = false;
      emit({ type: 'health', node: n.label, healthy: false, reason: codeOf(e) });
    }
  }

  function attemptTimeout(call: PoolCallOptions, nodesLeft: number): number | undefined {
    if (call.deadlineMs === undefined) return call.timeoutMs;
    const remaining = call.deadlineMs - now();
    const share = nodesLeft > 1 ? Math.max(minAttempt, remaining / 2) : remaining;
    const t = Math.min(share, remaining, call.timeoutMs ?? Number.POSITIVE_INFINITY);
    return Math.max(0, Math.floor(t));
  }

  async function attempt<E extends AnyEndpoint>(
    n: BeaconNodeClient,
    endpoint: E,
    args: ArgsOf<E>,
    call: PoolCallOptions,
    timeoutMs: number | undefined,
  ) {
    const t0 = now();
    const { deadlineMs: _d, ...rest } = call;
    try {
      const r = await n.call(endpoint, args, { ...rest, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
      const ms = now() - t0;
      recordSuccess(n, ms);
      emit({
        type: 'attempt',
        endpoint: endpoint.name,
        node: n.label,
        ok: true,
        durationMs: ms,
        timeoutMs: timeoutMs ?? -1,
      });
      return r;
    } catch (e) {
      recordFailure(n, e);
      emit({
        type: 'attempt',
        endpoint: endpoint.name,
        node: n.label,
        ok: false,
        durationMs: now() - t0,
        timeoutMs: timeoutMs ?? -1,
        errorCode: codeOf(e),
      });
      throw e;
    }
  }

  function deadlinePassed(endpoint: string, call: PoolCallOptions): BeaconApiError | undefined {
    if (call.deadlineMs !== undefined && call.deadlineMs - now() <= 0) {
      return new BeaconApiError({ code: 'TIMEOUT', endpoint, node: '(pool)', timeoutMs: 0 });
    }
    return undefined;
  }

  async function read<E extends AnyEndpoint>(
    endpoint: E,
    args: ArgsOf<E>,
    call: PoolCallOptions,
  ): Promise<RetOf<E>> {
    const order = ranked();
    const errors: { node: string; message: string }[] = [];
    for (let i = 0; i < order.length; i++) {
      const n = order[i] as BeaconNodeClient;
      const late = deadlinePassed(endpoint.name, call);
      if (late !== undefined) {
        errors.push({ node: n.label, message: late.shortMessage });
        break;
      }
      try {
        return await attempt(n, endpoint, args, call, attemptTimeout(call, order.length - i));
      } catch (e) {
        if (isCallerError(e)) throw e;
        errors.push({ node: n.label, message: e instanceof BeaconApiError ? e.shortMessage : String(e) });
        const next = order[i + 1];
        if (next !== undefined)
          emit({
            type: 'failover',
            endpoint: endpoint.name,
            from: n.label,
            to: next.label,
            errorCode: codeOf(e),
          });
        else if (order.length === 1) throw e;
      }
    }
    throw new BeaconApiError({ code: 'ALL_NODES_FAILED', endpoint: endpoint.name, errors });
  }

  async function publish<E extends AnyEndpoint>(
    endpoint: E,
    args: ArgsOf<E>,
    call: PoolCallOptions,
  ): Promise<RetOf<E>> {
    const late = deadlinePassed(endpoint.name, call);
    if (late !== undefined) throw late;
    const timeoutMs = attemptTimeout(call, 1);
    const settled = await Promise.allSettled(
      opts.nodes.map((n) => attempt(n, endpoint, args, call, timeoutMs)),
    );
    const succeeded: string[] = [];
    const failed: { node: string; errorCode: string }[] = [];
    const errors: { node: string; message: string }[] = [];
    let first: RetOf<E> | undefined;
    let ok = false;
    settled.forEach((r, i) => {
      const label = (opts.nodes[i] as BeaconNodeClient).label;
      if (r.status === 'fulfilled') {
        if (!ok) first = r.value as RetOf<E>;
        ok = true;
        succeeded.push(label);
      } else {
        failed.push({ node: label, errorCode: codeOf(r.reason) });
        errors.push({
          node: label,
          message: r.reason instanceof BeaconApiError ? r.reason.shortMessage : String(r.reason),
        });
      }
    });
    emit({ type: 'publish', endpoint: endpoint.name, succeeded, failed });
    if (!ok) {
      const only = settled[0];
      if (settled.length === 1 && only?.status === 'rejected') throw only.reason;
      throw new BeaconApiError({ code: 'ALL_NODES_FAILED', endpoint: endpoint.name, errors });
    }
    return first as RetOf<E>;
  }

  async function checkHealth(o: { timeoutMs?: number } = {}): Promise<NodeScore[]> {
    await Promise.all(
      opts.nodes.map(async (n) => {
        const s = st(n);
        const before = s.healthy;
        let healthy = false;
        let reason = 'ok';
        const t0 = now();
        try {
          const h = await n.call(getHealth, undefined, o);
          if (h.status === 200) {
            const sync = await n.call(getSyncingStatus, undefined, o);
            healthy = !sync.data.isSyncing;
            reason = healthy ? 'ok' : `syncing (distance ${sync.data.syncDistance})`;
          } else {
            reason = h.status === 206 ? 'syncing' : `health ${h.status}`;
          }
        } catch (e) {
          reason = codeOf(e);
        }
        if (healthy) recordSuccess(n, now() - t0);
        else {
          s.healthy = false;
          s.failures += 1;
        }
        if (before !== healthy || !healthy) emit({ type: 'health', node: n.label, healthy, reason });
      }),
    );
    return scores();
  }

  const caller: EndpointCaller<PoolCallOptions> = {
    call(endpoint, args, call = {}) {
      return endpoint.kind === 'publish' ? publish(endpoint, args, call) : read(endpoint, args, call);
    },
  };
  return {
    ...caller,
    nodes: opts.nodes,
    api: createBeaconApi(caller),
    scores,
    ranked,
    checkHealth,
    // After a drop, move to the best node other than the one that dropped.
    subscribeEvents: (o) =>
      subscribeEvents((previous) => {
        const order = ranked();
        return (order.find((n) => n.label !== previous?.node) ?? order[0]) as BeaconNodeClient;
      }, o),
  };
}
