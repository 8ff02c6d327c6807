// The emotion-over-time chart for recordings longer than one window: a band naming the top
// emotion of each stretch, and below it one column per window stacking its seven probabilities
// in the emotions' colours; windows without speech are grey in both.
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
 * neighbouring window centres, so overlapping windows tile the duration without overlapping.
 */
function columns(timeline, duration) {
  const centres = timeline.map((w) => (w.start + w.end) / 2);
  return timeline.map((window, i) => ({
    window,
    from: i === 0 ? 0 : (centres[i - 1] + centres[i]) / 2,
    to: i === timeline.length - 1 ? duration : (centres[i] + centres[i + 1]) / 2,
  }));
}

/** Consecutive windows with the same emotion merged: [{label, from, to}]. */
function runs(cols) {
  const merged = [];
  for (const { window, from, to } of cols) {
    const label = window.emotion ?? 'no speech';
    const last = merged.at(-1);
    if (last && last.label === label) last.to = to;
    else merged.push({ label, from, to });
  }
  return merged;
}

const span = (r) => `${r.from.toFixed(1)}–${r.to.toFixed(1)} s`;

/** The top emotion of each stretch as a labelled band, readable at a glance above the detail. */
function band(merged, duration) {
  return h('div', { class: 'band', 'aria-hidden': 'true' }, ...merged.map((r) => h(
    'span',
    {
      class: `band-${r.label === 'no speech' ? 'silence' : r.label}`,
      style: `left: ${(100 * r.from) / duration}%; width: ${(100 * (r.to - r.from)) / duration}%`,
      title: `${span(r)}: ${r.label}`,
    },
    r.label,
  )));
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

/** Tick every 1, 2, 5, 10... seconds so that there are at most about eight labels. */
function tickStep(duration) {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600];
  return steps.find((s) => duration / s <= 8) ?? 1200;
}

function axis(duration) {
  const step = tickStep(duration);
  const ticks = [];
  for (let t = 0; t <= duration + 1e-6; t += step) {
    const label = t < 60 ? `${t} s` : `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`;
    ticks.push(h('span', { style: `left: ${(100 * t) / duration}%` }, label));
  }
  return h('div', { class: 'axis', 'aria-hidden': 'true' }, ...ticks);
}

/** The chart for a classification result (call only when it has more than one window). */
export function timelineChart(result) {
  const duration = Math.max(result.duration, result.timeline.at(-1).end);
  const cols = columns(result.timeline, duration);
  const merged = runs(cols);
  const chart = svg('svg', {
    viewBox: `0 0 ${duration} ${HEIGHT}`,
    preserveAspectRatio: 'none',
    role: 'img',
    'aria-label': `Emotion over time: ${merged.map((r) => `${span(r)} ${r.label}`).join(', ')}`,
  });
  chart.append(...cols.map(column));
  return h(
    'figure',
    { class: 'timeline' },
    band(merged, duration),
    chart,
    axis(duration),
    h('figcaption', {}, `Emotion over time (${seconds(duration)}, ${result.timeline.length} windows)`),
  );
}
