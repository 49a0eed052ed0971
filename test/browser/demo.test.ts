// The demo page (demo/, `npm run demo`) in Chromium, built with its own Vite config: served
// cross-origin isolated, it runs on threads (the browser's cores); it loads the committed
// pretrained model, digits of the project's MNIST test split drawn on the canvas with the mouse
// are classified right on every ISA and thread count, and the in-page training, its batches
// split across the threads, lowers the loss and gives a model that classifies too. The same
// build served without the isolation headers runs on one thread and says why; Vite's dev server
// serves the page isolated too. The ONNX panel loads a .onnx file from its file picker (the
// example's bytes) and classifies a drawing and an image file with it, per-layer timing beside.
// Screenshots go to test/artifacts/demo.png and demo-not-isolated.png.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagedDigits, type DigitSplit } from '../../src/node/index.js';
import {
  ARTIFACTS, bundleProblems, buildAndServe, launchChromium, previewBuilt, REPO, serveDev, watchPage, type Served, type ServedBundle,
} from './harness.js';

const SIDE = 28;
/** A pixel at least this bright is drawn over. */
const INKED = 0.5;

let browser: Browser | undefined;
let bundle: ServedBundle | undefined;
let page: Page;
let pageErrors: string[];
let test: DigitSplit;
/** the browser's navigator.hardwareConcurrency */
let cores: number;
/** the threads init({ threads: 'auto' }) runs there: the cores, at most 8 */
let autoThreads: number;

