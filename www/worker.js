// The classifier's thread: decoding and inference run here so the page never freezes, and the
// model is loaded exactly once (parsing the record is the slow part of start-up).
//
// Protocol (every request carries an `id`, echoed in its reply):
//   → {id, kind: "file", bytes: ArrayBuffer, maxSeconds, inSet}  decode, resample and classify in
//                                                            one stream (only 16 kHz audio is held);
//                                                            inSet: standardised by the set in use
//   → {id, kind: "set-start"}                                 files from one source, standardised
//   → {id, kind: "set-measure", bytes, maxSeconds}            together: measure each (result: its
//   → {id, kind: "set-use"}                                   speech windows), then use the set
//                                                            (result: its windows, or an error if
//                                                            it is too small)
//   → {id, kind: "set-balance", probabilities: Float32Array}  files from one source balanced
//                                                            together: each answered file's seven
//                                                            probabilities in a row (result: their
//                                                            balanced answers, or an error if the
//                                                            set is too small)
//   → {id, kind: "among", names: [string]}                    later answers drawn from these emotions
//                                                            only ([] for all seven; result: the
//                                                            emotions now answered among)
//   → {id, kind: "samples", samples: Float32Array, sampleRate} classify samples captured by the page
//   ← {id, ok: true, result, ms, memory}  (ms: time spent in the Rust call; memory: the wasm
//                                           memory's size after it; for the page and the benchmark)
//   ← {id, ok: false, message}
//   → {kind: "live-start", port: MessagePort, windowSeconds}  live mode: the recorder's audio
//        thread posts {samples, sampleRate} chunks to `port`; every second the latest window is
//        classified and posted as ← {kind: "live", result, seconds} (seconds recorded so far)
//   → {kind: "live-stop"}
// On start-up the worker posts {kind: "ready", info, startup} or {kind: "fatal", message}.

import init, { Classifier, memoryBytes, modelInfo } from './pkg/speech_emotion.js';

let classifier = null;

function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

async function start() {
  try {
    const begun = performance.now();
    await init();
    const compiled = performance.now();
    classifier = new Classifier();
    // Where start-up time goes, for bench.mjs: when the worker was created and when its module
    // began (epoch ms), fetching and compiling the wasm, and parsing the model.
    const startup = {
      created: performance.timeOrigin,
      origin: performance.timeOrigin + begun,
      wasmMs: compiled - begun,
      modelMs: performance.now() - compiled,
    };
    self.postMessage({ kind: 'ready', info: modelInfo(), startup });
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
    return timed(() => classifier.classifyFile(new Uint8Array(request.bytes), request.maxSeconds, request.inSet === true));
  }
  if (request.kind === 'set-start') return timed(() => classifier.startSet() ?? null);
  if (request.kind === 'set-measure') {
    return timed(() => classifier.measureForSet(new Uint8Array(request.bytes), request.maxSeconds));
  }
  if (request.kind === 'set-use') return timed(() => classifier.useSet());
  if (request.kind === 'set-balance') return timed(() => classifier.balanceSet(request.probabilities));
  if (request.kind === 'among') return timed(() => classifier.answerAmong(request.names));
  if (request.kind === 'samples') {
    return timed(() => classifier.classify(request.samples, request.sampleRate));
  }
  throw new Error(`unknown request kind: ${request.kind}`);
}

// ---------------------------------------------------------------- live mode

const LIVE_EVERY_MS = 1000;
let live = null; // {port, ring: Float32Array, filled, total, sampleRate, timer}

/** Keeps the last `ring.length` samples of the chunks the audio thread posts. */
function keep(samples, sampleRate) {
  if (!live) return;
  if (!live.ring || live.sampleRate !== sampleRate) {
    live.sampleRate = sampleRate;
    live.ring = new Float32Array(Math.round(live.windowSeconds * sampleRate));
    live.filled = 0;
  }
  const { ring } = live;
  const tail = samples.length >= ring.length ? samples.subarray(samples.length - ring.length) : samples;
  ring.copyWithin(0, tail.length);
  ring.set(tail, ring.length - tail.length);
  live.filled = Math.min(ring.length, live.filled + tail.length);
  live.total += samples.length;
}

function classifyLatest() {
  if (!live?.filled || !classifier) return;
  const latest = live.ring.slice(live.ring.length - live.filled);
  try {
    const result = classifier.classify(latest, live.sampleRate);
    self.postMessage({ kind: 'live', result, seconds: live.total / live.sampleRate });
  } catch {
    // A live answer that fails is skipped; the whole recording is classified at Stop.
  }
}

function startLive({ port, windowSeconds }) {
  stopLive();
  live = { port, windowSeconds, ring: null, filled: 0, total: 0, sampleRate: 0 };
  port.onmessage = ({ data }) => keep(data.samples, data.sampleRate);
  live.timer = setInterval(classifyLatest, LIVE_EVERY_MS);
}

function stopLive() {
  if (!live) return;
  clearInterval(live.timer);
  live.port.close();
  live = null;
}

// Requests that arrive while the model is still loading wait for it, in order.
const started = start();

self.onmessage = async ({ data: request }) => {
  if (request.kind === 'live-start') return startLive(request);
  if (request.kind === 'live-stop') return stopLive();
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
