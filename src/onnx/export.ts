// nn.toONNX: a Sequential or Graph as an ONNX model (opset 13): one node per layer (Linear as
// Gemm with transB 1, BatchNorm2d as BatchNormalization with its running statistics), the
// parameters as float32 initializers named after them, the batch dimension symbolic ('N').
import type { onnx as Onnx } from 'onnx-proto';
import { Conv2d } from '../nn/conv.js';
import { ConvTranspose2d } from '../nn/layers/conv-transpose.js';
import type { AnyLayer, GraphDefinition } from '../nn/graph/definition.js';
import { Graph } from '../nn/graph/graph.js';
import { Linear } from '../nn/linear.js';
import { BatchNorm2d } from '../nn/layers/batchnorm.js';
import { ChannelAffine } from '../nn/layers/channel-affine.js';
import { Sequential } from '../nn/sequential.js';
import { AttrType, DataType, onnx } from './decode.js';
import { EXPORT_OPSET } from './opsets.js';
import { exportActivation } from './activations.js';

const OP = 'nn.toONNX';

const ints = (name: string, values: readonly number[]): Onnx.IAttributeProto => ({ name, type: AttrType.INTS, ints: [...values] });
const int = (name: string, i: number): Onnx.IAttributeProto => ({ name, type: AttrType.INT, i });
const float = (name: string, f: number): Onnx.IAttributeProto => ({ name, type: AttrType.FLOAT, f });

function tensor(name: string, dims: readonly number[], data: Float32Array): Onnx.ITensorProto {
  const own = Float32Array.from(data); // rawData takes the bytes of the whole buffer
  return { name, dims: [...dims], dataType: DataType.FLOAT, rawData: new Uint8Array(own.buffer) };
}

/** The [top, left, bottom, right] pads (or auto_pad) of a Conv2d's padding option. */
function convPadding(padding: unknown): Onnx.IAttributeProto[] {
  if (padding === 'same') return [{ name: 'auto_pad', type: AttrType.STRING, s: new TextEncoder().encode('SAME_UPPER') }];
  if (padding === 'valid') return [ints('pads', [0, 0, 0, 0])];
  const p = typeof padding === 'number' ? [padding, padding, padding, padding]
    : (padding as number[]).length === 2 ? [(padding as number[])[0], (padding as number[])[0], (padding as number[])[1], (padding as number[])[1]]
      : (padding as number[]); // [top, bottom, left, right]
  return [ints('pads', [p[0], p[2], p[1], p[3]])];
}

function int64s(name: string, values: readonly number[]): Onnx.ITensorProto {
  const own = BigInt64Array.from(values.map(BigInt));
  return { name, dims: [values.length], dataType: DataType.INT64, rawData: new Uint8Array(own.buffer) };
}

const pair = (v: number | number[]): number[] => (typeof v === 'number' ? [v, v] : [...v]);

class Writer {
  readonly nodes: Onnx.INodeProto[] = [];
  readonly initializers: Onnx.ITensorProto[] = [];

