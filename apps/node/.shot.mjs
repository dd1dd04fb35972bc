import { chromium } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
const ctx = await chromium.launchPersistentContext(mkdtempSync('/tmp/s9/chr-'), { executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1280, height: 900 },
  args: ['--headless','--no-sandbox','--disable-gpu','--disable-quic','--no-first-run','--disable-background-networking','--disable-component-update','--disable-sync'] });
const page = ctx.pages()[0] ?? await ctx.newPage();
await page.goto('http://127.0.0.1:34239/dashboard');
await page.waitForTimeout(4000);
await page.screenshot({ path: process.argv[2], fullPage: true });
await ctx.close();