beforeAll(async () => {
  browser = await launchChromium();
  bundle = await buildAndServe('demo', { root: join(REPO, 'demo'), configFile: join(REPO, 'demo/vite.config.ts') });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  pageErrors = watchPage(page);
  await page.goto(bundle.url);
  await page.waitForFunction(() => document.body.dataset.subset === 'ready' || document.body.dataset.ready === 'failed');
  ({ test } = await packagedDigits());
  cores = await page.evaluate(() => navigator.hardwareConcurrency);
  autoThreads = Math.min(cores, 8);
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

const dataset = (on = page) => on.evaluate(() => ({ ...document.body.dataset }));

/**
 * Draws a 28×28 digit on the pad as a person would, with the mouse: the demo's pen is two
 * pixels of the digit wide, so along every other row, one stroke (press, move, release) per run
 * of pixels inked in that row or the next, through the middle of the pair, scaled to the canvas.
 * Returns the label the page (`on`) predicted once the last stroke ended, and its probability.
 */
async function drawDigit(pixels: Float32Array, on: Page = page): Promise<{ predicted: number; probability: number }> {
  await on.click('#clear');
  const box = (await on.locator('#pad').boundingBox())!;
  const cell = box.width / SIDE;
  const at = (x: number, y: number) => [box.x + (x + 0.5) * cell, box.y + y * cell] as const;
  const inked = (x: number, y: number) => Math.max(pixels[y * SIDE + x], pixels[(y + 1) * SIDE + x]) >= INKED;
  const before = Number((await dataset(on)).predictions ?? 0);
  for (let y = 0; y < SIDE; y += 2) {
    for (let x = 0; x < SIDE; x++) {
      if (!inked(x, y)) continue;
      let end = x;
      while (end + 1 < SIDE && inked(end + 1, y)) end++;
      await on.mouse.move(...at(x, y + 1));
      await on.mouse.down();
      await on.mouse.move(...at(end, y + 1), { steps: 2 });
      await on.mouse.up();
      x = end;
    }
  }
  await on.waitForFunction((n) => Number(document.body.dataset.predictions) > n, before);
  const d = await dataset(on);
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

  it('is served cross-origin isolated and runs on threads: the cores (2 or more where there are 2 or more)', async () => {
    const d = await dataset();
    console.log(`demo: crossOriginIsolated ${await page.evaluate(() => crossOriginIsolated)}; ${cores} cores; ${d.threads} threads`);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(d.threadsNote).toBeUndefined();
    expect(Number(d.threads)).toBe(autoThreads);
    if (cores >= 2) expect(Number(d.threads)).toBeGreaterThanOrEqual(2);
    // the pool's workers run in the page: one fewer than the threads (the page's own thread is one)
    expect(page.workers().length).toBe(autoThreads - 1);
    expect(await page.textContent('#threads')).toBe(String(autoThreads));
    expect(await page.isEnabled('#threads-select')).toBe(true);
    expect(await page.inputValue('#threads-select')).toBe('auto');
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
      expect((await dataset()).threads).toBe(String(autoThreads));
    }
  });

  it('the threads selector switches between one thread and auto, rebuilding the classifier', async () => {
    const seven = firstOf(7);
    for (const [choice, threads] of [['1', 1], ['auto', autoThreads]] as const) {
      await page.selectOption('#threads-select', choice);
      await page.waitForFunction(
        (want) => document.body.dataset.threads === want && !(document.getElementById('threads-select') as HTMLSelectElement).disabled,
        String(threads),
      );
      const d = await dataset();
      expect(d.isa).toBe('relaxed-simd');
      expect(d.threadsNote).toBeUndefined();
      expect(await page.textContent('#threads')).toBe(String(threads));
      expect((await drawDigit(seven)).predicted).toBe(7);
    }
  });

  it('loads a .onnx file from the file picker: top 5 of a drawing and of an image file, per-layer timing', async () => {
    const onnx = readFileSync(join(REPO, 'demo/model/mnist-cnn.onnx'));
    await page.setInputFiles('#onnx-file', { name: 'mnist-cnn.onnx', mimeType: 'application/octet-stream', buffer: onnx });
    await page.waitForFunction(() => ['ready', 'failed'].includes(document.body.dataset.onnx ?? ''));
    let d = await dataset();
    expect(d.onnxError).toBeUndefined();
    expect(d).toMatchObject({ onnx: 'ready', onnxModel: 'mnist-cnn.onnx', onnxNodes: '8', onnxInput: '1,28,28' });
    expect(await page.textContent('#onnx-status')).toMatch(/^mnist-cnn\.onnx: 8 layers, input x \[N, 1, 28, 28\] \(the file leaves H and W open: 28×28 assumed\); isa relaxed-simd$/);

    const classified = async (action: () => Promise<void>) => {
      const before = Number((await dataset()).onnxClassified ?? 0);
      await action();
      await page.waitForFunction((n) => Number(document.body.dataset.onnxClassified ?? 0) > n || document.body.dataset.onnx === 'failed', before);
      return dataset();
    };
    await drawDigit(firstOf(7));
    d = await classified(() => page.click('#onnx-use-pad'));
    expect(d.onnxError).toBeUndefined();
    expect(d.onnxTop5!.split(',')).toHaveLength(5);
    expect(d.onnxTop5!.split(',')[0]).toBe('7');
    expect(await page.locator('#onnx-ops tbody tr').count()).toBe(8);
    expect(await page.locator('#onnx-ops tbody tr').first().locator('td').nth(1).textContent()).toBe('Conv2d(1→16, 5×5)');
    expect(Number(d.onnxMs)).toBeGreaterThan(0);
    expect(await page.textContent('#onnx-time')).toMatch(new RegExp(`^\\d+\\.\\d{3} ms per image \\(mean of ${d.onnxRuns} runs; isa relaxed-simd, ${autoThreads} threads?\\)$`));

    // an image file: the test split's first 3, white on black, as a 112×112 PNG made in the page
    const digit = Array.from(firstOf(3));
    const png = await page.evaluate(async (pixels) => {
      const c = new OffscreenCanvas(28, 28);
      const image = new ImageData(28, 28);
      pixels.forEach((v, i) => image.data.set([v * 255, v * 255, v * 255, 255], i * 4));
      c.getContext('2d')!.putImageData(image, 0, 0);
      const big = new OffscreenCanvas(112, 112);
      big.getContext('2d')!.drawImage(c, 0, 0, 112, 112);
      return Array.from(new Uint8Array(await (await big.convertToBlob({ type: 'image/png' })).arrayBuffer()));
    }, digit);
    const labels = Array.from({ length: 10 }, (_, k) => ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'][k]).join('\n');
    await page.setInputFiles('#onnx-labels', { name: 'labels.txt', mimeType: 'text/plain', buffer: Buffer.from(labels) });
    d = await classified(() => page.setInputFiles('#onnx-image', { name: 'three.png', mimeType: 'image/png', buffer: Buffer.from(png) }));
    expect(d.onnxTop5!.split(',')[0]).toBe('3');
    expect(await page.locator('#onnx-top5 li').first().textContent()).toMatch(/^three: \d+\.\d%$/);

    // the bundled example, and a file that is not ONNX
    await page.click('#onnx-example');
    await page.waitForFunction(() => document.body.dataset.onnxModel === 'mnist-cnn.onnx (the example)');
    await page.setInputFiles('#onnx-file', { name: 'junk.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from('not a model at all') });
    await page.waitForFunction(() => document.body.dataset.onnx === 'failed');
    expect(await page.textContent('#onnx-status')).toMatch(/^could not load junk\.onnx: nn\.fromONNX\(junk\.onnx\): /);
  });

  it('trains the same CNN for 300 steps in the page: the loss falls, held-out accuracy rises, and it classifies', async () => {
    await page.click('#train-start');
    await page.waitForFunction(() => ['done', 'failed'].includes(document.body.dataset.train ?? ''), null, { timeout: 110_000 });
    const d = await dataset();
    console.log(`demo: ${await page.textContent('#train-status')}`);
    expect(d.train).toBe('done');
    expect(d.trainSteps).toBe('300');
    expect(d.trainThreads).toBe(String(autoThreads));
    if (cores >= 2) expect(Number(d.trainThreads)).toBeGreaterThanOrEqual(2);
    expect(await page.textContent('#train-status')).toContain(` images/s on ${autoThreads} thread${autoThreads > 1 ? 's' : ''}, isa relaxed-simd)`);
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

/** Sets the training steps, trains, and returns the page's dataset once training is done. */
async function trainSteps(on: Page, steps: number): Promise<Record<string, string | undefined>> {
  await on.fill('#steps', String(steps));
  await on.click('#train-start');
  await on.waitForFunction(() => ['done', 'failed'].includes(document.body.dataset.train ?? '') && !(document.getElementById('train-start') as HTMLButtonElement).disabled);
  return dataset(on);
}

describe('the same build served without the isolation headers', () => {
  let plain: Served | undefined;
  let other: Page;
  let otherErrors: string[];
  beforeAll(async () => {
    plain = await previewBuilt(bundle!.outDir, { root: join(REPO, 'demo') }); // no config file: no headers
    other = await browser!.newPage({ viewport: { width: 1280, height: 1000 } });
    otherErrors = watchPage(other);
    await other.goto(plain.url);
    await other.waitForFunction(() => document.body.dataset.subset === 'ready' || document.body.dataset.ready === 'failed');
  });
  afterAll(async () => {
    await other?.close();
    await plain?.close();
  });

  it('runs on one thread, says why, classifies and trains', async () => {
    const d = await dataset(other);
    expect(d.ready).toBe('true');
    expect(await other.evaluate(() => crossOriginIsolated)).toBe(false);
    expect(d.threads).toBe('1');
    expect(d.threadsNote).toBe(
      `${autoThreads} threads were asked for but one runs: the page is not cross-origin isolated ` +
        '(serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)',
    );
    expect(await other.textContent('#threads-note')).toBe(`(${d.threadsNote})`);
    expect(await other.isDisabled('#threads-select')).toBe(true);
    expect(other.workers()).toEqual([]);
    expect((await drawDigit(firstOf(7), other)).predicted).toBe(7);
    const trained = await trainSteps(other, 40);
    console.log(`demo, not cross-origin isolated: ${await other.textContent('#train-status')}`);
    expect(trained).toMatchObject({ train: 'done', trainSteps: '40', trainThreads: '1' });
    expect(Number(trained.trainLastLoss)).toBeLessThan(Number(trained.trainFirstLoss));
    expect(await other.textContent('#train-status')).toContain(' images/s on 1 thread, isa relaxed-simd)');
    await other.screenshot({ path: join(ARTIFACTS, 'demo-not-isolated.png'), fullPage: true });
    expect(otherErrors).toEqual([]);
  });
});

describe("Vite's dev server (vite demo)", () => {
  let dev: Served | undefined;
  let other: Page;
  let otherErrors: string[];
  beforeAll(async () => {
    dev = await serveDev({ root: join(REPO, 'demo'), configFile: join(REPO, 'demo/vite.config.ts') });
    other = await browser!.newPage({ viewport: { width: 1280, height: 1000 } });
    otherErrors = watchPage(other);
    await other.goto(dev.url);
    await other.waitForFunction(() => document.body.dataset.subset === 'ready' || document.body.dataset.ready === 'failed');
  });
  afterAll(async () => {
    await other?.close();
    await dev?.close();
  });

  it('serves the page cross-origin isolated: it runs on threads, classifies and trains', async () => {
    const d = await dataset(other);
    expect(d.ready).toBe('true');
    expect(await other.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(d.threads).toBe(String(autoThreads));
    expect(d.threadsNote).toBeUndefined();
    expect(other.workers().length).toBe(autoThreads - 1);
    expect((await drawDigit(firstOf(7), other)).predicted).toBe(7);
    const trained = await trainSteps(other, 40);
    console.log(`demo, dev server: ${await other.textContent('#train-status')}`);
    expect(trained).toMatchObject({ train: 'done', trainSteps: '40', trainThreads: String(autoThreads) });
    expect(Number(trained.trainLastLoss)).toBeLessThan(Number(trained.trainFirstLoss));
    expect(otherErrors).toEqual([]);
  });
});
