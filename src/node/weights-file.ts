/// <reference types="node" />
// Weights files on disk. Saving writes a temporary file beside the target, flushes it and renames
// it over the target, so a crash leaves either the old file or the new one, never half of one.
import { open, readFile, rename, unlink } from 'node:fs/promises';
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

/** Saves the model's weights file (see nn/weights.ts) at `path`, atomically. */
export async function saveModel(path: string, model: Sequential, meta: Record<string, unknown> = {}): Promise<void> {
  await writeFileAtomic(path, model.saveWeights(meta));
}

/** A model rebuilt from a weights file's architecture, with its weights, and the file's meta. */
export async function loadModel(path: string): Promise<{ model: Sequential; meta: Record<string, unknown> }> {
  const bytes = await readFile(path);
  const model = Sequential.fromSpec(decodeWeights(bytes, path).layers);
  let meta: Record<string, unknown>;
  try {
    meta = model.loadWeights(bytes, path);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, meta };
}
