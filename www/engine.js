// The page's side of worker.js: one module worker, requests matched to replies by id.

export class Engine {
  #worker;
  #ready;
  #pending = new Map();
  #nextId = 1;
  #loaded = false;
  #failure = null; // set once the worker has died: later requests fail at once
  #onLive = null;
  #among = []; // the emotions answers are drawn from ([]: all), given again to a replacement worker
  /** The worker's start-up timings: {created, origin (epoch ms), wasmMs, modelMs}. */
  startup = null;

  /**
   * Starts the worker, or adopts the one boot.js started while the page was parsed (once, and
   * only when no other `url` is asked for); resolves with modelInfo() once the model is loaded,
   * rejects if it can't.
   */
  static start(url) {
    const engine = new Engine(url ?? new URL('./worker.js', import.meta.url), url ? null : adoptBooted());
    return engine.#ready.then((info) => ({ engine, info }));
  }

  constructor(url, booted = null) {
    this.#spawn(url, booted);
  }

  /**
   * Starts a worker, or takes over `booted` ({worker, early}: early holds the events it sent
   * before anyone listened, replayed here); after a crash (a trap in the wasm) a new one
   * replaces it.
   */
  #spawn(url, booted = null) {
    this.#worker = booted?.worker ?? new Worker(url, { type: 'module' });
    this.#ready = new Promise((resolve, reject) => {
      this.#worker.onmessage = ({ data }) => {
        if (data.kind === 'ready') {
          this.#loaded = true;
          this.startup = data.startup;
          resolve(data.info);
        }
        else if (data.kind === 'fatal') reject(new Error(data.message));
        else if (data.kind === 'live') this.#onLive?.(data.result, data.seconds);
        else if (data.kind === 'crashed') {
          this.#failure = new Error(`the analyser crashed and restarts: ${data.message}`);
          this.#failAll();
          this.#failure = null;
          this.#loaded = false;
          this.#spawn(url);
          // A fresh worker answers among all seven: it gets the emotions the page last set.
          if (this.#among.length > 0) this.#request({ kind: 'among', names: this.#among }, []).catch(() => {});
        }
        else this.#settle(data);
      };
      // A module that fails to load (pkg/ not built) or a worker that dies surfaces only here.
      this.#worker.onerror = (event) => {
        event.preventDefault();
        const fallback = this.#loaded
          ? 'the classifier worker stopped'
          : 'the classifier worker could not start (its WebAssembly files may be missing)';
        this.#failure = new Error(event.message || fallback);
        reject(this.#failure);
        this.#failAll();
      };
      for (const event of booted?.early ?? []) {
        if (event.type === 'error') this.#worker.onerror(event);
        else this.#worker.onmessage(event);
      }
    });
  }

  /**
   * Decodes and classifies a file's bytes: resolves with {result, ms, memory}. With `inSet`, the
   * file is standardised by the set `useSet()` took.
   */
  classifyFile(bytes, maxSeconds, inSet = false) {
    return this.#request({ kind: 'file', bytes, maxSeconds, inSet }, [bytes]);
  }

  /**
   * Files from one source standardised together: `startSet()`, `measureForSet(bytes)` for each
   * (result: the file's speech windows), then `useSet()` (result: the set's windows; rejects if
   * the set is too small), then `classifyFile(bytes, maxSeconds, true)` for each.
   */
  startSet() {
    return this.#request({ kind: 'set-start' }, []);
  }

  measureForSet(bytes, maxSeconds) {
    return this.#request({ kind: 'set-measure', bytes, maxSeconds }, [bytes]);
  }

  useSet() {
    return this.#request({ kind: 'set-use' }, []);
  }

  /**
   * Files from one source balanced together: `probabilities` (a Float32Array) holds each
   * answered file's seven probabilities in a row; resolves with each file's balanced answer
   * ({emotion, confidence, probabilities, uncertain, runner_up}), or rejects for a set too small.
   */
  balanceSet(probabilities) {
    return this.#request({ kind: 'set-balance', probabilities }, [probabilities.buffer]);
  }

  /**
   * Draws every later answer (files, recordings, live) from the emotions `names` only; `[]`
   * gives all seven back. Resolves with the emotions now answered among; rejects for an unknown
   * name or fewer than two, changing nothing.
   */
  answerAmong(names) {
    return this.#request({ kind: 'among', names }, []).then((reply) => {
      this.#among = names;
      return reply;
    });
  }

  /**
   * Live mode: the worker reads the audio thread's chunks from `port` and answers its latest
   * `windowSeconds` every second with `onLive(result, secondsRecorded)` until `stopLive()`.
   */
  startLive(port, windowSeconds, onLive) {
    this.#onLive = onLive;
    this.#worker.postMessage({ kind: 'live-start', port, windowSeconds }, [port]);
  }

  stopLive() {
    this.#onLive = null;
    this.#worker.postMessage({ kind: 'live-stop' });
  }

  /** Classifies mono samples at sampleRate Hz: resolves with {result, ms, memory}. */
  classifySamples(samples, sampleRate) {
    return this.#request({ kind: 'samples', samples, sampleRate }, [samples.buffer]);
  }

  #request(message, transfer) {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, ...message }, transfer);
    });
  }

  #settle({ id, ok, result, ms, memory, message }) {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    if (ok) pending.resolve({ result, ms, memory });
    else pending.reject(new Error(message));
  }

  #failAll() {
    for (const { reject } of this.#pending.values()) reject(this.#failure);
    this.#pending.clear();
  }
}

/** The worker boot.js started, taken at most once (a second engine starts its own). */
function adoptBooted() {
  const booted = globalThis.speechEmotionBoot;
  if (!booted?.worker) return null;
  const taken = { worker: booted.worker, early: booted.early };
  booted.worker = null;
  booted.early = [];
  return taken;
}
