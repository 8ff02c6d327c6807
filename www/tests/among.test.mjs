// The emotions a batch can carry ("Emotions these recordings can carry"): with some unticked,
// the page must give exactly what the native `predict --among` gives for the same files, never
// answer an unticked emotion, mark its rows, keep at least two emotions ticked and give all seven
// back once every box is ticked again.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import {
  assertNativeAnswers, messages, nativePredict, openPage, pageSession, payloads, results, saveeClips, waitReady,
} from './helpers.mjs';

const session = pageSession();

/** The page's among-rows, as `data-among` says them. */
function amongOf(page) {
  return page.$$eval('[data-testid="result"]', (all) => all.map((r) => r.dataset.among));
}

async function untick(page, ...emotions) {
  for (const emotion of emotions) await page.getByTestId('among').locator(`input[value="${emotion}"]`).uncheck();
}

test('files answered among the ticked emotions get exactly what predict --among gives', async () => {
  const clips = await saveeClips();
  const plain = await nativePredict(clips);
  const outside = [...plain.values()].filter((a) => ['disgust', 'surprise'].includes(a.emotion));
  assert.ok(outside.length > 0, 'no plain answer was disgust or surprise: the test would show nothing');
  const native = await nativePredict(clips, ['--among', 'neutral,happy,sad,angry,fear']);
  const { page, log, context } = await openPage(session.browser, session.server.url);
  await waitReady(page);
  await untick(page, 'disgust', 'surprise');
  await page.getByTestId('file-input').setInputFiles(await payloads(clips));
  const rows = await results(page, clips.length);

  assertNativeAnswers(rows, native);
  for (const row of rows) {
    assert.equal(row.result.probabilities.disgust, 0, `${row.name}: disgust`);
    assert.equal(row.result.probabilities.surprise, 0, `${row.name}: surprise`);
    assert.match(row.text, /among 5 emotions/);
  }
  assert.ok((await amongOf(page)).every((among) => among === 'neutral happy sad angry fear'));
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  const csv = (await readFile(await download.path(), 'utf8')).trim().split(/\r\n/);
  assert.equal(csv[0].split(',').at(-1), 'answered_among');
  assert.equal(csv.length, clips.length + 1);
  assert.ok(csv.slice(1).every((line) => line.split(',').at(-1) === 'neutral happy sad angry fear'), csv[1]);
  assert.deepEqual(log.errors, [], 'console errors');
  await context.close();
});

test('at least two emotions stay ticked, and ticking all gives the seven back', async () => {
  const clips = (await saveeClips()).slice(0, 2);
  const native = await nativePredict(clips);
  const { page, log, context } = await openPage(session.browser, session.server.url);
  await waitReady(page);
  await untick(page, 'neutral', 'happy', 'sad', 'fear', 'disgust');
  const last = page.getByTestId('among').locator('input[value="angry"]');
  await last.click();
  assert.equal(await last.isChecked(), true, 'the second-to-last emotion was unticked');
  assert.match(await messages(page), /at least two emotions/);
  await page.getByTestId('file-input').setInputFiles(await payloads(clips.slice(0, 1)));
  const [first] = await results(page, 1);
  assert.ok(['angry', 'surprise'].includes(first.result.emotion), first.result.emotion);

  for (const box of await page.getByTestId('among').locator('input').all()) await box.check();
  await page.getByTestId('file-input').setInputFiles(await payloads(clips));
  const rows = await results(page, 3);
  assertNativeAnswers(rows.slice(1), native);
  assert.deepEqual(await amongOf(page), ['angry surprise', 'all', 'all']);
  assert.deepEqual(log.errors, [], 'console errors');
  await context.close();
});
