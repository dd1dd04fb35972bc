// @diva-dvt/beacon-api/server: the server side of the route definitions, a node:http request
// handler that parses requests with the same routes the client uses, calls an implementation, and
// encodes the result as JSON or SSZ (by the Accept header). Used by tests (real loopback servers)
// and by the operator's own API; a client user never loads it. Missing implementations answer 501,
// unknown paths 404 `Route ... not found`, as beacon nodes do. An implementation refuses a request
// by throwing `BeaconApiError` with code REQUEST_REJECTED (status, reason, failures); anything
// else it throws answers 500.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type EndpointName, type Endpoints, endpoints } from './endpoints.ts';
import { BeaconApiError, isBeaconApiError } from './errors.ts';
import type { AnyEndpoint, ArgsOf, ParsedRequest, RetOf, RouteDefinition } from './route.ts';

export type BeaconApiImplementation = {
  readonly [K in EndpointName]?: (
    args: ArgsOf<Endpoints[K]>,
    ctx: { readonly route: string },
  ) => Promise<RetOf<Endpoints[K]>> | RetOf<Endpoints[K]>;
};

export interface RouteHandlerOptions {
  /** Route ids answered with 404 as if the node lacked them (e.g. `produceBlock.v3`). */
  readonly disabledRoutes?: Iterable<string>;
  /** Answer SSZ when the client accepts it (default true). */
  readonly ssz?: boolean;
  /** Largest request body accepted (default 16 MiB). */
  readonly maxBodyBytes?: number;
}

interface Compiled {
  readonly endpoint: string;
  // biome-ignore lint/suspicious/noExplicitAny: routes of every endpoint
  readonly route: RouteDefinition<any, any>;
  readonly regex: RegExp;
  readonly names: readonly string[];
}

function compile(): Compiled[] {
  const out: Compiled[] = [];
  for (const [name, e] of Object.entries(endpoints) as [string, AnyEndpoint][]) {
    for (const route of e.routes) {
      const names: string[] = [];
      const pattern = route.path
        .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
        .replace(/\\?\{(\w+)\\?\}|\{(\w+)\}/g, (_m, a, b) => {
          names.push(a ?? b);
          return '([^/]+)';
        });
      out.push({ endpoint: name, route, regex: new RegExp(`^${pattern}$`), names });
    }
  }
  return out;
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body?: string | Uint8Array,
): void {
  res.writeHead(status, headers);
  res.end(body);
}

function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  failures?: readonly { index: number; message: string }[],
): void {
  send(
    res,
    status,
    { 'content-type': 'application/json' },
    JSON.stringify({ code: status, message, ...(failures ? { failures } : {}) }),
  );
}

async function readRequestBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of req) {
    const b = c as Buffer;
    total += b.length;
    if (total > limit) {
      throw new BeaconApiError({
        code: 'REQUEST_REJECTED',
        status: 413,
        reason: `request body exceeds ${limit} bytes`,
      });
    }
    chunks.push(b);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** A `(req, res)` handler for `http.createServer` serving every endpoint `impl` implements. */
export function createRouteHandler(
  impl: BeaconApiImplementation,
  opts: RouteHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const table = compile();
  const disabled = new Set(opts.disabledRoutes ?? []);
  const sszOk = opts.ssz ?? true;
  const limit = opts.maxBodyBytes ?? 16 * 1024 * 1024;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const matches = table.filter((c) => c.regex.test(url.pathname) && !disabled.has(c.route.id));
    const match = matches.find((c) => c.route.method === method);
    if (match === undefined) {
      if (matches.length > 0)
        return sendError(res, 405, `Route ${method}:${url.pathname} method not allowed`);
      return sendError(res, 404, `Route ${method}:${url.pathname} not found`);
    }
    const fn = impl[match.endpoint as EndpointName] as
      | ((args: unknown, ctx: { route: string }) => Promise<unknown> | unknown)
      | undefined;
    if (fn === undefined) return sendError(res, 501, `Route ${method}:${url.pathname} not implemented`);

    const m = match.regex.exec(url.pathname) as RegExpExecArray;
    const params: Record<string, string> = {};
    match.names.forEach((n, i) => {
      params[n] = decodeURIComponent(m[i + 1] ?? '');
    });
    const query: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) {
      const list = query[k] ?? [];
      list.push(v);
      query[k] = list;
    }
    const raw = await readRequestBody(req, limit);
    const ctype = req.headers['content-type'] ?? '';
    let body: ParsedRequest['body'];
    if (ctype.startsWith('application/octet-stream')) body = { ssz: raw };
    else if (raw.length > 0) {
      try {
        body = { json: JSON.parse(Buffer.from(raw).toString('utf8')) };
      } catch {
        return sendError(res, 400, 'request body is not JSON');
      }
    }
    const parsed: ParsedRequest = {
      params,
      query,
      body,
      header: (n) => {
        const v = req.headers[n.toLowerCase()];
        return Array.isArray(v) ? v[0] : v;
      },
    };
    let args: unknown;
    try {
      args = match.route.parseReq(parsed);
    } catch (e) {
      const where = e instanceof BeaconApiError ? e.shortMessage : e instanceof Error ? e.message : String(e);
      return sendError(res, 400, `invalid request: ${where}`);
    }
    const result = await fn(args, { route: match.route.id });
    const codec = match.route.resp;
    if (codec.empty) {
      const enc = codec.toJson(result);
      return send(res, enc.status ?? 200, {});
    }
    const accept = req.headers.accept ?? '';
    if (
      sszOk &&
      codec.toSsz !== undefined &&
      /application\/octet-stream/.test(accept) &&
      !/application\/octet-stream;q=0(\.0+)?\b/.test(accept)
    ) {
      const enc = codec.toSsz(result);
      return send(
        res,
        200,
        { 'content-type': 'application/octet-stream', ...(enc.headers ?? {}) },
        enc.bytes,
      );
    }
    const enc = codec.toJson(result);
    send(
      res,
      enc.status ?? 200,
      { 'content-type': 'application/json', ...(enc.headers ?? {}) },
      JSON.stringify(enc.body),
    );
  }

  return (req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (isBeaconApiError(e, 'REQUEST_REJECTED'))
        sendError(res, e.details.status, e.details.reason, e.details.failures);
      else sendError(res, 500, e instanceof Error ? e.message : String(e));
    });
  };
}
