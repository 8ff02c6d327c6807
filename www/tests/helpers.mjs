// Shared by the browser tests and the benchmark: a static server for www/, Debian's Chromium via
// playwright-core, a page that records console errors and every request, and the native
// `predict` command the browser's answers are compared with.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

export const wwwRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(wwwRoot, '..');
export const originals = path.resolve(repoRoot, '../shared/data/originals');
export const resultsDir = path.join(wwwRoot, 'test-results');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.wav': 'audio/wav',
};

async function serveFile(root, request, response) {
  const { pathname } = new URL(request.url, 'http://localhost');
  const relative = decodeURIComponent(pathname).replace(/\/$/, '/index.html');
  const file = path.join(root, path.normalize(relative));
  // path.join normalises away "..", but a crafted path could still resolve outside the root.
  const inside = file.startsWith(root + path.sep);
  const info = inside ? await stat(file).catch(() => null) : null;
  if (!info?.isFile()) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  response.writeHead(200, {
    'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': 'no-store',
  });
  createReadStream(file).pipe(response);
}

/** Serves www/ on 127.0.0.1 at a free port: resolves with {url, close()}. */
export async function startServer(root = wwwRoot) {
  const server = createServer((request, response) => {
    serveFile(root, request, response).catch(() => response.destroy());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-default-apps',
  '--disable-sync',
];

/** Debian's Chromium (never a downloaded browser), with extra command-line flags. */
export function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

/**
 * Opens the page in a fresh context and records what a test checks afterwards: console errors,
 * uncaught exceptions, and the URL of every request (the page's and its workers').
 */
export async function openPage(browser, url, contextOptions = {}) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  const log = { errors: [], requests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') log.errors.push(message.text());
  });
  page.on('pageerror', (error) => log.errors.push(`uncaught: ${error.message}`));
  context.on('request', (request) => log.requests.push(request.url()));
  await page.goto(url);
  return { context, page, log };
}

/** Waits until the model is loaded (or fails with what the page says instead). */
export async function waitReady(page, timeout = 120_000) {
  try {
    await page.waitForSelector('body[data-ready="true"]', { timeout });
  } catch (error) {
    const said = await page.locator('#status, [data-testid="error"]').allInnerTexts();
    throw new Error(`the page never became ready; it says: ${said.join(' | ')}`, { cause: error });
  }
}

/** Waits until `count` result rows exist and none is pending; returns them as plain objects. */
export async function results(page, count, timeout = 120_000) {
  await page.waitForFunction(
    (n) => {
      const rows = document.querySelectorAll('[data-testid="result"]');
      return rows.length >= n && ![...rows].some((row) => row.dataset.status === 'pending');
    },
    count,
    { timeout },
  );
  return page.$$eval('[data-testid="result"]', (rows) =>
    rows.map((row) => ({
      name: row.querySelector('.filename').textContent,
      status: row.dataset.status,
      emotion: row.querySelector('[data-testid="result-emotion"]').textContent.trim(),
      result: row.dataset.result ? JSON.parse(row.dataset.result) : null,
      text: row.textContent,
    })));
}

/** The text of the message area. */
export function messages(page) {
  return page.locator('[data-testid="error"]').innerText();
}

const run = promisify(execFile);

let buildNoted = false;
/** Says once why a test may sit quiet for minutes: the native CLI it compares with is building. */
function noteBuild() {
  if (buildNoted) return;
  buildNoted = true;
  process.stderr.write('# building the native predict command to compare with (first time: a few minutes)\n');
}

/**
 * The native pipeline's answers: `cargo run -q -p train -- predict FILES --json`, one JSON object
 * per line, keyed here by the file's base name. Builds the train binary if it is out of date.
 */
export async function nativePredict(files, extra = []) {
  noteBuild();
  const { stdout } = await run('cargo', ['run', '-q', '-p', 'train', '--', 'predict', ...files, '--json', ...extra], {
    cwd: repoRoot,
    maxBuffer: 64 * 1024 * 1024,
  });
  const byName = new Map();
  for (const line of stdout.split('\n').filter((l) => l.trim().startsWith('{'))) {
    const entry = JSON.parse(line);
    byName.set(path.basename(entry.file), entry);
  }
  return byName;
}

/** Largest absolute difference between two {emotion: p} maps over the seven classes. */
export function maxDifference(a, b) {
  const classes = ['neutral', 'happy', 'sad', 'angry', 'fear', 'disgust', 'surprise'];
  return Math.max(...classes.map((c) => Math.abs(a[c] - b[c])));
}

/**
 * The page's server and a headless Chromium for one test file: started before its tests, closed
 * after them. Read `session.server.url` and `session.browser` inside the tests.
 */
export function pageSession(extraArgs = []) {
  const session = {};
  before(async () => {
    [session.server, session.browser] = await Promise.all([startServer(), launch(extraArgs)]);
  });
  after(async () => {
    await session.browser?.close();
    await session.server?.close();
  });
  return session;
}

/** Every eighth SAVEE clip by name: 60 clips of four men and seven emotions, one source. */
export async function saveeClips() {
  const savee = path.resolve(repoRoot, '../shared/data/savee');
  const names = (await readdir(savee)).filter((n) => n.endsWith('.flac')).sort();
  const clips = names.filter((_, i) => i % 8 === 0).map((n) => path.join(savee, n));
  if (clips.length !== 60) throw new Error(`expected 60 SAVEE clips, found ${clips.length}`);
  return clips;
}

/** Clips as the file input takes them. */
export async function payloads(clips) {
  return Promise.all(clips.map(async (clip) => ({
    name: path.basename(clip), mimeType: 'audio/flac', buffer: await readFile(clip),
  })));
}

/**
 * Each finished row against native `predict`'s answer for the same file (`native` from
 * `nativePredict`): the emotion, whether it is unsure and the probabilities within `tolerance`.
 */
export function assertNativeAnswers(rows, native, tolerance = 1e-4) {
  for (const row of rows) {
    const expected = native.get(row.name);
    assert.ok(expected, `native predict gave no answer for ${row.name}`);
    assert.equal(row.status, 'done', `${row.name}: ${row.text}`);
    assert.equal(row.result.emotion, expected.emotion, `${row.name}: emotion`);
    assert.equal(row.result.uncertain, expected.uncertain, `${row.name}: uncertain`);
    const difference = maxDifference(row.result.probabilities, expected.probabilities);
    assert.ok(difference <= tolerance, `${row.name}: probabilities differ by ${difference}`);
  }
}
