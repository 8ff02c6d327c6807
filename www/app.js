// The page: wires the controls to the classifier worker (engine.js), the microphone (recorder.js),
// the results table (results.js) and the model card (model-card.js). Every failure ends up as a
// sentence in the message area; nothing fails silently.

import { Engine } from './engine.js';
import { Recorder, recordingUnsupportedReason } from './recorder.js';
import { Results } from './results.js';
import { renderModelCard } from './model-card.js';
import { EMOTIONS, seconds } from './common.js';
import { floatWav } from './wav.js';

const RECORD_MAX_SECONDS = 60;
// Reading a file copies it into the worker and again into WebAssembly memory; past this size the
// tab could run out of memory before the decoder gets to refuse an over-long file.
const MAX_FILE_BYTES = 512 * 1024 * 1024;

const $ = (id) => document.getElementById(id);
const ui = {
  status: $('status'),
  messages: $('messages'),
  record: $('record'),
  stop: $('stop'),
  meter: $('meter'),
  meterFill: $('meter-fill'),
  timer: $('timer'),
  live: $('live'),
  liveEmotion: $('live-emotion'),
  liveTimeline: $('live-timeline'),
  fileInput: $('file-input'),
  dropZone: $('drop-zone'),
  fileHint: $('file-hint'),
  oneSource: $('one-source'),
  balanceSet: $('balance-set'),
  among: $('among'),
  results: new Results($('results-body')),
  resultsSection: $('results'),
  exportCsv: $('export-csv'),
  exportTimeline: $('export-timeline'),
  clear: $('clear-results'),
  modelCard: $('model-card'),
};

let engine = null;
let maxSeconds;
let recorder = null;
let recordings = 0;
// Live mode: the worker classifies the latest window every second (see worker.js).
let liveWindowSeconds = 2;
// Files are read one at a time, just before the worker gets them, so a big batch never sits in
// memory all at once; the worker works through its requests in order anyway.
let queue = Promise.resolve();
// The emotions answers are drawn from, as the worker last confirmed (null: all seven).
let answeredAmong = null;

// ---------------------------------------------------------------- messages

function clearMessages() {
  ui.messages.replaceChildren();
}

/** Adds a sentence to the message area; kind "error" or "notice" (e.g. no speech found). */
function say(text, kind = 'error') {
  const item = document.createElement('p');
  item.className = kind;
  item.textContent = text;
  ui.messages.append(item);
}

function setStatus(text, state) {
  ui.status.textContent = text;
  ui.status.dataset.state = state;
}

// ---------------------------------------------------------------- classification

function refreshResultControls() {
  ui.resultsSection.hidden = ui.results.isEmpty;
  ui.exportCsv.disabled = !ui.results.hasFinished;
  ui.exportTimeline.disabled = !ui.results.hasFinished;
  ui.clear.disabled = !ui.results.hasFinished;
}

/**
 * Runs a classification into a new row; `work` resolves with {result, ms}. `saveAs`
 * ({blob, filename}) offers the audio for download beside the result.
 */
async function classifyInto(name, work, saveAs = null) {
  const row = ui.results.add(name);
  if (saveAs) row.offerDownload(saveAs.blob, saveAs.filename);
  refreshResultControls();
  await settle(row, name, work);
}

/** Fills `row` with what `work` resolves to ({result, ms}), or with its error. */
async function settle(row, name, work) {
  const among = answeredAmong;
  try {
    const { result, ms, inSet = false } = await work();
    row.done(result, ms, { inSet, among });
    if (result.emotion === null) {
      say(`${name}: no speech found, so no emotion is given (the audio is silent or too quiet).`, 'notice');
    }
  } catch (error) {
    row.fail(error.message);
    say(`${name}: ${error.message}`);
  }
  refreshResultControls();
}

async function readFile(file) {
  if (file.size === 0) throw new Error('the file is empty (0 bytes)');
  if (file.size > MAX_FILE_BYTES) {
    throw new Error(`the file is ${Math.round(file.size / 2 ** 20)} MB, over the ${MAX_FILE_BYTES / 2 ** 20} MB this page reads`);
  }
  return file.arrayBuffer();
}

