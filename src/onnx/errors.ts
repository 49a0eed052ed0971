// The Errors fromONNX and toONNX throw: every one names where it happened (the model's label,
// and for a node its op type, name and opset), so an unsupported model is never half-imported.
import type { onnx } from 'onnx-proto';

/** What an import error names: the node (op type, name) and the opset it was read under. */
export interface NodeContext {
  readonly source: string;
  readonly opset: number;
  readonly node: onnx.INodeProto;
}

/** A node's name as an error shows it: its own name, or its first output when it has none. */
export function nodeLabel(node: onnx.INodeProto): string {
  return node.name ? node.name : `(unnamed, output '${node.output?.[0] ?? ''}')`;
}

/** An Error about one node: `source: node 'name' (Conv, opset 13): message`. */
export function nodeError(ctx: NodeContext, message: string): Error {
  return new Error(`${ctx.source}: node '${nodeLabel(ctx.node)}' (${ctx.node.opType}, opset ${ctx.opset}): ${message}`);
}

/** An Error about the model as a whole (its opset, inputs, tensors). */
export function modelError(source: string, message: string): Error {
  return new Error(`${source}: ${message}`);
}
