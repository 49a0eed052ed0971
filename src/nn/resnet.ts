// ResNet-20 for small images (He et al. 2016, section 4.2; the CIFAR-10 network): a 3×3 conv of
// 16 channels with BatchNorm and ReLU, three stages of three basic blocks with 16, 32 and 64
// channels, global average pooling and a linear classifier. The first block of stages 2 and 3
// halves the resolution (stride 2) and its shortcut is a 1×1 conv with BatchNorm (projection,
// option B); every other shortcut is the identity. Convs have no bias (BatchNorm follows).
// Node names follow torchvision's (layer1.0.conv1, layer2.0.shortcut.conv, …).
import { ReLU } from './activation.js';
import { Conv2d } from './conv.js';
import { Flatten } from './flatten.js';
import { GraphBuilder, type GraphTensor } from './graph/builder.js';
import type { Graph } from './graph/graph.js';
import { BatchNorm2d } from './layers/batchnorm.js';
import { GlobalAvgPool2d } from './layers/global-avgpool.js';
import { Linear } from './linear.js';
import { positiveInteger } from './layer.js';
import type { ConvAlgorithm } from '../ops/algorithm.js';

export interface ResNetOptions {
  /** seed of the initial weights (default 0) */
  seed?: number;
  /** image channels (default 1: 1×28×28 digits or clothes; 3 for 3×32×32 colour images) */
  inChannels?: number;
  /** default 10 */
  classes?: number;
  /**
   * how the convs compute (conv2d's `algorithm`): 'auto' (default), 'gemm', or 'winograd' for
   * every 3×3 stride-1 conv (the stride-2 and 1×1 ones, which it cannot serve, stay on 'auto')
   */
  algorithm?: ConvAlgorithm;
}

/** The algorithm for a conv: a forced 'winograd' only where it can serve (3×3, stride 1), else 'auto'. */
const servable = (algorithm: ConvAlgorithm, winogradServes: boolean): ConvAlgorithm => (algorithm === 'winograd' && !winogradServes ? 'auto' : algorithm);

/** One basic block: conv3×3 → BN → ReLU → conv3×3 → BN, plus the shortcut, then ReLU. */
function basicBlock(g: GraphBuilder, x: GraphTensor, name: string, inC: number, outC: number, stride: number, algorithm: ConvAlgorithm): GraphTensor {
  let h = g.apply(new Conv2d(inC, outC, 3, { stride, padding: 1, bias: false, algorithm: servable(algorithm, stride === 1) }), x, `${name}.conv1`);
  h = g.apply(new BatchNorm2d(outC), h, `${name}.bn1`);
  h = g.apply(new ReLU(), h, `${name}.relu1`);
  h = g.apply(new Conv2d(outC, outC, 3, { padding: 1, bias: false, algorithm }), h, `${name}.conv2`);
  h = g.apply(new BatchNorm2d(outC), h, `${name}.bn2`);
  let shortcut = x;
  if (stride !== 1 || inC !== outC) {
    shortcut = g.apply(new Conv2d(inC, outC, 1, { stride, bias: false, algorithm: servable(algorithm, false) }), x, `${name}.shortcut.conv`);
    shortcut = g.apply(new BatchNorm2d(outC), shortcut, `${name}.shortcut.bn`);
  }
  return g.apply(new ReLU(), g.add(h, shortcut, `${name}.add`), `${name}.relu2`);
}

/** ResNet-20 as a Graph with input 'x' [N, inChannels, H, W] and output 'logits' [N, classes]. */
export function resnet20(opts: ResNetOptions = {}): Graph {
  const inChannels = positiveInteger('nn.resnet20', 'inChannels', opts?.inChannels ?? 1);
  const classes = positiveInteger('nn.resnet20', 'classes', opts?.classes ?? 10);
  const algorithm = opts?.algorithm ?? 'auto';
  const g = new GraphBuilder();
  let h = g.input('x');
  h = g.apply(new Conv2d(inChannels, 16, 3, { padding: 1, bias: false, algorithm }), h, 'conv1');
  h = g.apply(new BatchNorm2d(16), h, 'bn1');
  h = g.apply(new ReLU(), h, 'relu1');
  let channels = 16;
  [16, 32, 64].forEach((width, stage) => {
    for (let block = 0; block < 3; block++) {
      const stride = stage > 0 && block === 0 ? 2 : 1;
      h = basicBlock(g, h, `layer${stage + 1}.${block}`, channels, width, stride, algorithm);
      channels = width;
    }
  });
  h = g.apply(new GlobalAvgPool2d(), h, 'pool');
  h = g.apply(new Flatten(), h, 'flatten');
  h = g.apply(new Linear(64, classes), h, 'fc');
  return g.build({ outputs: { logits: h }, seed: opts?.seed ?? 0 });
}
