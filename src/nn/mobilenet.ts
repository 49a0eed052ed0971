// A small MobileNetV2 (Sandler et al. 2018) for 1×28×28 or 3×32×32 images: a 3×3 stem conv with
// BatchNorm and ReLU6, inverted residual blocks (1×1 expansion + BN + ReLU6, 3×3 depthwise +
// BN + ReLU6, 1×1 linear projection + BN, with the identity added when the stride is 1 and the
// channels stay), a 1×1 head conv + BN + ReLU6, global average pooling and a linear classifier.
// The stages are the paper's with fewer blocks and no 160/320-channel stages (the images are 28
// or 32 pixels: three stride-2 stages take them to 4×4). Convs have no bias (BN follows).
import { Conv2d } from './conv.js';
import { Flatten } from './flatten.js';
import { GraphBuilder, type GraphTensor } from './graph/builder.js';
import type { Graph } from './graph/graph.js';
import { ReLU6 } from './layers/activations.js';
import { BatchNorm2d } from './layers/batchnorm.js';
import { GlobalAvgPool2d } from './layers/global-avgpool.js';
import { Linear } from './linear.js';
import { positiveInteger } from './layer.js';

export interface MobileNetV2Options {
  /** seed of the initial weights (default 0) */
  seed?: number;
  /** image channels (default 1: 1×28×28; 3 for 3×32×32 colour images) */
  inChannels?: number;
  /** default 10 */
  classes?: number;
  /** width multiplier: every layer's channels × width, rounded to a multiple of 8 (default 1) */
  width?: number;
}

/** The stages: expansion factor t, output channels c, blocks n, stride of the first block s. */
const MOBILENET_V2_SMALL_STAGES: ReadonlyArray<{ t: number; c: number; n: number; s: number }> = [
  { t: 1, c: 16, n: 1, s: 1 },
  { t: 6, c: 24, n: 2, s: 2 },
  { t: 6, c: 32, n: 2, s: 2 },
  { t: 6, c: 64, n: 2, s: 2 },
  { t: 6, c: 96, n: 1, s: 1 },
];
const STEM = 32;
const HEAD = 256;

/** torchvision's _make_divisible: the nearest multiple of 8, at least 8, never below 90 % of v. */
function makeDivisible(v: number, divisor = 8): number {
  const rounded = Math.max(divisor, Math.floor(v + divisor / 2) - (Math.floor(v + divisor / 2) % divisor));
  return rounded < 0.9 * v ? rounded + divisor : rounded;
}

/** conv (no bias) → BatchNorm2d → ReLU6 (unless `activation` is false), nodes `${name}.conv|bn|relu`. */
function convBn(g: GraphBuilder, x: GraphTensor, name: string, inC: number, outC: number, kernel: number,
  opts: { stride?: number; groups?: number; activation?: boolean } = {}): GraphTensor {
  const conv = new Conv2d(inC, outC, kernel, { stride: opts.stride ?? 1, padding: (kernel - 1) / 2, groups: opts.groups ?? 1, bias: false });
  const h = g.apply(new BatchNorm2d(outC), g.apply(conv, x, `${name}.conv`), `${name}.bn`);
  return opts.activation === false ? h : g.apply(new ReLU6(), h, `${name}.relu`);
}

/** One inverted residual block: expand (unless t = 1), depthwise, project, and the identity when it fits. */
function invertedResidual(g: GraphBuilder, x: GraphTensor, name: string, inC: number, outC: number, stride: number, t: number): GraphTensor {
  const hidden = inC * t;
  let h = t === 1 ? x : convBn(g, x, `${name}.expand`, inC, hidden, 1);
  h = convBn(g, h, `${name}.dw`, hidden, hidden, 3, { stride, groups: hidden });
  h = convBn(g, h, `${name}.project`, hidden, outC, 1, { activation: false });
  return stride === 1 && inC === outC ? g.add(h, x, `${name}.add`) : h;
}

/** The small MobileNetV2 as a Graph with input 'x' [N, inChannels, H, W] and output 'logits' [N, classes]. */
export function mobilenetV2Small(opts: MobileNetV2Options = {}): Graph {
  const op = 'nn.mobilenetV2Small';
  const inChannels = positiveInteger(op, 'inChannels', opts?.inChannels ?? 1);
  const classes = positiveInteger(op, 'classes', opts?.classes ?? 10);
  const width = opts?.width ?? 1;
  if (typeof width !== 'number' || !Number.isFinite(width) || width <= 0) throw new Error(`${op}: width must be a positive number, got ${String(width)}`);
  const g = new GraphBuilder();
  let channels = makeDivisible(STEM * width);
  let h = convBn(g, g.input('x'), 'stem', inChannels, channels, 3);
  let index = 0;
  for (const { t, c, n, s } of MOBILENET_V2_SMALL_STAGES) {
    const outC = makeDivisible(c * width);
    for (let i = 0; i < n; i++) {
      h = invertedResidual(g, h, `block${++index}`, channels, outC, i === 0 ? s : 1, t);
      channels = outC;
    }
  }
  const head = makeDivisible(HEAD * Math.max(1, width));
  h = convBn(g, h, 'head', channels, head, 1);
  h = g.apply(new Flatten(), g.apply(new GlobalAvgPool2d(), h, 'pool'), 'flatten');
  h = g.apply(new Linear(head, classes), h, 'fc');
  return g.build({ outputs: { logits: h }, seed: opts?.seed ?? 0 });
}
