// torchvision's ResNet-18 (batch 1, 3×224×224) as an ONNX model built in code with onnx-proto,
// and its 20 conv layers as conv2d calls. The model is what `torch.onnx.export` of the model in
// eval mode produces: BatchNormalization folded into each Conv's weights and bias (constant
// folding), so every Conv has a bias; Relu, MaxPool 3×3/2 pad 1, residual Add,
// GlobalAveragePool, Flatten, Gemm 512→1000. Weights are seeded random (He init, fan-out, as
// torchvision initialises convs); values do not change the timings.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const INTS = onnx.AttributeProto.AttributeType.INTS;
const INT = onnx.AttributeProto.AttributeType.INT;
const FLOAT_ATTR = onnx.AttributeProto.AttributeType.FLOAT;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

export const INPUT_SHAPE = [1, 3, 224, 224];

const conv = (name, c, o, k, stride, padding, hw) =>
  ({ name, x: [1, c, hw, hw], w: [o, c, k, k], stride, padding });

/**
 * The 20 conv layers, written out as issue 17 lists them (not derived from the model: the test
 * checks them against the model's Conv nodes). Order: the stem, then per block conv1, the
 * downsample (where there is one), conv2.
 */
export const RESNET18_CONVS = [
  conv('stem 7×7/2', 3, 64, 7, 2, 3, 224),
  conv('layer1.0.conv1', 64, 64, 3, 1, 1, 56),
  conv('layer1.0.conv2', 64, 64, 3, 1, 1, 56),
  conv('layer1.1.conv1', 64, 64, 3, 1, 1, 56),
  conv('layer1.1.conv2', 64, 64, 3, 1, 1, 56),
  conv('layer2.0.conv1 /2', 64, 128, 3, 2, 1, 56),
  conv('layer2.0.downsample 1×1/2', 64, 128, 1, 2, 0, 56),
  conv('layer2.0.conv2', 128, 128, 3, 1, 1, 28),
  conv('layer2.1.conv1', 128, 128, 3, 1, 1, 28),
  conv('layer2.1.conv2', 128, 128, 3, 1, 1, 28),
  conv('layer3.0.conv1 /2', 128, 256, 3, 2, 1, 28),
  conv('layer3.0.downsample 1×1/2', 128, 256, 1, 2, 0, 28),
  conv('layer3.0.conv2', 256, 256, 3, 1, 1, 14),
  conv('layer3.1.conv1', 256, 256, 3, 1, 1, 14),
  conv('layer3.1.conv2', 256, 256, 3, 1, 1, 14),
  conv('layer4.0.conv1 /2', 256, 512, 3, 2, 1, 14),
  conv('layer4.0.downsample 1×1/2', 256, 512, 1, 2, 0, 14),
  conv('layer4.0.conv2', 512, 512, 3, 1, 1, 7),
  conv('layer4.1.conv1', 512, 512, 3, 1, 1, 7),
  conv('layer4.1.conv2', 512, 512, 3, 1, 1, 7),
];

/** Output height (= width) of a conv layer. */
export const outSize = (layer) => Math.floor((layer.x[2] + 2 * layer.padding - layer.w[2]) / layer.stride) + 1;

/** Direct-conv FLOPs of a layer: 2·N·O·OH·OW·C·KH·KW. */
export const convFlops = (layer) => {
  const [n, c] = layer.x, [o, , kh, kw] = layer.w, s = outSize(layer);
  return 2 * n * o * s * s * c * kh * kw;
};

/** A seeded generator of float32 arrays: uniform [lo, hi) and normal(0, std) (LCG + Box–Muller). */
export function seededRandom(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32; // (0, 1)
  };
  return {
    uniform: (n, lo, hi) => Float32Array.from({ length: n }, () => lo + (hi - lo) * next()),
    normal: (n, std) => Float32Array.from({ length: n }, () => std * Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next())),
  };
}

/** He (Kaiming normal, fan-out) weights and a small bias for a conv, as after BN folding. */
export function convParameters(layer, random) {
  const [o, , kh, kw] = layer.w;
  return {
    w: random.normal(layer.w.reduce((a, b) => a * b), Math.sqrt(2 / (o * kh * kw))),
    b: random.uniform(o, -0.1, 0.1),
  };
}

/**
 * The model's bytes. `convParams[i]` holds the weights of RESNET18_CONVS[i] ({ w, b }); with
 * `exposeConvs`, every Conv's input and output are graph outputs too (the test reads their
 * shapes).
 */
