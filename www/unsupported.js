// Loaded only by browsers without JavaScript modules (nomodule), which cannot run app.js: says so
// instead of leaving "Loading the model…" on screen forever.
document.getElementById('status').textContent =
  'This browser is too old for the recognizer: it needs JavaScript modules, WebAssembly and Web Workers. Please use a current Chrome, Edge, Firefox or Safari.';
