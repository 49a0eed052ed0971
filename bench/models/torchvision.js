// torchvision architectures as ONNX models built in code with onnx-proto, in the form
// `torch.onnx.export(model.eval(), …)` writes them (opset 13, batch symbolic 'N', 3×224×224, or
// the `size` asked for: the tests run the same graphs on smaller images):
// BatchNormalization folded into each Conv's weights and bias by the exporter's constant folding
// (so every Conv has a bias), ReLU as Relu, ReLU6 as Clip with constant min 0 / max 6 inputs,
// AdaptiveAvgPool2d(1) as GlobalAveragePool, torch.flatten(x, 1) as Flatten, Linear as Gemm
// (transB 1), Dropout gone (eval). Weights are seeded random (He init, fan-out, as torchvision
// initialises convs); values do not change the timings.
//
//   resnet(blocks)  — ResNet-18 [2,2,2,2] / ResNet-34 [3,4,6,3]: BasicBlocks, MaxPool 3×3/2 pad 1
//   squeezenet11()  — SqueezeNet 1.1: Fire modules (squeeze 1×1, expand 1×1 ‖ 3×3 → Concat),
//                     MaxPool 3×3/2 with ceil_mode, a 1×1 conv classifier
//   mobilenetV2()   — MobileNetV2: inverted residuals (1×1 expand, 3×3 depthwise, 1×1 project),
//                     ReLU6, residual Add where stride 1 and channels match
import onnxProto from 'onnx-proto';
import { seededRandom } from './resnet18.js';

const { onnx } = onnxProto;
const INTS = onnx.AttributeProto.AttributeType.INTS;
const INT = onnx.AttributeProto.AttributeType.INT;
const FLOAT_ATTR = onnx.AttributeProto.AttributeType.FLOAT;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

/** Collects nodes and initializers; each helper returns the name of the tensor it computes. */
class ModelBuilder {
  constructor(seed, size) {
    this.random = seededRandom(seed);
    this.size = size;
    this.nodes = [];
    this.initializers = [];
    this.counter = 0;
    this.convs = 0;
  }

  fresh(prefix) {
    return `${prefix}_${this.counter++}`;
  }

  initializer(prefix, dims, data) {
    const name = this.fresh(prefix);
    this.initializers.push({ name, dims, dataType: FLOAT, rawData: new Uint8Array(Float32Array.from(data).buffer) });
    return name;
  }

  op(opType, input, attribute = []) {
    const output = this.fresh(opType.toLowerCase());
    this.nodes.push({ opType, input, output: [output], attribute });
    return output;
  }

  /** Conv (BN folded: always a bias), He-init weights (fan-out). */
  conv(x, c, o, k, { stride = 1, padding = 0, group = 1 } = {}) {
    this.convs++;
    const w = this.initializer('W', [o, c / group, k, k], this.random.normal(o * (c / group) * k * k, Math.sqrt(2 / (o * k * k))));
    const b = this.initializer('B', [o], this.random.uniform(o, -0.1, 0.1));
    return this.op('Conv', [x, w, b], [
      { name: 'dilations', type: INTS, ints: [1, 1] },
      { name: 'group', type: INT, i: group },
      { name: 'kernel_shape', type: INTS, ints: [k, k] },
      { name: 'pads', type: INTS, ints: [padding, padding, padding, padding] },
      { name: 'strides', type: INTS, ints: [stride, stride] },
    ]);
  }

  relu(x) {
    return this.op('Relu', [x]);
  }

  /** ReLU6 as torch exports it at opset ≥ 11: Clip(x, 0, 6) with scalar constant inputs. */
  relu6(x) {
    if (!this.clipBounds) this.clipBounds = [this.initializer('clip_min', [], [0]), this.initializer('clip_max', [], [6])];
    return this.op('Clip', [x, ...this.clipBounds]);
  }

  maxPool(x, k, stride, { padding = 0, ceil = false } = {}) {
    return this.op('MaxPool', [x], [
      { name: 'ceil_mode', type: INT, i: ceil ? 1 : 0 },
      { name: 'kernel_shape', type: INTS, ints: [k, k] },
      { name: 'pads', type: INTS, ints: [padding, padding, padding, padding] },
      { name: 'strides', type: INTS, ints: [stride, stride] },
    ]);
  }

  /** AdaptiveAvgPool2d(1) + flatten(1), then a Linear as Gemm (transB 1). */
  head(x, features, classes) {
    const flat = this.op('Flatten', [this.op('GlobalAveragePool', [x])], [{ name: 'axis', type: INT, i: 1 }]);
    const bound = 1 / Math.sqrt(features);
    const w = this.initializer('fc_W', [classes, features], this.random.uniform(classes * features, -bound, bound));
    const b = this.initializer('fc_B', [classes], this.random.uniform(classes, -bound, bound));
    this.nodes.push({
      opType: 'Gemm', input: [flat, w, b], output: ['logits'],
      attribute: [{ name: 'alpha', type: FLOAT_ATTR, f: 1 }, { name: 'beta', type: FLOAT_ATTR, f: 1 }, { name: 'transB', type: INT, i: 1 }],
    });
    return 'logits';
  }

