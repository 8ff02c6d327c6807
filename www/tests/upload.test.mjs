// Real clips in every format the corpora ship (stereo 48 kHz WAV, AIFF named .wav, 96 kHz WAV,
// 44.1 kHz WAV) uploaded together: each row must show the emotion the native `predict` command
// gives, with probabilities within 1e-4 of it, and the CSV export must carry the same figures.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  launch, maxDifference, nativePredict, openPage, originals, results, startServer, waitReady,
} from './helpers.mjs';

const CLIPS = [
  'ravdess/Actor_01/03-01-08-01-02-02-01.wav',
  'ravdess/Actor_20/03-01-03-01-02-01-20.wav',
  'tess/YAF_angry/YAF_germ_angry.wav',
  'tess/YAF_fear/YAF_neat_fear.wav',
  'tess/OAF_fear/OAF_food_fear.wav',
  'savee/DC_su10.wav',
].map((clip) => path.join(originals, clip));

const TOLERANCE = 1e-4;
const EMOTION_ORDER = ['neutral', 'happy', 'sad', 'angry', 'fear', 'disgust', 'surprise'];

let server;
let browser;
let native;

before(async () => {
  [server, browser, native] = await Promise.all([startServer(), launch(), nativePredict(CLIPS)]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('uploaded clips get the native emotions and probabilities, and export as CSV', async () => {
  const { page, log, context } = await openPage(browser, server.url);
  await waitReady(page);
  await page.getByTestId('file-input').setInputFiles(CLIPS);
  const rows = await results(page, CLIPS.length);

  assert.equal(rows.length, CLIPS.length);
  for (const row of rows) {
    const expected = native.get(row.name);
    assert.ok(expected, `native predict gave no answer for ${row.name}`);
    assert.equal(row.status, 'done', `${row.name}: ${row.text}`);
    const [first, second] = expected.top_two;
    assert.equal(row.result.uncertain, expected.uncertain, `${row.name}: unsure as natively`);
    assert.equal(row.emotion, expected.uncertain ? `unsure: ${first} or ${second}` : expected.emotion,
      `${row.name}: emotion`);
    assert.equal(row.result.emotion, expected.emotion, `${row.name}: data-result emotion`);
    assert.equal(row.result.runner_up, second, `${row.name}: runner-up`);
    const difference = maxDifference(row.result.probabilities, expected.probabilities);
    assert.ok(difference <= TOLERANCE,
      `${row.name}: probabilities differ by ${difference} (browser ${JSON.stringify(row.result.probabilities)}, native ${JSON.stringify(expected.probabilities)})`);
    assert.ok(Math.abs(row.result.confidence - expected.confidence) <= TOLERANCE, `${row.name}: confidence`);
  }

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  const csv = (await readFile(await download.path(), 'utf8')).trim().split(/\r\n/);
  assert.equal(csv[0],
    'file,emotion,confidence,uncertain,runner_up,neutral,happy,sad,angry,fear,disgust,surprise,error,standardised_with_set,balanced_with_set,answered_among');
  assert.equal(csv.length, CLIPS.length + 1);
  for (const line of csv.slice(1)) {
    const [file, emotion, confidence, uncertain, runnerUp, ...rest] = line.split(',');
    const [probabilities, [error, inSet, balanced, among]] = [rest.slice(0, 7), rest.slice(7)];
    const expected = native.get(file);
    assert.equal(emotion, expected.emotion, `CSV ${file}`);
    assert.equal(uncertain, String(expected.uncertain), `CSV ${file} uncertain`);
    assert.equal(runnerUp, expected.top_two[1], `CSV ${file} runner-up`);
    assert.ok(Math.abs(Number(confidence) - expected.confidence) <= TOLERANCE, `CSV ${file} confidence`);
    assert.equal(rest.length, 11, `CSV ${file}: seven probabilities, the error, the two set columns and the emotions answered among`);
    probabilities.forEach((p, i) => assert.ok(Math.abs(Number(p) - expected.probabilities[EMOTION_ORDER[i]]) <= TOLERANCE,
      `CSV ${file} ${EMOTION_ORDER[i]}`));
    assert.equal(error, '', `CSV ${file}: no error`);
    assert.equal(inSet, 'false', `CSV ${file}: answered on its own, not with a set`);
    assert.equal(balanced, 'false', `CSV ${file}: not balanced with a set`);
    assert.equal(among, 'all', `CSV ${file}: answered among all seven`);
  }
  assert.deepEqual(log.errors, [], 'console errors');
  await context.close();
});
