// Files that cannot be classified each get a readable message, in their row and in the message
// area, and the page stays usable: a good file uploaded afterwards gets its result.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  launch, messages, openPage, originals, results, startServer, waitReady,
} from './helpers.mjs';
import { writeWav } from './wav.mjs';

const GOOD = path.join(originals, 'savee/DC_su10.wav');

let server;
let browser;

before(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const file = (name, buffer) => ({ name, mimeType: 'audio/wav', buffer });

test('corrupt and empty files show errors, then a good file still works', async () => {
  const { page, log, context } = await openPage(browser, server.url);
  await waitReady(page);
  const input = page.getByTestId('file-input');

  await input.setInputFiles([file('x.wav', randomBytes(4096)), file('empty.wav', Buffer.alloc(0))]);
  const [corrupt, empty] = await results(page, 2);
  assert.equal(corrupt.status, 'error');
  assert.equal(corrupt.emotion, 'error');
  assert.match(corrupt.text, /not an audio file/);
  assert.equal(empty.status, 'error');
  assert.match(empty.text, /empty/);
  const said = await messages(page);
  assert.match(said, /x\.wav: .*not an audio file/);
  assert.match(said, /empty\.wav: .*empty/);

  await input.setInputFiles(GOOD);
  const rows = await results(page, 3);
  assert.equal(rows[2].name, 'DC_su10.wav');
  assert.equal(rows[2].status, 'done', rows[2].text);
  assert.match(rows[2].emotion, /^((unsure: )?(neutral|happy|sad|angry|fear|disgust|surprise)( or \w+)?)$/);
  assert.deepEqual(log.errors, [], 'console errors');
  await context.close();
});

test('silence gives "no speech" instead of a guess', async () => {
  const { page, context } = await openPage(browser, server.url);
  await waitReady(page);
  const silence = writeWav(16_000, new Int16Array(16_000 * 3));
  await page.getByTestId('file-input').setInputFiles(file('silence.wav', silence));
  const [row] = await results(page, 1);
  assert.equal(row.status, 'silence', row.text);
  assert.equal(row.emotion, 'no speech');
  assert.equal(row.result.emotion, null);
  assert.match(await messages(page), /silence\.wav: no speech found/i);
  await context.close();
});

test('audio over the length limit is refused with the limit in the message', async () => {
  const { page, context } = await openPage(browser, server.url);
  await waitReady(page);
  const limit = await page.evaluate(() => document.body.dataset.maxSeconds);
  // Just over the limit at a low rate keeps the file small: the decoder refuses it up front.
  const rate = 8_000;
  const long = writeWav(rate, new Int16Array(Math.ceil((Number(limit) + 5) * rate)));
  await page.getByTestId('file-input').setInputFiles(file('long.wav', long));
  const [row] = await results(page, 1);
  assert.equal(row.status, 'error', row.text);
  assert.match(row.text, /over the limit/);
  assert.match(await messages(page), /long\.wav: .*over the limit/);
  await context.close();
});

test('a browser without WebAssembly is told so instead of getting a blank page', async () => {
  const context = await browser.newContext();
  await context.addInitScript(() => { delete globalThis.WebAssembly; });
  const page = await context.newPage();
  await page.goto(server.url);
  await page.getByTestId('error').filter({ hasText: 'WebAssembly' }).waitFor();
  assert.match(await page.locator('#status').innerText(), /Unavailable/);
  await context.close();
});

test('a browser without AudioWorklet can still analyse files and says why it cannot record', async () => {
  const context = await browser.newContext();
  await context.addInitScript(() => { delete globalThis.AudioWorkletNode; });
  const page = await context.newPage();
  await page.goto(server.url);
  await waitReady(page);
  assert.match(await messages(page), /AudioWorklet/);
  assert.equal(await page.getByTestId('record').isDisabled(), true);
  await page.getByTestId('file-input').setInputFiles(GOOD);
  const [row] = await results(page, 1);
  assert.equal(row.status, 'done', row.text);
  await context.close();
});