function analyseFiles(files) {
  if (files.length === 0) return;
  clearMessages();
  if (ui.oneSource.checked) {
    analyseSet(files);
    return;
  }
  const rows = files.map((file) => ({ file, row: ui.results.add(file.name) }));
  refreshResultControls();
  for (const { file, row } of rows) {
    queue = queue.then(() =>
      settle(row, file.name, async () => engine.classifyFile(await readFile(file), maxSeconds)));
  }
  if (ui.balanceSet.checked) queue = queue.then(() => balanceRows(rows.map(({ row }) => row)));
}

/**
 * Files from one source balanced together, once every one is answered: each answer with speech
 * is replaced by its lead over the batch's mean answer. A set too small is left as answered,
 * and the page says so.
 */
async function balanceRows(rows) {
  const answered = rows.filter((row) => row.status === 'done' && row.result.emotion !== null);
  const probabilities = new Float32Array(answered.length * EMOTIONS.length);
  answered.forEach((row, i) => {
    EMOTIONS.forEach((e, k) => { probabilities[i * EMOTIONS.length + k] = row.result.probabilities[e]; });
  });
  try {
    const { result } = await engine.balanceSet(probabilities);
    answered.forEach((row, i) => row.rebalance(result[i]));
    say(`Balanced together: the answers of ${answered.length} files with speech, each by how it differs from the batch's average answer.`, 'notice');
  } catch (error) {
    say(`Not balanced together: ${error.message}. Each file is answered on its own, as trained.`, 'notice');
  }
}

/** The two ways of answering files together exclude each other: checking one clears the other. */
function keepOneSetOption(checked) {
  const other = checked === ui.oneSource ? ui.balanceSet : ui.oneSource;
  if (checked.checked) other.checked = false;
}

/**
 * The ticked emotions become the ones later answers are drawn from, in turn with the work
 * already queued; fewer than two ticked puts back the box just unticked, and says why.
 */
function changeAmong(box) {
  const boxes = [...ui.among.querySelectorAll('input[type=checkbox]')];
  const ticked = boxes.filter((b) => b.checked).map((b) => b.value);
  if (ticked.length < 2) {
    box.checked = true;
    say('Answers need at least two emotions to choose among.', 'notice');
    return;
  }
  const names = ticked.length === boxes.length ? [] : ticked;
  queue = queue.then(async () => {
    try {
      const { result } = await engine.answerAmong(names);
      answeredAmong = names.length === 0 ? null : result;
    } catch (error) {
      say(`The emotions to answer among could not be changed: ${error.message}`);
    }
  });
}

/**
 * Files from one source, standardised together by their own statistics: every file is read
 * twice, once to measure the set and once to be classified, so the batch is never held whole.
 * A file that cannot be read is left out of the set and reported when it is classified; a set
 * too small to standardise is answered as trained, and the page says so.
 */
function analyseSet(files) {
  const rows = files.map((file) => ({ file, row: ui.results.add(file.name) }));
  for (const { row } of rows) row.note('measuring the set…');
  refreshResultControls();
  queue = queue.then(async () => {
    const inSet = await measureSet(rows.map(({ file }) => file));
    for (const { file, row } of rows) {
      row.note('analysing…');
      await settle(row, file.name, async () => {
        const answer = await engine.classifyFile(await readFile(file), maxSeconds, inSet);
        return { ...answer, inSet };
      });
    }
  });
}

/** Measures `files` as one set in the worker; resolves with whether the set is in use. */
async function measureSet(files) {
  try {
    await engine.startSet();
    for (const file of files) {
      try {
        await engine.measureForSet(await readFile(file), maxSeconds);
      } catch {
        // Left out of the set; the same error is shown on its row when it is classified.
      }
    }
    const { result: windows } = await engine.useSet();
    say(`Standardised together: ${windows} speech windows from ${files.length} files, compared with each other rather than with the training voices.`, 'notice');
    return true;
  } catch (error) {
    say(`Not standardised together: ${error.message}. Each file is answered on its own, as trained.`, 'notice');
    return false;
  }
}

