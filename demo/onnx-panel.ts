// The page's "Run your own ONNX model" panel: a .onnx image classifier from a file (or the
// bundled example: the digit CNN exported by nn.toONNX) imported with nn.fromONNX, an image from
// a file or the drawing pad turned into its NCHW input, and Graph.profile's per-node timing with
// the top 5 classes. Everything it shows also goes into document.body.dataset for the tests.
import { backend, nn } from 'wasmconv';
import exampleUrl from './model/mnist-cnn.onnx?url';
import { SIDE } from './preprocess.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
/** Profile runs are added until they take about this long (at least 3, at most 50). */
const PROFILE_BUDGET_MS = 300;
const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

export interface PadSource {
  /** the drawing as the digit CNN's 28×28 input, or null when the pad is blank */
  digit(): Float32Array | null;
  /** the pad itself, for models that take another size */
  canvas: HTMLCanvasElement;
}

interface Loaded {
  bytes: Uint8Array;
  name: string;
  graph: nn.Graph;
  /** [C, H, W] of one image */
  sample: [number, number, number];
  /** how the sample shape was found, when the file leaves it open */
  assumed: string;
}

export function onnxPanel(pad: PadSource): { rebuild(): void } {
  let loaded: Loaded | null = null;
  let labels: string[] = [];
  /** the last image: re-run when the model, scaling or backend changes */
  let source: { kind: 'pad' } | { kind: 'image'; image: ImageBitmap } | null = null;
  const status = $('onnx-status');

  function fail(what: string, error: unknown): void {
    status.textContent = `${what}: ${(error as Error).message}`;
    document.body.dataset.onnx = 'failed';
    document.body.dataset.onnxError = (error as Error).message;
  }

  function load(bytes: Uint8Array, name: string): void {
    const graph = nn.fromONNX(bytes, { name }).eval();
    try {
      const { sample, assumed } = sampleShape(graph);
      loaded?.graph.dispose();
      loaded = { bytes, name, graph, sample, assumed };
    } catch (error) {
      graph.dispose();
      throw error;
    }
    const [C, H, W] = loaded.sample;
    status.textContent = `${name}: ${graph.nodes.length} layers, input ${graph.inputs[0].name} [N, ${C}, ${H}, ${W}]${loaded.assumed}; isa ${backend().isa}`;
    Object.assign(document.body.dataset, { onnx: 'ready', onnxModel: name, onnxNodes: String(graph.nodes.length), onnxInput: `${C},${H},${W}` });
    delete document.body.dataset.onnxError;
    $<HTMLInputElement>('onnx-image').disabled = false;
    $<HTMLButtonElement>('onnx-use-pad').disabled = false;
    if (source) classify();
  }

  async function loadFile(file: File): Promise<void> {
    try {
      load(new Uint8Array(await file.arrayBuffer()), file.name);
    } catch (error) {
      fail(`could not load ${file.name}`, error);
    }
  }

  /** The model's input for the current source, [1, C, H, W]. */
  function input(model: Loaded): Float32Array {
    const [C, H, W] = model.sample;
    if (source?.kind === 'pad' && C === 1 && H === SIDE && W === SIDE) {
      const digit = pad.digit();
      if (!digit) throw new Error('the drawing pad is blank: draw something first');
      return digit;
    }
    const image = source?.kind === 'image' ? source.image : pad.canvas;
    return pixels(image, C, H, W, $<HTMLSelectElement>('onnx-normalize').value === 'imagenet');
  }

  function classify(): void {
    if (!loaded || !source) return;
    const model = loaded;
    try {
      const [C, H, W] = model.sample;
      const x = { data: input(model), shape: [1, C, H, W] };
      showInput(x.data, C, H, W);
      const name = model.graph.inputs[0].name;
      // time one pass, then profile enough runs to fill the budget
      const first = model.graph.profile({ [name]: x }, { runs: 1 });
      const runs = Math.max(3, Math.min(50, Math.round(PROFILE_BUDGET_MS / Math.max(first.totalMs, 0.01))));
      const profile = model.graph.profile({ [name]: x }, { runs });
      showTop5(Object.values(profile.outputs)[0].data);
      showProfile(profile);
    } catch (error) {
      fail('could not run the model', error);
    }
  }

  function showTop5(output: Float32Array): void {
    const p = probabilities(output);
    const order = Array.from(p.keys()).sort((a, b) => p[b] - p[a]).slice(0, 5);
    const list = $<HTMLOListElement>('onnx-top5');
    list.replaceChildren(...order.map((k) => {
      const li = document.createElement('li');
      li.textContent = `${labels[k] ?? `class ${k}`}: ${(p[k] * 100).toFixed(1)}%`;
      return li;
    }));
    document.body.dataset.onnxTop5 = order.join(',');
  }

  function showProfile(profile: nn.GraphProfile): void {
    const rows = profile.nodes.map((n) => {
      const tr = document.createElement('tr');
      for (const text of [n.name, n.layer, n.ms.toFixed(3), `${((100 * n.ms) / profile.totalMs).toFixed(1)}%`]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    });
    $('onnx-ops').querySelector('tbody')!.replaceChildren(...rows);
    const { isa, threads } = backend();
    $('onnx-time').textContent = `${profile.totalMs.toFixed(3)} ms per image (mean of ${profile.runs} runs; isa ${isa}, ${threads} thread${threads === 1 ? '' : 's'})`;
    Object.assign(document.body.dataset, { onnxMs: profile.totalMs.toFixed(4), onnxRuns: String(profile.runs), onnxClassified: String(Number(document.body.dataset.onnxClassified ?? 0) + 1) });
  }

  function showInput(x: Float32Array, C: number, H: number, W: number): void {
    const canvas = $<HTMLCanvasElement>('onnx-seen');
    const small = new OffscreenCanvas(W, H);
    const image = new ImageData(W, H);
    let lo = Infinity, hi = -Infinity;
    for (const v of x) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    const byte = (v: number) => Math.round((255 * (v - lo)) / (hi - lo || 1));
    for (let i = 0; i < H * W; i++) {
      const rgb = C >= 3 ? [x[i], x[H * W + i], x[2 * H * W + i]] : [x[i], x[i], x[i]];
      image.data.set([...rgb.map(byte), 255], i * 4);
    }
    small.getContext('2d')!.putImageData(image, 0, 0);
    const ctx = canvas.getContext('2d')!;
    ctx.imageSmoothingEnabled = false;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
  }

  $<HTMLInputElement>('onnx-file').addEventListener('change', (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file) void loadFile(file);
  });
  $<HTMLButtonElement>('onnx-example').addEventListener('click', async () => {
    try {
      const response = await fetch(exampleUrl);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      load(new Uint8Array(await response.arrayBuffer()), 'mnist-cnn.onnx (the example)');
    } catch (error) {
      fail('could not load the example model', error);
    }
  });
  $<HTMLButtonElement>('onnx-example').disabled = false;
  $<HTMLInputElement>('onnx-labels').addEventListener('change', async (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    labels = file ? (await file.text()).split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0) : [];
    classify();
  });
  $<HTMLInputElement>('onnx-image').addEventListener('change', async (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      source = { kind: 'image', image: await createImageBitmap(file) };
      classify();
    } catch (error) {
      fail(`could not read the image ${file.name}`, error);
    }
  });
  $<HTMLButtonElement>('onnx-use-pad').addEventListener('click', () => {
    source = { kind: 'pad' };
    classify();
  });
  $<HTMLSelectElement>('onnx-normalize').addEventListener('change', () => classify());

  return {
    /** A model lives on the backend it was built on: rebuild it after init() switched. */
    rebuild(): void {
      if (!loaded) return;
      try {
        load(loaded.bytes, loaded.name);
      } catch (error) {
        fail(`could not rebuild ${loaded.name}`, error);
      }
    },
  };
}