export function resnet18Model(convParams, random, { exposeConvs = false } = {}) {
  const nodes = [], initializers = [], convTensors = [];
  let convIndex = 0, counter = 0;
  const fresh = (prefix) => `${prefix}_${counter++}`;
  const initializer = (name, dims, data) =>
    initializers.push({ name, dims, dataType: FLOAT, rawData: new Uint8Array(new Float32Array(data).buffer) });

  const convNode = (input, o, k, stride, padding) => {
    const layer = RESNET18_CONVS[convIndex], { w, b } = convParams[convIndex];
    if (layer.w[0] !== o || layer.w[2] !== k) throw new Error(`conv ${convIndex}: the model asks for ${o} channels ${k}×${k}, the list has ${layer.w}`);
    convIndex++;
    const wName = fresh('W'), bName = fresh('B'), output = fresh('conv');
    initializer(wName, layer.w, w);
    initializer(bName, [o], b);
    nodes.push({
      opType: 'Conv', input: [input, wName, bName], output: [output],
      attribute: [
        { name: 'kernel_shape', type: INTS, ints: [k, k] },
        { name: 'pads', type: INTS, ints: [padding, padding, padding, padding] },
        { name: 'strides', type: INTS, ints: [stride, stride] },
        { name: 'dilations', type: INTS, ints: [1, 1] },
        { name: 'group', type: INT, i: 1 },
      ],
    });
    convTensors.push(input, output);
    return output;
  };
  const op = (opType, input, attribute = []) => {
    const output = fresh(opType.toLowerCase());
    nodes.push({ opType, input, output: [output], attribute });
    return output;
  };
  const relu = (input) => op('Relu', [input]);

  // BasicBlock: conv3×3(stride) → ReLU → conv3×3, plus the identity or a 1×1/stride downsample, → ReLU
  const basicBlock = (input, c, o, stride) => {
    const h = relu(convNode(input, o, 3, stride, 1));
    const shortcut = stride !== 1 || c !== o ? convNode(input, o, 1, stride, 0) : input;
    return relu(op('Add', [convNode(h, o, 3, 1, 1), shortcut]));
  };

  let t = relu(convNode('input', 64, 7, 2, 3));
  t = op('MaxPool', [t], [
    { name: 'kernel_shape', type: INTS, ints: [3, 3] },
    { name: 'pads', type: INTS, ints: [1, 1, 1, 1] },
    { name: 'strides', type: INTS, ints: [2, 2] },
  ]);
  let channels = 64;
  for (const [o, stride] of [[64, 1], [128, 2], [256, 2], [512, 2]]) {
    t = basicBlock(t, channels, o, stride);
    t = basicBlock(t, o, o, 1);
    channels = o;
  }
  t = op('Flatten', [op('GlobalAveragePool', [t])], [{ name: 'axis', type: INT, i: 1 }]);
  initializer('fc_W', [1000, 512], random.uniform(1000 * 512, -1 / Math.sqrt(512), 1 / Math.sqrt(512)));
  initializer('fc_B', [1000], random.uniform(1000, -1 / Math.sqrt(512), 1 / Math.sqrt(512)));
  nodes.push({
    opType: 'Gemm', input: [t, 'fc_W', 'fc_B'], output: ['logits'],
    attribute: [{ name: 'transB', type: INT, i: 1 }, { name: 'alpha', type: FLOAT_ATTR, f: 1 }, { name: 'beta', type: FLOAT_ATTR, f: 1 }],
  });
  if (convIndex !== RESNET18_CONVS.length) throw new Error(`the model has ${convIndex} convs, the list ${RESNET18_CONVS.length}`);

  const extra = exposeConvs ? [...new Set(convTensors)].filter((n) => n !== 'input') : [];
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'wasmconv-bench',
    graph: {
      name: 'resnet18',
      node: nodes,
      initializer: initializers,
      input: [{ name: 'input', type: { tensorType: { elemType: FLOAT, shape: { dim: INPUT_SHAPE.map((d) => ({ dimValue: d })) } } } }],
      output: ['logits', ...extra].map((name) => ({ name, type: { tensorType: { elemType: FLOAT } } })),
    },
  });
  return { bytes: onnx.ModelProto.encode(model).finish(), convTensors };
}

/** Seeded parameters for all 20 convs and the model built from them (one generator, fixed order). */
export function resnet18(seed = 18, options = {}) {
  const random = seededRandom(seed);
  const convParams = RESNET18_CONVS.map((layer) => convParameters(layer, random));
  return { convParams, ...resnet18Model(convParams, random, options) };
}
