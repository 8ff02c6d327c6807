// A short model card from modelInfo(). Every figure is read from the shipped metadata (the model
// may be retrained) and every field is optional: whatever is missing is simply not shown.

import { EMOTIONS, h, percent } from './common.js';

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

const LANGUAGES = { RAVDESS: 'English', TESS: 'English', SAVEE: 'English', 'CREMA-D': 'English', nEMO: 'Polish', ASED: 'Amharic' };

/** The folds of protocol (d) that carry a report: [[corpus, report], ...]. */
function folds(evaluation) {
  const d = evaluation?.d;
  if (!isObject(d?.folds)) return [];
  return Object.entries(d.folds)
    .filter(([, fold]) => number(fold?.report?.uar) !== null && number(fold?.report?.accuracy) !== null)
    .map(([name, fold]) => [name, fold.report]);
}

/** Protocol (d) in plain words: how it does on a corpus (a language, a room, voices) it never heard. */
function unheardCorpora(evaluation) {
  const list = folds(evaluation);
  if (list.length === 0) return [];
  const mean = (f) => list.reduce((sum, [, r]) => sum + f(r), 0) / list.length;
  const corpora = list.map(([name, r]) => {
    const language = LANGUAGES[name] ? ` (${LANGUAGES[name]})` : '';
    return `${name}${language} ${percent(r.uar)}`;
  });
  return [
    h('dt', {}, 'On a corpus it never heard'),
    h('dd', {}, h('strong', {}, `${percent(mean((r) => r.uar))} of each emotion recognised on average`),
      h('span', { class: 'note' }, `(mean recall over the emotions, chance about 15-20 %; ${percent(mean((r) => r.accuracy))} of clips). ` +
        `Trained without one corpus at a time and tested on it: ${corpora.join(', ')}.`)),
  ];
}

/** What it gets wrong, from the same folds: the three emotions it recognises least (under 40 %),
 *  and the three corpora where one answer is most over-given. */
function weaknesses(evaluation) {
  const list = folds(evaluation);
  if (list.length === 0) return [];
  const recall = new Map();
  for (const [, r] of list) {
    for (const c of Array.isArray(r.per_class) ? r.per_class : []) {
      if (!(number(c?.support) > 0) || number(c?.recall) === null) continue;
      const entry = recall.get(c.class) ?? [];
      entry.push(c.recall);
      recall.set(c.class, entry);
    }
  }
  const weak = [...recall.entries()]
    .map(([name, values]) => [name, values.reduce((a, b) => a + b, 0) / values.length])
    .filter(([, value]) => value < 0.4)
    .sort((a, b) => a[1] - b[1])
    .slice(0, 3)
    .map(([name, value]) => `${name} (${percent(value)} recognised)`);
  // The three corpora where the top answer most exceeds its true share.
  const leans = list
    .filter(([, r]) => number(r.spread?.answered) !== null && number(r.spread?.truth) > 0 && r.spread.answered > 1.5 * r.spread.truth)
    .sort((a, b) => b[1].spread.answered / b[1].spread.truth - a[1].spread.answered / a[1].spread.truth)
    .slice(0, 3)
    .map(([name, r]) => `${r.spread.class} on ${name} (${percent(r.spread.answered)} of answers)`);
  const parts = [];
  if (weak.length) parts.push(`It often misses ${weak.join(', ')}.`);
  if (leans.length) parts.push(`On unfamiliar voices it leans to one answer: ${leans.join('; ')}.`);
  if (parts.length === 0) return [];
  return [h('dt', {}, 'What it gets wrong'), h('dd', {}, parts.join(' '))];
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
      'alone moves by several points with its seed on new voices, and the average evens that ' +
      'out.'),
  ];
}

/** The training prior taken out of every answer, when the calibration holds one. */
function balance(info) {
  const prior = info.calibration?.prior;
  if (!Array.isArray(prior) || prior.length !== EMOTIONS.length || prior.some((v) => number(v) === null)) return [];
  const order = prior.map((share, i) => [share, EMOTIONS[i]]).sort((a, b) => b[0] - a[0]);
  const [most, least] = [order[0], order[order.length - 1]];
  return [
    h('dt', {}, 'Every emotion on an equal footing'),
    h('dd', {}, `Its training clips held some emotions more often than others (${most[1]} ` +
      `${percent(most[0])}, ${least[1]} ${percent(least[0])}). Each answer is divided by those ` +
      'shares, so that no emotion wins a close call only because training heard more of it.'),
  ];
}

/** How often it says "unsure" and how right it is otherwise, from the calibration's figures. */
function uncertainty(info) {
  const f = info.calibration?.figures;
  const [share, sure, unsure] = [f?.unsure_share, f?.accuracy_when_sure, f?.accuracy_when_unsure].map(number);
  if (share === null || sure === null || unsure === null) return [];
  return [
    h('dt', {}, 'When it says unsure'),
    h('dd', {}, `When its top two answers are too close to call it says "unsure: A or B". On the ` +
      `speakers kept apart to choose the settings that was ${percent(share)} of answers, right ` +
      `${percent(unsure)} of the time, against ${percent(sure)} for the others; expect more ` +
      'unsure answers, and fewer right ones, on voices unlike its training.'),
  ];
}

/** Fills `container` with the card. */
export function renderModelCard(container, info) {
  const evaluation = isObject(info?.evaluation) ? info.evaluation : {};
  const data = trainingData(info ?? {});
  const unheard = unheardCorpora(evaluation);
  const honest = figure('Accuracy on speakers it never heard', evaluation.c,
    evaluation.c?.protocol, perCorpus(evaluation.c));
  const seed = figure('On clips of voices it trained on (for contrast)', evaluation.a,
    'the notebooks this replaces report this kind of figure: clips cut up and augmented before a random split, so the test holds voices and sentences already heard');
  const items = [
    ...(data ? [h('dt', {}, 'Trained on'), h('dd', {}, data, (honest.length || unheard.length)
      ? h('span', { class: 'note' }, 'less a few speakers of each corpus kept apart to choose the settings')
      : null)] : []),
    ...unheard,
    ...honest,
    ...weaknesses(evaluation),
    ...seed,
    ...windowing(info ?? {}),
    ...networks(info ?? {}),
    ...balance(info ?? {}),
    ...uncertainty(info ?? {}),
  ];
  const children = [];
  if (items.length) children.push(h('dl', {}, ...items));
  if (unheard.length) {
    children.push(h('p', { class: 'explain' },
      'The first figure is the honest estimate of how it will do on a new voice, language or ' +
      'microphone such as yours: each corpus was left out of training in turn and the model ' +
      'trained on the others was tested on it. Expect less on spontaneous speech than on acted clips.'));
  } else if (honest.length && seed.length) {
    children.push(h('p', { class: 'explain' },
      'The contrast figure scores windows cut from clips whose augmented copies were also in ' +
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
