// Recording through Chromium's fake microphone, which plays a WAV file, and a denied microphone.

import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  launch, maxDifference, messages, nativePredict, openPage, originals, results, resultsDir, startServer,
  waitReady,
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
    // Live mode: while the file plays, the latest window is answered every second.
    await page.waitForTimeout(4500);
    assert.match(await page.locator('#status').innerText(), /Recording/);
    const timer = await page.locator('#timer').innerText();
    const liveEntries = await page.getByTestId('live-timeline').locator(':scope > *').count();
    const liveText = await page.getByTestId('live-emotion').innerText();
    await mkdir(resultsDir, { recursive: true });
    await page.screenshot({ path: path.join(resultsDir, 'live.png') });
    await page.getByTestId('stop').click();
    assert.ok(liveEntries >= 3, `${liveEntries} live answers before Stop`);
    assert.match(liveText, /^(neutral|happy|sad|angry|fear|disgust|surprise|no speech|unsure: \w+ or \w+)$/);
    const [row] = await results(page, 1);

    const expected = native.get(path.basename(CLIP));
    assert.equal(row.status, 'done', row.text);
    assert.equal(row.name, 'Recording 1');
    assert.match(await page.locator('#status').innerText(), /Model ready/, 'the status no longer says recording');
    assert.ok(row.result.duration > 4 && row.result.duration < 6, `recorded ${row.result.duration} s (timer ${timer})`);
    assert.equal(row.result.emotion, expected.emotion,
      `recorded ${JSON.stringify(row.result.probabilities)}, native ${JSON.stringify(expected.probabilities)}`);
    const { result } = row;
    assert.equal(row.emotion, result.uncertain ? `unsure: ${result.emotion} or ${result.runner_up}` : result.emotion);

    // The capture starts a moment after the file does and ends in silence, so the recording is not
    // the file sample for sample. The exact samples the page classified are what "Save WAV" gives:
    // native predict on them must agree to 1e-4, as for uploaded files.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Save WAV' }).click(),
    ]);
    const saved = path.join(scratch, 'recording-1.wav');
    await download.saveAs(saved);
    const same = (await nativePredict([saved])).get('recording-1.wav');
    assert.equal(row.result.emotion, same.emotion);
    assert.equal(row.result.uncertain, same.uncertain, 'unsure exactly when native predict is');
    const difference = maxDifference(row.result.probabilities, same.probabilities);
    assert.ok(difference <= 1e-4, `the saved recording differs natively by ${difference}`);
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

describe('no microphone at all', () => {
  let browser;

  before(async () => {
    browser = await launch();
  });

  after(() => browser?.close());

  // Whether a machine has a capture device is not for a test to rely on: stand in for the
  // browser's answer on one without any.
  test('shows the no-microphone message', async () => {
    const context = await browser.newContext();
    await context.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException('Requested device not found', 'NotFoundError'));
    });
    const page = await context.newPage();
    await page.goto(server.url);
    await waitReady(page);
    await page.getByTestId('record').click();
    await page.getByTestId('error').filter({ hasText: /microphone/ }).waitFor();
    assert.match(await messages(page), /No microphone was found/);
    assert.equal(await page.getByTestId('record').isEnabled(), true);
    await context.close();
  });
});
