// Route definitions in the manner of Lodestar's api package: one object per endpoint version
// (method, path, how arguments become a request and back, how the response body is encoded and
// decoded as JSON and as SSZ), shared by the client (./client.ts) and the server helper
// (./server.ts). An `Endpoint` groups the versions of one operation, newest first; the client
// falls back along that list when a node lacks a version (404/405).
import type { Type } from '@chainsafe/ssz';
import type { BeaconApiError } from './errors.ts';
import { type Fork, forkAtLeast, isFork } from './forks.ts';
import { fieldError, fromJsonStrict } from './internal/json.ts';
import {
  type ApiResponse,
  HEADER,
  type MetaKey,
  metaFromHeaders,
  metaFromJson,
  metaToHeaders,
  metaToJson,
  type ResponseMetadata,
} from './response-meta.ts';

export type WireFormat = 'json' | 'ssz';
export type HttpMethod = 'GET' | 'POST';
export type QueryValue = string | number | boolean | readonly (string | number)[];

/** What a route makes of the call's arguments. */
export interface RequestParts {
  readonly params?: Readonly<Record<string, string | number>>;
  readonly query?: Readonly<Record<string, QueryValue | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON body (serialized by the client), or SSZ bytes when `format` is ssz. */
  readonly body?: { readonly json: unknown } | { readonly ssz: Uint8Array };
}

/** A request as the server helper received it. */
export interface ParsedRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, readonly string[]>>;
  header(name: string): string | undefined;
  readonly body: { readonly json: unknown } | { readonly ssz: Uint8Array } | undefined;
}

/** Response status and headers, as codecs see them. */
export interface ResponseMeta {
  readonly status: number;
  header(name: string): string | undefined;
}

export interface EncodedJson {
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly status?: number;
}
export interface EncodedSsz {
  readonly bytes: Uint8Array;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ResponseCodec<Ret> {
  /** The response has no body (publish routes); fromJson gets undefined. */
  readonly empty: boolean;
  /** The route can answer with application/octet-stream. */
  readonly ssz: boolean;
  fromJson(body: unknown, meta: ResponseMeta): Ret;
  toJson(ret: Ret): EncodedJson;
  fromSsz?(bytes: Uint8Array, meta: ResponseMeta): Ret;
  toSsz?(ret: Ret): EncodedSsz;
}

export interface RouteDefinition<Args, Ret> {
  /** HTTP statuses besides 2xx that carry a result (node health: 206 syncing, 503 not ready). */
  readonly okStatuses?: readonly number[];
  /** Unique id: operation name and version, e.g. `getAttesterDuties.v1`. */
  readonly id: string;
  readonly method: HttpMethod;
  /** Path template, e.g. `/eth/v1/validator/duties/attester/{epoch}`. */
  readonly path: string;
  /** The request body can be SSZ. */
  readonly reqSsz: boolean;
  /**
   * Where the beacon-APIs specification defines `application/octet-stream` for this route: a
   * client asks beacon nodes for SSZ only there (other routes carry SSZ only between our own
   * client and server helper).
   */
  readonly sszInSpec?: { readonly request?: boolean; readonly response?: boolean };
  /** False when this version cannot express `args` (e.g. an electra attestation on a v1 route). */
  accepts?(args: Args): boolean;
  writeReq(args: Args, format: WireFormat): RequestParts;
  parseReq(req: ParsedRequest): Args;
  readonly resp: ResponseCodec<Ret>;
}

/** One operation with its versions, newest first. `publish` operations go to every node of a pool. */
export interface Endpoint<Args, Ret> {
  readonly name: string;
  readonly kind: 'read' | 'publish';
  readonly routes: readonly RouteDefinition<Args, Ret>[];
}

// biome-ignore lint/suspicious/noExplicitAny: an endpoint of any argument and result type
export type AnyEndpoint = Endpoint<any, any>;
export type ArgsOf<E> = E extends Endpoint<infer A, infer _R> ? A : never;
export type RetOf<E> = E extends Endpoint<infer _A, infer R> ? R : never;

// ---- response metadata shared by many routes (./internal/response-meta.ts) ----
export { type ApiResponse, HEADER, type ResponseMetadata } from './response-meta.ts';

function asObject(body: unknown, path = '(body)'): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw fieldError(path, 'expected a JSON object');
  }
  return body as Record<string, unknown>;
}

/** SSZ bytes that do not decode as the route's type: DECODE_ERROR at `(ssz body)`. */
export function sszError(typeName: string, cause: unknown): BeaconApiError {
  return fieldError(
    '(ssz body)',
    `${typeName}: ${cause instanceof Error ? cause.message : String(cause)}`,
    cause,
  );
}

function deserialize<T>(type: Type<T>, bytes: Uint8Array): T {
  try {
    return type.deserialize(bytes);
  } catch (e) {
    throw sszError(type.typeName, e);
  }
}

/**
 * `{data: T, ...meta}` in JSON, T as SSZ with the metadata in `Eth-*` headers. `type` may depend
 * on the fork (then `version` must be among the meta keys).
 */
