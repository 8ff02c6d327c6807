// Benchmark (not a test: it prints numbers and checks nothing). In headless Chromium on localhost:
//   - the wasm's size, raw and gzipped;
//   - how long the page takes to become interactive and to have its model ready (median of loads);
//   - the median time of classify() on a 3 s clip over many runs after a warm-up, measured in the
//     worker, and on the same clip already at 16 kHz (what resampling costs);
//   - long files dropped on the page (classifyFile: decode, resample, classify in one stream):
//     time, and the wasm memory's high-water mark in a fresh worker per file.
//   node bench.mjs [runs] [loads]   (defaults 50 and 15: on 2 cores one load's start-up can take
//                                   twice another's, so a median of 5 said little)

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  launch, originals, resultsDir, startServer, waitReady, wwwRoot,
} from './tests/helpers.mjs';
import { readWav, voice, writeWavFrames } from './tests/wav.mjs';

const RUNS = Number(process.argv[2] ?? 50);
// classify() calls before the timed ones: while they run, V8 compiles the hot code in the
// background (the first call runs baseline code, and the next ones share the 2 cores with that
// compiler), so their times say more about the compiler than about classify(). They are printed
// apart: the first call and the median of the warm-up.
const WARM_UP = 30;
const LOADS = Number(process.argv[3] ?? 15);
/** The start-up target of issue #12, counted in the loads. */
const READY_TARGET_MS = 300;
for (const [name, value, given] of [['runs', RUNS, process.argv[2]], ['loads', LOADS, process.argv[3]]]) {
  if (!Number.isInteger(value) || value < 1) {
    console.error(`usage: node bench.mjs [runs] [loads]: ${name} must be a whole number above 0, not "${given}"`);
    process.exit(2);
  }
}
const CLIP = path.join(originals, 'ravdess/Actor_01/03-01-01-01-01-01-01.wav'); // 48 kHz mono
const CLIP_SECONDS = 3;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (value) => `${value.toFixed(1)} ms`;

async function wasmSizes() {
  const wasm = await readFile(path.join(wwwRoot, 'pkg/speech_emotion_bg.wasm'));
  return { raw: wasm.length, gzipped: gzipSync(wasm, { level: 9 }).length };
}

/** The first CLIP_SECONDS of the clip as Float32 samples in [-1, 1). */
async function clip() {
  const { sampleRate, channels, samples } = readWav(await readFile(CLIP));
  if (channels !== 1) throw new Error(`${CLIP} is not mono`);
  const frames = samples.subarray(0, sampleRate * CLIP_SECONDS);
  return { sampleRate, samples: Array.from(frames, (s) => s / 32768) };
}

/** One fresh load: DOM interactive and model ready, in ms since navigation started. */
async function load(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await waitReady(page);
  const times = await page.evaluate(() => {
    const ready = performance.getEntriesByName('model-ready')[0];
    return {
      interactive: performance.getEntriesByType('navigation')[0].domInteractive,
      ready: ready.startTime,
      workerCreated: ready.detail.created - performance.timeOrigin,
      workerStarted: ready.detail.origin - performance.timeOrigin,
      wasm: ready.detail.wasmMs,
      model: ready.detail.modelMs,
    };
  });
  await context.close();
  return times;
}

/** classify() timings from a worker of its own, started by the page's engine module. */
async function classifyTimes(browser, url, input) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await waitReady(page);
  const times = await page.evaluate(async ({ samples, sampleRate, runs }) => {
    const { Engine } = await import('./engine.js');
    const { engine } = await Engine.start();
    const source = new Float32Array(samples);
    const inWorker = [];
    const roundTrip = [];
    let emotion;
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      // Each request transfers its buffer to the worker, so send a fresh copy every time.
      const { result, ms } = await engine.classifySamples(source.slice(), sampleRate);
      roundTrip.push(performance.now() - started);
      inWorker.push(ms);
      emotion = result.emotion;
    }
    return { inWorker, roundTrip, emotion };
  }, { ...input, runs: WARM_UP + RUNS });
  await context.close();
  const warmUp = times.inWorker.slice(0, WARM_UP);
  return {
    emotion: times.emotion,
    first: warmUp[0],
    warmUp: median(warmUp),
    inWorker: times.inWorker.slice(WARM_UP),
    roundTrip: times.roundTrip.slice(WARM_UP),
  };
}

