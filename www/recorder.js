// Microphone capture: getUserMedia into an AudioWorklet (recorder-worklet.js) that hands back raw
// mono Float32 samples at the AudioContext's rate, untouched by the browser's voice processing.

const WORKLET_URL = new URL('./recorder-worklet.js', import.meta.url);

/** Whether this browser can record at all; a reason string when it cannot, else null. */
export function recordingUnsupportedReason() {
  if (!window.isSecureContext || !navigator.mediaDevices?.getUserMedia) {
    return 'Recording needs a secure page (https or localhost) in a browser that offers microphone access.';
  }
  if (typeof AudioWorkletNode === 'undefined') {
    return 'This browser has no AudioWorklet, which recording needs: use a current Chrome, Edge, Firefox or Safari.';
  }
  return null;
}

/** Root mean square of a chunk, as a 0..1 meter reading over a 60 dB range. */
function meterLevel(samples) {
  let sum = 0;
  for (const s of samples) sum += s * s;
  const rms = Math.sqrt(sum / Math.max(1, samples.length));
  const db = 20 * Math.log10(rms + 1e-9);
  return Math.min(1, Math.max(0, (db + 60) / 60));
}

export class Recorder {
  #stream;
  #context;
  #node;
  #chunks = [];
  #frames = 0;
  #maxFrames;
  #stopping = null;

  /**
   * Asks for the microphone and starts capturing. `onChunk(level, seconds)` follows the input;
   * `onLimit()` is called once when `maxSeconds` have been captured (the caller then stops).
   * `livePort` (a MessagePort, optional) receives a copy of every chunk from the audio thread.
   * Rejects with the getUserMedia DOMException (NotAllowedError, NotFoundError...) as is.
   */
  static async start({ maxSeconds, onChunk, onLimit, livePort }) {
    // Voice processing (echo cancellation, noise suppression, gain control) reshapes the signal
    // the model was never trained on: ask for the raw microphone.
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    const recorder = new Recorder(stream);
    try {
      await recorder.#connect(maxSeconds, onChunk, onLimit, livePort);
    } catch (error) {
      recorder.#release();
      throw error;
    }
    return recorder;
  }

  constructor(stream) {
    this.#stream = stream;
  }

  async #connect(maxSeconds, onChunk, onLimit, livePort) {
    // Run the graph at the microphone's own rate: no browser resampling before the model's own
    // resampler, and Firefox refuses to connect a source whose rate differs from the context's.
    const rate = this.#stream.getAudioTracks()[0]?.getSettings().sampleRate;
    this.#context = new AudioContext(rate ? { sampleRate: rate } : {});
    await this.#context.audioWorklet.addModule(WORKLET_URL);
    // No outputs: Chrome still runs a worklet without outputs, and nothing reaches the speakers.
    this.#node = new AudioWorkletNode(this.#context, 'recorder', { numberOfOutputs: 0 });
    if (livePort) this.#node.port.postMessage({ type: 'live', port: livePort }, [livePort]);
    this.#maxFrames = Math.round(maxSeconds * this.#context.sampleRate);
    this.#node.port.onmessage = ({ data }) => {
      if (data.type !== 'chunk' || this.#frames >= this.#maxFrames) return;
      const room = this.#maxFrames - this.#frames;
      const samples = data.samples.length > room ? data.samples.subarray(0, room) : data.samples;
      this.#chunks.push(samples);
      this.#frames += samples.length;
      onChunk(meterLevel(samples), this.#frames / this.#context.sampleRate);
      if (this.#frames >= this.#maxFrames) onLimit();
    };
    this.#context.createMediaStreamSource(this.#stream).connect(this.#node);
    await this.#context.resume();
  }

  /** Stops capturing and resolves with {samples: Float32Array, sampleRate}. Safe to call twice. */
  stop() {
    this.#stopping ??= this.#finish();
    return this.#stopping;
  }

  async #finish() {
    await this.#flush();
    const sampleRate = this.#context.sampleRate;
    this.#release();
    const samples = new Float32Array(this.#frames);
    let offset = 0;
    for (const chunk of this.#chunks) {
      samples.set(chunk, offset);
      offset += chunk.length;
    }
    return { samples, sampleRate };
  }

  // Collects the samples still held by the worklet; its 'flushed' reply comes after them. A
  // stalled audio thread must not hang the page: after a second, stop with what has arrived.
  #flush() {
    return new Promise((resolve) => {
      setTimeout(resolve, 1000);
      const port = this.#node.port;
      const forward = port.onmessage;
      port.onmessage = (event) => {
        if (event.data.type === 'flushed') resolve();
        else forward(event);
      };
      port.postMessage({ type: 'flush' });
    });
  }

  #release() {
    for (const track of this.#stream.getTracks()) track.stop();
    this.#node?.disconnect();
    this.#context?.close();
  }
}
