// Files from one source standardised together ("These files come from one source"): the page
// must give exactly what the native `predict --standardise-set` gives for the same files, leave an
// unreadable file out of the set and report it, and answer a set too small to standardise as
// trained, saying so.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  assertNativeAnswers, messages, nativePredict, openPage, pageSession, payloads, results, saveeClips, waitReady,
} from './helpers.mjs';

const session = pageSession();

async function analyseAsOneSource(page, files) {
  await page.getByTestId('one-source').check();
  await page.getByTestId('file-input').setInputFiles(files);
  const rows = await results(page, files.length);
  const inSet = await page.$$eval('[data-testid="result"]', (all) => all.map((r) => r.dataset.inSet));
  return rows.map((row, i) => ({ ...row, inSet: inSet[i] }));
}

test('a set of 60 clips is standardised together exactly as predict --standardise-set does', async () => {
  const clips = await saveeClips();
  const native = await nativePredict(clips, ['--standardise-set']);
  const { page, log, context } = await openPage(session.browser, session.server.url);
  await waitReady(page);
  const files = [...await payloads(clips), { name: 'broken.wav', mimeType: 'audio/wav', buffer: randomBytes(4096) }];
  const rows = await analyseAsOneSource(page, files);

  const broken = rows.pop();
  assert.equal(broken.status, 'error', 'the unreadable file is reported on its row');
  assert.match(broken.text, /not an audio file/);
  assertNativeAnswers(rows, native);
  assert.ok(rows.every((row) => row.inSet === 'true'), 'every clip marked as standardised with its set');
  assert.ok(rows.every((row) => /standardised with its set/.test(row.text)));
  const said = await messages(page);
  const windows = Number(said.match(/Standardised together: (\d+) speech windows from 61 files/)?.[1]);
  assert.ok(windows >= 100, said);
  assert.match(said, /broken\.wav: .*not an audio file/);
  assert.deepEqual(log.errors, [], 'console errors');
  await context.close();
});

test('a set too small to standardise is answered as trained, and the page says why', async () => {
  const clips = (await saveeClips()).slice(0, 3);
  const native = await nativePredict(clips);
  const { page, log, context } = await openPage(session.browser, session.server.url);
  await waitReady(page);
  const rows = await analyseAsOneSource(page, await payloads(clips));

  assertNativeAnswers(rows, native);
  assert.ok(rows.every((row) => row.inSet === 'false'), 'no clip marked as standardised');
  assert.match(await messages(page),
    /Not standardised together: .*needs at least 30 speech windows.*this set holds \d+\. Each file is answered on its own/);
  assert.deepEqual(log.errors, [], 'console errors');
  await context.close();
});
