// The emotion-over-time chart for recordings longer than two windows: a band naming the answer
// of each stretch (the `segments` the Rust side merged, the same the CLI prints and the CSVs
// hold; a label that does not fit its stretch is hidden and stays in its tooltip), and below it
// one column per window stacking its seven probabilities in the emotions' colours; windows
// without speech are grey in both. The axis has as many ticks as its width holds.
// The bars are an SVG stretched to the width (preserveAspectRatio="none"), while the time axis is
// HTML so its labels stay readable at any width.

import { EMOTIONS, h, percent, seconds } from './common.js';

const SVG = 'http://www.w3.org/2000/svg';
const HEIGHT = 100; // drawing units; the CSS sets the real height

function svg(tag, attributes) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

/**
 * Each window is drawn around its centre: the column boundaries are the midpoints between
 * neighbouring window centres, so overlapping windows tile the duration without overlapping
 * (the ownership the Rust side merges the segments by).
 */
function columns(timeline, duration) {
  const centres = timeline.map((w) => (w.start + w.end) / 2);
  return timeline.map((window, i) => ({
    window,
    from: i === 0 ? 0 : (centres[i - 1] + centres[i]) / 2,
    to: i === timeline.length - 1 ? duration : (centres[i] + centres[i + 1]) / 2,
  }));
}

const span = (r) => `${r.start.toFixed(1)}–${r.end.toFixed(1)} s`;
const label = (r) => r.emotion ?? 'no speech';

/** The answer of each stretch as a labelled band, readable at a glance above the detail. */
function band(segments, duration) {
  return h('div', { class: 'band', 'aria-hidden': 'true' }, ...segments.map((r) => h(
    'span',
    {
      class: `band-${r.emotion ?? 'silence'}${r.uncertain ? ' band-unsure' : ''}`,
      style: `left: ${(100 * r.start) / duration}%; width: ${(100 * (r.end - r.start)) / duration}%`,
      title: `${span(r)}: ${r.uncertain ? `unsure, ${label(r)} first` : label(r)}`,
      dataset: { testid: 'segment' },
    },
    label(r),
  )));
}

/** Hides the labels that do not fit their stretch (their tooltips still name them). */
function fitLabels(bandElement) {
  for (const element of bandElement.children) {
    element.classList.toggle('clipped', element.scrollWidth > element.clientWidth + 0.5);
  }
}

function column({ window, from, to }) {
  const title = svg('title', {});
  const when = `${window.start.toFixed(1)}–${window.end.toFixed(1)} s`;
  title.textContent = window.emotion
    ? `${when}: ${window.emotion} ${percent(window.probabilities?.[window.emotion])}`
    : `${when}: no speech`;
  const group = svg('g', {});
  group.append(title, ...bars(window, from, to));
  return group;
}

function bars(window, from, to) {
  const width = to - from;
  if (!window.probabilities) {
    return [svg('rect', { x: from, y: 0, width, height: HEIGHT, class: 'silence' })];
  }
  let y = HEIGHT;
  return EMOTIONS.map((emotion) => {
    const height = HEIGHT * (window.probabilities[emotion] ?? 0);
    y -= height;
    return svg('rect', { x: from, y, width, height, class: `fill-${emotion}` });
  });
}

/** The smallest step of 1, 2, 5, 10... seconds that keeps at most `count` ticks. */
function tickStep(duration, count) {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];
  return steps.find((s) => duration / s <= count) ?? 7200;
}

/** A label every step, at most one per 64 px of `width` so that they never touch. */
function axis(duration, width) {
  const step = tickStep(duration, Math.max(1, Math.floor(width / 64)));
  const ticks = [];
  for (let t = 0; t <= duration + 1e-6; t += step) {
    const label = t < 60 ? `${t} s` : `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`;
    ticks.push(h('span', { style: `left: ${(100 * t) / duration}%` }, label));
  }
  return h('div', { class: 'axis', 'aria-hidden': 'true' }, ...ticks);
}

/** The chart for a classification result (call only when it has more than two windows). */
export function timelineChart(result) {
  const duration = Math.max(result.duration, result.timeline.at(-1).end);
  const cols = columns(result.timeline, duration);
  const segments = result.segments;
  const chart = svg('svg', {
    viewBox: `0 0 ${duration} ${HEIGHT}`,
    preserveAspectRatio: 'none',
    role: 'img',
    'aria-label': `Emotion over time: ${segments.map((r) => `${span(r)} ${label(r)}`).join(', ')}`,
  });
  chart.append(...cols.map(column));
  const bandElement = band(segments, duration);
  const figure = h(
    'figure',
    { class: 'timeline' },
    bandElement,
    chart,
    axis(duration, 400),
    h('figcaption', {}, `Emotion over time (${seconds(duration)}, ${result.timeline.length} windows, ${segments.length} stretches)`),
  );
  new ResizeObserver(() => {
    figure.querySelector('.axis').replaceWith(axis(duration, figure.clientWidth));
    fitLabels(bandElement);
  }).observe(figure);
  return figure;
}
