// The results table: one row per file or recording, pending until the worker answers, then its
// emotion, confidence and seven probability bars (or its error), plus a timeline row for audio
// longer than two windows. Each finished row carries its full result as JSON in data-result.

import { EMOTIONS, h, percent, seconds } from './common.js';
import { timelineChart } from './timeline.js';

const COLUMNS = 4;

function probabilityBars(probabilities) {
  return h(
    'ul',
    { class: 'probs' },
    ...EMOTIONS.map((emotion) => {
      const p = probabilities[emotion] ?? 0;
      return h(
        'li',
        {},
        h('span', { class: 'name' }, emotion),
        h('span', { class: 'bar', 'aria-hidden': 'true' },
          h('span', { class: `fill fill-${emotion}`, style: `width: ${(100 * p).toFixed(1)}%` })),
        h('span', { class: 'pct' }, percent(p)),
      );
    }),
  );
}

class Row {
  constructor(name) {
    this.name = name;
    this.status = 'pending';
    this.result = null;
    this.error = null;
    this.detail = h('span', { class: 'detail' }, 'analysing…');
    this.element = h(
      'tr',
      { dataset: { testid: 'result', status: 'pending' }, 'aria-busy': 'true' },
      h('th', { scope: 'row', class: 'file' }, h('span', { class: 'filename' }, name), this.detail),
      h('td', { class: 'emotion', dataset: { testid: 'result-emotion' } }),
      h('td', { class: 'confidence' }),
      h('td', { class: 'probabilities' }, h('span', { class: 'spinner', role: 'status' }, 'Analysing…')),
    );
    this.extra = null; // the timeline row, when there is one
    this.download = null; // the object URL of a recording offered for saving
  }

  /** Offers the audio itself for saving (recordings exist nowhere else). */
  offerDownload(blob, filename) {
    this.download = URL.createObjectURL(blob);
    this.element.firstChild.append(
      h('a', { class: 'save', href: this.download, download: filename }, 'Save WAV'));
  }

  /** Says what is happening to a pending row ("measuring the set…"). */
  note(text) {
    this.detail.textContent = text;
  }

  /**
   * Fills the row with a classification result ({emotion|null, confidence, probabilities...});
   * `inSet`: standardised together with the other files of its set; `balanced`: answered by its
   * lead over its set's mean answer; `among`: the emotions it was answered among (null: all).
   */
  done(result, ms, { inSet = false, balanced = false, among = null } = {}) {
    this.#settle('done');
    this.result = result;
    this.ms = ms;
    this.inSet = inSet;
    this.balanced = balanced;
    this.among = among;
    this.element.dataset.result = JSON.stringify(result);
    this.element.dataset.inSet = String(inSet);
    this.element.dataset.balanced = String(balanced);
    this.element.dataset.among = among ? among.join(' ') : 'all';
    this.detail.textContent = `${seconds(result.duration)} · analysed in ${Math.round(ms)} ms`
      + (inSet ? ' · standardised with its set' : '')
      + (balanced ? ' · balanced with its set' : '')
      + (among ? ` · among ${among.length} emotions` : '');
    const [, emotionCell, confidenceCell, probabilitiesCell] = this.element.children;
    emotionCell.className = 'emotion';
    delete this.element.dataset.uncertain;
    if (result.emotion === null) {
      this.element.dataset.status = 'silence';
      emotionCell.textContent = 'no speech';
      confidenceCell.textContent = '–';
      probabilitiesCell.replaceChildren(
        h('span', { class: 'muted' }, 'No speech found: the model does not guess on silence.'),
      );
    } else if (result.uncertain) {
      // Too close to call (the model's calibrated margin): both answers, said plainly.
      this.element.dataset.uncertain = 'true';
      emotionCell.textContent = `unsure: ${result.emotion} or ${result.runner_up}`;
      emotionCell.classList.add('unsure');
      confidenceCell.textContent =
        `${percent(result.confidence)} / ${percent(result.probabilities[result.runner_up])}`;
      probabilitiesCell.replaceChildren(probabilityBars(result.probabilities));
    } else {
      emotionCell.textContent = result.emotion;
      emotionCell.classList.add(`dot-${result.emotion}`);
      confidenceCell.textContent = percent(result.confidence);
      probabilitiesCell.replaceChildren(probabilityBars(result.probabilities));
    }
    // One or two windows say nothing a timeline would add.
    if (result.timeline.length > 2 && !this.extra) {
      this.extra = h('tr', { class: 'timeline-row' },
        h('td', { colspan: COLUMNS }, timelineChart(result)));
      this.element.after(this.extra);
    }
  }

