// diva-node's HTTP endpoints: GET /metrics (Prometheus text), /health (the process answers: 200),
// /readiness (200 when every check passes, else 503 naming the failing checks), /status (what
// the node runs), /dashboard when enabled. Readiness checks: `beacon-node` (reachable and not
// syncing), `committee-peers` (for every validator served, at least t - 1 other members connected).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { DashboardHandler } from './dashboard/handler.ts';

export interface ReadinessCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

export interface HttpEndpointsOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  readonly readiness: () => Promise<readonly ReadinessCheck[]>;
  readonly status: () => unknown;
  /** `POST /exit` when given (./exit.ts); answers 404 otherwise. */
  readonly exit?: (body: unknown) => Promise<{ readonly status: number; readonly body: unknown }>;
  /** `GET /dashboard...` when given (./dashboard/handler.ts). */
  readonly dashboard?: DashboardHandler;
}

/** Exit requests are a few numbers: anything longer is refused unread. */
const MAX_BODY_BYTES = 4_096;

export interface HttpEndpoints {
  readonly url: string;
  close(): Promise<void>;
}

export async function startHttpEndpoints(options: HttpEndpointsOptions): Promise<HttpEndpoints> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST' && path === '/exit' && options.exit !== undefined) {
      const exit = options.exit;
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY_BYTES) chunks.push(c);
      });
      req.on('end', () => {
        if (size > MAX_BODY_BYTES) return json(413, { error: `body over ${MAX_BODY_BYTES} bytes` });
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return json(400, { error: 'body: not JSON' });
        }
        exit(body).then(
          (r) => json(r.status, r.body),
          (e: unknown) => json(500, { error: e instanceof Error ? e.message : String(e) }),
        );
      });
      return;
    }
    if (req.method !== 'GET') return json(405, { error: 'GET only (and POST /exit when enabled)' });
    if (options.dashboard?.(path ?? '/', res) === true) return;
    if (path === '/health') return json(200, { status: 'up' });
    if (path === '/status') return json(200, options.status());
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': options.registry.contentType });
          res.end(text);
        },
        (e: unknown) => json(500, { error: e instanceof Error ? e.message : String(e) }),
      );
      return;
    }
    if (path === '/readiness') {
      options.readiness().then(
        (checks) => {
          const failing = checks.filter((c) => !c.ok);
          json(failing.length === 0 ? 200 : 503, {
            ready: failing.length === 0,
            checks,
            failing: failing.map((c) => c.name),
          });
        },
        (e: unknown) =>
          json(503, {
            ready: false,
            failing: ['readiness'],
            error: e instanceof Error ? e.message : String(e),
          }),
      );
      return;
    }
    json(404, { error: `no ${path}; try /metrics, /health, /readiness, /status` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
