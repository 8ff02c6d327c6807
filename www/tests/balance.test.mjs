// Files from one source balanced together ("balance their answers over the batch"): the page
// must give exactly what the native `predict --balance-set` gives for the same files, leave an
// unreadable file out of the set and report it, answer a set too small to balance as trained,
// saying so, and never standardise and balance the same batch.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  assertNativeAnswers, messages, nativePredict, openPage, pageSession, payloads, results, saveeClips, waitReady,
} from './helpers.mjs';

const session = pageSession();

async function analyseBalanced(page, files) {
  await page.getByTestId('balance-set').check();
  await page.getByTestId('file-input').setInputFiles(files);
  await page.waitForFunction(
    () => /balanced together/i.test(document.getElementById('messages').textContent), null, { timeout: 120_000 });
  const rows = await results(page, files.length);
  const balanced = await page.$$eval('[data-testid="result"]', (all) => all.map((r) => r.dataset.balanced));
  return rows.map((row, i) => ({ ...row, balanced: balanced[i] }));
}

test('a set of 60 clips is balanced together exactly as predict --balance-set does', async () => {
  const clips = await saveeClips();
  const native = await nativePredict(clips, ['--balance-set']);
  assert.ok([...native.values()].every((answer) => answer.balanced_with_set === true));
  const plain = await nativePredict(clips);
  const { page, log, context } = await openPage(session.browser, session.server.url);
  await waitReady(page);
  const files = [...await payloads(clips), { name: 'broken.wav', mimeType: 'audio/wav', buffer: randomBytes(4096) }];
  const rows = await analyseBalanced(page, files);

  const broken = rows.pop();
  assert.equal(broken.status, 'error', 'the unreadable file is reported on its row');
  assert.match(broken.text, /not an audio file/);
  assertNativeAnswers(rows, native);
  const changed = rows.filter((row) => row.result.emotion !== plain.get(row.name).emotion);
  assert.ok(changed.length > 0, 'balancing changed no answer');
  assert.ok(rows.every((row) => row.balanced === 'true'), 'every clip marked as balanced with its set');
  assert.ok(rows.every((row) => /balanced with its set/.test(row.text)));
  const said = await messages(page);
  assert.match(said, /Balanced together: the answers of 60 files with speech/);
  assert.match(said, /broken\.wav: .*not an audio file/);
  assert.deepEqual(log.errors, [], 'console errors');
  await context.close();
});

test('a set too small to balance is answered as trained, and the page says why', async () => {
  const clips = (await saveeClips()).slice(0, 3);
  const native = await nativePredict(clips);
  const { page, log, context } = await openPage(session.browser, session.server.url);
  await waitReady(page);
  const rows = await analyseBalanced(page, await payloads(clips));

  assertNativeAnswers(rows, native);
  assert.ok(rows.every((row) => row.balanced === 'false'), 'no clip marked as balanced');
  assert.match(await messages(page),
    /Not balanced together: .*needs at least 25 recordings with speech.*this set holds 3\. Each file is answered on its own/);
  assert.deepEqual(log.errors, [], 'console errors');
  await context.close();
});

test('standardising and balancing a batch exclude each other', async () => {
  const { page, log, context } = await openPage(session.browser, session.server.url);
  await waitReady(page);
  await page.getByTestId('one-source').check();
  await page.getByTestId('balance-set').check();
  assert.equal(await page.getByTestId('one-source').isChecked(), false);
  await page.getByTestId('one-source').check();
  assert.equal(await page.getByTestId('balance-set').isChecked(), false);
  assert.deepEqual(log.errors, [], 'console errors');
  await context.close();
});
