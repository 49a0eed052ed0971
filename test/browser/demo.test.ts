// The demo page (demo/, `npm run demo`) in Chromium, built with its own Vite config: it loads the
// committed pretrained model, digits of the project's MNIST test split drawn on the canvas with
// the mouse are classified right on every ISA, and the in-page training lowers the loss and
// gives a model that classifies too. A screenshot goes to test/artifacts/demo.png.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagedDigits, type DigitSplit } from '../../src/node/index.js';
import { ARTIFACTS, bundleProblems, buildAndServe, launchChromium, REPO, watchPage, type ServedBundle } from './harness.js';

const SIDE = 28;
/** A pixel at least this bright is drawn over. */
const INKED = 0.5;

let browser: Browser | undefined;
let bundle: ServedBundle | undefined;
let page: Page;
let pageErrors: string[];
let test: DigitSplit;

beforeAll(async () => {
  browser = await launchChromium();
  bundle = await buildAndServe('demo', { root: join(REPO, 'demo'), configFile: join(REPO, 'demo/vite.config.ts') });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  pageErrors = watchPage(page);
  await page.goto(bundle.url);
  await page.waitForFunction(() => document.body.dataset.subset === 'ready' || document.body.dataset.ready === 'failed');
  ({ test } = await packagedDigits());
});

afterAll(async () => {
  await browser?.close();
  await bundle?.close();
});

/** The first digit of a class in the test split (never trained on). */
function firstOf(digit: number): Float32Array {
  const i = test.labels.indexOf(digit);
  return test.images.subarray(i * SIDE * SIDE, (i + 1) * SIDE * SIDE);
}

const dataset = () => page.evaluate(() => ({ ...document.body.dataset }));

/**
 * Draws a 28×28 digit on the pad as a person would, with the mouse: the demo's pen is two
 * pixels of the digit wide, so along every other row, one stroke (press, move, release) per run
 * of pixels inked in that row or the next, through the middle of the pair, scaled to the canvas.
 * Returns the label the page predicted once the last stroke ended, and its probability.
 */
async function drawDigit(pixels: Float32Array): Promise<{ predicted: number; probability: number }> {
  await page.click('#clear');
  const box = (await page.locator('#pad').boundingBox())!;
  const cell = box.width / SIDE;
  const at = (x: number, y: number) => [box.x + (x + 0.5) * cell, box.y + y * cell] as const;
  const inked = (x: number, y: number) => Math.max(pixels[y * SIDE + x], pixels[(y + 1) * SIDE + x]) >= INKED;
  const before = Number((await dataset()).predictions ?? 0);
  for (let y = 0; y < SIDE; y += 2) {
    for (let x = 0; x < SIDE; x++) {
      if (!inked(x, y)) continue;
      let end = x;
      while (end + 1 < SIDE && inked(end + 1, y)) end++;
      await page.mouse.move(...at(x, y + 1));
      await page.mouse.down();
      await page.mouse.move(...at(end, y + 1), { steps: 2 });
      await page.mouse.up();
      x = end;
    }
  }
  await page.waitForFunction((n) => Number(document.body.dataset.predictions) > n, before);
  const d = await dataset();
  return { predicted: Number(d.prediction), probability: Number(d.probability) };
}

describe('demo page', () => {
  it('builds without warnings or Node built-ins; loads the pretrained model on the best ISA', async () => {
    expect(bundleProblems(bundle!)).toEqual([]);
    const d = await dataset();
    expect(d.ready).toBe('true');
    expect(d.isa).toBe(await page.evaluate(() => document.getElementById('supported')!.textContent!.match(/validates ([\w-]+)/)![1]));
    if (Number(browser!.version().split('.')[0]) >= 114) expect(d.isa).toBe('relaxed-simd');
    expect(await page.textContent('#model-name')).toMatch(/^pretrained by wasmconv-train \(seed 1, 8 epochs, 98\.65% on the 2,000 test digits\)$/);
  });

  it('classifies the first test digit of every class, drawn on the canvas with the mouse', async () => {
    const drawn: Array<{ label: number; predicted: number; probability: number }> = [];
    for (let digit = 0; digit < 10; digit++) drawn.push({ label: digit, ...(await drawDigit(firstOf(digit))) });
    const d = await dataset();
    console.log(
      `demo: isa ${d.isa}; drawn test digits 0–9 predicted ${drawn.map((r) => `${r.predicted} (${(r.probability * 100).toFixed(1)}%)`).join(', ')}; ` +
        `inference ${Number(d.inferenceMs).toFixed(3)} ms per image (mean of 50 forward passes of the last one)`,
    );
    expect(drawn.filter((r) => r.predicted !== r.label)).toEqual([]);
    expect(Number(d.inferenceMs)).toBeGreaterThan(0);
    expect(await page.textContent('#inference')).toMatch(/^inference: \d+\.\d{3} ms per image \(mean of 50 forward passes, isa relaxed-simd\)$/);
  });

  it('switching the ISA rebuilds the classifier on the new backend', async () => {
    const seven = firstOf(7);
    for (const isa of ['scalar', 'simd', 'relaxed-simd']) {
      await page.selectOption('#isa-select', isa);
      await page.waitForFunction((want) => document.body.dataset.isa === want && !(document.getElementById('isa-select') as HTMLSelectElement).disabled, isa);
      expect((await drawDigit(seven)).predicted).toBe(7);
      expect(await page.textContent('#inference')).toContain(`isa ${isa})`);
    }
  });

  it('trains the same CNN for 300 steps in the page: the loss falls, held-out accuracy rises, and it classifies', async () => {
    await page.click('#train-start');
    await page.waitForFunction(() => ['done', 'failed'].includes(document.body.dataset.train ?? ''), null, { timeout: 110_000 });
    const d = await dataset();
    console.log(`demo: ${await page.textContent('#train-status')}`);
    expect(d.train).toBe('done');
    expect(d.trainSteps).toBe('300');
    expect(Number(d.trainFirstLoss)).toBeGreaterThan(1);
    expect(Number(d.trainLastLoss)).toBeLessThan(Number(d.trainFirstLoss) / 4);
    expect(Number(d.trainAccuracy)).toBeGreaterThan(0.85);
    await page.click('#use-trained');
    expect(await page.textContent('#model-name')).toBe('trained in this page (300 steps)');
    expect((await drawDigit(firstOf(7))).predicted).toBe(7);
    await page.screenshot({ path: join(ARTIFACTS, 'demo.png'), fullPage: true });
  });

  it('the page logged no errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
