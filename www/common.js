// Shared by the page's modules: the seven classes in the model's output order (the wasm API
// always returns these names) and small formatting and DOM helpers.

export const EMOTIONS = ['neutral', 'happy', 'sad', 'angry', 'fear', 'disgust', 'surprise'];

/** 0.913 → "91%"; non-numbers → "–". */
export function percent(p) {
  return Number.isFinite(p) ? `${Math.round(100 * p)}%` : '–';
}

/** Seconds → "4.2 s", "1 min 05 s" or "30 min". */
export function seconds(s) {
  if (!Number.isFinite(s)) return '–';
  if (s < 60) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  const minutes = `${Math.floor(whole / 60)} min`;
  return whole % 60 === 0 ? minutes : `${minutes} ${String(whole % 60).padStart(2, '0')} s`;
}

/** Builds an element: h('td', {class: 'x', dataset: {testid: 'y'}}, 'text', child). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'dataset') Object.assign(element.dataset, value);
    else if (value !== undefined && value !== null && value !== false) element.setAttribute(name, value);
  }
  element.append(...children.filter((child) => child !== null && child !== undefined));
  return element;
}
