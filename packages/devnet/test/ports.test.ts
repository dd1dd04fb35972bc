import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { allocatePortRange, isPortFree } from '../src/index.ts';

const ephemeralLow = Number.parseInt(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'), 10);

describe('allocatePortRange', () => {
  it('hands out consecutive free ports below the ephemeral range, never the same twice', async () => {
    const a = await allocatePortRange('127.0.0.1', 20);
    const b = await allocatePortRange('127.0.0.1', 20);
    for (const base of [a, b]) {
      expect(base).toBeGreaterThanOrEqual(10_000);
      expect(base + 19).toBeLessThan(ephemeralLow);
      for (let i = 0; i < 20; i++) expect(await isPortFree('127.0.0.1', base + i)).toBe(true);
    }
    expect(Math.abs(a - b)).toBeGreaterThanOrEqual(20);
    // the ports can be listened on, all at once
    const servers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const s = createServer();
        return new Promise<typeof s>((resolve, reject) => {
          s.once('error', reject);
          s.listen({ host: '127.0.0.1', port: a + i }, () => resolve(s));
        });
      }),
    );
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  it('refuses a count that is not a positive integer', async () => {
    await expect(allocatePortRange('127.0.0.1', 0)).rejects.toThrow(
      /allocatePortRange count: expected an integer/,
    );
    await expect(allocatePortRange('127.0.0.1', 2.5)).rejects.toThrow(
      /allocatePortRange count: expected an integer/,
    );
  });
});
