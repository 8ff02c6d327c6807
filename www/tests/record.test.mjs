// Recording through Chromium's fake microphone, which plays a WAV file, and a denied microphone.

import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  launch, messages, nativePredict, openPage, originals, results, startServer, waitReady,
} from './helpers.mjs';

// 48 kHz mono 16-bit PCM, 3.9 s: the format Chromium's fake capture device reads.
const CLIP = path.join(originals, 'ravdess/Actor_01/03-01-01-01-01-01-01.wav');

let server;
let scratch;

before(async () => {
  server = await startServer();
  scratch = await mkdtemp(path.join(tmpdir(), 'speech-emotion-record-'));
});

after(async () => {
  await server?.close();
  await rm(scratch, { recursive: true, force: true });
});

describe('recording with the fake microphone', () => {
  let browser;
  let native;

  before(async () => {
    // A copy in a plain temporary path: the flag's value cannot hold every character a path can.
    const wav = path.join(scratch, 'microphone.wav');
    await copyFile(CLIP, wav);
    // %noloop plays the file once and then silence, so the recording holds the clip exactly once.
    [browser, native] = await Promise.all([
      launch([
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${wav}%noloop`,
        '--autoplay-policy=no-user-gesture-required',
      ]),
      nativePredict([CLIP]),
    ]);
  });

  after(() => browser?.close());

  test('record, stop, and get the emotion native predict gives for the file', async () => {
    const { page, log, context } = await openPage(browser, server.url);
    await waitReady(page);
    await page.getByTestId('record').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="stop"]').disabled);
    await page.waitForTimeout(4500);
    const timer = await page.locator('#timer').innerText();
    await page.getByTestId('stop').click();
    const [row] = await results(page, 1);

    const expected = native.get(path.basename(CLIP));
    assert.equal(row.status, 'done', row.text);
    assert.match(row.name, /^Recording 1/);
    assert.ok(row.result.duration > 4 && row.result.duration < 6, `recorded ${row.result.duration} s (timer ${timer})`);
    assert.equal(row.emotion, expected.emotion,
      `recorded ${JSON.stringify(row.result.probabilities)}, native ${JSON.stringify(expected.probabilities)}`);
    assert.deepEqual(log.errors, [], 'console errors');
    await context.close();
  });
});

describe('a denied microphone', () => {
  let browser;

  // A fake device exists, but without --use-fake-ui-for-media-stream and with no permission
  // granted to the context, getUserMedia rejects with NotAllowedError.
  before(async () => {
    browser = await launch(['--use-fake-device-for-media-stream']);
  });

  after(() => browser?.close());

  test('shows the denied message and leaves the page usable', async () => {
    const { page, context } = await openPage(browser, server.url, { permissions: [] });
    await waitReady(page);
    await page.getByTestId('record').click();
    await page.getByTestId('error').filter({ hasText: /denied/ }).waitFor();
    assert.match(await messages(page), /Microphone access was denied/);
    assert.equal(await page.getByTestId('record').isEnabled(), true, 'record can be tried again');
    assert.equal(await page.getByTestId('stop').isDisabled(), true, 'nothing to stop');
    await context.close();
  });
});
