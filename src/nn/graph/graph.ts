// A directed acyclic graph of layers with named inputs and outputs, and Sequential's surface
// (forward, backward, gradients, trainStep, evaluate, parameters, weights files, dispose) plus
// run(feeds) and train()/eval() modes. The nodes are ordered once, when the graph is built; a
// pass copies the feeds into Wasm memory, runs the layers on resident tensors in that order, and
// backward walks it in reverse, summing the gradients of tensors that several layers read.
import type { Backend } from '../../runtime.js';
import { formatShape, sizeOf, type Tensor } from '../../tensor.js';
import type { ReLU } from '../activation.js';
import type { Conv1d, Conv2d } from '../conv.js';
import type { Clip } from '../layers/activations.js';
import { Layer } from '../layer.js';
import { SoftmaxCrossEntropy, type LossResult } from '../loss.js';
import type { Optimizer } from '../optim.js';
import { Random } from '../random.js';
import { Buffer, type Activation, type Parameter } from '../resident.js';
import type { EvaluateResult } from '../sequential.js';
import { decodeWeights, encodeWeights } from '../weights.js';
import type { AnyLayer, GraphDefinition, GraphInput, GraphNode, GraphOutput, GraphSpec } from './definition.js';
import { planFusions, type Fusion } from './fusion.js';
import { GradientSums } from './gradient-sums.js';
import { graphSpecOfFile, layerOfSpec } from './specs.js';
import { topologicalOrder } from './topology.js';

export interface GraphOptions {
  /** when given, every parameter is re-drawn from this seed, node by node (as Sequential's seed) */
  seed?: number;
  /** label smoothing ε of the loss, in [0, 1), default 0 (evaluate() reports the same loss) */
  labelSmoothing?: number;
  /**
   * Fuse each ReLU / ReLU6 / Clip into the Conv2d or Conv1d it alone reads (default true): the
   * same outputs and gradients bit for bit, one pass over memory fewer (docs/graph.md)
   */
  fuseActivations?: boolean;
}

/** What Graph.profile measured. */
export interface GraphProfile {
  /** the outputs of the last pass (copies) */
  outputs: Record<string, Tensor>;
  /**
   * every node in the order forward runs them, with its layer (`Conv2d(1→16, 5×5)`) and mean ms;
   * an activation fused into a conv (Graph.fusions) names that conv's node in `fusedInto` and
   * shows 0 ms: its time is in the conv's row
   */
  nodes: Array<{ name: string; layer: string; ms: number; fusedInto?: string }>;
  /** the nodes' ms summed */
  totalMs: number;
  runs: number;
}

const OP = 'nn.Graph';

export class Graph {
  readonly inputs: readonly GraphInput[];
  readonly outputs: readonly GraphOutput[];
  /** the nodes in the order forward runs them */
  readonly nodes: readonly GraphNode[];
  /** the conv → activation node pairs that run fused (see GraphOptions.fuseActivations) */
  readonly fusions: ReadonlyArray<{ readonly conv: string; readonly activation: string }>;
  /** fused pairs by the conv's and the activation's node index */
  private readonly fusedConvs = new Map<number, Fusion>();
  private readonly fusedActivations = new Map<number, Fusion>();
  private readonly backend: Backend;
  private readonly feeds = new Map<string, Buffer>();
  private readonly dyIn: Buffer;
  private readonly sums: GradientSums;
  private readonly lossFn: SoftmaxCrossEntropy;
  private values: Map<string, Activation> | null = null;
  private isTraining = true;
  private disposed = false;