  /** The node(s) computing `name` from `inputs` with this layer. */
  layer(name: string, layer: AnyLayer, inputs: readonly string[]): void {
    const spec = layer.spec() as Record<string, unknown>;
    const node = (opType: string, attribute: Onnx.IAttributeProto[] = [], extra: string[] = []) =>
      this.nodes.push({ name, opType, input: [...inputs, ...extra], output: [name], attribute });
    const param = (suffix: string, dims: readonly number[], data: Float32Array) => {
      this.initializers.push(tensor(`${name}.${suffix}`, dims, data));
      return `${name}.${suffix}`;
    };
    if (layer instanceof Conv2d) {
      const w = param('weight', layer.weight.shape, layer.weight.read());
      const b = layer.bias ? [param('bias', layer.bias.shape, layer.bias.read())] : [];
      node('Conv', [
        ints('kernel_shape', layer.kernelSize), ints('strides', pair(spec.stride as number)), ints('dilations', pair(spec.dilation as number)),
        int('group', spec.groups as number), ...convPadding(spec.padding),
      ], [w, ...b]);
    } else if (layer instanceof ConvTranspose2d) {
      const w = param('weight', layer.weight.shape, layer.weight.read());
      const b = layer.bias ? [param('bias', layer.bias.shape, layer.bias.read())] : [];
      node('ConvTranspose', [
        ints('kernel_shape', layer.kernelSize), ints('strides', pair(spec.stride as number)), ints('dilations', pair(spec.dilation as number)),
        int('group', spec.groups as number), ints('output_padding', pair(spec.outputPadding as number)), ...convPadding(spec.padding),
      ], [w, ...b]);
    } else if (layer instanceof Linear) {
      const w = param('weight', layer.weight.shape, layer.weight.read());
      const b = layer.bias ? [param('bias', layer.bias.shape, layer.bias.read())] : [];
      node('Gemm', [int('transB', 1)], [w, ...b]);
    } else if (layer instanceof BatchNorm2d) {
      const C = [layer.numFeatures];
      const extra = [param('weight', C, layer.weight.read()), param('bias', C, layer.bias.read()),
        param('running_mean', C, layer.runningMean.read()), param('running_var', C, layer.runningVar.read())];
      node('BatchNormalization', [float('epsilon', layer.eps), float('momentum', 1 - layer.momentum)], extra);
    } else if (layer instanceof ChannelAffine) {
      // x·scale + shift as Mul then Add of constants that broadcast per channel ([C,1,1] for rank 4, [] for one value)
      const dims = layer.channels === 1 ? [] : [layer.channels, ...new Array(layer.rank - 2).fill(1)];
      const scaled = `${name}.scaled`;
      this.nodes.push({ name: scaled, opType: 'Mul', input: [...inputs, param('scale', dims, layer.scale.read())], output: [scaled] });
      this.nodes.push({ name, opType: 'Add', input: [scaled, param('shift', dims, layer.shift.read())], output: [name] });
    } else {
      switch (spec.type) {
        case 'ReLU': node('Relu'); break;
        case 'Mul': node('Mul'); break;
        case 'Softmax': node('Softmax', [int('axis', -1)]); break;
        case 'Pad2d': {
          const [t, b, l, r] = spec.padding as number[];
          this.initializers.push(int64s(`${name}.pads`, [0, 0, t, l, 0, 0, b, r]));
          this.initializers.push(tensor(`${name}.value`, [], Float32Array.of(spec.value as number)));
          node('Pad', [], [`${name}.pads`, `${name}.value`]);
          break;
        }
        case 'ChannelSlice': {
          // Slice(x, starts, ends, axes [1]) with its bounds as int64 initializers
          const [start, count] = [spec.start as number, spec.count as number];
          const bounds = [['starts', start], ['ends', start + count], ['axes', 1]] as const;
          for (const [suffix, v] of bounds) this.initializers.push(int64s(`${name}.${suffix}`, [v]));
          node('Slice', [], bounds.map(([suffix]) => `${name}.${suffix}`));
          break;
        }
        case 'MaxPool2d': {
          // pads and ceil_mode only when set: an unpadded pool's file stays as before
          const [ph, pw] = (spec.padding ?? [0, 0]) as number[];
          node('MaxPool', [ints('kernel_shape', spec.kernelSize as number[]), ints('strides', spec.stride as number[]),
            ...(ph || pw ? [ints('pads', [ph, pw, ph, pw])] : []), ...(spec.ceilMode ? [int('ceil_mode', 1)] : [])]);
          break;
        }
        case 'AvgPool2d': {
          const [ph, pw] = spec.padding as number[];
          node('AveragePool', [ints('kernel_shape', spec.kernelSize as number[]), ints('strides', spec.stride as number[]), ints('pads', [ph, pw, ph, pw]),
            int('ceil_mode', spec.ceilMode ? 1 : 0), int('count_include_pad', spec.countIncludePad ? 1 : 0)]);
          break;
        }
        case 'GlobalAvgPool2d': node('GlobalAveragePool'); break;
        case 'Flatten': node('Flatten', [int('axis', 1)]); break;
        case 'Add': node('Add'); break;
        case 'Concat': node('Concat', [int('axis', 1)]); break;
        case 'Dropout': {
          const ratio = `${name}.ratio`;
          this.initializers.push(tensor(ratio, [], Float32Array.of(spec.p as number)));
          node('Dropout', [], [ratio]);
          break;
        }
        default:
          if (exportActivation(this, name, layer.spec(), inputs)) break;
          throw new Error(`${OP}: node '${name}': the layer ${layer} has no ONNX export (supported: Conv2d, ConvTranspose2d, Linear, BatchNorm2d, ReLU, MaxPool2d, AvgPool2d, GlobalAvgPool2d, Flatten, Add, Mul, ChannelAffine, ChannelSlice, Softmax, Pad2d, Concat, Dropout, LeakyReLU, ReLU6, Clip, HardSigmoid, HardSwish, Sigmoid, Tanh, SiLU)`);
      }
    }
  }
}

