// A small functional way to write a Graph:
//   const g = new nn.GraphBuilder();
//   const x = g.input('x', [16, 8, 8]);
//   const h = g.apply(new nn.BatchNorm2d(16), g.apply(new nn.Conv2d(16, 16, 3, { padding: 1 }), x));
//   const y = g.apply(new nn.ReLU(), g.add(h, x));
//   const model = g.build({ outputs: { y } });
// Each call adds a node and returns a handle to its output; nothing runs until the Graph does.
import { Layer } from '../layer.js';
import { MergeLayer } from '../merge-layer.js';
import { Add } from '../layers/add.js';
import { Concat } from '../layers/concat.js';
import type { AnyLayer, GraphInput, GraphNode } from './definition.js';
import { Graph, type GraphOptions } from './graph.js';

/** A tensor of a graph being built: an input or a node's output. */
export class GraphTensor {
  /** @internal made by GraphBuilder */
  constructor(readonly name: string, readonly builder: GraphBuilder) {}
}

const OP = 'nn.GraphBuilder';

export class GraphBuilder {
  private readonly inputs: GraphInput[] = [];
  private readonly nodes: GraphNode[] = [];
  private readonly counts = new Map<string, number>();
  private built = false;

  /** A named input; `shape` (one sample, without the batch) makes run() check the feeds. */
  input(name: string, shape?: readonly number[]): GraphTensor {
    this.checkOpen();
    this.inputs.push({ name: this.freshName(name, 'input'), ...(shape !== undefined ? { shape: [...shape] } : {}) });
    return new GraphTensor(name, this);
  }

  /** Applies a one-input layer to x; the node is called `name`, or `<type><n>` (conv2d1, relu2, …). */
  apply(layer: Layer, x: GraphTensor, name?: string): GraphTensor {
    if (!(layer instanceof Layer)) {
      throw new Error(`${OP}.apply: layer must be a one-input nn layer${(layer as unknown) instanceof MergeLayer ? ` (use merge() for ${layer})` : ''}, got ${String(layer)}`);
    }
    return this.node(layer, [x], name, 'apply');
  }

  /** Applies a layer of several inputs (nn.Add, …). */
  merge(layer: MergeLayer, inputs: readonly GraphTensor[], name?: string): GraphTensor {
    if (!(layer instanceof MergeLayer)) throw new Error(`${OP}.merge: layer must be a layer of several inputs (nn.Add), got ${String(layer)}`);
    if (!Array.isArray(inputs) || inputs.length !== layer.arity) {
      throw new Error(`${OP}.merge: ${layer} takes ${layer.arity} inputs, got ${Array.isArray(inputs) ? inputs.length : String(inputs)}`);
    }
    return this.node(layer, inputs, name, 'merge');
  }

  /** a + b (an nn.Add node): the residual connection. */
  add(a: GraphTensor, b: GraphTensor, name?: string): GraphTensor {
    return this.merge(new Add(), [a, b], name);
  }

  /** The tensors joined along the channels (an nn.Concat node). */
  concat(inputs: readonly GraphTensor[], name?: string): GraphTensor {
    if (!Array.isArray(inputs) || inputs.length < 2) throw new Error(`${OP}.concat: inputs must be an array of 2 or more tensors, got ${String(inputs)}`);
    return this.merge(new Concat(inputs.length), inputs, name);
  }

  /** The Graph with these named outputs (a single tensor is the output 'y'); the builder is spent. */
  build(opts: { outputs: Record<string, GraphTensor> | GraphTensor } & GraphOptions): Graph {
    this.checkOpen();
    const outputs = opts?.outputs instanceof GraphTensor ? { y: opts.outputs } : opts?.outputs;
    if (!outputs || typeof outputs !== 'object' || Object.keys(outputs).length === 0) {
      throw new Error(`${OP}.build: outputs must be a tensor or { name: tensor, … } of this builder's tensors`);
    }
    for (const [name, t] of Object.entries(outputs)) this.own(t, `${OP}.build: output '${name}'`);
    const graph = new Graph(
      { inputs: this.inputs, nodes: this.nodes, outputs: Object.entries(outputs).map(([name, t]) => ({ name, tensor: t.name })) },
      { seed: opts.seed, fuseActivations: opts.fuseActivations },
    );
    this.built = true;
    return graph;
  }

  private node(layer: AnyLayer, inputs: readonly GraphTensor[], name: string | undefined, method: string): GraphTensor {
    this.checkOpen();
    inputs.forEach((t, i) => this.own(t, `${OP}.${method}: input ${i}`));
    if (this.nodes.some((n) => n.layer === layer)) throw new Error(`${OP}.${method}: ${layer} is already a node of this graph; give each node its own layer`);
    const nodeName = this.freshName(name ?? this.autoName(layer.spec().type.toLowerCase()), 'node');
    this.nodes.push({ name: nodeName, layer, inputs: inputs.map((t) => t.name) });
    return new GraphTensor(nodeName, this);
  }

  /** `<type><n>` with the first n not taken. */
  private autoName(type: string): string {
    let count = this.counts.get(type) ?? 0;
    const taken = (n: string) => this.inputs.some((i) => i.name === n) || this.nodes.some((node) => node.name === n);
    do count++;
    while (taken(`${type}${count}`));
    this.counts.set(type, count);
    return `${type}${count}`;
  }

  private freshName(name: unknown, what: string): string {
    if (typeof name !== 'string' || name.length === 0) throw new Error(`${OP}: a ${what} name must be a non-empty string, got ${JSON.stringify(name)}`);
    if (this.inputs.some((i) => i.name === name) || this.nodes.some((n) => n.name === name)) {
      throw new Error(`${OP}: the name '${name}' is taken (input and node names must be unique)`);
    }
    return name;
  }

  private own(t: unknown, where: string): void {
    if (!(t instanceof GraphTensor)) throw new Error(`${where} must be a tensor this builder returned, got ${String(t)}`);
    if (t.builder !== this) throw new Error(`${where}: the tensor '${t.name}' belongs to another GraphBuilder`);
  }

  private checkOpen(): void {
    if (this.built) throw new Error(`${OP}: build() was called already; start a new GraphBuilder`);
  }
}
