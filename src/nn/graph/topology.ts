// Checks a graph definition and orders its nodes so that every node comes after the nodes it
// reads: names unique, every tensor read is defined, each layer gets the number of inputs it
// takes and appears once, no cycles. Done once, when the Graph is built.
import { Layer } from '../layer.js';
import { MergeLayer } from '../merge-layer.js';
import type { GraphDefinition, GraphNode } from './definition.js';

const OP = 'nn.Graph';

function checkName(what: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw new Error(`${OP}: ${what} must have a non-empty string name, got ${JSON.stringify(name)}`);
  return name;
}

/** The nodes in an order where each comes after its inputs' producers (definition order where free). */
export function topologicalOrder(def: GraphDefinition): GraphNode[] {
  if (!def || !Array.isArray(def.inputs) || !Array.isArray(def.nodes) || !Array.isArray(def.outputs)) {
    throw new Error(`${OP}: expected { inputs, nodes, outputs } arrays (build graphs with nn.GraphBuilder)`);
  }
  if (def.inputs.length === 0) throw new Error(`${OP}: a graph needs at least one input`);
  if (def.outputs.length === 0) throw new Error(`${OP}: a graph needs at least one output`);
  const defined = new Set<string>();
  const claim = (what: string, name: unknown) => {
    const n = checkName(what, name);
    if (defined.has(n)) throw new Error(`${OP}: the name '${n}' is used twice (input and node names must be unique)`);
    defined.add(n);
  };
  for (const input of def.inputs) {
    claim('every input', input?.name);
    if (input.shape !== undefined && (!Array.isArray(input.shape) || !(input.shape as unknown[]).every((d) => Number.isInteger(d) && (d as number) > 0))) {
      throw new Error(`${OP}: input '${input.name}' has shape ${JSON.stringify(input.shape)}; a sample shape is a list of positive integers`);
    }
  }
  const layers = new Set<unknown>();
  for (const node of def.nodes) {
    claim('every node', node?.name);
    const { layer } = node;
    if (!(layer instanceof Layer) && !(layer instanceof MergeLayer)) throw new Error(`${OP}: node '${node.name}' has no layer (got ${String(layer)})`);
    if (layers.has(layer)) throw new Error(`${OP}: node '${node.name}' reuses the layer ${layer} of another node; give each node its own layer`);
    layers.add(layer);
    const arity = layer instanceof MergeLayer ? layer.arity : 1;
    if (!Array.isArray(node.inputs) || node.inputs.length !== arity) {
      throw new Error(`${OP}: node '${node.name}' (${layer}) takes ${arity} input${arity === 1 ? '' : 's'}, got ${JSON.stringify(node.inputs)}`);
    }
  }
  for (const node of def.nodes) {
    for (const t of node.inputs) if (!defined.has(t)) throw new Error(`${OP}: node '${node.name}' reads '${t}', which is no input or node of this graph`);
  }
  for (const out of def.outputs) {
    checkName('every output', out?.name);
    if (!defined.has(out.tensor)) throw new Error(`${OP}: output '${out.name}' is '${out.tensor}', which is no input or node of this graph`);
  }
  if (new Set(def.outputs.map((o) => o.name)).size !== def.outputs.length) throw new Error(`${OP}: output names must be unique`);

  const available = new Set(def.inputs.map((i) => i.name));
  const pending = [...def.nodes];
  const order: GraphNode[] = [];
  while (pending.length > 0) {
    const i = pending.findIndex((n) => n.inputs.every((t: string) => available.has(t)));
    if (i < 0) {
      const stuck = pending.map((n) => `'${n.name}' (reads ${n.inputs.map((t: string) => `'${t}'`).join(', ')})`).join(', ');
      throw new Error(`${OP}: the graph has a cycle: no order computes ${stuck}`);
    }
    const [node] = pending.splice(i, 1);
    order.push(node);
    available.add(node.name);
  }
  return order;
}
