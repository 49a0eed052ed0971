// Every operator, attribute, opset and tensor type nn.fromONNX does not support is an Error naming
// the op type, the node and the opset (table-driven: each row builds a model in code); the
// library stays usable afterwards and the bytes are not modified. nn.toONNX's errors too.
import { beforeAll, describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { init, nn } from '../src/index.js';
import { attr, floatTensor, lenetModel, OnnxBuilder } from './helpers/onnx-models.js';

const { onnx } = onnxProto;
type Attr = ReturnType<typeof attr.int>;

/** x [N,4,8,8] → one node → y; `build` may add initializers and pick the inputs. */
function single(opType: string, attrs: Attr[] = [], opts: { opset?: number; inputs?: (b: OnnxBuilder) => string[]; outputs?: string[]; domain?: string; dims?: Array<number | string> } = {}) {
  const b = new OnnxBuilder(1, opts.opset ?? 13);
  const inputs = opts.inputs ? opts.inputs(b) : ['x'];
  b.nodes.push({ name: 'n1', opType, input: inputs, output: opts.outputs ?? ['y'], attribute: attrs, ...(opts.domain ? { domain: opts.domain } : {}) });
  return b.encode([{ name: 'x', dims: opts.dims ?? ['N', 4, 8, 8] }], [(opts.outputs ?? ['y'])[0], ...(opts.outputs ?? ['y']).slice(1)]);
}

const w = (b: OnnxBuilder) => b.weight('w', [4, 4, 3, 3]);
const conv = (attrs: Attr[], dims?: Array<number | string>, weight = w) => single('Conv', attrs, { inputs: (b) => ['x', weight(b)], dims });
const pool = (op: string, attrs: Attr[], dims?: Array<number | string>) => single(op, [attr.ints('kernel_shape', [2, 2]), ...attrs], { dims });
const gemm = (attrs: Attr[]) => single('Gemm', attrs, { dims: ['N', 6], inputs: (b) => ['x', b.weight('w', [3, 6])] });
const bn = (attrs: Attr[]) => single('BatchNormalization', attrs, { inputs: (b) => ['x', ...['s', 'b', 'm', 'v'].map((n) => b.weight(n, [4], 0.5, 1))] });

function retyped(elemType: number, where: 'input' | 'initializer'): Uint8Array {
  const b = new OnnxBuilder(1);
  const y = b.node('Relu', ['x'], [], ['y']);
  const bytes = b.encode([{ name: 'x', dims: ['N', 4] }], [y]);
  const model = onnx.ModelProto.decode(bytes);
  if (where === 'input') model.graph!.input![0].type!.tensorType!.elemType = elemType;
  else model.graph!.initializer!.push({ name: 'extra', dims: [1], dataType: elemType, rawData: new Uint8Array(8) });
  return onnx.ModelProto.encode(model).finish();
}

const T = onnx.TensorProto.DataType;
const CASES: Array<[string, () => Uint8Array, RegExp]> = [
  ['an operator outside the set', () => single('Erf'), /node 'n1' \(Erf, opset 13\): the operator Erf is not supported/],
  ['an operator outside the set, unnamed node', () => { const b = new OnnxBuilder(1); const y = b.node('Elu', ['x'], [], ['y']); b.nodes[0].name = ''; return b.encode([{ name: 'x', dims: ['N', 4] }], [y]); }, /node '\(unnamed, output 'y'\)' \(Elu, opset 13\): the operator Elu is not supported/],
  ['opset 10', () => single('Relu', [], { opset: 10 }), /opset 10 is not supported \(opsets 11–21 are\) \(first node 'n1', Relu\)/],
  ['opset 22', () => single('Relu', [], { opset: 22 }), /opset 22 is not supported \(opsets 11–21 are\)/],
  ['another domain', () => single('FusedConv', [], { domain: 'com.microsoft' }), /node 'n1' \(FusedConv, opset 13\): the domain 'com.microsoft' is not supported/],
  ['an unknown attribute', () => conv([attr.int('foo', 1)]), /node 'n1' \(Conv, opset 13\): attribute 'foo' is not supported/],
  ['Conv auto_pad SAME_LOWER', () => conv([attr.string('auto_pad', 'SAME_LOWER')]), /\(Conv, opset 13\): auto_pad 'SAME_LOWER' is not supported/],
  ['AveragePool SAME_UPPER, stride 2, open spatial size', () => pool('AveragePool', [attr.string('auto_pad', 'SAME_UPPER'), attr.ints('strides', [2, 2])], ['N', 4, 'H', 'W']), /\(AveragePool, opset 13\): auto_pad SAME_UPPER with stride 2 needs the input's spatial size/],
  ['Conv over 1-D data', () => conv([], ['N', 4, 8], (b) => b.weight('w', [4, 4, 3])), /\(Conv, opset 13\): only 2-D convolution \(x \[N,C,H,W\]\) is supported, x has rank 3/],
  ['Conv weight computed at run time', () => single('Conv', [], { inputs: () => ['x', 'x'] }), /\(Conv, opset 13\): input 1 \('x'\) must be a constant/],
  ['Conv channels mismatch', () => conv([], ['N', 3, 8, 8]), /\(Conv, opset 13\): x has 3 channels but W \[4,4,3,3\] with group 1 takes 4/],
  ['MaxPool asymmetric pads', () => pool('MaxPool', [attr.ints('pads', [0, 1, 0, 0])]), /\(MaxPool, opset 13\): asymmetric pads \[0,1,0,0\] are not supported \(MaxPool2d pads both sides alike\)/],
  ['MaxPool pads beyond half the kernel', () => pool('MaxPool', [attr.ints('pads', [2, 2, 2, 2])]), /\(MaxPool, opset 13\): pads \[2,2,2,2\] exceed half the 2×2 kernel/],
  ['MaxPool ceil_mode 2', () => pool('MaxPool', [attr.int('ceil_mode', 2)]), /\(MaxPool, opset 13\): ceil_mode must be 0 or 1, got 2/],
  ['MaxPool storage_order 1', () => pool('MaxPool', [attr.int('storage_order', 1)]), /\(MaxPool, opset 13\): storage_order 1 is not supported/],
  ['MaxPool dilations', () => pool('MaxPool', [attr.ints('dilations', [2, 2])]), /\(MaxPool, opset 13\): dilations \[2,2\] are not supported/],
  ['MaxPool Indices output read', () => single('MaxPool', [attr.ints('kernel_shape', [2, 2])], { outputs: ['y', 'indices'] }), /\(MaxPool, opset 13\): output 'indices' is read by the model/],
  ['AveragePool asymmetric pads', () => pool('AveragePool', [attr.ints('pads', [0, 0, 1, 1])]), /\(AveragePool, opset 13\): asymmetric pads \[0,0,1,1\] are not supported/],
  ['AveragePool pads beyond half the kernel', () => pool('AveragePool', [attr.ints('pads', [2, 2, 2, 2])]), /\(AveragePool, opset 13\): pads \[2,2,2,2\] exceed half the 2×2 kernel/],
  ['ReduceMean over the channels', () => single('ReduceMean', [attr.ints('axes', [1])]), /\(ReduceMean, opset 13\): only ReduceMean over H and W of x \[N,C,H,W\] \(axes \[2,3\]\) is supported, got axes \[1\] for x \[N,4,8,8\]/],
  ['ReduceMean over every axis', () => single('ReduceMean'), /\(ReduceMean, opset 13\): only ReduceMean over H and W .* got axes \(all\)/],
  ['ReduceMean noop_with_empty_axes', () => single('ReduceMean', [attr.int('noop_with_empty_axes', 1)], { opset: 18 }), /\(ReduceMean, opset 18\): noop_with_empty_axes 1 is not supported/],
  ['Cast of a computed tensor to an integer type', () => single('Cast', [attr.int('to', T.INT64)]), /\(Cast, opset 13\): Cast of a computed tensor to INT64 is not supported \(computed tensors are float32: only Cast to FLOAT, the identity, is\)/],
  ['Cast of a constant to DOUBLE', () => single('Cast', [attr.int('to', T.DOUBLE)], { inputs: (b) => [b.ints('k', [4])] }), /\(Cast, opset 13\): Cast to DOUBLE is not supported \(only FLOAT and the integer types, on constants\)/],
  ['Cast of a constant that does not fit', () => single('Cast', [attr.int('to', T.UINT8)], { inputs: (b) => [b.ints('k', [300])] }), /\(Cast, opset 13\): Cast to UINT8: the value 300 does not fit/],
  ['Cast of the batch to FLOAT', () => single('Cast', [attr.int('to', T.FLOAT)], { inputs: (b) => [b.node('Shape', ['x'])] }), /\(Cast, opset 13\): Cast to FLOAT of a dim only known at run time \('N'\) is not supported/],
  ['Cast without to', () => single('Cast'), /\(Cast, opset 13\): a Cast needs the attribute 'to'/],
  ['Transpose that moves data', () => single('Transpose', [attr.ints('perm', [0, 2, 3, 1])]), /\(Transpose, opset 13\): only Transpose that leaves the dims as they are \(a no-op\) is supported, got perm \[0,2,3,1\] for x \[N,4,8,8\]/],
  ['Transpose perm that is no permutation', () => single('Transpose', [attr.ints('perm', [0, 0, 1, 2])]), /\(Transpose, opset 13\): perm \[0,0,1,2\] is not a permutation of x's 4 axes/],
  ['Slice along H', () => single('Slice', [], { inputs: (b) => ['x', b.ints('s', [0]), b.ints('e', [2]), b.ints('a', [2])] }), /\(Slice, opset 13\): only Slice along the channels \(one axis, 1\) is supported, got axes \[2\]/],
  ['Slice with step 2', () => single('Slice', [], { inputs: (b) => ['x', b.ints('s', [0]), b.ints('e', [4]), b.ints('a', [1]), b.ints('st', [2])] }), /\(Slice, opset 13\): only step 1 is supported, got steps \[2\]/],
  ['an empty Slice', () => single('Slice', [], { inputs: (b) => ['x', b.ints('s', [3]), b.ints('e', [1]), b.ints('a', [1])] }), /\(Slice, opset 13\): the slice \[3, 1\) of 4 channels is empty/],
  ['Slice bounds computed at run time', () => single('Slice', [], { inputs: (b) => ['x', 'x', b.ints('e', [1]), b.ints('a', [1])] }), /\(Slice, opset 13\): input 1 \('x'\) must be a constant/],
  ['Split along W', () => single('Split', [attr.int('axis', 3)], { outputs: ['y', 'z'] }), /\(Split, opset 13\): only Split along the channels \(axis 1\) is supported, got axis 3/],
  ['Split sizes that do not add up', () => single('Split', [attr.int('axis', 1)], { inputs: (b) => ['x', b.ints('sizes', [1, 2])], outputs: ['y', 'z'] }), /\(Split, opset 13\): split sizes \[1,2\] must be 2 positive counts adding up to the 4 channels/],
  ['Softmax over channels of 4-D data', () => single('Softmax', [attr.int('axis', 1)]), /\(Softmax, opset 13\): only Softmax over the features of x \[N, K\] \(axis 1 or −1\) is supported, got axis 1 for x \[N,4,8,8\]/],
  ['Softmax over the batch', () => single('Softmax', [attr.int('axis', 0)], { dims: ['N', 4] }), /\(Softmax, opset 13\): only Softmax over the features .* got axis 0 for x \[N,4\]/],
  ['Pad in reflect mode', () => single('Pad', [attr.string('mode', 'reflect')], { inputs: (b) => ['x', b.ints('p', [0, 0, 1, 1, 0, 0, 1, 1])] }), /\(Pad, opset 13\): mode 'reflect' is not supported \(only 'constant'\)/],
  ['Pad of the channels', () => single('Pad', [], { inputs: (b) => ['x', b.ints('p', [0, 1, 0, 0, 0, 0, 0, 0])] }), /\(Pad, opset 13\): only padding of H and W is supported, got pads \[0,1,0,0,0,0,0,0\]/],
  ['Pad with negative pads', () => single('Pad', [], { inputs: (b) => ['x', b.ints('p', [0, 0, -1, 0, 0, 0, 0, 0])] }), /\(Pad, opset 13\): negative pads \(cropping\) are not supported/],
  ['Pad with an axes input', () => single('Pad', [], { opset: 18, inputs: (b) => ['x', b.ints('p', [1, 1, 1, 1]), '', b.ints('ax', [2, 3])] }), /\(Pad, opset 18\): the axes input is not supported/],
  ['a grouped channel view read by another op', () => single('Relu', [], { inputs: (b) => [b.node('Reshape', ['x', b.ints('g', [-1, 2, 2, 8, 8])])] }), /\(Relu, opset 13\): input 0 \('reshape_\d+_out'\) is a \[N, g, C\/g, H, W\] view of the channels, which only a channel shuffle/],
  ['a grouped channel view transposed otherwise', () => single('Transpose', [attr.ints('perm', [0, 1, 2, 4, 3])], { inputs: (b) => [b.node('Reshape', ['x', b.ints('g', [-1, 2, 2, 8, 8])])] }), /\(Transpose, opset 13\): only the channel shuffle \(perm \[0,2,1,3,4\]\) of a \[N, g, C\/g, H, W\] view is supported, got perm \[0,1,2,4,3\]/],
  ['a grouped channel view reshaped to another shape', () => single('Reshape', [], { inputs: (b) => [b.node('Reshape', ['x', b.ints('g', [-1, 2, 2, 8, 8])]), b.ints('t', [0, 2, -1])] }), /\(Reshape, opset 13\): a \[N, g, C\/g, H, W\] view of the channels may only be reshaped back to \[N,4,8,8\]/],
  ['Gemm alpha 2', () => gemm([attr.float('alpha', 2)]), /\(Gemm, opset 13\): alpha 2 is not supported \(only 1\)/],
  ['Gemm beta 0.5', () => gemm([attr.float('beta', 0.5)]), /\(Gemm, opset 13\): beta 0.5 is not supported/],
  ['Gemm transA', () => gemm([attr.int('transA', 1)]), /\(Gemm, opset 13\): transA 1 is not supported/],
  ['Gemm on 4-D data', () => single('Gemm', [], { inputs: (b) => ['x', b.weight('w', [256, 3])] }), /\(Gemm, opset 13\): A must be \[N, K\] \(put a Flatten before it\)/],
  ['MatMul with a weight computed at run time', () => single('MatMul', [], { dims: ['N', 4], inputs: () => ['x', 'x'] }), /\(MatMul, opset 13\): input 1 \('x'\) must be a constant/],
  ['Add of a constant broadcast along the width', () => single('Add', [], { inputs: (b) => ['x', b.weight('c', [1, 1, 1, 8])] }), /\(Add, opset 13\): only Add by a scalar or per-channel constant \(\[C,1,1\], \[1,C,1,1\]; \[C\] for x \[N,C\]\) is supported, got \[1,1,1,8\] for x \[N,4,8,8\]/],
  ['Mul by a [C] constant on 4-D data (it broadcasts along the width)', () => single('Mul', [], { inputs: (b) => ['x', b.weight('c', [4])] }), /\(Mul, opset 13\): only Mul by a scalar or per-channel constant .* got \[4\] for x \[N,4,8,8\]/],
  ['a constant of higher rank than the data', () => single('Mul', [], { inputs: (b) => ['x', b.weight('c', [1, 1, 4, 1, 1])] }), /\(Mul, opset 13\): only Mul by a scalar or per-channel constant/],
  ['Div of a constant by data', () => single('Div', [], { inputs: (b) => [b.weight('c', [1]), 'x'] }), /\(Div, opset 13\): Div of a constant by computed data \(a reciprocal\) is not supported/],
  ['Sub of two computed tensors', () => single('Sub', [], { inputs: () => ['x', 'x'] }), /\(Sub, opset 13\): only Sub of computed data and a scalar or per-channel constant is supported, got \[N,4,8,8\] and \[N,4,8,8\]/],
  ['Div of two computed tensors', () => single('Div', [], { inputs: () => ['x', 'x'] }), /\(Div, opset 13\): only Div of computed data and a scalar or per-channel constant is supported/],
  ['Mul of two computed tensors broadcast along channels', () => single('Mul', [], { inputs: (b) => ['x', b.node('Conv', ['x', b.weight('w1', [1, 4, 1, 1])])] }), /\(Mul, opset 13\): only Mul of two tensors of the same shape, or by a \[N,C,1,1\] gate is supported, got \[N,4,8,8\] and \[N,1,8,8\]/],
  ['Add with an integer constant on data', () => single('Add', [], { inputs: (b) => ['x', b.ints('k', [1])] }), /\(Add, opset 13\): the constant \(input 1\) must be float32 to combine with computed data/],
  ['folded Add of constants that do not broadcast', () => single('Add', [], { dims: ['N', 4], inputs: (b) => [b.ints('p', [1, 2, 3]), b.ints('q', [1, 2])] }), /\(Add, opset 13\): the constants \[3\] and \[2\] do not broadcast/],
  ['Add with broadcasting (two tensors)', () => { const b = new OnnxBuilder(1); const p = b.node('GlobalAveragePool', ['x']); b.nodes.push({ name: 'sum', opType: 'Add', input: ['x', p], output: ['y'] }); return b.encode([{ name: 'x', dims: ['N', 4, 8, 8] }], ['y']); }, /node 'sum' \(Add, opset 13\): only Add of two tensors of the same shape is supported, got \[N,4,8,8\] and \[N,4,1,1\]/],
  ['Reshape to [N, 4, -1]', () => single('Reshape', [], { inputs: (b) => ['x', b.ints('shape', [0, 4, -1])] }), /\(Reshape, opset 13\): only Reshape to \[N, -1\] \(a flatten that keeps the batch\) is supported, got \[0,4,-1\]/],
  ['Reshape to a shape computed at run time', () => single('Reshape', [], { inputs: () => ['x', 'x'] }), /\(Reshape, opset 13\): input 1 \('x'\) must be a constant/],
  ['Flatten axis 2', () => single('Flatten', [attr.int('axis', 2)]), /\(Flatten, opset 13\): only Flatten with axis 1 is supported, got axis 2/],
  ['Concat along the height', () => single('Concat', [attr.int('axis', 2)], { inputs: () => ['x', 'x'] }), /\(Concat, opset 13\): only Concat along the channels \(axis 1\) is supported, got axis 2/],
  ['BatchNormalization training_mode 1', () => bn([attr.int('training_mode', 1)]), /\(BatchNormalization, opset 13\): training_mode 1 is not supported/],
  ['BatchNormalization on [N, C]', () => single('BatchNormalization', [], { dims: ['N', 4], inputs: (b) => ['x', ...['s', 'b', 'm', 'v'].map((n) => b.weight(n, [4], 0.5, 1))] }), /\(BatchNormalization, opset 13\): only BatchNormalization over \[N,C,H,W\] is supported, x has rank 2/],
  ['Dropout training_mode true', () => single('Dropout', [], { inputs: (b) => { b.initializers.push({ name: 't', dims: [], dataType: T.BOOL, rawData: new Uint8Array([1]) }); return ['x', b.weight('r', [], 0.5, 0.5), 't']; } }), /\(Dropout, opset 13\): training_mode true is not supported/],
  ['Gather on run-time data', () => single('Gather', [], { inputs: (b) => ['x', b.ints('i', [0], [])] }), /\(Gather, opset 13\): input 0 \('x'\) must be a constant/],
  ['Unsqueeze on run-time data', () => single('Unsqueeze', [], { inputs: (b) => ['x', b.ints('a', [0])] }), /\(Unsqueeze, opset 13\): Unsqueeze is only supported on constants/],
  ['a float64 input', () => retyped(T.DOUBLE, 'input'), /input 'x' has element type DOUBLE; only float32 inputs are supported/],
  ['a float64 initializer', () => retyped(T.DOUBLE, 'initializer'), /initializer: tensor 'extra' has data type DOUBLE; only FLOAT \(float32\) tensors/],
  ['a float16 Constant', () => single('Constant', [attr.tensor('value', { dims: [1], dataType: T.FLOAT16, rawData: new Uint8Array(2) })]), /\(Constant, opset 13\): tensor '' has data type FLOAT16/],
  ['not an ONNX model', () => new Uint8Array([1, 2, 3, 4, 5]), /nn\.fromONNX: not an ONNX model/],
];

describe('nn.fromONNX errors', () => {
  beforeAll(async () => {
    await init({ isa: 'simd' });
  });

  it.each(CASES)('%s', (_, make, message) => {
    const bytes = make();
    const copy = bytes.slice();
    expect(() => nn.fromONNX(bytes)).toThrow(message);
    expect(bytes).toEqual(copy);
  });

  it('names the model given as opts.name, and the library stays usable after an Error', () => {
    expect(() => nn.fromONNX(single('Erf'), { name: 'model.onnx' })).toThrow(/^nn\.fromONNX\(model\.onnx\): node 'n1' \(Erf, opset 13\)/);
    const model = nn.fromONNX(lenetModel(1));
    try {
      expect(model.eval().forward({ data: new Float32Array(784), shape: [1, 1, 28, 28] }).shape).toEqual([1, 10]);
    } finally {
      model.dispose();
    }
  });

  it('a model whose only node is an Identity is an Error (no layer to run), not an empty graph', () => {
    const b = new OnnxBuilder(1);
    b.node('Identity', ['x'], [], ['y']);
    expect(() => nn.fromONNX(b.encode([{ name: 'x', dims: ['N', 4] }], ['y']))).toThrow(/nn\.fromONNX: nn\.Graph: a graph needs at least one node/);
  });

  it('bytes that are not a Uint8Array are an Error', () => {
    expect(() => nn.fromONNX([1, 2] as unknown as Uint8Array)).toThrow(/bytes must be a Uint8Array/);
  });
});

describe('nn.toONNX errors', () => {
  beforeAll(async () => {
    await init({ isa: 'simd' });
  });

  it('a layer without an ONNX form (Conv1d) is an Error naming it', () => {
    const model = new nn.Sequential([new nn.Conv1d(2, 3, 3), new nn.ReLU()]);
    try {
      expect(() => nn.toONNX(model)).toThrow(/nn\.toONNX: node 'layer0': the layer Conv1d\(2→3, 3\) has no ONNX export/);
    } finally {
      model.dispose();
    }
  });

  it('a model that is no Sequential or Graph is an Error', () => {
    expect(() => nn.toONNX({} as nn.Sequential)).toThrow(/nn\.toONNX: model must be an nn\.Sequential or nn\.Graph/);
  });

  it('an input whose rank does not follow from its first layer needs a shape', () => {
    const g = new nn.GraphBuilder();
    const model = g.build({ outputs: g.apply(new nn.ReLU(), g.input('x'), 'relu') });
    try {
      expect(() => nn.toONNX(model)).toThrow(/input 'x' has no sample shape and its rank does not follow from its first layer \(ReLU\)/);
    } finally {
      model.dispose();
    }
  });
});
