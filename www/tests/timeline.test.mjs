// Timelines that read at any length and width: a two-minute recording (real RAVDESS sentences,
// loud and quiet, with pauses) gets a band of merged stretches whose labels never spill over
// and an axis whose ticks never collide, from desktop to phone width; a clip of two windows or
// less gets no timeline at all. Screenshots go to www/test-results/.

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  nativePredict, openPage, originals, pageSession, results, resultsDir, waitReady,
} from './helpers.mjs';
import { readWav, writeWav } from './wav.mjs';

const SENTENCES = [
  'ravdess/Actor_01/03-01-01-01-01-01-01.wav',
  'ravdess/Actor_01/03-01-08-01-02-02-01.wav',
  'ravdess/Actor_20/03-01-03-01-02-01-20.wav',
].map((clip) => path.join(originals, clip));

const session = pageSession();

/** The sentences (48 kHz mono) in turn, every other one 20 dB quieter, 1-2 s pauses, to 2 min. */
async function twoMinutes() {
  const clips = await Promise.all(SENTENCES.map(async (file) => readWav(await readFile(file))));
  const rate = clips[0].sampleRate;
  const total = rate * 120;
  const joined = new Int16Array(total);
  let at = 0;
  for (let i = 0; at < total; i++) {
    const { samples, sampleRate } = clips[i % clips.length];
    assert.equal(sampleRate, rate);
    const gain = i % 2 ? 0.1 : 1;
    for (let k = 0; k < samples.length && at + k < total; k++) joined[at + k] = Math.round(samples[k] * gain);
    at += samples.length + rate * (1 + (i % 2));
  }
  return { name: 'two-minutes.wav', mimeType: 'audio/wav', buffer: writeWav(rate, joined) };
}

/** The short clip of two windows or less, cut to 2.6 s. */
async function shortClip() {
  const { sampleRate, samples } = readWav(await readFile(SENTENCES[0]));
  return {
    name: 'short.wav', mimeType: 'audio/wav',
    buffer: writeWav(sampleRate, samples.subarray(0, Math.round(sampleRate * 2.6))),
  };
}

/**
 * What the long row's chart shows: its stretches, labels that spill over, labels hidden that
 * would have fitted (each stretch measured with its label shown), ticks that touch.
 */
function chartProblems() {
  const row = [...document.querySelectorAll('[data-testid="result"]')].find((r) =>
    r.querySelector('.filename').textContent === 'two-minutes.wav');
  const figure = row.nextElementSibling?.querySelector('.timeline');
  if (!figure) return null;
  const stretches = [...figure.querySelectorAll('[data-testid="segment"]')];
  const spilling = stretches.filter((s) => !s.classList.contains('clipped') && s.scrollWidth > s.clientWidth + 0.5);
  const hiddenThatFit = stretches.filter((s) => {
    if (!s.classList.contains('clipped')) return false;
    s.classList.remove('clipped');
    const fits = s.scrollWidth <= s.clientWidth + 0.5;
    s.classList.add('clipped');
    return fits;
  });
  const ticks = [...figure.querySelectorAll('.axis span')].map((t) => t.getBoundingClientRect());
  const touching = ticks.slice(1).filter((t, i) => t.left < ticks[i].right + 2).length;
  const outside = ticks.filter((t) => t.left < figure.getBoundingClientRect().left - 0.5
    || t.right > figure.getBoundingClientRect().right + 0.5).length;
  return {
    stretches: stretches.length,
    labelled: stretches.filter((s) => !s.classList.contains('clipped')).length,
    spilling: spilling.map((s) => s.textContent),
    hiddenThatFit: hiddenThatFit.map((s) => s.textContent),
    ticks: ticks.length,
    touching,
    outside,
  };
}

