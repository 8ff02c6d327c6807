// A picture of the results for a person to look at: several clips plus a long one made by
// joining two clips around a pause, so the timeline (with its silent gap) shows. Saved to
// www/test-results/, at desktop and at phone width.

import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { before, test } from 'node:test';
import {
  openPage, originals, pageSession, results, resultsDir, waitReady,
} from './helpers.mjs';
import { readWav, writeWav } from './wav.mjs';

const CLIPS = [
  'ravdess/Actor_01/03-01-08-01-02-02-01.wav',
  'tess/YAF_angry/YAF_germ_angry.wav',
  'tess/OAF_fear/OAF_food_fear.wav',
].map((clip) => path.join(originals, clip));

const session = pageSession();
before(() => mkdir(resultsDir, { recursive: true }));

/** A clip's samples with its DC offset removed (SAVEE's carry one of up to 4% of full scale). */
function centred(samples) {
  const mean = samples.reduce((sum, x) => sum + x, 0) / samples.length;
  return Int16Array.from(samples, (x) => Math.max(-32768, Math.min(32767, Math.round(x - mean))));
}

/**
 * Two SAVEE clips (44.1 kHz mono) with three seconds of digital silence between them. Each is
 * centred first: the pipeline removes the recording's mean, which would otherwise turn the
 * silence into a constant as loud as the clips' offset, and so into "speech".
 */
async function longClip() {
  const first = readWav(await readFile(path.join(originals, 'savee/DC_su10.wav')));
  const second = readWav(await readFile(path.join(originals, 'savee/JK_sa05.wav')));
  assert.equal(first.sampleRate, second.sampleRate);
  const pause = new Int16Array(first.sampleRate * 3);
  const joined = new Int16Array(first.samples.length + pause.length + second.samples.length);
  joined.set(centred(first.samples), 0);
  joined.set(centred(second.samples), first.samples.length + pause.length);
  return { name: 'surprise-pause-sad.wav', mimeType: 'audio/wav', buffer: writeWav(first.sampleRate, joined) };
}

test('screenshots of the results, with a timeline', async () => {
  const { page, context } = await openPage(session.browser, session.server.url, { viewport: { width: 1100, height: 900 } });
  await waitReady(page);
  // Playwright takes either paths or buffers in one call: read the clips into buffers too.
  const clips = await Promise.all(CLIPS.map(async (clip) =>
    ({ name: path.basename(clip), mimeType: 'audio/wav', buffer: await readFile(clip) })));
  await page.getByTestId('file-input').setInputFiles([...clips, await longClip()]);
  const rows = await results(page, CLIPS.length + 1);
  const long = rows.at(-1);
  assert.ok(long.result.timeline.length > 1, 'the long clip has a timeline');
  assert.ok(long.result.timeline.some((w) => w.emotion === null), 'the pause is silence');
  const greyWindows = await page.evaluate(() => {
    const row = [...document.querySelectorAll('[data-testid="result"]')].at(-1);
    return row.nextElementSibling?.querySelectorAll('.timeline svg rect.silence').length ?? 0;
  });
  assert.ok(greyWindows > 0, 'the pause is drawn as grey in the long clip\'s timeline');
  await page.screenshot({ path: path.join(resultsDir, 'results.png'), fullPage: true });

  // From tablet to phone width, nothing may stick out sideways (the last one is photographed).
  for (const width of [800, 721, 720, 480, 360]) {
    await page.setViewportSize({ width, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than a ${width}px screen`);
  }
  await page.screenshot({ path: path.join(resultsDir, 'results-narrow.png'), fullPage: true });
  await context.close();
});
