// Runs while the page's head is parsed, before its modules have arrived: if this browser can run
// the recognizer at all, the classifier worker starts now, so that fetching and compiling the
// wasm and parsing the model overlap with loading the page's own modules instead of waiting for
// them. engine.js adopts the worker (and any message it sent before it was adopted); app.js
// reads `missing` to tell an unsupported browser what it lacks. A classic script, not a module,
// so that it runs at once.
'use strict';

(function boot() {
  // The smallest module using a SIMD instruction (i8x16.splat, i8x16.popcnt): it validates only
  // where WebAssembly SIMD runs.
  var SIMD_PROBE = new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
  ]);

  /** What this browser lacks for the page to work at all, as a sentence, or null. */
  function missingPlatform() {
    if (typeof WebAssembly !== 'object') return 'This browser cannot run WebAssembly, which the recognizer needs.';
    if (typeof Worker === 'undefined') return 'This browser has no Web Workers, which the recognizer needs.';
    if (!WebAssembly.validate(SIMD_PROBE)) {
      return 'This browser cannot run WebAssembly SIMD, which the recognizer is built with (Chrome and Edge 91, Firefox 89 and Safari 16.4 onwards can).';
    }
    return null;
  }

  var state = { missing: missingPlatform(), worker: null, early: [] };
  if (!state.missing) {
    try {
      state.worker = new Worker('worker.js', { type: 'module' });
      state.worker.onmessage = function (event) { state.early.push(event); };
      state.worker.onerror = function (event) {
        event.preventDefault();
        state.early.push(event);
      };
    } catch (error) {
      state.worker = null; // engine.js tries again and reports why it cannot
    }
  }
  window.speechEmotionBoot = state;
})();