const LONG_MINUTES = [0.05, 1, 10, 30];
const LONG_RATE = 16_000;

/** A WAV of `minutes` of speech-like sound (10 s of voice, 2 s of silence, repeated). */
async function longFile(minutes) {
  const name = `long-${minutes}min.wav`;
  const total = Math.round(minutes * 60 * LONG_RATE);
  const period = voice(LONG_RATE, 10);
  const samples = new Float32Array(total);
  for (let at = 0; at < total; at += period.length + 2 * LONG_RATE) {
    samples.set(period.subarray(0, Math.min(period.length, total - at)), at);
  }
  await mkdir(resultsDir, { recursive: true });
  await writeFile(path.join(resultsDir, name), writeWavFrames({ sampleRate: LONG_RATE, samples }));
  return `test-results/${name}`;
}

/** classifyFile() on one file in a fresh worker: {ms, memory, windows}. */
async function classifyLong(browser, url, file) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await waitReady(page);
  const out = await page.evaluate(async (file) => {
    const { Engine } = await import('./engine.js');
    const { engine } = await Engine.start();
    const bytes = await (await fetch(file)).arrayBuffer();
    const { result, ms, memory } = await engine.classifyFile(bytes, 3600);
    return { ms, memory, windows: result.timeline.length };
  }, file);
  await context.close();
  return out;
}

async function main() {
  const server = await startServer();
  const browser = await launch();
  try {
    const sizes = await wasmSizes();
    console.log(`wasm size: ${(sizes.raw / 1024).toFixed(0)} KiB raw, ${(sizes.gzipped / 1024).toFixed(0)} KiB gzipped (zlib level 9)`);

    const loads = [];
    for (let i = 0; i < LOADS; i++) loads.push(await load(browser, server.url));
    console.log(`page interactive (domInteractive): median ${ms(median(loads.map((l) => l.interactive)))} over ${LOADS} fresh loads`);
    const ready = loads.map((l) => l.ready);
    console.log(`model ready (worker started, wasm compiled, model loaded): median ${ms(median(ready))} over ${LOADS} fresh loads ` +
      `(min ${ms(Math.min(...ready))}, max ${ms(Math.max(...ready))}; within ${READY_TARGET_MS} ms in ${ready.filter((t) => t <= READY_TARGET_MS).length} of ${LOADS})`);
    console.log(`  of which: worker created at ${ms(median(loads.map((l) => l.workerCreated)))}, ` +
      `its module running at ${ms(median(loads.map((l) => l.workerStarted)))}, ` +
      `wasm fetched and compiled in ${ms(median(loads.map((l) => l.wasm)))}, model parsed in ${ms(median(loads.map((l) => l.model)))} (medians)`);

    const input = await clip();
    const times = await classifyTimes(browser, server.url, input);
    console.log(`classify() on a ${CLIP_SECONDS} s clip at ${input.sampleRate} Hz (${times.emotion}): ` +
      `median ${ms(median(times.inWorker))} in the worker, ${ms(median(times.roundTrip))} round trip from the page, ` +
      `min ${ms(Math.min(...times.inWorker))}, max ${ms(Math.max(...times.inWorker))}, over ${RUNS} runs ` +
      `after ${WARM_UP} (the first ${ms(times.first)}, their median ${ms(times.warmUp)})`);
    // The same clip without the resampling: every third sample, given as 16 kHz (aliased, which
    // changes the timing of nothing but the resampler).
    const direct = { sampleRate: 16_000, samples: input.samples.filter((_, i) => i % 3 === 0) };
    const directTimes = await classifyTimes(browser, server.url, direct);
    console.log(`  the same clip's every third sample as 16 kHz (no resampling; ${directTimes.emotion}): ` +
      `median ${ms(median(directTimes.inWorker))} in the worker (the same way)`);

    const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;
    for (const minutes of LONG_MINUTES) {
      const { ms: took, memory, windows } = await classifyLong(browser, server.url, await longFile(minutes));
      const samples = minutes * 60 * LONG_RATE;
      console.log(`classifyFile() on ${minutes} min (16 kHz 16-bit WAV, ${mib(2 * samples)}; ${windows} windows): ` +
        `${(took / 1000).toFixed(2)} s, wasm memory ${mib(memory)} (the file's bytes plus its f32 samples: ${mib(6 * samples)})`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
