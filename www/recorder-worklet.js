// Runs on the audio rendering thread: mixes the microphone to mono and posts it to the page in
// chunks of CHUNK frames (one message per 128-frame render quantum would be ~375 messages a
// second). On {type: "flush"} it posts what it holds, then {type: "flushed"}, so the page can stop
// without losing the last fraction of a second. On {type: "live", port} it also posts a copy of
// every chunk, with the rate, straight to that port (the classifier worker's live mode), so the
// live audio never passes through the page's thread.

const CHUNK = 4096;

class RecorderProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.buffer = new Float32Array(CHUNK);
    this.filled = 0;
    this.port.onmessage = ({ data }) => {
      if (data.type === 'live') this.live = data.port;
      if (data.type === 'flush') {
        this.post();
        this.port.postMessage({ type: 'flushed' });
      }
    };
  }

  post() {
    if (this.filled === 0) return;
    const chunk = this.buffer.slice(0, this.filled);
    if (this.live) {
      const copy = chunk.slice();
      this.live.postMessage({ samples: copy, sampleRate }, [copy.buffer]);
    }
    this.port.postMessage({ type: 'chunk', samples: chunk }, [chunk.buffer]);
    this.filled = 0;
  }

  process(inputs) {
    const channels = inputs[0];
    if (channels.length === 0) return true; // not connected yet
    const frames = channels[0].length;
    for (let i = 0; i < frames; i++) {
      let sum = 0;
      for (const channel of channels) sum += channel[i];
      this.buffer[this.filled++] = sum / channels.length;
      if (this.filled === CHUNK) this.post();
    }
    return true;
  }
}

registerProcessor('recorder', RecorderProcessor);
