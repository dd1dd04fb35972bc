// The dashboard in a real browser (Debian's Chromium driven by playwright-core) against a real
// diva-node: four operator nodes built by startNode in this process (real keystores, real libp2p
// over loopback, real sqlite slashing protection) serve two 3-of-4 distributed validators on a
// small beacon chain with 2-second slots; operator 0 serves /dashboard. The page loads, its numbers
// change as slots pass, the charts render, nothing is logged as an error in the browser, and the
// page holds no secret. The screenshot goes to .test-results/dashboard.png; with
// DIVA_UPDATE_SCREENSHOTS=1 to docs/images/dashboard.png (the README shows it), so test runs leave
// the tracked picture alone.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allocatePortRange, interopSecretKey } from '@diva-dvt/devnet';
import { createDevCluster, type Logger, silentLogger } from '@diva-dvt/operator';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNodeConfig } from '../src/config.ts';
import type { DashboardModel } from '../src/dashboard/model.ts';
import { type RunningNode, startNode } from '../src/start.ts';
import { type DashboardChain, startDashboardChain } from './helpers/dashboard-chain.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`dashboard browser test skipped: ${CHROMIUM} is absent (install Debian's chromium)`);
}
const SLOT_MS = 2_000;
const PASSWORD = 'dashboard test password';
const SCREENSHOT =
  process.env.DIVA_UPDATE_SCREENSHOTS === '1'
    ? new URL('../../../docs/images/dashboard.png', import.meta.url)
    : new URL('../.test-results/dashboard.png', import.meta.url);

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

/** Node errors are kept (and shown when the test fails); the rest is dropped. */
const errors: string[] = [];
const logger: Logger = {
  ...silentLogger,
  error: (message, fields) => errors.push(`${message} ${JSON.stringify(fields ?? {})}`),
};

const text = (page: import('playwright-core').Page, key: string) =>
  page.locator(`[data-key="${key}"]`).first().textContent();

describe('dashboard in a browser', () => {
  it.skipIf(!haveChromium)(
    `shows a running node's validators, outcomes, latency, inclusion and health, refreshing as slots pass${haveChromium ? '' : ` (skipped: ${CHROMIUM} is absent)`}`,
    { timeout: 60_000 },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'diva-dashboard-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const cluster = await createDevCluster({
        secretKeys: [interopSecretKey(0), interopSecretKey(1)],
        validatorIndices: [0, 1],
        operators: 4,
        committeeSize: 4,
        threshold: 3,
        seed: 'dashboard browser test',
        dir,
        password: PASSWORD,
        kdf: 'fast',
        basePort: await allocatePortRange('127.0.0.1', 4),
      });
      const genesisTimeSec = Math.ceil(Date.now() / 1000) + 5;
      const chain: DashboardChain = await startDashboardChain({
        genesisTimeSec,
        slotMs: SLOT_MS,
        validators: [0, 1],
      });
      cleanups.push(() => chain.close());

      const nodes: RunningNode[] = await Promise.all(
        cluster.operators.map(async (op) => {
          const dataDir = join(dir, `data-${op.index}`);
          await mkdir(dataDir, { recursive: true });
          const file = join(dir, `config-${op.index}.json`);
          const json = {
            dataDir,
            beaconNodes: [chain.url],
            cluster: cluster.clusterFile,
            keys: { dir: op.dir, passwordFile: op.passwordFile },
            p2p: { listen: [op.multiaddr] },
            ...(op.index === 0 ? { http: { host: '127.0.0.1', port: 0, dashboard: true } } : {}),
            consensus: { roundTimeoutMs: 500 },
          };
          await writeFile(file, JSON.stringify(json));
          const node = await startNode(parseNodeConfig(json, file), logger);
          cleanups.push(() => node.stop());
          return node;
        }),
      );
      const base = `${nodes[0]!.httpUrl}/dashboard`;

      const profile = await mkdtemp(join(tmpdir(), 'diva-dashboard-chromium-'));
      cleanups.push(() => rm(profile, { recursive: true, force: true }));
      const browser = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        viewport: { width: 1280, height: 900 },
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      cleanups.push(() => browser.close());
      const page = browser.pages()[0] ?? (await browser.newPage());
      const consoleErrors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      page.on('pageerror', (e) => consoleErrors.push(e.message));
      page.on('response', (r) => {
        if (r.status() >= 400) consoleErrors.push(`${r.status()} ${r.url()}`);
      });

      // the first attestations end in slot 2 of epoch 0
      await new Promise((r) => setTimeout(r, Math.max(0, genesisTimeSec * 1000 + 4 * SLOT_MS - Date.now())));
      const response = await page.goto(base);
      expect(response?.status()).toBe(200);
      await expect.poll(() => page.locator('#validators tbody tr').count()).toBe(2);

      // two readings a few seconds apart: the page refreshes itself (no reload)
      const first = { slot: await text(page, 'slot'), duties: await text(page, 'duties') };
      await expect.poll(() => text(page, 'duties'), { timeout: 15_000 }).not.toBe(first.duties);
      const second = { slot: await text(page, 'slot'), duties: await text(page, 'duties') };
      expect(Number(second.slot)).toBeGreaterThan(Number(first.slot));
      expect(second.duties).not.toBe(first.duties);

      // an operator opens a committee's member list: refreshes keep it open
      await page.locator('#members-0 summary').click();

      // let a second epoch end, for the per-epoch chart and inclusion delays
      await expect
        .poll(async () => Number(await text(page, 'epoch')), { timeout: 30_000 })
        .toBeGreaterThanOrEqual(2);
      const readModel = async () => (await (await fetch(`${base}/data.json`)).json()) as DashboardModel;
      const model = await readModel();
      expect(model.validators.map((v) => v.validatorIndex)).toEqual([0, 1]);
      expect(model.nodes[0]?.health.peersConnected).toBe(3);
      const submitted = model.outcomes.filter((o) => o.duty === 'attestation' && o.reason === 'submitted');
      expect(submitted.length).toBeGreaterThan(0);
      expect(model.latencyCounts.reduce((s, c) => s + c, 0)).toBeGreaterThan(0);
      expect(model.inclusion.included).toBeGreaterThan(0);

      // two of the four operators stop: t = 3 is out of reach, so duties fail with a reason and
      // the health section shows the missing peers
      const stoppedAtEpoch = model.chain?.epoch ?? 0;
      await Promise.all([nodes[2]!.stop(), nodes[3]!.stop()]);
      const failures = (m: DashboardModel) =>
        m.outcomes
          .filter((o) => o.epoch >= stoppedAtEpoch && /timeout|partials|late/.test(o.reason))
          .reduce((sum, o) => sum + o.count, 0);
      const before = failures(model);
      await expect
        .poll(async () => failures(await readModel()), { timeout: 15_000, interval: 500 })
        .toBeGreaterThan(before);
      // the page catches up with the model that showed them
      const seen = (await readModel()).generatedAtMs;
      await expect
        .poll(async () => Number(await page.locator('.tiles').getAttribute('data-generated')), {
          timeout: 10_000,
        })
        .toBeGreaterThanOrEqual(seen);
      expect(await text(page, 'peers')).toBe('1 / 3');
      expect(await page.locator('#members-0').getAttribute('open')).not.toBeNull();
      expect(await page.locator('#members-0 li').count()).toBe(4);
      await expect.poll(() => page.locator('#health .checks .bad').count()).toBeGreaterThan(0);
      await page.waitForFunction("[...document.querySelectorAll('img.chart')].every((i) => i.complete)");
      for (const id of ['chart-outcomes', 'chart-latency']) {
        const width = await page
          .locator(`#${id}`)
          .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);
        expect(width, id).toBeGreaterThan(100);
      }
      // no secret on the page: the keystore password, the identity keys
      const html = await page.content();
      expect(html).not.toContain(PASSWORD);
      for (const op of cluster.operators) {
        expect(html).not.toContain(Buffer.from(op.identity.secretKey).toString('hex'));
      }
      await mkdir(new URL('.', SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT.pathname, fullPage: true });
      expect(consoleErrors).toEqual([]);
      expect(errors.filter((e) => !e.includes('stopped'))).toEqual([]);
    },
  );
});
