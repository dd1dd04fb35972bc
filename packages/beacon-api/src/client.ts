// HTTP client for one beacon node: turns a route and its arguments into a fetch call, decodes
// and validates the response, and walks an endpoint's versions newest first, falling back to the
// next on 404/405 (and remembering which versions the node lacks). Every failure is a
// BeaconApiError naming the endpoint, the node and, for a bad body, the field.
// Nothing global: fetch, the clock and timers are injected (defaults: the platform's).
import { BeaconApiError, type BeaconApiErrorDetails, isBeaconApiError } from './errors.ts';
import type { Fork } from './forks.ts';
import { buildUrl, labelOf, parseApiErrorBody, readBody, routeMissing } from './internal/http.ts';
import type { BeaconPresetName } from './preset.ts';
import type { AnyEndpoint, ArgsOf, RequestParts, ResponseMeta, RetOf, RouteDefinition } from './route.ts';
import { assertPreset } from './types.ts';

export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The platform's timers (the default). */
export const defaultTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Observable happenings of a client; a runtime turns them into metrics and logs. */
export type ClientEvent =
  | {
      readonly type: 'request';
      readonly node: string;
      readonly endpoint: string;
      readonly route: string;
      readonly ok: boolean;
      readonly status?: number;
      readonly errorCode?: string;
      readonly durationMs: number;
    }
  | {
      readonly type: 'fallback';
      readonly node: string;
      readonly endpoint: string;
      readonly from: string;
      readonly to: string;
      readonly status: number;
    };

export interface BeaconNodeOptions {
  /** Base URL, e.g. `http://127.0.0.1:9596`. */
  readonly url: string;
  /**
   * The SSZ preset the caller expects (the node's `PRESET_BASE`). When given, creating the client
   * fails with PRESET_MISMATCH unless this process's SSZ types were built for it.
   */
  readonly preset?: BeaconPresetName;
  /** Name in errors and events (default: the URL's host). Never put credentials here. */
  readonly label?: string;
  readonly fetch?: FetchFn;
  /** Default per-request timeout (ms); a call's `timeoutMs` overrides it. Default 12 000. */
  readonly timeoutMs?: number;
  /**
   * Ask for `application/octet-stream` responses: `true` (default) where the beacon-APIs spec
   * defines them (blocks, produced blocks, attestation data, aggregates), `'all'` on every route
   * with an SSZ codec (our own server helper), `false` never.
   */
  readonly sszResponses?: boolean | 'all';
  /** Send SSZ request bodies: `true` where the spec defines them, `'all'` where the route can, `false` (default) never. */
  readonly sszRequests?: boolean | 'all';
  /** Extra request headers (e.g. authorization for a hosted node). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Largest response body accepted, in bytes. Default 64 MiB. */
  readonly maxBodyBytes?: number;
  /** A version the node lacked is tried again after this long (ms, default 15 min: nodes get upgraded). */
  readonly reprobeAfterMs?: number;
  /** Monotonic milliseconds, for latency (default performance.now). */
  readonly now?: () => number;
  readonly timers?: Timers;
  readonly onEvent?: (event: ClientEvent) => void;
}

export interface CallOptions {
  /** Timeout for this call (ms). */
  readonly timeoutMs?: number;
  /**
   * Absolute deadline on the client's clock (`now()`): each attempt (including fallbacks) gets at
   * most the time left; past it, the call fails with TIMEOUT without a request.
   */
  readonly deadlineMs?: number;
  readonly signal?: AbortSignal;
  /** Fail with WRONG_CONSENSUS_VERSION when the response is of another fork. */
  readonly expectFork?: Fork;
}

export interface BeaconNodeClient {
  readonly label: string;
  readonly url: string;
  /** Calls an endpoint, newest version first, falling back on 404/405. */
  call<E extends AnyEndpoint>(endpoint: E, args: ArgsOf<E>, opts?: CallOptions): Promise<RetOf<E>>;
  /** Calls one route version, without fallback. */
  request<A, R>(
    route: RouteDefinition<A, R>,
    args: A,
    opts?: CallOptions & { endpoint?: string },
  ): Promise<R>;
  /** Route ids this node answered 404/405 for (skipped from now on). */
  unsupportedRoutes(): readonly string[];
  /** Forget learned unsupported routes (e.g. after the node was upgraded). */
  resetUnsupported(): void;
  /** The underlying fetch and options, for the SSE subscriber. */
  readonly transport: {
    readonly fetch: FetchFn;
    readonly headers: Readonly<Record<string, string>>;
    readonly timers: Timers;
    readonly now: () => number;
  };
}

const decoder = new TextDecoder('utf-8', { fatal: false });

