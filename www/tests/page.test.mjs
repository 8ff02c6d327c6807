// The page loads, the model becomes ready, nothing is logged as an error and nothing is fetched
// from anywhere but the page's own origin.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, openPage, startServer, waitReady } from './helpers.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('the page loads its model with no console error and no request to another origin', async () => {
  const { page, log, context } = await openPage(browser, server.url);
  await waitReady(page);
  // Give late requests (the worker's, the model card's) a moment to show up.
  await page.waitForLoadState('networkidle');

  assert.deepEqual(log.errors, [], 'console errors');
  const origin = new URL(server.url).origin;
  const foreign = log.requests.filter((url) => !url.startsWith(`${origin}/`) && !/^(data|blob):/.test(url));
  assert.deepEqual(foreign, [], 'requests to another origin');
  assert.ok(log.requests.some((url) => url.endsWith('.wasm')), `the wasm was fetched: ${log.requests.join(', ')}`);

  assert.equal(await page.getByTestId('record').isEnabled(), true, 'record is enabled once ready');
  assert.equal(await page.getByTestId('file-input').isEnabled(), true, 'the file input is enabled');
  assert.match(await page.locator('body').innerText(), /never leaves your machine/);
  const card = await page.locator('#model-card').innerText();
  assert.match(card, /speakers it never heard/i, `model card: ${card}`);
  await context.close();
});
