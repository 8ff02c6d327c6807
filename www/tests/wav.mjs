// Just enough RIFF/WAVE for the tests to build inputs: read 16-bit PCM, write 16-bit PCM mono.

/** Parses a 16-bit PCM WAV: {sampleRate, channels, samples: Int16Array (interleaved)}. */
export function readWav(buffer) {
  if (buffer.toString('ascii', 0, 4) !== 'RIFF' || buffer.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let format = null;
  for (let offset = 12; offset + 8 <= buffer.length;) {
    const id = buffer.toString('ascii', offset, offset + 4);
    const size = buffer.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = {
        tag: buffer.readUInt16LE(body),
        channels: buffer.readUInt16LE(body + 2),
        sampleRate: buffer.readUInt32LE(body + 4),
        bits: buffer.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (format?.tag !== 1 || format.bits !== 16) throw new Error('only 16-bit PCM is supported');
      const data = buffer.subarray(body, body + size);
      const samples = new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
      return { sampleRate: format.sampleRate, channels: format.channels, samples };
    }
    offset = body + size + (size % 2); // chunks are padded to an even length
  }
  throw new Error('no data chunk');
}

/** Writes mono 16-bit PCM samples (Int16Array) as a WAV file. */
export function writeWav(sampleRate, samples) {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + samples.byteLength, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(samples.byteLength, 40);
  return Buffer.concat([header, Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength)]);
}

/**
 * Writes interleaved samples (Float32Array, any channel count) as a WAV file: `format` 'i16'
 * (PCM) or 'f32' (IEEE float, which can carry NaN). `frames` overrides the frame count the header
 * announces, to build truncated files.
 */
export function writeWavFrames({ sampleRate, channels = 1, format = 'i16', samples, frames }) {
  const bytes = format === 'f32' ? 4 : 2;
  const data = Buffer.alloc(samples.length * bytes);
  samples.forEach((x, i) => {
    if (format === 'f32') data.writeFloatLE(x, i * bytes);
    else data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, x)) * 32767), i * bytes);
  });
  const size = (frames ?? samples.length / channels) * channels * bytes;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + size, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(format === 'f32' ? 3 : 1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * channels * bytes, 28);
  header.writeUInt16LE(channels * bytes, 32);
  header.writeUInt16LE(bytes * 8, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(size, 40);
  return Buffer.concat([header, data]);
}

/** A voiced, syllable-like signal: a 140 Hz buzz with harmonics under a 4 Hz envelope. */
export function voice(sampleRate, seconds, channels = 1) {
  const n = Math.floor(sampleRate * seconds);
  const out = new Float32Array(n * channels);
  for (let i = 0; i < n; i += 1) {
    const t = i / sampleRate;
    let buzz = 0;
    for (let h = 1; h < 8; h += 1) buzz += Math.sin(2 * Math.PI * 140 * h * t) / h;
    out.fill(0.2 * Math.abs(Math.sin(Math.PI * 4 * t)) * buzz, i * channels, (i + 1) * channels);
  }
  return out;
}