// ---------------------------------------------------------------- recording

function recordingMessage(error) {
  switch (error?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Microphone access was denied. Allow the microphone for this page in the browser\'s site settings, then press Record again. Analysing files still works.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No microphone was found. Connect one (or enable it in the system settings), then press Record again.';
    case 'NotReadableError':
    case 'AbortError':
      return 'The microphone could not be opened: another program may be using it.';
    default:
      return `Recording failed: ${error?.message ?? error}`;
  }
}

// Keyboard users stay on the button that matters: Stop while recording, Record afterwards.
function showRecordingState(active) {
  const stopHadFocus = document.activeElement === ui.stop;
  ui.record.disabled = active;
  ui.stop.disabled = !active;
  ui.record.setAttribute('aria-pressed', String(active));
  document.body.classList.toggle('recording', active);
  if (active) ui.stop.focus();
  else if (stopHadFocus) ui.record.focus();
}

function showProgress(level, elapsed) {
  ui.meterFill.style.width = `${(100 * level).toFixed(0)}%`;
  ui.meter.setAttribute('aria-valuenow', String(Math.round(100 * level)));
  ui.timer.textContent = `${clock(elapsed)} / ${clock(RECORD_MAX_SECONDS)}`;
}

function clock(s) {
  return `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, '0')}`;
}

async function startRecording() {
  clearMessages();
  ui.record.disabled = true; // until getUserMedia answers (the permission prompt may be open)
  try {
    const channel = new MessageChannel();
    engine.startLive(channel.port2, liveWindowSeconds, showLive);
    recorder = await Recorder.start({
      livePort: channel.port1,
      maxSeconds: RECORD_MAX_SECONDS,
      onChunk: showProgress,
      onLimit: () => {
        say(`Recording stopped at the ${RECORD_MAX_SECONDS} s limit.`, 'notice');
        stopRecording();
      },
    });
  } catch (error) {
    engine.stopLive();
    ui.record.disabled = false;
    say(recordingMessage(error));
    return;
  }
  showProgress(0, 0);
  showRecordingState(true);
  showLiveStart();
}

// ---------------------------------------------------------------- live answer

function showLiveStart() {
  ui.liveTimeline.replaceChildren();
  ui.liveEmotion.textContent = 'listening…';
  ui.live.hidden = false;
  setStatus('Recording: the emotion of the last seconds is shown below, every second.', 'recording');
}

function stopLive() {
  engine.stopLive();
  setStatus('Model ready', 'ready');
}

/** Draws a live answer from the worker: the page's thread only draws. */
function showLive(result, at) {
  const name = result.emotion ?? 'no speech';
  ui.liveEmotion.textContent = result.uncertain ? `unsure: ${name} or ${result.runner_up}` : name;
  ui.liveTimeline.append(Object.assign(document.createElement('span'), {
    className: `live-cell ${result.emotion ? `fill-${result.emotion}` : 'live-silence'}`,
    title: `${seconds(at)}: ${name}`,
  }));
}

async function stopRecording() {
  if (!recorder) return;
  const current = recorder;
  recorder = null;
  stopLive();
  showRecordingState(false);
  ui.meterFill.style.width = '0%';
  ui.meter.setAttribute('aria-valuenow', '0');
  const { samples, sampleRate } = await current.stop();
  const number = ++recordings;
  // Encoded before the samples are handed over (transferred) to the worker.
  const saveAs = { blob: floatWav(samples, sampleRate), filename: `recording-${number}.wav` };
  queue = queue.then(() =>
    classifyInto(`Recording ${number}`, () => engine.classifySamples(samples, sampleRate), saveAs));
}

// ---------------------------------------------------------------- wiring

