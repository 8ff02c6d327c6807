// The page under use: a batch of 200 files all answered, 500 classifications in one worker
// without the wasm memory growing, and a worker that crashes (a trap in the wasm) replaced by a
// fresh one that goes on answering, among the emotions the page had ticked. The crash is provoked by serving the worker and the page
// with one test hook each: the worker traps on a request at 12345 Hz, and the page lends the
// test its engine.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import {
  openPage, originals, pageSession, results, waitReady,
} from './helpers.mjs';
import { voice, writeWavFrames } from './wav.mjs';

const session = pageSession();

/** Opens the page with the two test hooks spliced into the files it is served. */
async function hookedPage() {
  const opened = await openPage(session.browser, 'about:blank');
  const { context, page } = opened;
  await context.route('**/worker.js', async (route) => {
    const body = (await (await route.fetch()).text()).replace(
      'function handle(request) {',
      `function handle(request) {
  if (request.sampleRate === 12345) throw new WebAssembly.RuntimeError('unreachable (test trap)');`,
    );
    await route.fulfill({ body, contentType: 'text/javascript' });
  });
  await context.route('**/app.js', async (route) => {
    const body = `${await (await route.fetch()).text()}\nglobalThis.testEngine = () => engine;\n`;
    await route.fulfill({ body, contentType: 'text/javascript' });
  });
  await page.goto(session.server.url);
  await waitReady(page);
  return opened;
}

test('500 classifications in one worker leave its memory where it was after the first 50', async () => {
  const { page, log, context } = await hookedPage();
  const clip = path.join(originals, 'ravdess/Actor_01/03-01-01-01-01-01-01.wav');
  const bytes = [...await readFile(clip)];
  const memory = await page.evaluate(async (data) => {
    const engine = globalThis.testEngine();
    const sizes = [];
    for (let i = 0; i < 500; i++) {
      const { memory: bytesNow } = await engine.classifyFile(new Uint8Array(data).buffer, 60);
      sizes.push(bytesNow);
    }
    return { after50: sizes[49], after500: sizes[499], first: sizes[0] };
  }, bytes);
  process.stderr.write(`# wasm memory: ${memory.first} bytes after 1, ${memory.after50} after 50, ${memory.after500} after 500 classifications\n`);
  assert.equal(memory.after500, memory.after50, 'the wasm memory grew between the 50th and the 500th');
  assert.deepEqual(log.errors, []);
  await context.close();
});

test('a crashed worker is replaced and the next file is answered, among the emotions ticked', async () => {
  const { page, log, context } = await hookedPage();
  for (const emotion of ['disgust', 'surprise']) {
    await page.getByTestId('among').locator(`input[value="${emotion}"]`).uncheck();
  }
  const crash = await page.evaluate(async () => {
    try {
      await globalThis.testEngine().classifySamples(new Float32Array(16), 12345);
      return 'no error';
    } catch (error) {
      return error.message;
    }
  });
  assert.match(crash, /test trap|crashed and restarts/);
  await page.getByTestId('file-input').setInputFiles([{
    name: 'after-crash.wav',
    mimeType: 'audio/wav',
    buffer: writeWavFrames({ sampleRate: 16_000, samples: voice(16_000, 2) }),
  }]);
  const [row] = await results(page, 1);
  assert.equal(row.status, 'done', row.text);
  assert.match(row.text, /among 5 emotions/);
  assert.equal(row.result.probabilities.disgust, 0, 'the new worker answered disgust');
  assert.equal(row.result.probabilities.surprise, 0, 'the new worker answered surprise');
  const workers = log.requests.filter((url) => url.endsWith('/worker.js')).length;
  assert.ok(workers >= 2, `the worker was started ${workers} time(s)`);
  await context.close();
});

test('a batch of 200 files is answered in full, in order', async () => {
  const { page, log, context } = await openPage(session.browser, session.server.url);
  await waitReady(page);
  const files = Array.from({ length: 200 }, (_, i) => ({
    name: `clip-${String(i).padStart(3, '0')}.wav`,
    mimeType: 'audio/wav',
    buffer: writeWavFrames({ sampleRate: 16_000, samples: voice(16_000, 1 + (i % 3)) }),
  }));
  const started = Date.now();
  await page.getByTestId('file-input').setInputFiles(files);
  const rows = await results(page, files.length, 300_000);
  process.stderr.write(`# 200 files answered in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  assert.equal(rows.length, 200);
  assert.deepEqual(rows.map((r) => r.name), files.map((f) => f.name));
  assert.ok(rows.every((r) => r.status === 'done'), rows.filter((r) => r.status !== 'done').map((r) => r.text).join('\n'));
  assert.deepEqual(log.errors, []);
  await context.close();
});
