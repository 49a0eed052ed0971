/// <reference types="vite/client" />
// The demo page: draw a digit and see the pretrained CNN's ten probabilities; train the same CNN
// from scratch in the page and watch the loss fall; load an ONNX image classifier and see its top
// 5 and per-layer timing (onnx-panel.ts). Everything runs on wasmconv's kernels.
import { backend, init, nn, type Isa } from 'wasmconv';
import { url as subsetUrl } from 'virtual:mnist-subset';
import modelUrl from './model/mnist-cnn.wasmconv?url';
import { onnxPanel } from './onnx-panel.js';
import { preprocess, SIDE } from './preprocess.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const PER = SIDE * SIDE;
/** Inference is timed as the mean of this many forward passes of the drawn digit. */
const TIMED_RUNS = 50;

// ---- the classifier ------------------------------------------------------------------------

interface Classifier {
  model: nn.Sequential;
  /** its weights file, to rebuild it on another ISA */
  weights: Uint8Array;
  name: string;
}
let classifier: Classifier | null = null;

function useClassifier(weights: Uint8Array, name: string): void {
  classifier?.model.dispose();
  classifier = { model: nn.Sequential.fromWeights(weights, name), weights, name };
  $('model-name').textContent = name;
  predict(true);
}

function softmax(logits: Float32Array): number[] {
  const max = Math.max(...logits);
  const e = Array.from(logits, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

// ---- the drawing pad -----------------------------------------------------------------------

const pad = $<HTMLCanvasElement>('pad');
const ink = pad.getContext('2d', { willReadFrequently: true })!;
const PEN = 20;
let drawing = false;
let last = { x: 0, y: 0 };
let livePending = false;
let predictions = 0;

function clearPad(): void {
  ink.fillStyle = '#000';
  ink.fillRect(0, 0, pad.width, pad.height);
  predict(false);
}

function position(event: PointerEvent): { x: number; y: number } {
  const r = pad.getBoundingClientRect();
  return { x: ((event.clientX - r.left) * pad.width) / r.width, y: ((event.clientY - r.top) * pad.height) / r.height };
}

function stroke(from: { x: number; y: number }, to: { x: number; y: number }): void {
  ink.strokeStyle = '#fff';
  ink.fillStyle = '#fff';
  ink.lineWidth = PEN;
  ink.lineCap = 'round';
  ink.lineJoin = 'round';
  ink.beginPath();
  ink.moveTo(from.x, from.y);
  ink.lineTo(to.x, to.y);
  ink.stroke();
  ink.beginPath();
  ink.arc(to.x, to.y, PEN / 2, 0, 2 * Math.PI);
  ink.fill();
}

pad.addEventListener('pointerdown', (event) => {
  pad.setPointerCapture(event.pointerId);
  drawing = true;
  last = position(event);
  stroke(last, last);
});
pad.addEventListener('pointermove', (event) => {
  if (!drawing) return;
  const p = position(event);
  stroke(last, p);
  last = p;
  if (!livePending) {
    livePending = true;
    requestAnimationFrame(() => {
      livePending = false;
      if (drawing) predict(false);
    });
  }
});
const endStroke = () => {
  if (!drawing) return;
  drawing = false;
  predict(true);
};
pad.addEventListener('pointerup', endStroke);
pad.addEventListener('pointercancel', endStroke);
$('clear').addEventListener('click', clearPad);

// ---- prediction and its display --------------------------------------------------------------

const bars = $<HTMLOListElement>('bars');
for (let digit = 0; digit < 10; digit++) {
  const li = document.createElement('li');
  li.innerHTML = `<span>${digit}</span><span class="bar"><span class="fill"></span></span><span class="p">–</span>`;
  bars.append(li);
}
const seen = $<HTMLCanvasElement>('seen').getContext('2d')!;

function showInput(x: Float32Array | null): void {
  const image = seen.createImageData(SIDE, SIDE);
  for (let i = 0; i < PER; i++) {
    const v = x ? Math.round(x[i] * 255) : 0;
    image.data.set([v, v, v, 255], i * 4);
  }
  seen.putImageData(image, 0, 0);
}

/** The drawing as the CNN's 28×28 input (null when blank). */
function padDigit(): Float32Array | null {
  const pixels = ink.getImageData(0, 0, pad.width, pad.height).data;
  const intensity = new Float32Array(pad.width * pad.height);
  for (let i = 0; i < intensity.length; i++) intensity[i] = pixels[i * 4] / 255;
  return preprocess(intensity, pad.width, pad.height);
}

/** Classifies the pad; `timed` also measures the mean time of one forward pass. */
function predict(timed: boolean): void {
  if (!classifier) return;
  const x = padDigit();
  showInput(x);
  const rows = Array.from(bars.children) as HTMLLIElement[];
  if (!x) {
    $('prediction').textContent = '–';
    rows.forEach((li) => {
      li.classList.remove('top');
      (li.querySelector('.fill') as HTMLElement).style.width = '0';
      li.querySelector('.p')!.textContent = '–';
    });
    return;
  }
  const input = { data: x, shape: [1, 1, SIDE, SIDE] };
  const logits = classifier.model.forward(input).data;
  if (timed) {
    const t0 = performance.now();
    for (let i = 0; i < TIMED_RUNS; i++) classifier.model.forward(input);
    const ms = (performance.now() - t0) / TIMED_RUNS;
    $('inference').textContent = `inference: ${ms.toFixed(3)} ms per image (mean of ${TIMED_RUNS} forward passes, isa ${backend().isa})`;
    document.body.dataset.inferenceMs = ms.toFixed(4);
  }
  const p = softmax(logits);
  const best = p.indexOf(Math.max(...p));
  $('prediction').textContent = String(best);
  rows.forEach((li, digit) => {
    li.classList.toggle('top', digit === best);
    (li.querySelector('.fill') as HTMLElement).style.width = `${(p[digit] * 100).toFixed(1)}%`;
    li.querySelector('.p')!.textContent = `${(p[digit] * 100).toFixed(p[digit] >= 0.995 ? 0 : 1)}%`;
  });
  document.body.dataset.prediction = String(best);
  document.body.dataset.probability = p[best].toFixed(4);
  document.body.dataset.predictions = String(++predictions);
}

// ---- ISA and threads -----------------------------------------------------------------------

let onnx: ReturnType<typeof onnxPanel> | null = null;
const isaSelect = $<HTMLSelectElement>('isa-select');
const threadsSelect = $<HTMLSelectElement>('threads-select');
/** Set when the first init() could not start threads (the page is not cross-origin isolated, say). */
let threadsUnavailable = false;

const threadCount = (n: number) => (n === 1 ? '1 thread' : `${n} threads`);

function showBackend(): void {
  const info = backend();
  $('isa').textContent = info.isa;
  $('supported').textContent = `(this browser validates ${info.supported.join(', ')})`;
  document.body.dataset.isa = info.isa;
  isaSelect.value = info.isa;
  $('threads').textContent = String(info.threads);
  $('threads-note').textContent = info.threadsNote
    ? `(${info.threadsNote})`
    : info.threads > 1 ? '(training splits each batch across them; one drawn digit runs on one thread)' : '';
  document.body.dataset.threads = String(info.threads);
  if (info.threadsNote) document.body.dataset.threadsNote = info.threadsNote;
  else delete document.body.dataset.threadsNote;
}

/** Loads the backend the two selectors ask for and rebuilds the classifier on it. */
async function switchBackend(): Promise<void> {
  isaSelect.disabled = threadsSelect.disabled = true;
  try {
    await init({ isa: isaSelect.value as Isa, threads: threadsSelect.value === '1' ? 1 : 'auto' });
    showBackend();
    // a model lives on the backend it was built on: rebuild the classifier on the new one
    if (classifier) useClassifier(classifier.weights, classifier.name);
    onnx?.rebuild();
    if (trained) trained = null;
    $<HTMLButtonElement>('use-trained').disabled = true;
  } finally {
    isaSelect.disabled = training;
    threadsSelect.disabled = training || threadsUnavailable;
  }
}

isaSelect.addEventListener('change', () => void switchBackend());
threadsSelect.addEventListener('change', () => void switchBackend());

// ---- training in the page ----------------------------------------------------------------------

interface Subset {
  train: { x: Float32Array; labels: Int32Array; count: number };
  test: { x: Float32Array; labels: Int32Array; count: number };
}

/** The digits the demo build exported from the mnist package (see vite.config.ts for the layout). */
async function loadSubset(): Promise<Subset> {
  const response = await fetch(subsetUrl);
  if (!response.ok) throw new Error(`could not load the digits (${subsetUrl}): HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const view = new DataView(bytes.buffer);
  const trainCount = view.getUint32(0, true), testCount = view.getUint32(4, true);
  const count = trainCount + testCount;
  const split = (first: number, n: number) => ({
    x: Float32Array.from(bytes.subarray(8 + first * PER, 8 + (first + n) * PER), (v) => v / 255),
    labels: Int32Array.from(bytes.subarray(8 + count * PER + first, 8 + count * PER + first + n)),
    count: n,
  });
  return { train: split(0, trainCount), test: split(trainCount, testCount) };
}

let subset: Subset | null = null;
let training = false;
let stopRequested = false;
let trained: nn.Sequential | null = null;

const plot = $<HTMLCanvasElement>('loss-plot');
const plotCtx = plot.getContext('2d')!;

/** Loss per step (thin) and its running mean over 20 steps (thick). */
function drawLoss(losses: number[], steps: number): void {
  const w = plot.width, h = plot.height, left = 44, bottom = 26, top = 22, right = 10;
  const yMax = Math.max(2.5, Math.ceil(Math.max(...losses.slice(0, 20)) * 2) / 2);
  const sx = (i: number) => left + ((w - left - right) * i) / Math.max(1, steps - 1);
  const sy = (v: number) => top + (h - top - bottom) * (1 - Math.min(v, yMax) / yMax);
  plotCtx.clearRect(0, 0, w, h);
  plotCtx.font = '11px system-ui, sans-serif';
  plotCtx.fillStyle = '#5b6678';
  plotCtx.strokeStyle = '#e3e7ee';
  plotCtx.lineWidth = 1;
  for (let v = 0; v <= yMax + 1e-9; v += 0.5) {
    plotCtx.beginPath();
    plotCtx.moveTo(left, sy(v));
    plotCtx.lineTo(w - right, sy(v));
    plotCtx.stroke();
    plotCtx.fillText(v.toFixed(1), 14, sy(v) + 4);
  }
  plotCtx.fillText('step', w - right - 26, h - 6);
  plotCtx.fillText('0', left, h - 8);
  plotCtx.fillText(String(steps), w - right - 60, h - 8);
  plotCtx.fillText('loss (thin: each step; thick: mean of the last 20)', left, 12);
  const line = (values: number[], color: string, width: number) => {
    plotCtx.strokeStyle = color;
    plotCtx.lineWidth = width;
    plotCtx.beginPath();
    values.forEach((v, i) => (i === 0 ? plotCtx.moveTo(sx(i), sy(v)) : plotCtx.lineTo(sx(i), sy(v))));
    plotCtx.stroke();
  };
  line(losses, '#a9bde0', 1);
  line(losses.map((_, i) => mean(losses.slice(Math.max(0, i - 19), i + 1))), '#2f5fad', 2.5);
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** Lets the page repaint between steps (scheduler.yield where there is one; no 4 ms timer clamp). */
function yieldToPage(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (scheduler?.yield) return scheduler.yield();
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

async function train(): Promise<void> {
  if (!subset || training) return;
  const steps = Math.max(1, Math.min(5000, Math.floor(Number($<HTMLInputElement>('steps').value)) || 300));
  const batch = Math.max(1, Math.min(512, Math.floor(Number($<HTMLInputElement>('batch').value)) || 64));
  training = true;
  stopRequested = false;
  isaSelect.disabled = threadsSelect.disabled = true;
  $<HTMLButtonElement>('train-start').disabled = true;
  $<HTMLButtonElement>('train-stop').disabled = false;
  $<HTMLButtonElement>('use-trained').disabled = true;
  document.body.dataset.train = 'running';
  trained?.dispose();
  const status = $('train-status');
  const { train: data, test } = subset;
  const seed = 1;
  const model = nn.lenet({ seed });
  const { isa, threads } = backend();
  const lr = 0.05;
  const optimizer = new nn.SGD(model.parameters(), { lr, momentum: 0.9, weightDecay: 5e-4 });
  const random = new nn.Random(seed);
  const xb = new Float32Array(batch * PER);
  const yb = new Int32Array(batch);
  let order = random.permutation(data.count);
  let next = 0;
  const losses: number[] = [];
  const t0 = performance.now();
  let step = 0;
  try {
    for (; step < steps && !stopRequested; step++) {
      for (let i = 0; i < batch; i++) {
        if (next === data.count) {
          order = random.permutation(data.count);
          next = 0;
        }
        const j = order[next++];
        xb.set(data.x.subarray(j * PER, (j + 1) * PER), i * PER);
        yb[i] = data.labels[j];
      }
      optimizer.lr = lr * 0.5 * (1 + Math.cos((Math.PI * step) / steps));
      const r = model.trainStep({ data: xb, shape: [batch, 1, SIDE, SIDE] }, yb, optimizer);
      losses.push(r.loss);
      drawLoss(losses, steps);
      const seconds = (performance.now() - t0) / 1000;
      status.textContent = `step ${step + 1}/${steps} · loss ${r.loss.toFixed(3)} (mean of last 20: ${mean(losses.slice(-20)).toFixed(3)}) · ${Math.round(((step + 1) * batch) / seconds)} images/s on ${threadCount(threads)}`;
      await yieldToPage();
    }
    const seconds = (performance.now() - t0) / 1000;
    const { accuracy } = model.evaluate({ data: test.x, shape: [test.count, 1, SIDE, SIDE] }, test.labels);
    status.textContent =
      `${step} steps of ${batch} in ${seconds.toFixed(1)} s (${Math.round((step * batch) / seconds)} images/s on ${threadCount(threads)}, isa ${isa}); ` +
      `loss ${mean(losses.slice(0, 20)).toFixed(3)} → ${mean(losses.slice(-20)).toFixed(3)} (means of the first and last 20 steps); ` +
      `accuracy on ${test.count} held-out digits: ${(accuracy * 100).toFixed(1)}%`;
    Object.assign(document.body.dataset, {
      train: 'done',
      trainSteps: String(step),
      trainThreads: String(threads),
      trainImagesPerSecond: String(Math.round((step * batch) / seconds)),
      trainFirstLoss: mean(losses.slice(0, 20)).toFixed(4),
      trainLastLoss: mean(losses.slice(-20)).toFixed(4),
      trainAccuracy: accuracy.toFixed(4),
    });
    trained = model;
    $<HTMLButtonElement>('use-trained').disabled = false;
  } catch (error) {
    status.textContent = `training failed: ${(error as Error).message}`;
    document.body.dataset.train = 'failed';
    model.dispose();
  } finally {
    optimizer.dispose();
    training = false;
    isaSelect.disabled = false;
    threadsSelect.disabled = threadsUnavailable;
    $<HTMLButtonElement>('train-start').disabled = false;
    $<HTMLButtonElement>('train-stop').disabled = true;
  }
}

$('train-start').addEventListener('click', () => void train());
$('train-stop').addEventListener('click', () => {
  stopRequested = true;
});
$('use-trained').addEventListener('click', () => {
  if (trained) useClassifier(trained.saveWeights(), `trained in this page (${document.body.dataset.trainSteps} steps)`);
});

// ---- start -------------------------------------------------------------------------------------

async function start(): Promise<void> {
  await init(); // the best ISA; threads: 'auto', the browser's cores (one where threads cannot run)
  for (const isa of backend().supported) isaSelect.add(new Option(isa, isa));
  // the note says why threads cannot run here; choosing 'auto' again would not change that
  threadsUnavailable = backend().threadsNote !== undefined;
  if (threadsUnavailable) threadsSelect.title = backend().threadsNote!;
  showBackend();
  isaSelect.disabled = false;
  threadsSelect.disabled = threadsUnavailable;
  clearPad();
  onnx = onnxPanel({ digit: padDigit, canvas: pad });
  const response = await fetch(modelUrl);
  if (!response.ok) throw new Error(`could not load the model (${modelUrl}): HTTP ${response.status}`);
  const weights = new Uint8Array(await response.arrayBuffer());
  const meta = nn.decodeWeights(weights, 'mnist-cnn.wasmconv').meta as { testAccuracy?: number; seed?: number; epochs?: number };
  const accuracy = meta.testAccuracy === undefined ? '' : `, ${(meta.testAccuracy * 100).toFixed(2)}% on the 2,000 test digits`;
  useClassifier(weights, `pretrained by wasmconv-train (seed ${meta.seed}, ${meta.epochs} epochs${accuracy})`);
  document.body.dataset.ready = 'true';
  subset = await loadSubset();
  $('subset-size').textContent = `${subset.train.count.toLocaleString('en')} of the mnist package's training`;
  $<HTMLButtonElement>('train-start').disabled = false;
  document.body.dataset.subset = 'ready';
}

start().catch((error: Error) => {
  $('model-name').textContent = `failed: ${error.message}`;
  document.body.dataset.ready = 'failed';
  console.error(error);
});