/** [C, H, W] from the graph's input, or (when the file leaves it open) from its first conv. */
function sampleShape(graph: nn.Graph): { sample: [number, number, number]; assumed: string } {
  if (graph.inputs.length !== 1) throw new Error(`an image classifier has one input; this model has ${graph.inputs.length}`);
  const shape = graph.inputs[0].shape;
  if (shape) {
    if (shape.length !== 3) throw new Error(`an image classifier takes [N, C, H, W]; this model's input is [N, ${shape.join(', ')}]`);
    return { sample: [shape[0], shape[1], shape[2]], assumed: '' };
  }
  const first = graph.nodes.find((n) => n.inputs.includes(graph.inputs[0].name))?.layer;
  if (!(first instanceof nn.Conv2d)) throw new Error('the model leaves its input shape open and does not start with a Conv: cannot tell its image size');
  const side = first.inChannels === 1 ? SIDE : 224;
  return { sample: [first.inChannels, side, side], assumed: ` (the file leaves H and W open: ${side}×${side} assumed)` };
}

/** An image (or canvas) cropped to the model's aspect ratio, scaled to W×H, as C planes in [0, 1] (or ImageNet-scaled). */
function pixels(image: CanvasImageSource & { width: number; height: number }, C: number, H: number, W: number, imagenet: boolean): Float32Array {
  if (C !== 1 && C !== 3) throw new Error(`images have 1 or 3 channels; this model takes ${C}`);
  const canvas = new OffscreenCanvas(W, H);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const scale = Math.max(W / image.width, H / image.height);
  const cropW = W / scale, cropH = H / scale;
  ctx.drawImage(image, (image.width - cropW) / 2, (image.height - cropH) / 2, cropW, cropH, 0, 0, W, H);
  const rgba = ctx.getImageData(0, 0, W, H).data;
  const plane = H * W;
  const x = new Float32Array(C * plane);
  for (let i = 0; i < plane; i++) {
    const rgb = [rgba[i * 4] / 255, rgba[i * 4 + 1] / 255, rgba[i * 4 + 2] / 255];
    if (C === 1) {
      const gray = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
      x[i] = imagenet ? (gray - 0.449) / 0.226 : gray;
    } else {
      for (let c = 0; c < 3; c++) x[c * plane + i] = imagenet ? (rgb[c] - IMAGENET.mean[c]) / IMAGENET.std[c] : rgb[c];
    }
  }
  return x;
}

/** The output as probabilities: itself when it already is a distribution, else its softmax. */
function probabilities(output: Float32Array): number[] {
  const values = Array.from(output);
  const sum = values.reduce((a, b) => a + b, 0);
  if (values.every((v) => v >= 0) && Math.abs(sum - 1) < 1e-3) return values;
  const max = Math.max(...values);
  const e = values.map((v) => Math.exp(v - max));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}