function downloadCsv(text, filename) {
  const blob = new Blob([text], { type: 'text/csv;charset=utf-8' });
  const link = Object.assign(document.createElement('a'), {
    href: URL.createObjectURL(blob),
    download: filename,
  });
  link.click();
  // The download has started from the click; the URL is not needed after this turn.
  setTimeout(() => URL.revokeObjectURL(link.href), 0);
}

function wireFiles() {
  for (const box of [ui.oneSource, ui.balanceSet]) {
    box.addEventListener('change', () => keepOneSetOption(box));
  }
  ui.among.addEventListener('change', (event) => changeAmong(event.target));
  ui.fileInput.addEventListener('change', () => {
    analyseFiles([...ui.fileInput.files]);
    ui.fileInput.value = ''; // so picking the same file again analyses it again
  });
  // A file dropped beside the zone would make the browser navigate away to open it.
  for (const type of ['dragover', 'drop']) window.addEventListener(type, (e) => e.preventDefault());
  ui.dropZone.addEventListener('dragenter', () => ui.dropZone.classList.add('over'));
  ui.dropZone.addEventListener('dragleave', () => ui.dropZone.classList.remove('over'));
  ui.dropZone.addEventListener('drop', (event) => {
    ui.dropZone.classList.remove('over');
    if (ui.fileInput.disabled) return;
    analyseFiles([...(event.dataTransfer?.files ?? [])]);
  });
}

function wireControls() {
  ui.record.addEventListener('click', startRecording);
  ui.stop.addEventListener('click', stopRecording);
  ui.exportCsv.addEventListener('click', () => downloadCsv(ui.results.toCsv(), 'speech-emotions.csv'));
  ui.exportTimeline.addEventListener('click',
    () => downloadCsv(ui.results.timelineCsv(), 'speech-emotion-timelines.csv'));
  ui.clear.addEventListener('click', () => {
    ui.results.clearFinished();
    clearMessages();
    refreshResultControls();
  });
}

// The decoder's limit comes from the model's side (modelInfo().max_seconds); say it, and expose
// it to the tests, which build a file just over it.
function showFileLimit() {
  if (!Number.isFinite(maxSeconds)) return;
  ui.fileHint.textContent += ` Up to ${seconds(maxSeconds)} each.`;
  document.body.dataset.maxSeconds = String(maxSeconds);
}

/** What this browser lacks for the page to work at all, as a sentence, or null (boot.js checks). */
function missingPlatform() {
  return globalThis.speechEmotionBoot?.missing ?? null;
}

/** Engine.start(), with a worker that cannot even be constructed as a rejection too. */
function startEngine() {
  try {
    return Engine.start();
  } catch (error) {
    return Promise.reject(error);
  }
}

async function main() {
  const missing = missingPlatform();
  // The worker starts first: fetching and compiling the wasm and parsing the model take most of
  // the start-up, and overlap with wiring the page.
  const starting = missing ? null : startEngine();
  wireFiles();
  wireControls();
  if (missing) {
    setStatus('Unavailable', 'error');
    say(`${missing} Please use a current Chrome, Edge, Firefox or Safari.`);
    return;
  }
  let info;
  try {
    ({ engine, info } = await starting);
  } catch (error) {
    setStatus('The model could not be loaded', 'error');
    say(`The model could not be loaded: ${error.message}. Reload the page to try again.`);
    return;
  }
  maxSeconds = info.max_seconds;
  liveWindowSeconds = info.window?.window_s ?? liveWindowSeconds;
  ui.fileInput.disabled = false;
  ui.oneSource.disabled = false;
  ui.balanceSet.disabled = false;
  ui.among.disabled = false;
  ui.dropZone.classList.remove('disabled');
  const unsupported = recordingUnsupportedReason();
  if (unsupported) say(unsupported, 'notice');
  else ui.record.disabled = false;
  setStatus('Model ready', 'ready');
  performance.mark('model-ready', { detail: engine.startup }); // start-up time, read by bench.mjs
  // The card and the file limit describe the model; the page is usable before they are drawn.
  showFileLimit();
  renderModelCard(ui.modelCard, info);
  document.body.dataset.ready = 'true';
}

main();
