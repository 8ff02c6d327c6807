// Recordings saved as 32-bit float WAV: the exact samples the model heard, with no rounding to
// 16 bits, so the saved file classifies natively (`predict`) exactly as it did in the page.

/** Mono Float32 samples → a WAV Blob (IEEE float, with the fact chunk non-PCM formats carry). */
export function floatWav(samples, sampleRate) {
  const header = new DataView(new ArrayBuffer(58));
  const text = (offset, value) => [...value].forEach((c, i) => header.setUint8(offset + i, c.charCodeAt(0)));
  const bytes = samples.length * 4;
  text(0, 'RIFF');
  header.setUint32(4, 50 + bytes, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  header.setUint32(16, 18, true); // fmt chunk size
  header.setUint16(20, 3, true); // WAVE_FORMAT_IEEE_FLOAT
  header.setUint16(22, 1, true); // mono
  header.setUint32(24, sampleRate, true);
  header.setUint32(28, sampleRate * 4, true); // bytes per second
  header.setUint16(32, 4, true); // bytes per frame
  header.setUint16(34, 32, true); // bits per sample
  header.setUint16(36, 0, true); // no extension
  text(38, 'fact');
  header.setUint32(42, 4, true);
  header.setUint32(46, samples.length, true); // frames
  text(50, 'data');
  header.setUint32(54, bytes, true);
  // WAV is little-endian, as is every platform browsers run on in practice; copy explicitly anyway.
  const body = new DataView(new ArrayBuffer(bytes));
  samples.forEach((s, i) => body.setFloat32(4 * i, s, true));
  return new Blob([header, body], { type: 'audio/wav' });
}
