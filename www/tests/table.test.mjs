// The README's bad-input table, row by row, in the page: each file is built here, uploaded in one
// batch, and its row must say what the table says (an error with a readable reason, "no speech",
// or an emotion with probabilities that sum to one). A real hour-long file is refused: it is over
// the page's 30-minute limit.

import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  launch, messages, openPage, results, resultsDir, startServer, waitReady,
} from './helpers.mjs';
import { voice, writeWavFrames } from './wav.mjs';

let server;
let browser;

before(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const speech = voice(16_000, 2);
const withNan = Float32Array.from(speech);
withNan[100] = Number.NaN;
const full = writeWavFrames({ sampleRate: 16_000, samples: speech });

// [file name, bytes, expected status, what the row's text must say]
const ROWS = [
  ['header-only.wav', writeWavFrames({ sampleRate: 16_000, samples: new Float32Array(0) }), 'error', /no audio samples/],
  ['truncated.wav', full.subarray(0, full.length / 2), 'error', /truncated/],
  ['corrupt.wav', Buffer.concat([full.subarray(0, 12), Buffer.alloc(200, 0xff)]), 'error', /not an audio file|corrupt/],
  ['notes.txt.wav', Buffer.from('This is a text file renamed to .wav, not audio.\n'.repeat(20)), 'error', /not an audio file/],
  ['one-sample.wav', writeWavFrames({ sampleRate: 16_000, samples: Float32Array.of(0.5) }), 'silence', /no speech/i],
  ['phone-8k.wav', writeWavFrames({ sampleRate: 8_000, samples: voice(8_000, 2.5) }), 'done', null],
  ['studio-192k-8ch.wav', writeWavFrames({ sampleRate: 192_000, channels: 8, samples: voice(192_000, 1.5, 8) }), 'done', null],
  ['clipped.wav', writeWavFrames({ sampleRate: 16_000, samples: speech.map((x) => Math.max(-1, Math.min(1, 20 * x))) }), 'done', null],
  ['dc-offset.wav', writeWavFrames({ sampleRate: 16_000, samples: speech.map((x) => x + 0.25) }), 'done', null],
  ['nan.wav', writeWavFrames({ sampleRate: 16_000, format: 'f32', samples: withNan }), 'error', /NaN or infinite/],
];

test('every input of the bad-input table gets the answer the table gives', async () => {
  const { page, log, context } = await openPage(browser, server.url);
  await waitReady(page);
  await page.getByTestId('file-input').setInputFiles(
    ROWS.map(([name, buffer]) => ({ name, mimeType: 'audio/wav', buffer })),
  );
  const rows = await results(page, ROWS.length);
  for (const [name, , status, text] of ROWS) {
    const row = rows.find((r) => r.name === name);
    assert.ok(row, `no row for ${name}`);
    assert.equal(row.status, status, `${name}: ${row.text}`);
    if (text) assert.match(row.text, text, name);
    if (status === 'done') {
      const sum = Object.values(row.result.probabilities).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-4, `${name}: probabilities sum to ${sum}`);
      assert.match(row.result.emotion, /^(neutral|happy|sad|angry|fear|disgust|surprise)$/);
    }
  }
  assert.deepEqual(log.errors, [], 'console errors');
  await context.close();
});

test('an hour-long recording is refused with the page\'s limit, and the page stays usable', async () => {
  // 58 MB: over playwright's in-memory upload limit, so it goes through a file on disk.
  await mkdir(resultsDir, { recursive: true });
  const hour = path.join(resultsDir, 'one-hour.wav');
  await writeFile(hour, writeWavFrames({ sampleRate: 8_000, samples: new Float32Array(3600 * 8_000) }));
  const { page, context } = await openPage(browser, server.url);
  await waitReady(page);
  await page.getByTestId('file-input').setInputFiles(hour);
  const [row] = await results(page, 1);
  assert.equal(row.status, 'error', row.text);
  assert.match(row.text, /3600\.0 s long, over the limit of 1800\.0 s/);
  assert.match(await messages(page), /one-hour\.wav: .*over the limit/);
  await page.getByTestId('file-input').setInputFiles(ROWS.filter(([name]) => name === 'phone-8k.wav')
    .map(([name, buffer]) => ({ name, mimeType: 'audio/wav', buffer })));
  const rows = await results(page, 2);
  assert.equal(rows[1].status, 'done', rows[1].text);
  await context.close();
});