  constructor(def: GraphDefinition, opts: GraphOptions = {}) {
    this.nodes = Object.freeze(topologicalOrder(def));
    this.inputs = Object.freeze(def.inputs.map((i) => Object.freeze({ name: i.name, ...(i.shape ? { shape: Object.freeze([...i.shape]) } : {}) })));
    this.outputs = Object.freeze(def.outputs.map((o) => Object.freeze({ name: o.name, tensor: o.tensor })));
    if (this.nodes.length === 0) throw new Error(`${OP}: a graph needs at least one node`);
    this.backend = this.nodes[0].layer.kernelsBackend;
    if (this.nodes.some((n) => n.layer.kernelsBackend !== this.backend)) {
      throw new Error(`${OP}: every layer must be built on the same backend (init({ isa }) was switched between layers)`);
    }
    const fusions = opts.fuseActivations === false ? [] : planFusions(this.nodes, this.outputs);
    for (const f of fusions) {
      this.fusedConvs.set(f.conv, f);
      this.fusedActivations.set(f.activation, f);
    }
    this.fusions = Object.freeze(fusions.map((f) => Object.freeze({ conv: this.nodes[f.conv].name, activation: this.nodes[f.activation].name })));
    for (const node of this.nodes) {
      for (const p of [...node.layer.parameters(), ...node.layer.buffers()]) p.name = `${node.name}.${p.name.split('.').pop()}`;
    }
    if (opts.seed !== undefined) {
      const random = new Random(opts.seed);
      for (const node of def.nodes) node.layer.resetParameters(random);
    }
    for (const input of this.inputs) this.feeds.set(input.name, new Buffer(this.backend, OP));
    this.dyIn = new Buffer(this.backend, OP);
    this.sums = new GradientSums(this.backend, OP);
    this.lossFn = new SoftmaxCrossEntropy(this.backend, { labelSmoothing: opts.labelSmoothing });
    this.train();
  }

  /** The training loss's label smoothing ε (SoftmaxCrossEntropy's); may be changed between steps. */
  get labelSmoothing(): number {
    return this.lossFn.labelSmoothing;
  }

  set labelSmoothing(value: number) {
    this.lossFn.labelSmoothing = value;
  }

  /** A graph from its JSON form (as a weights file records it), with freshly initialised layers. */
  static fromSpec(spec: GraphSpec, opts: GraphOptions = {}): Graph {
    if (!spec || !Array.isArray(spec.nodes)) throw new Error(`${OP}.fromSpec: spec must be { inputs, nodes, outputs }`);
    const layers: AnyLayer[] = [];
    try {
      const nodes = spec.nodes.map((n) => {
        const layer = layerOfSpec(n?.layer, `${OP}.fromSpec: node '${n?.name}'`);
        layers.push(layer);
        return { name: n.name, inputs: n.inputs, layer };
      });
      return new Graph({ inputs: spec.inputs, nodes, outputs: spec.outputs }, opts);
    } catch (error) {
      for (const l of layers) l.dispose();
      throw error;
    }
  }

  /** A graph built from a weights file (a Graph's, or a Sequential's as a chain), holding its weights. */
  static fromWeights(bytes: Uint8Array, source = 'weights'): Graph {
    const graph = Graph.fromSpec(graphSpecOfFile(decodeWeights(bytes, source)));
    try {
      graph.loadWeights(bytes, source);
    } catch (error) {
      graph.dispose();
      throw error;
    }
    return graph;
  }

  /** True in training mode (the default), false after eval(). */
  get training(): boolean {
    return this.isTraining;
  }

  /** Training mode: BatchNorm normalises with batch statistics and updates its running ones; Dropout drops. */
  train(): this {
    this.setMode(true);
    return this;
  }

  /** Inference mode: BatchNorm normalises with its running statistics; Dropout is the identity. */
  eval(): this {
    this.setMode(false);
    return this;
  }

  /** Every trainable parameter, node by node, named `<node>.weight` / `.bias`. */
  parameters(): Parameter[] {
    return this.nodes.flatMap((n) => n.layer.parameters());
  }

  /** Non-trainable state (BatchNorm's running statistics), named `<node>.running_mean` / `.running_var`. */
  buffers(): Parameter[] {
    return this.nodes.flatMap((n) => n.layer.buffers());
  }

  /** The graph as JSON: inputs, nodes (in run order) with their layer specs, outputs. */
  spec(): GraphSpec {
    return {
      inputs: this.inputs.map((i) => ({ name: i.name, ...(i.shape ? { shape: [...i.shape] } : {}) })),
      nodes: this.nodes.map((n) => ({ name: n.name, inputs: [...n.inputs], layer: n.layer.spec() })),
      outputs: this.outputs.map((o) => ({ ...o })),
    };
  }

  /** Runs the graph on named inputs; returns a copy of every named output. */
  run(feeds: Record<string, Tensor>): Record<string, Tensor> {
    const values = this.forwardResident(feeds);
    const result: Record<string, Tensor> = {};
    for (const o of this.outputs) result[o.name] = this.copyOut(values.get(o.tensor)!);
    return result;
  }