/** The rank a graph input must have, from the first layer that reads it (when it has no sample shape). */
function inputRank(def: GraphDefinition, input: string): number {
  const reader = def.nodes.find((n) => n.inputs.includes(input));
  const type = reader ? (reader.layer.spec() as { type: string }).type : '';
  if (type === 'Linear') return 2;
  if (type === 'ChannelAffine') return (reader!.layer as ChannelAffine).rank;
  if (type === 'Softmax') return 2;
  if (['Conv2d', 'ConvTranspose2d', 'BatchNorm2d', 'MaxPool2d', 'AvgPool2d', 'GlobalAvgPool2d', 'Pad2d'].includes(type)) return 4;
  throw new Error(`${OP}: input '${input}' has no sample shape and its rank does not follow from its first layer (${type || 'none'}); give the input a shape`);
}

/** The ONNX model (opset 13) of a Sequential or Graph, with its current parameters and running statistics. */
export function toONNX(model: Sequential | Graph): Uint8Array {
  let def: GraphDefinition;
  if (model instanceof Graph) def = { inputs: model.inputs, nodes: model.nodes, outputs: model.outputs };
  else if (model instanceof Sequential) {
    const names = model.layers.map((_, i) => `layer${i}`);
    def = {
      inputs: [{ name: 'x' }],
      nodes: model.layers.map((layer, i) => ({ name: names[i], layer, inputs: [i === 0 ? 'x' : names[i - 1]] })),
      outputs: [{ name: 'y', tensor: names[names.length - 1] }],
    };
  } else throw new Error(`${OP}: model must be an nn.Sequential or nn.Graph, got ${Object.prototype.toString.call(model)}`);

  const writer = new Writer();
  for (const node of def.nodes) writer.layer(node.name, node.layer, node.inputs);
  const taken = new Set([...def.inputs.map((i) => i.name), ...def.nodes.map((n) => n.name)]);
  for (const out of def.outputs) {
    if (out.name === out.tensor) continue;
    if (taken.has(out.name)) throw new Error(`${OP}: output '${out.name}' is named like another tensor of the graph; ONNX names outputs by their tensors`);
    writer.nodes.push({ name: out.name, opType: 'Identity', input: [out.tensor], output: [out.name] });
  }
  const floatType = (dims?: Array<number | string>): Onnx.ITypeProto => ({
    tensorType: { elemType: DataType.FLOAT, ...(dims ? { shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } : {}) },
  });
  const proto = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: EXPORT_OPSET }],
    producerName: 'wasmconv',
    graph: {
      name: 'wasmconv',
      node: writer.nodes,
      initializer: writer.initializers,
      input: def.inputs.map((i) => {
        const dims = i.shape ? ['N', ...i.shape] : ['N', ...Array.from({ length: inputRank(def, i.name) - 1 }, (_, k) => `${i.name}_d${k + 1}`)];
        return { name: i.name, type: floatType(dims) };
      }),
      output: def.outputs.map((o) => ({ name: o.name, type: floatType() })),
    },
  });
  return onnx.ModelProto.encode(proto).finish();
}
