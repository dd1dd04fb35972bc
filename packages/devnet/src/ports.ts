// Loopback port allocation. A port is taken by binding it (TCP, and UDP for the p2p port, which
// Lodestar also uses for discv5) and released just before the node starts; ports handed out in this
// process are remembered, so several nodes started at once never get the same one.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { DevnetError } from './errors.ts';

const handedOut = new Set<number>();

function tryTcp(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

function tryUdp(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.unref();
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ address: host, port, exclusive: true }, () => socket.close(() => resolve(true)));
  });
}

/** Whether `port` can be bound on `host` now (TCP, and UDP too when `udp` is set). */
export async function isPortFree(host: string, port: number, opts: { udp?: boolean } = {}): Promise<boolean> {
  if ((await tryTcp(host, port)) === undefined) return false;
  return opts.udp ? tryUdp(host, port) : true;
}

/** A port no one listens on now and that this process has not handed out before. */
export async function allocatePort(host: string, opts: { udp?: boolean } = {}): Promise<number> {
  const attempts = 50;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = await tryTcp(host, 0);
    if (port === undefined || handedOut.has(port)) continue;
    if (opts.udp && !(await tryUdp(host, port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new DevnetError({ code: 'NO_FREE_PORT', host, attempts });
}

/** Marks a port as used by this process (an explicitly chosen port). */
export function reservePort(port: number): void {
  handedOut.add(port);
}
