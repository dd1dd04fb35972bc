// Loopback port allocation. A port is taken by binding it (TCP, and UDP for the p2p port, which
// Lodestar also uses for discv5) and released just before the node starts; ports handed out in this
// process are remembered, so several nodes started at once never get the same one.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
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

/** The low end of the kernel's ephemeral port range (Linux; 32768 where it cannot be read). */
function ephemeralLow(): number {
  try {
    const low = Number.parseInt(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'), 10);
    return Number.isInteger(low) && low > 1024 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/**
 * The first of `count` consecutive TCP ports, all free now and none handed out before, chosen
 * below the kernel's ephemeral range: there no outgoing connection takes one as its local port in
 * the time between this check and the listener binding it.
 */
export async function allocatePortRange(host: string, count: number): Promise<number> {
  const low = 10_000;
  const high = ephemeralLow() - count;
  if (!Number.isInteger(count) || count < 1 || high <= low) {
    throw new DevnetError({
      code: 'INVALID_OPTION',
      option: 'allocatePortRange count',
      reason: `expected an integer in 1..${ephemeralLow() - low - 1}, got ${count}`,
    });
  }
  const attempts = 50;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const base = low + Math.floor(Math.random() * (high - low));
    let free = true;
    for (let i = 0; i < count && free; i++) {
      free = !handedOut.has(base + i) && (await tryTcp(host, base + i)) !== undefined;
    }
    if (!free) continue;
    for (let i = 0; i < count; i++) handedOut.add(base + i);
    return base;
  }
  throw new DevnetError({ code: 'NO_FREE_PORT', host, attempts });
}