  /**
   * Runs the graph `runs` times on the feeds (after one untimed pass) and times every node's
   * forward pass: each node's mean milliseconds, in the order the nodes run, and the outputs of
   * the last pass. For finding which layers a model spends its time in (the demo's per-op table).
   */
  profile(feeds: Record<string, Tensor>, opts: { runs?: number } = {}): GraphProfile {
    const runs = opts.runs ?? 10;
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`${OP}.profile: runs must be a positive integer, got ${String(runs)}`);
    this.forwardResident(feeds);
    const totals = new Float64Array(this.nodes.length);
    let values = this.values!;
    for (let r = 0; r < runs; r++) values = this.forwardResident(feeds, totals);
    const outputs: Record<string, Tensor> = {};
    for (const o of this.outputs) outputs[o.name] = this.copyOut(values.get(o.tensor)!);
    const nodes = this.nodes.map((node, i) => {
      const fused = this.fusedActivations.get(i);
      return { name: node.name, layer: String(node.layer), ms: totals[i] / runs, ...(fused ? { fusedInto: this.nodes[fused.conv].name } : {}) };
    });
    return { outputs, nodes, totalMs: nodes.reduce((sum, n) => sum + n.ms, 0), runs };
  }

  /** The single output for the single input x (a copy). */
  forward(x: Tensor): Tensor {
    return this.copyOut(this.forwardSingle(x, `${OP}.forward`));
  }

  /**
   * Back-propagates dy = ∂L/∂y of the last forward pass (single output): overwrites every
   * parameter's gradient. Returns ∂L/∂x of the single input only if `inputGradient` is true.
   */
  backward(dy: Tensor, opts: { inputGradient?: boolean } = {}): Tensor | null {
    const op = `${OP}.backward`;
    const [input] = this.single(op);
    const y = this.lastOutput(op);
    if (!dy || !(dy.data instanceof Float32Array) || dy.data.length !== sizeOf(y.shape)) {
      throw new Error(`${op}: dy must be a Tensor of shape ${formatShape(y.shape)} (the last output's), got ${dy?.shape ? formatShape(dy.shape) : String(dy)}`);
    }
    const ptr = this.dyIn.reserve(dy.data.length);
    this.backend.arena.write(ptr, dy.data);
    const dx = this.backwardResident({ ptr, shape: y.shape }, opts.inputGradient === true).get(input.name);
    return dx ? this.copyOut(dx) : null;
  }

  /** Forward, softmax cross-entropy against labels, backward: the gradients of the mean loss. */
  gradients(x: Tensor, labels: ArrayLike<number>): LossResult {
    const y = this.forwardSingle(x, `${OP}.gradients`);
    const result = this.lossFn.forward(y, labels);
    this.backwardResident(this.lossFn.backward(), false);
    return result;
  }

  /** One training step: gradients(x, labels), then optimizer.step(). */
  trainStep(x: Tensor, labels: ArrayLike<number>, optimizer: Optimizer): LossResult {
    const result = this.gradients(x, labels);
    optimizer.step();
    return result;
  }

  /**
   * Mean loss and accuracy over a data set [N, ...], in batches of `batchSize` (default 500).
   * Runs in inference mode whatever the current mode (which it restores): evaluation never
   * touches BatchNorm's running statistics and drops nothing.
   */
  evaluate(x: Tensor, labels: ArrayLike<number>, opts: { batchSize?: number } = {}): EvaluateResult {
    const op = `${OP}.evaluate`;
    this.single(op);
    if (!x || !Array.isArray(x.shape) || !(x.data instanceof Float32Array)) throw new Error(`${op}: x must be a Tensor { data: Float32Array, shape }`);
    const N = x.shape[0];
    if (labels.length !== N) throw new Error(`${op}: labels has ${labels.length} entries but x ${formatShape(x.shape)} has ${N} samples`);
    const batch = opts.batchSize ?? 500;
    if (!Number.isInteger(batch) || batch < 1) throw new Error(`${op}: batchSize must be a positive integer, got ${String(batch)}`);
    const per = sizeOf(x.shape.slice(1));
    const wasTraining = this.isTraining;
    this.setMode(false);
    try {
      let loss = 0, correct = 0;
      for (let start = 0; start < N; start += batch) {
        const n = Math.min(batch, N - start);
        const xb = { data: x.data.subarray(start * per, (start + n) * per), shape: [n, ...x.shape.slice(1)] };
        const r = this.lossFn.forward(this.forwardSingle(xb, op), Array.prototype.slice.call(labels, start, start + n));
        loss += r.loss * n;
        correct += r.correct;
      }
      return { loss: loss / N, accuracy: correct / N, correct, count: N };
    } finally {
      this.setMode(wasTraining);
    }
  }

  /** The weights file (see weights.ts): the graph, every parameter and buffer, and `meta`. */
  saveWeights(meta: Record<string, unknown> = {}): Uint8Array {
    const spec = this.spec();
    return encodeWeights({
      layers: spec.nodes.map((n) => n.layer),
      graph: { inputs: spec.inputs, nodes: spec.nodes.map((n) => ({ name: n.name, inputs: n.inputs })), outputs: spec.outputs },
      tensors: this.stateTensors().map((p) => ({ name: p.name, shape: [...p.shape], data: p.read() })),
      meta,
    });
  }

  /**
   * Loads a weights file saved from the same architecture (a Graph's, or a Sequential's when this
   * graph is its chain); anything else is an Error saying what differs, and the graph is unchanged.
   */
  loadWeights(bytes: Uint8Array, source = 'weights'): Record<string, unknown> {
    const file = decodeWeights(bytes, source);
    const theirs = graphSpecOfFile(file);
    const mine = this.spec();
    const describe = (s: GraphSpec) => s.nodes.map((n) => `${n.name}=${describeLayer(n.layer)}(${n.inputs.join(',')})`).join(' ');
    if (JSON.stringify(theirs) !== JSON.stringify(mine)) {
      throw new Error(`${source}: weights of another architecture: the file has ${describe(theirs)}; this graph is ${describe(mine)}`);
    }
    const state = this.stateTensors();
    if (file.tensors.length !== state.length) {
      throw new Error(`${source}: the file holds ${file.tensors.length} tensors but this graph has ${state.length} parameters and buffers`);
    }
    file.tensors.forEach((t, i) => {
      const p = state[i];
      if (t.name !== p.name || t.shape.length !== p.shape.length || t.shape.some((d, j) => d !== p.shape[j])) {
        throw new Error(`${source}: tensor ${i} is ${t.name} ${formatShape(t.shape)} in the file but ${p.name} ${formatShape(p.shape)} in this graph`);
      }
    });
    file.tensors.forEach((t, i) => state[i].write(t.data));
    return file.meta;
  }

  /** Frees every layer's Wasm memory; the graph is unusable afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const node of this.nodes) node.layer.dispose();
    for (const b of this.feeds.values()) b.dispose();
    this.dyIn.dispose();
    this.sums.dispose();
    this.lossFn.dispose();
    this.values = null;
  }

  private setMode(training: boolean): void {
    this.isTraining = training;
    for (const node of this.nodes) node.layer.setTraining(training);
  }

  /** Parameters then buffers, node by node: the weights file's tensors. */
  private stateTensors(): Parameter[] {
    return this.nodes.flatMap((n) => [...n.layer.parameters(), ...n.layer.buffers()]);
  }

  /** The single input and output, or an Error naming what the graph has. */
  private single(op: string): [GraphInput, GraphOutput] {
    if (this.inputs.length !== 1 || this.outputs.length !== 1) {
      throw new Error(`${op}: needs a graph with one input and one output; this one has inputs ${this.inputs.map((i) => `'${i.name}'`).join(', ')} and outputs ${this.outputs.map((o) => `'${o.name}'`).join(', ')} (use run(feeds))`);
    }
    return [this.inputs[0], this.outputs[0]];
  }

  private forwardSingle(x: Tensor, op: string): Activation {
    const [input, output] = this.single(op);
    return this.forwardResident({ [input.name]: x }).get(output.tensor)!;
  }

  /** `timings`, when given, gets each node's forward milliseconds added (profile()). */
  private forwardResident(feeds: Record<string, Tensor>, timings?: Float64Array): Map<string, Activation> {
    const op = `${OP}.run`;
    if (this.disposed) throw new Error(`${op}: the graph was disposed`);
    if (!feeds || typeof feeds !== 'object') throw new Error(`${op}: feeds must be an object { inputName: Tensor }`);
    const names = this.inputs.map((i) => `'${i.name}'`).join(', ');
    for (const key of Object.keys(feeds)) {
      if (!this.feeds.has(key)) throw new Error(`${op}: unknown input name '${key}'; this graph's inputs are ${names}`);
    }
    let batch = -1;
    for (const input of this.inputs) {
      const x = feeds[input.name];
      if (!x) throw new Error(`${op}: no tensor for input '${input.name}'; this graph's inputs are ${names}`);
      if (!(x.data instanceof Float32Array) || !Array.isArray(x.shape) || x.shape.length < 1 || x.data.length !== sizeOf(x.shape)) {
        throw new Error(`${op}: input '${input.name}' must be a Tensor { data: Float32Array, shape } whose data length matches its shape`);
      }
      const sample = input.shape;
      if (sample && (x.shape.length !== sample.length + 1 || sample.some((d, i) => d !== x.shape[i + 1]))) {
        throw new Error(`${op}: input '${input.name}' has shape ${formatShape(x.shape)} but the graph takes [N,${sample.join(',')}]`);
      }
      if (batch >= 0 && x.shape[0] !== batch) throw new Error(`${op}: input '${input.name}' has batch ${x.shape[0]} but another input has ${batch}`);
      batch = x.shape[0];
    }
    this.backend.pool?.wake(); // the workers poll while the batch is copied in
    const values = new Map<string, Activation>();
    for (const input of this.inputs) {
      const x = feeds[input.name];
      const ptr = this.feeds.get(input.name)!.reserve(x.data.length);
      this.backend.arena.write(ptr, x.data);
      values.set(input.name, { ptr, shape: [...x.shape] });
    }
    this.values = null;
    this.nodes.forEach((node, i) => {
      const xs = node.inputs.map((t) => values.get(t)!);
      if (this.fusedActivations.has(i)) {
        // the conv computed it: the layer only keeps it for its backward pass
        (node.layer as ReLU | Clip).adoptFusedOutput(xs[0]);
        values.set(node.name, xs[0]);
        return;
      }
      const fused = this.fusedConvs.get(i);
      const start = timings ? performance.now() : 0;
      values.set(node.name, this.atNode(node, () =>
        fused ? (node.layer as Conv1d | Conv2d).forwardClamped(xs[0], fused.clamp)
        : node.layer instanceof Layer ? node.layer.forward(xs[0]) : node.layer.forward(xs)));
      if (timings) timings[i] += performance.now() - start;
    });
    this.values = values;
    return values;
  }

  /**
   * Back-propagates dy (of the single output) through the nodes in reverse order. Returns the
   * gradients by tensor; graph inputs get one only if `inputGradient`.
   */
  private backwardResident(dy: Activation, inputGradient: boolean): GradientSums {
    const [, output] = this.single(`${OP}.backward`);
    const sums = this.sums;
    sums.clear();
    sums.add(output.tensor, dy);
    const isInput = new Set(this.inputs.map((i) => i.name));
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i];
      const g = sums.get(node.name);
      if (!g) {
        // nothing on the way to the loss reads this node: its parameters' gradients are zero
        for (const p of node.layer.parameters()) this.backend.kernels.f32_zero(p.gradPtr, p.size);
        continue;
      }
      const wanted = node.inputs.map((t) => inputGradient || !isInput.has(t));
      const layer = node.layer;
      const dxs = this.atNode(node, () => (layer instanceof Layer ? [layer.backward(g, wanted[0])] : layer.backward(g, wanted)));
      dxs.forEach((dx, j) => dx && wanted[j] && sums.add(node.inputs[j], dx));
    }
    return sums;
  }

  /** Runs a layer's pass; an Error from it names the node and what it reads. */
  private atNode<T>(node: GraphNode, pass: () => T): T {
    try {
      return pass();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`${OP}: node '${node.name}' = ${node.layer}(${node.inputs.map((t) => `'${t}'`).join(', ')}): ${message}`, { cause: error });
    }
  }

  private lastOutput(op: string): Activation {
    const [, output] = this.single(op);
    if (!this.values) throw new Error(`${op}: call forward first`);
    return this.values.get(output.tensor)!;
  }

  private copyOut(a: Activation): Tensor {
    return { data: this.backend.arena.read(a.ptr, sizeOf(a.shape)), shape: [...a.shape] };
  }
}

function describeLayer(spec: unknown): string {
  const s = spec as { type?: string };
  return typeof s?.type === 'string' ? s.type : JSON.stringify(spec);
}
