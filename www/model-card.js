// A short model card from modelInfo(). Every figure is read from the shipped metadata (the model
// may be retrained) and every field is optional: whatever is missing is simply not shown.

import { h, percent } from './common.js';

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
const number = (value) => (Number.isFinite(value) ? value : null);
const count = (n) => n.toLocaleString('en');
const short = (s) => `${Number(s.toFixed(2))} s`; // 2 → "2 s", 0.5 → "0.5 s"

/** Clips of one corpus: a number, or counts per emotion ({"angry": 192, ...}) to add up. */
function clipsOf(entry) {
  if (Number.isFinite(entry)) return entry;
  if (isObject(entry) && Number.isFinite(entry.clips)) return entry.clips;
  if (isObject(entry)) {
    const values = Object.values(entry).filter(Number.isFinite);
    return values.length ? values.reduce((a, b) => a + b, 0) : null;
  }
  return null;
}

function trainingData(info) {
  const data = info.training?.data;
  if (!isObject(data)) return null;
  const corpora = isObject(data.per_corpus)
    ? Object.entries(data.per_corpus)
        .map(([name, entry]) => [name, clipsOf(entry)])
        .filter(([, clips]) => clips !== null)
        .map(([name, clips]) => `${name} ${count(clips)}`)
    : [];
  const total = number(data.clips);
  if (total === null && corpora.length === 0) return null;
  const parts = [];
  if (total !== null) parts.push(`${count(total)} acted clips`);
  if (corpora.length) parts.push(`(${corpora.join(', ')})`);
  return parts.join(' ');
}

// The protocols' "unit" strings are long; the card only needs to say clips or windows.
function unitOf(evaluation) {
  const unit = String(evaluation?.unit ?? '');
  if (unit.startsWith('clip')) return 'clips';
  if (unit.startsWith('window')) return 'windows';
  return 'items';
}

/** "61% (macro-F1 0.58, 520 test clips)" from an evaluation, or null without an accuracy. */
function score(evaluation) {
  const report = evaluation?.report;
  const accuracy = number(report?.accuracy);
  if (accuracy === null) return null;
  const extras = [];
  if (number(report.macro_f1) !== null) extras.push(`macro-F1 ${report.macro_f1.toFixed(2)}`);
  if (number(report.n) !== null) extras.push(`${count(report.n)} test ${unitOf(evaluation)}`);
  return `${percent(accuracy)}${extras.length ? ` (${extras.join(', ')})` : ''}`;
}

function perCorpus(evaluation) {
  if (!isObject(evaluation?.per_corpus)) return null;
  const parts = Object.entries(evaluation.per_corpus)
    .filter(([, r]) => number(r?.accuracy) !== null)
    .map(([name, r]) => `${name} ${percent(r.accuracy)}`);
  return parts.length ? `By corpus: ${parts.join(', ')}.` : null;
}

function figure(term, evaluation, ...notes) {
  const text = score(evaluation);
  if (text === null) return [];
  return [
    h('dt', {}, term),
    h('dd', {}, h('strong', {}, text), ...notes.filter(Boolean).map((n) => h('span', { class: 'note' }, n))),
  ];
}

function windowing(info) {
  const w = info.window;
  if (number(w?.window_s) === null || number(w?.hop_s) === null) return [];
  return [
    h('dt', {}, 'How it listens'),
    h('dd', {}, `In ${short(w.window_s)} windows every ${short(w.hop_s)}; the result is the average over the windows that hold speech.`),
  ];
}

function networks(info) {
  const members = number(info.model?.members);
  if (members === null || members < 2) return [];
  return [
    h('dt', {}, 'How it decides'),
    h('dd', {}, `The average of ${members} networks trained from different seeds: one network ` +
      'alone moves by several points with its seed on new voices; the average beat the typical ' +
      'network in every trial.'),
  ];
}

/** Fills `container` with the card. */
export function renderModelCard(container, info) {
  const evaluation = isObject(info?.evaluation) ? info.evaluation : {};
  const data = trainingData(info ?? {});
  const honest = figure('Accuracy on speakers it never heard', evaluation.c,
    evaluation.c?.protocol, perCorpus(evaluation.c));
  const seed = figure('Seed-style figure, for contrast', evaluation.a, evaluation.a?.protocol);
  const items = [
    ...(data ? [h('dt', {}, 'Trained on'), h('dd', {}, data, honest.length
      ? h('span', { class: 'note' }, 'less the speakers kept apart for the test below')
      : null)] : []),
    ...honest,
    ...seed,
    ...windowing(info ?? {}),
    ...networks(info ?? {}),
  ];
  const children = [];
  if (info?.name) children.push(h('p', {}, 'Model ', h('code', {}, info.name), '.'));
  if (items.length) children.push(h('dl', {}, ...items));
  if (honest.length && seed.length) {
    children.push(h('p', { class: 'explain' },
      'The seed-style figure scores windows cut from clips whose augmented copies were also in ' +
      'training, so the model is tested on voices and sentences it has already heard; the first ' +
      'figure, on speakers kept out of training altogether, is the honest estimate of how it will ' +
      'do on a new voice such as yours.'));
  } else if (honest.length) {
    children.push(h('p', { class: 'explain' },
      'That figure comes from speakers kept out of training altogether: the honest estimate of how ' +
      'it will do on a new voice such as yours.'));
  } else {
    children.push(h('p', { class: 'muted' }, 'No held-out-speaker evaluation ships with this model.'));
  }
  container.replaceChildren(...children);
}