export function dataCodec<T>(
  type: Type<T> | ((fork: Fork) => Type<T>),
  opts: { meta?: readonly MetaKey[]; ssz?: boolean } = {},
): ResponseCodec<ApiResponse<T>> {
  const keys = opts.meta ?? [];
  const typeFor = (m: ResponseMetadata): Type<T> => {
    if (typeof type !== 'function') return type;
    if (m.version === undefined) throw fieldError('version', 'missing');
    return type(m.version);
  };
  const sszOk = opts.ssz ?? true;
  return {
    empty: false,
    ssz: sszOk,
    fromJson(body, meta) {
      const o = asObject(body);
      const m = metaFromJson(o, keys, meta);
      if (o.data === undefined) throw fieldError('data', 'missing');
      return { data: fromJsonStrict(typeFor(m), o.data, 'data'), meta: m };
    },
    toJson(ret) {
      return {
        body: { ...metaToJson(ret.meta, keys), data: typeFor(ret.meta).toJson(ret.data) },
        headers: metaToHeaders(
          ret.meta,
          keys.filter((k) => k === 'version'),
        ),
      };
    },
    ...(sszOk
      ? {
          fromSsz(bytes: Uint8Array, meta: ResponseMeta) {
            const m = metaFromHeaders(meta, keys);
            return { data: deserialize(typeFor(m), bytes), meta: m };
          },
          toSsz(ret: ApiResponse<T>) {
            return { bytes: typeFor(ret.meta).serialize(ret.data), headers: metaToHeaders(ret.meta, keys) };
          },
        }
      : {}),
  };
}

/** A response whose `data` is decoded by hand (non-SSZ shapes: version strings, spec maps, ...). */
export function customCodec<T>(
  decode: (data: unknown) => T,
  encode: (value: T) => unknown,
): ResponseCodec<ApiResponse<T>> {
  return {
    empty: false,
    ssz: false,
    fromJson(body) {
      const o = asObject(body);
      if (o.data === undefined) throw fieldError('data', 'missing');
      return { data: decode(o.data), meta: {} };
    },
    toJson(ret) {
      return { body: { data: encode(ret.data) } };
    },
  };
}

/** No response body (publish and subscription routes). */
export const emptyCodec: ResponseCodec<void> = {
  empty: true,
  ssz: false,
  fromJson() {},
  toJson() {
    return { body: undefined };
  },
};

// ---- request helpers ----

/** A required path or query parameter from a parsed request. */
export function param(req: ParsedRequest, name: string): string {
  const v = req.params[name] ?? req.query[name]?.[0];
  if (v === undefined) throw fieldError(name, 'missing');
  return v;
}

export function uintParam(req: ParsedRequest, name: string): number {
  const v = param(req, name);
  if (!/^[0-9]{1,16}$/.test(v))
    throw fieldError(name, `expected a decimal integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

export function optionalQuery(req: ParsedRequest, name: string): string | undefined {
  return req.query[name]?.[0];
}

/** Values of a repeated query parameter (also accepts the comma form). */
export function listQuery(req: ParsedRequest, name: string): string[] {
  return (req.query[name] ?? []).flatMap((v) => v.split(',')).filter((v) => v !== '');
}

export function jsonBody(req: ParsedRequest): unknown {
  if (req.body === undefined || !('json' in req.body)) throw fieldError('(body)', 'expected a JSON body');
  return req.body.json;
}

/** Request body as a list of `type`, JSON or SSZ. */
export function listBody<T>(listType: Type<T[]>, req: ParsedRequest): T[] {
  if (req.body !== undefined && 'ssz' in req.body) return deserialize(listType, req.body.ssz);
  return fromJsonStrict(listType, jsonBody(req), '(body)');
}

/** Request body as one `type`, JSON or SSZ. */
export function valueBody<T>(type: Type<T>, req: ParsedRequest): T {
  if (req.body !== undefined && 'ssz' in req.body) return deserialize(type, req.body.ssz);
  return fromJsonStrict(type, jsonBody(req), '(body)');
}

export type RequestBody = { readonly json: unknown } | { readonly ssz: Uint8Array };

export function encodeBody<T>(type: Type<T>, value: T, format: WireFormat): RequestBody {
  return format === 'ssz' ? { ssz: type.serialize(value) } : { json: type.toJson(value) };
}

/** The fork named by a request's Eth-Consensus-Version header (v2 publish routes). */
export function requestFork(req: ParsedRequest): Fork {
  const v = req.header(HEADER.consensusVersion)?.toLowerCase();
  if (v === undefined || !isFork(v))
    throw fieldError('Eth-Consensus-Version', `missing or unknown fork ${JSON.stringify(v)}`);
  return v;
}

/**
 * A publish endpoint whose body is a list of a fork-dependent container (attestations, aggregates):
 * v2 names the fork in Eth-Consensus-Version and can send SSZ; v1 takes only the phase0 shape, so
 * it does not accept electra lists (a v1-only node cannot publish them).
 */
export function forkedListPublish<T>(opts: {
  readonly name: string;
  readonly v2Path: string;
  readonly v1Path: string;
  readonly listFor: (fork: Fork) => Type<T[]>;
}): Endpoint<{ fork: Fork; data: T[] }, void> {
  const { name, listFor } = opts;
  const phase0 = listFor('phase0');
  return {
    name,
    kind: 'publish',
    routes: [
      {
        id: `${name}.v2`,
        sszInSpec: { request: true },
        method: 'POST',
        path: opts.v2Path,
        reqSsz: true,
        writeReq: (a, f) => ({
          headers: { [HEADER.consensusVersion]: a.fork },
          body: encodeBody(listFor(a.fork), a.data, f),
        }),
        parseReq: (r) => {
          const fork = requestFork(r);
          return { fork, data: listBody(listFor(fork), r) };
        },
        resp: emptyCodec,
      },
      {
        id: `${name}.v1`,
        method: 'POST',
        path: opts.v1Path,
        reqSsz: false,
        accepts: (a) => !forkAtLeast(a.fork, 'electra'),
        writeReq: (a) => ({ body: encodeBody(phase0, a.data, 'json') }),
        parseReq: (r) => ({ fork: 'phase0', data: listBody(phase0, r) }),
        resp: emptyCodec,
      },
    ],
  };
}
