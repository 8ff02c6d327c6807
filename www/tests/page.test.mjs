// The page loads, the model becomes ready, nothing is logged as an error and nothing is fetched
// from anywhere but the page's own origin.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, openPage, startServer, waitReady } from './helpers.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('the page loads its model with no console error and no request to another origin', async () => {
  const { page, log, context } = await openPage(browser, server.url);
  await waitReady(page);
  // Give late requests (the worker's, the model card's) a moment to show up.
  await page.waitForLoadState('networkidle');

  assert.deepEqual(log.errors, [], 'console errors');
  const origin = new URL(server.url).origin;
  const foreign = log.requests.filter((url) => !url.startsWith(`${origin}/`) && !/^(data|blob):/.test(url));
  assert.deepEqual(foreign, [], 'requests to another origin');
  assert.ok(log.requests.some((url) => url.endsWith('.wasm')), `the wasm was fetched: ${log.requests.join(', ')}`);

  assert.equal(await page.getByTestId('record').isEnabled(), true, 'record is enabled once ready');
  assert.equal(await page.getByTestId('file-input').isEnabled(), true, 'the file input is enabled');
  assert.match(await page.locator('body').innerText(), /never leaves your machine/);
  const card = await page.locator('#model-card').innerText();
  assert.match(card, /speakers it never heard/i, `model card: ${card}`);
  assert.match(card, /On a corpus it never heard\s*\d+% of each emotion recognised/, `model card: ${card}`);
  assert.match(card, /nEMO \(Polish\) \d+%/, `model card: ${card}`);
  assert.match(card, /ASED \(Amharic\) \d+%/, `model card: ${card}`);
  assert.match(card, /What it gets wrong/, `model card: ${card}`);
  assert.match(card, /When it says unsure/, `model card: ${card}`);
  assert.doesNotMatch(card, /Every emotion on an equal footing/, 'the shipped model keeps its training prior');
  await context.close();
});

// The shipped model may lack any figure (a quick model has no protocol (a), say): the card shows
// what there is and never breaks on what is missing.
test('the model card shows the seed-style contrast when present and survives missing fields', async () => {
  const { page, log, context } = await openPage(browser, server.url);
  await waitReady(page);
  const cards = await page.evaluate(async () => {
    const { renderModelCard } = await import('./model-card.js');
    const render = (info) => {
      const element = document.createElement('div');
      renderModelCard(element, info);
      return element.innerText;
    };
    const full = {
      name: 'm',
      model: { members: 5 },
      calibration: {
        prior: [0.2, 0.15, 0.15, 0.15, 0.15, 0.08, 0.12],
        figures: { unsure_share: 0.2, accuracy_when_sure: 0.8, accuracy_when_unsure: 0.4 },
      },
      training: { data: { clips: 10, per_corpus: { RAVDESS: { angry: 4, sad: 2 }, TESS: 4 } } },
      evaluation: {
        c: { unit: 'clip', report: { n: 5, accuracy: 0.4, macro_f1: 0.35 }, per_corpus: { RAVDESS: { accuracy: 0.5 } } },
        a: { unit: 'window', report: { n: 50, accuracy: 0.9 } },
        d: { folds: {
          nEMO: { report: { accuracy: 0.5, uar: 0.45, spread: { class: 'sad', answered: 0.5, truth: 0.2 },
            per_class: [{ class: 'happy', recall: 0.1, support: 4 }, { class: 'sad', recall: 0.9, support: 4 }, { class: 'disgust', recall: 0, support: 0 }] } },
          ASED: { report: { accuracy: 0.7, uar: 0.65, per_class: [{ class: 'happy', recall: 0.3, support: 2 }] } },
          broken: { report: {} },
        } },
      },
    };
    return [full, {}, null, { evaluation: { c: { report: {} } }, training: { data: 'x' }, window: {} }].map(render);
  });
  assert.match(cards[0], /RAVDESS 6, TESS 4/);
  assert.match(cards[0], /When it says unsure\s*.*20% of answers, right 40% of the time, against 80% for the others/);
  assert.match(cards[0], /40% \(macro-F1 0\.35, 5 test clips\)/);
  assert.match(cards[0], /By corpus: RAVDESS 50%/);
  assert.match(cards[0], /On clips of voices it trained on \(for contrast\)\s*90% \(50 test windows\)/);
  assert.match(cards[0], /On a corpus it never heard\s*55% of each emotion recognised on average/);
  assert.match(cards[0], /60% of clips\)\. Trained without one corpus at a time and tested on it: nEMO \(Polish\) 45%, ASED \(Amharic\) 65%\./);
  assert.match(cards[0], /It often misses happy \(20% recognised\)\. On unfamiliar voices it leans to one answer: sad on nEMO \(50% of answers\)\./);
  assert.doesNotMatch(cards[0], /disgust \(/, 'a class a corpus lacks is not a weakness');
  assert.match(cards[0], /honest estimate/);
  assert.match(cards[0], /average of 5 networks/);
  assert.match(cards[0], /Every emotion on an equal footing\s*Its training clips held some emotions more often than others \(neutral 20%, disgust 8%\)/);
  for (const sparse of cards.slice(1)) assert.doesNotMatch(sparse, /equal footing/);
  assert.doesNotMatch(cards[3], /How it decides/);
  for (const sparse of cards.slice(1)) assert.match(sparse, /No held-out-speaker evaluation/);
  assert.deepEqual(log.errors, []);
  await context.close();
});
