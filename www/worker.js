// The classifier's thread: decoding and inference run here so the page never freezes, and the
// model is loaded exactly once (parsing the record is the slow part of start-up).
//
// Protocol (every request carries an `id`, echoed in its reply):
//   → {id, kind: "file", bytes: ArrayBuffer, maxSeconds}     decode, resample and classify in one
//                                                            stream (only 16 kHz audio is held)
//   → {id, kind: "samples", samples: Float32Array, sampleRate} classify samples captured by the page
//   ← {id, ok: true, result, ms, memory}  (ms: time spent in the Rust call; memory: the wasm
//                                           memory's size after it; for the page and the benchmark)
//   ← {id, ok: false, message}
// On start-up the worker posts {kind: "ready", info} or {kind: "fatal", message}.

import init, { Classifier, memoryBytes, modelInfo } from './pkg/speech_emotion.js';

let classifier = null;

function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

async function start() {
  try {
    await init();
    classifier = new Classifier();
    self.postMessage({ kind: 'ready', info: modelInfo() });
  } catch (error) {
    self.postMessage({ kind: 'fatal', message: messageOf(error) });
  }
}

function timed(run) {
  const started = performance.now();
  const result = run();
  return { result, ms: performance.now() - started, memory: memoryBytes() };
}

function handle(request) {
  if (request.kind === 'file') {
    return timed(() => classifier.classifyFile(new Uint8Array(request.bytes), request.maxSeconds));
  }
  if (request.kind === 'samples') {
    return timed(() => classifier.classify(request.samples, request.sampleRate));
  }
  throw new Error(`unknown request kind: ${request.kind}`);
}

// Requests that arrive while the model is still loading wait for it, in order.
const started = start();

self.onmessage = async ({ data: request }) => {
  await started;
  if (!classifier) {
    self.postMessage({ id: request.id, ok: false, message: 'the model failed to load' });
    return;
  }
  try {
    self.postMessage({ id: request.id, ok: true, ...handle(request) });
  } catch (error) {
    self.postMessage({ id: request.id, ok: false, message: messageOf(error) });
    // A trap (a Rust panic or abort) leaves the instance unusable: say so and stop, so the
    // page starts a fresh worker instead of sending more work to a broken one.
    if (error instanceof WebAssembly.RuntimeError) {
      self.postMessage({ kind: 'crashed', message: messageOf(error) });
      self.close();
    }
  }
};