test('a two-minute recording has a readable timeline at every width; a short clip has none', async () => {
  const { page, log, context } = await openPage(session.browser, session.server.url, { viewport: { width: 1100, height: 900 } });
  await Promise.all([waitReady(page), mkdir(resultsDir, { recursive: true })]);
  await page.getByTestId('file-input').setInputFiles([await twoMinutes(), await shortClip()]);
  const [long, short] = await results(page, 2);

  const { segments, timeline, duration } = long.result;
  assert.ok(duration >= 119 && timeline.length > 100, `${duration} s, ${timeline.length} windows`);
  assert.equal(segments[0].start, 0);
  assert.ok(Math.abs(segments.at(-1).end - duration) < 0.05);
  for (let i = 1; i < segments.length; i++) {
    assert.ok(Math.abs(segments[i].start - segments[i - 1].end) < 1e-4, 'stretches tile the recording');
    assert.notEqual(segments[i].emotion, segments[i - 1].emotion, 'neighbours differ');
  }
  assert.ok(segments.length < timeline.length / 2, `${segments.length} stretches from ${timeline.length} windows`);
  assert.ok(segments.some((s) => s.emotion === null), 'the pauses are marked');

  for (const width of [1100, 720, 400]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(200); // the resize observer redraws the axis and re-fits the labels
    const chart = await page.evaluate(chartProblems);
    assert.ok(chart, 'the long recording has a timeline');
    assert.equal(chart.stretches, segments.length, `${width}px: one band entry per stretch`);
    assert.deepEqual(chart.spilling, [], `${width}px: labels cut short`);
    assert.deepEqual(chart.hiddenThatFit, [], `${width}px: labels hidden that fit`);
    // How many stretches are wide enough for a label depends on how often the model's answer
    // changes; at desktop width at least one is, so the checks above are not vacuous.
    if (width === 1100) assert.ok(chart.labelled >= 1, `${width}px: some stretches are labelled`);
    assert.equal(chart.touching, 0, `${width}px: axis ticks collide`);
    assert.equal(chart.outside, 0, `${width}px: axis ticks outside the chart`);
    assert.ok(chart.ticks >= 2, `${width}px: ${chart.ticks} ticks`);
    if (width === 1100) await page.screenshot({ path: path.join(resultsDir, 'timeline.png'), fullPage: true });
  }
  await page.screenshot({ path: path.join(resultsDir, 'timeline-narrow.png'), fullPage: true });

  // The page's timeline export holds the stretches `predict --csv` writes for the same file.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export timeline CSV' }).click(),
  ]);
  const pageRows = (await readFile(await download.path(), 'utf8')).trim().split(/\r\n/)
    .map((line) => line.split(',')).filter((cells) => cells[0] === 'two-minutes.wav');
  const scratch = await mkdtemp(path.join(tmpdir(), 'speech-emotion-timeline-'));
  try {
    const wav = path.join(scratch, 'two-minutes.wav');
    await writeFile(wav, (await twoMinutes()).buffer);
    const csv = path.join(scratch, 'native.csv');
    await nativePredict([wav], ['--csv', csv]);
    const nativeRows = (await readFile(csv, 'utf8')).trim().split('\n').slice(1)
      .map((line) => line.split(','));
    assert.equal(pageRows.length, segments.length);
    assert.equal(nativeRows.length, pageRows.length, 'as many stretches natively');
    pageRows.forEach((cells, i) => {
      const native = nativeRows[i];
      assert.deepEqual(cells.slice(3, 6), native.slice(3, 6), `stretch ${i}: emotion, uncertain, windows`);
      for (const k of [1, 2]) assert.ok(Math.abs(Number(cells[k]) - Number(native[k])) < 2e-3, `stretch ${i} times`);
      for (let k = 6; k < 13; k++) {
        assert.ok(Math.abs(Number(cells[k] || 0) - Number(native[k] || 0)) < 1e-4, `stretch ${i} probabilities`);
      }
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }

  assert.ok(short.result.timeline.length <= 2);
  const shortHasTimeline = await page.evaluate(() => {
    const row = [...document.querySelectorAll('[data-testid="result"]')].find((r) =>
      r.querySelector('.filename').textContent === 'short.wav');
    return row.nextElementSibling?.classList.contains('timeline-row') ?? false;
  });
  assert.equal(shortHasTimeline, false, 'two windows or less: no timeline');
  assert.deepEqual(log.errors, [], 'console errors');
  await context.close();
});
