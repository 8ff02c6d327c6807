// The emotion-over-time chart for recordings longer than one window: one column per window,
// stacking its seven probabilities in the emotions' colours; windows without speech are grey.
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
    to: i === timeline.length - 1 ? Math.max(duration, window.end) : (centres[i] + centres[i + 1]) / 2,
  }));
}

/** Consecutive windows with the same emotion merged, for the text alternative. */
function describe(cols) {
  const runs = [];
  for (const { window, from, to } of cols) {
    const label = window.emotion ?? 'no speech';
    const last = runs.at(-1);
    if (last && last.label === label) last.to = to;
    else runs.push({ label, from, to });
  }
  return runs.map((r) => `${r.from.toFixed(1)}–${r.to.toFixed(1)} s ${r.label}`).join(', ');
}

function column({ window, from, to }) {
  const group = svg('g', {});
  const tip = window.emotion
    ? `${window.start.toFixed(1)}–${window.end.toFixed(1)} s: ${window.emotion} ${percent(window.probabilities?.[window.emotion])}`
    : `${window.start.toFixed(1)}–${window.end.toFixed(1)} s: no speech`;
  const title = svg('title', {});
  title.textContent = tip;
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
  const chart = svg('svg', {
    viewBox: `0 0 ${duration} ${HEIGHT}`,
    preserveAspectRatio: 'none',
    role: 'img',
    'aria-label': `Emotion over time: ${describe(cols)}`,
  });
  chart.append(...cols.map(column));
  return h(
    'figure',
    { class: 'timeline' },
    chart,
    axis(duration),
    h('figcaption', {}, `Emotion over time (${seconds(duration)}, ${result.timeline.length} windows)`),
  );
}