export function createBeaconNodeClient(opts: BeaconNodeOptions): BeaconNodeClient {
  if (opts.preset !== undefined) assertPreset(opts.preset);
  const fetchFn: FetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
  const label = opts.label ?? labelOf(opts.url);
  const defaultTimeout = opts.timeoutMs ?? 12_000;
  const sszResponses = opts.sszResponses ?? true;
  const sszRequests = opts.sszRequests ?? false;
  const limit = opts.maxBodyBytes ?? 64 * 1024 * 1024;
  const now = opts.now ?? (() => performance.now());
  const timers = opts.timers ?? defaultTimers;
  const extraHeaders = opts.headers ?? {};
  // Route id -> when the node was found to lack it (now()); retried after reprobeAfterMs.
  const missingSince = new Map<string, number>();
  const reprobeAfterMs = opts.reprobeAfterMs ?? 15 * 60_000;
  const isMissing = (id: string) => {
    const at = missingSince.get(id);
    if (at === undefined) return false;
    if (now() - at < reprobeAfterMs) return true;
    missingSince.delete(id);
    return false;
  };
  try {
    new URL(opts.url);
  } catch {
    throw new BeaconApiError({
      code: 'INVALID_CONFIG',
      field: 'url',
      reason: `not a URL: ${labelOf(opts.url)}`,
    });
  }

  async function request<A, R>(
    route: RouteDefinition<A, R>,
    args: A,
    call: CallOptions & { endpoint?: string } = {},
  ): Promise<R> {
    const endpoint = call.endpoint ?? route.id;
    const where = { endpoint: route.id, node: label };
    let timeoutMs = call.timeoutMs ?? defaultTimeout;
    if (call.deadlineMs !== undefined)
      timeoutMs = Math.min(timeoutMs, Math.max(0, Math.floor(call.deadlineMs - now())));
    const started = now();
    let status: number | undefined;
    const emit = (ok: boolean, errorCode?: string) =>
      opts.onEvent?.({
        type: 'request',
        node: label,
        endpoint,
        route: route.id,
        ok,
        ...(status !== undefined ? { status } : {}),
        ...(errorCode !== undefined ? { errorCode } : {}),
        durationMs: now() - started,
      });
    const fail = (details: BeaconApiErrorDetails, cause?: unknown): never => {
      emit(false, details.code);
      throw new BeaconApiError(details, cause === undefined ? undefined : { cause });
    };

    let parts: RequestParts;
    try {
      const sszReq =
        route.reqSsz &&
        (sszRequests === 'all' || (sszRequests === true && route.sszInSpec?.request === true));
      parts = route.writeReq(args, sszReq ? 'ssz' : 'json');
    } catch (e) {
      const decode = isBeaconApiError(e, 'DECODE_ERROR') ? e.details : undefined;
      throw new BeaconApiError(
        {
          code: 'INVALID_REQUEST',
          endpoint: route.id,
          field: decode?.field ?? '(args)',
          reason: decode?.reason ?? (e instanceof Error ? e.message : String(e)),
        },
        { cause: e },
      );
    }
    if (timeoutMs <= 0) return fail({ ...where, code: 'TIMEOUT', timeoutMs: 0 });
    const headers: Record<string, string> = { ...extraHeaders, ...(parts.headers ?? {}) };
    const sszResp =
      route.resp.ssz &&
      (sszResponses === 'all' || (sszResponses === true && route.sszInSpec?.response === true));
    headers.accept = sszResp ? 'application/octet-stream;q=1.0,application/json;q=0.9' : 'application/json';
    let body: string | Uint8Array | undefined;
    if (parts.body !== undefined) {
      if ('ssz' in parts.body) {
        headers['content-type'] = 'application/octet-stream';
        body = parts.body.ssz;
      } else {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(parts.body.json);
      }
    }

    const controller = new AbortController();
    let timedOut = false;
    const timer = timers.setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    call.signal?.addEventListener('abort', onAbort, { once: true });
    if (call.signal?.aborted) controller.abort();

    try {
      let res: Response;
      let bytes: Uint8Array;
      try {
        res = await fetchFn(buildUrl(opts.url, route.path, parts), {
          method: route.method,
          headers,
          ...(body !== undefined ? { body: body as NonNullable<RequestInit['body']> } : {}),
          signal: controller.signal,
        });
        status = res.status;
        bytes = await readBody(res, limit, where);
      } catch (e) {
        if (timedOut) return fail({ ...where, code: 'TIMEOUT', timeoutMs }, e);
        if (call.signal?.aborted) return fail({ ...where, code: 'ABORTED' }, e);
        if (isBeaconApiError(e)) return fail(e.details, e.cause); // body over maxBodyBytes
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        const reason = cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e));
        return fail({ ...where, code: 'NETWORK_ERROR', reason: reason.slice(0, 200) }, e);
      }

      const ok = (res.status >= 200 && res.status < 300) || (route.okStatuses?.includes(res.status) ?? false);
      if (!ok) {
        const text = decoder.decode(bytes.subarray(0, 4096));
        const apiError = parseApiErrorBody(text);
        return fail({
          ...where,
          code: 'HTTP_ERROR',
          status: res.status,
          ...(apiError !== undefined ? { apiError } : { body: text.slice(0, 200) }),
        });
      }

      const meta: ResponseMeta = { status: res.status, header: (n) => res.headers.get(n) ?? undefined };
      let result: R;
      try {
        const ctype = res.headers.get('content-type') ?? '';
        if (route.resp.empty) {
          result = route.resp.fromJson(undefined, meta);
        } else if (ctype.startsWith('application/octet-stream')) {
          if (route.resp.fromSsz === undefined) {
            return fail({
              ...where,
              code: 'INVALID_RESPONSE',
              field: '(content-type)',
              reason: 'SSZ body on a JSON-only route',
            });
          }
          result = route.resp.fromSsz(bytes, meta);
        } else {
          let json: unknown;
          try {
            json = JSON.parse(decoder.decode(bytes));
          } catch {
            return fail({
              ...where,
              code: 'INVALID_RESPONSE',
              field: '(body)',
              reason: `not JSON (${bytes.length} bytes)`,
            });
          }
          result = route.resp.fromJson(json, meta);
        }
      } catch (e) {
        if (isBeaconApiError(e, 'DECODE_ERROR')) {
          const mismatch = e.details.versionMismatch;
          if (mismatch !== undefined)
            return fail({ ...where, code: 'WRONG_CONSENSUS_VERSION', ...mismatch }, e);
          return fail(
            { ...where, code: 'INVALID_RESPONSE', field: e.details.field, reason: e.details.reason },
            e,
          );
        }
        if (e instanceof BeaconApiError) throw e;
        return fail(
          {
            ...where,
            code: 'INVALID_RESPONSE',
            field: '(body)',
            reason: e instanceof Error ? e.message : String(e),
          },
          e,
        );
      }
      const version = (result as { meta?: { version?: Fork } } | undefined)?.meta?.version;
      if (call.expectFork !== undefined && version !== undefined && version !== call.expectFork) {
        return fail({ ...where, code: 'WRONG_CONSENSUS_VERSION', expected: call.expectFork, got: version });
      }
      emit(true);
      return result;
    } finally {
      timers.clearTimeout(timer);
      call.signal?.removeEventListener('abort', onAbort);
    }
  }

  async function callEndpoint<E extends AnyEndpoint>(
    endpoint: E,
    args: ArgsOf<E>,
    call: CallOptions = {},
  ): Promise<RetOf<E>> {
    const candidates = endpoint.routes.filter((r) => r.accepts === undefined || r.accepts(args));
    if (candidates.length === 0) {
      throw new BeaconApiError({
        code: 'INVALID_REQUEST',
        endpoint: endpoint.name,
        field: '(args)',
        reason: 'no version of this endpoint accepts these arguments',
      });
    }
    const usable = candidates.filter((r) => !isMissing(r.id));
    if (usable.length === 0) {
      throw new BeaconApiError({
        code: 'NOT_SUPPORTED',
        endpoint: endpoint.name,
        node: label,
        tried: candidates.map((r) => r.id),
      });
    }
    let last: BeaconApiError | undefined;
    for (let i = 0; i < usable.length; i++) {
      const route = usable[i] as RouteDefinition<ArgsOf<E>, RetOf<E>>;
      try {
        return await request(route, args, { ...call, endpoint: endpoint.name });
      } catch (e) {
        if (!(e instanceof BeaconApiError) || e.details.code !== 'HTTP_ERROR') throw e;
        const st = e.details.status;
        if (st !== 404 && st !== 405 && st !== 501) throw e;
        last = e;
        const missing = routeMissing(e);
        if (missing) missingSince.set(route.id, now());
        const next = usable[i + 1];
        if (next === undefined) break;
        opts.onEvent?.({
          type: 'fallback',
          node: label,
          endpoint: endpoint.name,
          from: route.id,
          to: next.id,
          status: st,
        });
      }
    }
    if (last !== undefined && routeMissing(last)) {
      throw new BeaconApiError(
        { code: 'NOT_SUPPORTED', endpoint: endpoint.name, node: label, tried: usable.map((r) => r.id) },
        { cause: last },
      );
    }
    throw last as BeaconApiError;
  }

  return {
    label,
    url: opts.url,
    call: callEndpoint,
    request,
    unsupportedRoutes: () => [...missingSince.keys()].filter(isMissing),
    resetUnsupported: () => missingSince.clear(),
    transport: { fetch: fetchFn, headers: extraHeaders, timers, now },
  };
}
