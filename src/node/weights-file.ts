/// <reference types="node" />
// Weights files on disk. Saving writes a temporary file beside the target, flushes it and renames
// it over the target, so a crash leaves either the old file or the new one, never half of one.
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { Graph } from '../nn/graph/graph.js';
import { Sequential } from '../nn/sequential.js';
import { decodeWeights } from '../nn/weights.js';

export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => {});
    throw error;
  }
}

/** Saves the model's (a Sequential's or a Graph's) weights file (see nn/weights.ts) at `path`, atomically. */
export async function saveModel(path: string, model: Pick<Sequential | Graph, 'saveWeights'>, meta: Record<string, unknown> = {}): Promise<void> {
  await writeFileAtomic(path, model.saveWeights(meta));
}

/** A model rebuilt from a weights file's architecture, with its weights, and the file's meta. */
export async function loadModel(path: string): Promise<{ model: Sequential; meta: Record<string, unknown> }> {
  const bytes = await readFile(path);
  const file = decodeWeights(bytes, path);
  if (file.graph) throw new Error(`${path}: this weights file holds an nn.Graph, not an nn.Sequential; load it with loadGraph`);
  const model = Sequential.fromSpec(file.layers);
  let meta: Record<string, unknown>;
  try {
    meta = model.loadWeights(bytes, path);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, meta };
}

/** A Graph rebuilt from a weights file (a Graph's, or a Sequential's as a chain), and the file's meta. */
export async function loadGraph(path: string): Promise<{ model: Graph; meta: Record<string, unknown> }> {
  const bytes = await readFile(path);
  const model = Graph.fromWeights(bytes, path);
  return { model, meta: decodeWeights(bytes, path).meta };
}