  /**
   * Answers the row again from its set's balanced answer ({emotion, confidence, probabilities,
   * uncertain, runner_up}); its timeline stays as classified.
   */
  rebalance(answer) {
    const { emotion, confidence, probabilities, uncertain, runner_up: runnerUp } = answer;
    this.done({ ...this.result, emotion, confidence, probabilities, uncertain, runner_up: runnerUp },
      this.ms, { balanced: true, among: this.among });
  }

  /** Marks the row as failed with a readable message. */
  fail(message) {
    this.#settle('error');
    this.error = message;
    this.detail.textContent = 'not analysed';
    const [, emotionCell, confidenceCell, probabilitiesCell] = this.element.children;
    emotionCell.textContent = 'error';
    confidenceCell.remove();
    probabilitiesCell.colSpan = 2;
    probabilitiesCell.replaceChildren(h('span', { class: 'row-error' }, message));
  }

  #settle(status) {
    this.status = status;
    this.element.dataset.status = status;
    this.element.removeAttribute('aria-busy');
  }

  remove() {
    this.element.remove();
    this.extra?.remove();
    if (this.download) URL.revokeObjectURL(this.download);
  }
}

// Spreadsheets run cells that start with these as formulas; a leading apostrophe defuses them.
function csvCell(value) {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvLine(row) {
  const blank = EMOTIONS.map(() => '');
  if (row.status === 'error') return [row.name, 'error', '', '', '', ...blank, row.error, '', '', ''];
  const among = row.among ? row.among.join(' ') : 'all';
  const { emotion, confidence, probabilities, uncertain, runner_up: runnerUp } = row.result;
  if (emotion === null) return [row.name, 'no speech', '', '', '', ...blank, '', row.inSet, row.balanced, among];
  return [row.name, emotion, confidence, uncertain, runnerUp,
    ...EMOTIONS.map((e) => probabilities[e]), '', row.inSet, row.balanced, among];
}

export class Results {
  #body;
  #rows = [];

  constructor(body) {
    this.#body = body;
  }

  /** A new pending row at the bottom of the table. */
  add(name) {
    const row = new Row(name);
    this.#rows.push(row);
    this.#body.append(row.element);
    row.element.scrollIntoView?.({ block: 'nearest' });
    return row;
  }

  /** Whether any row has finished (results or errors worth exporting). */
  get hasFinished() {
    return this.#rows.some((row) => row.status !== 'pending');
  }

  get isEmpty() {
    return this.#rows.length === 0;
  }

  /** Removes the finished rows (pending ones stay: their answers are on the way). */
  clearFinished() {
    this.#rows = this.#rows.filter((row) => {
      if (row.status === 'pending') return true;
      row.remove();
      return false;
    });
  }

  /**
   * The finished rows as CSV: file, emotion, confidence, whether it is unsure and the runner-up,
   * the seven probabilities, error, whether it was standardised or balanced with its set, and
   * the emotions it was answered among ("all", or their names).
   */
  toCsv() {
    const lines = [['file', 'emotion', 'confidence', 'uncertain', 'runner_up', ...EMOTIONS, 'error',
      'standardised_with_set', 'balanced_with_set', 'answered_among']];
    for (const row of this.#rows) if (row.status !== 'pending') lines.push(csvLine(row));
    return lines.map((line) => line.map(csvCell).join(',')).join('\r\n') + '\r\n';
  }

  /**
   * Every finished recording's stretches, in the columns of `predict --csv`: file, start, end,
   * emotion ("no speech" for silence), uncertain, windows merged, the seven mean probabilities.
   */
  timelineCsv() {
    const lines = [['file', 'start', 'end', 'emotion', 'uncertain', 'windows', ...EMOTIONS]];
    for (const row of this.#rows) {
      for (const s of row.result?.segments ?? []) {
        lines.push([row.name, s.start.toFixed(3), s.end.toFixed(3), s.emotion ?? 'no speech',
          s.uncertain, s.windows, ...EMOTIONS.map((e) => (s.probabilities ? s.probabilities[e].toFixed(5) : ''))]);
      }
    }
    return lines.map((line) => line.map(csvCell).join(',')).join('\r\n') + '\r\n';
  }
}
