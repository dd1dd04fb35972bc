// A slow beacon node for the devnet's fault rounds (`--fault rounds:...`): an HTTP proxy in front of
// Lodestar's REST API, one per operator, that holds every request for a delay the devnet sets and
// clears (0: passes straight through). Responses stream back as they come, so the event stream
// (`/eth/v1/events`, server-sent events) keeps working, only late.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DelayProxy {
  readonly url: string;
  /** The delay added before each request from now on (ms). */
  setDelay(ms: number): void;
  readonly delayMs: number;
  stop(): Promise<void>;
}

export async function startDelayProxy(target: string): Promise<DelayProxy> {
  const upstream = new URL(target);
  let delayMs = 0;
  const server = createServer((req, res) => {
    const forward = () => {
      const out = request(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      res.on('close', () => out.destroy());
      req.pipe(out);
    };
    if (delayMs === 0) forward();
    else setTimeout(forward, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setDelay(ms) {
      delayMs = ms;
    },
    get delayMs() {
      return delayMs;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