  encode(name, output) {
    const model = onnx.ModelProto.create({
      irVersion: 7,
      opsetImport: [{ domain: '', version: 13 }],
      producerName: 'wasmconv-bench',
      graph: {
        name,
        node: this.nodes,
        initializer: this.initializers,
        input: [{ name: 'input', type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, ...[3, this.size, this.size].map((d) => ({ dimValue: d }))] } } } }],
        output: [{ name: output, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: 1000 }] } } } }],
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

/** torchvision.models.resnet18 ([2,2,2,2]) / resnet34 ([3,4,6,3]): BasicBlocks; input 3×size×size. */
export function resnet(blocks, seed = 18, { size = 224 } = {}) {
  const m = new ModelBuilder(seed, size);
  const basicBlock = (x, c, o, stride) => {
    const h = m.relu(m.conv(x, c, o, 3, { stride, padding: 1 }));
    const shortcut = stride !== 1 || c !== o ? m.conv(x, c, o, 1, { stride }) : x;
    return m.relu(m.op('Add', [m.conv(h, o, o, 3, { padding: 1 }), shortcut]));
  };
  let t = m.maxPool(m.relu(m.conv('input', 3, 64, 7, { stride: 2, padding: 3 })), 3, 2, { padding: 1 });
  let channels = 64;
  [64, 128, 256, 512].forEach((o, stage) => {
    for (let i = 0; i < blocks[stage]; i++) {
      t = basicBlock(t, channels, o, i === 0 && stage > 0 ? 2 : 1);
      channels = o;
    }
  });
  return m.encode(`resnet${blocks.reduce((a, b) => a + b, 0) * 2 + 2}`, m.head(t, 512, 1000));
}

/** torchvision.models.squeezenet1_1: Fire modules, ceil-mode max pools, a 1×1 conv classifier. */
export function squeezenet11(seed = 11, { size = 224 } = {}) {
  const m = new ModelBuilder(seed, size);
  const fire = (x, c, squeeze, e1, e3) => {
    const s = m.relu(m.conv(x, c, squeeze, 1));
    return m.op('Concat', [m.relu(m.conv(s, squeeze, e1, 1)), m.relu(m.conv(s, squeeze, e3, 3, { padding: 1 }))], [{ name: 'axis', type: INT, i: 1 }]);
  };
  const pool = (x) => m.maxPool(x, 3, 2, { ceil: true });
  let t = pool(m.relu(m.conv('input', 3, 64, 3, { stride: 2 })));
  t = pool(fire(fire(t, 64, 16, 64, 64), 128, 16, 64, 64));
  t = pool(fire(fire(t, 128, 32, 128, 128), 256, 32, 128, 128));
  t = fire(fire(t, 256, 48, 192, 192), 384, 48, 192, 192);
  t = fire(fire(t, 384, 64, 256, 256), 512, 64, 256, 256);
  // classifier: Dropout (gone in eval), final conv 1×1 → ReLU → AdaptiveAvgPool2d(1) → flatten
  t = m.relu(m.conv(t, 512, 1000, 1));
  m.nodes.push({ opType: 'Flatten', input: [m.op('GlobalAveragePool', [t])], output: ['logits'], attribute: [{ name: 'axis', type: INT, i: 1 }] });
  return m.encode('squeezenet1_1', 'logits');
}

/** torchvision.models.mobilenet_v2 (width 1.0): inverted residual blocks with ReLU6. */
export function mobilenetV2(seed = 2, { size = 224 } = {}) {
  const m = new ModelBuilder(seed, size);
  const settings = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];
  let t = m.relu6(m.conv('input', 3, 32, 3, { stride: 2, padding: 1 }));
  let channels = 32;
  for (const [expand, o, n, s] of settings) {
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1, hidden = channels * expand;
      let h = expand === 1 ? t : m.relu6(m.conv(t, channels, hidden, 1));
      h = m.relu6(m.conv(h, hidden, hidden, 3, { stride, padding: 1, group: hidden }));
      h = m.conv(h, hidden, o, 1);
      t = stride === 1 && channels === o ? m.op('Add', [t, h]) : h;
      channels = o;
    }
  }
  t = m.relu6(m.conv(t, channels, 1280, 1));
  return m.encode('mobilenet_v2', m.head(t, 1280, 1000));
}

/** The models bench:models runs, by name: their bytes, for input 3×224×224 or 3×size×size. */
export const MODELS = {
  'ResNet-18': (options) => resnet([2, 2, 2, 2], 18, options),
  'MobileNetV2': (options) => mobilenetV2(2, options),
  'SqueezeNet 1.1': (options) => squeezenet11(11, options),
};
