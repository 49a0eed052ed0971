// The weights file: round trip, rebuilding the architecture from the header, clear Errors for
// another architecture, a truncated or foreign file and a newer version; atomic saving.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { init, nn } from '../src/index.js';
import { loadModel, saveModel, writeFileAtomic } from '../src/node/index.js';
import { randomData, seededRandom } from './helpers/random.js';

const small = (seed: number) => new nn.Sequential([new nn.Conv2d(1, 3, 3), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(27, 4)], { seed });

describe('weights file', () => {
  const models: nn.Sequential[] = [];
  beforeAll(async () => {
    await init({ isa: 'simd' });
  });
  afterEach(() => {
    for (const m of models.splice(0)) m.dispose();
  });
  const x = { data: randomData(2 * 64, seededRandom(1)), shape: [2, 1, 8, 8] };

  it('round-trips: a model rebuilt from the file gives the same outputs, and meta comes back', () => {
    const a = small(1);
    const bytes = a.saveWeights({ note: 'hello', testAccuracy: 0.5 });
    const b = nn.Sequential.fromWeights(bytes);
    models.push(a, b);
    expect(b.spec()).toEqual(a.spec());
    expect(b.forward(x).data).toEqual(a.forward(x).data);
    const c = small(2);
    models.push(c);
    expect(c.forward(x).data).not.toEqual(a.forward(x).data);
    expect(c.loadWeights(bytes)).toEqual({ note: 'hello', testAccuracy: 0.5 });
    expect(c.forward(x).data).toEqual(a.forward(x).data);
  });

  it('documents its layout: magic, version, header length, JSON header, aligned little-endian payload', () => {
    const a = small(1);
    models.push(a);
    const bytes = a.saveWeights();
    expect(String.fromCharCode(...bytes.subarray(0, 8))).toBe('WASMCONV');
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    expect(view.getUint32(8, true)).toBe(1);
    const headerLength = view.getUint32(12, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerLength)));
    expect(header.tensors.map((t: { name: string }) => t.name)).toEqual(['0.weight', '0.bias', '4.weight', '4.bias']);
    expect(header.layers[0]).toMatchObject({ type: 'Conv2d', inChannels: 1, outChannels: 3, kernelSize: [3, 3] });
    const payload = Math.ceil((16 + headerLength) / 4) * 4;
    expect(view.getFloat32(payload, true)).toBe(a.parameters()[0].read()[0]);
    expect(bytes.length).toBe(payload + 4 * (27 + 3 + 108 + 4));
  });

  it('another architecture is an Error naming both', () => {
    const a = small(1);
    const other = new nn.Sequential([new nn.Conv2d(1, 5, 3), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(45, 4)]);
    models.push(a, other);
    expect(() => other.loadWeights(a.saveWeights(), 'a.wasmconv')).toThrow(
      /a\.wasmconv: weights of another architecture: the file has Conv2d\(1→3, 3×3\).*this model is Conv2d\(1→5, 3×3\)/,
    );
    // and the model still works, unchanged
    expect(other.forward(x).shape).toEqual([2, 4]);
  });

  it('a truncated file, a foreign file, extra bytes and a newer version are clear Errors', () => {
    const a = small(1);
    models.push(a);
    const bytes = a.saveWeights();
    expect(() => a.loadWeights(bytes.subarray(0, bytes.length - 3), 'm')).toThrow(/m: truncated: \d+ bytes, but its header describes 142 floats/);
    expect(() => a.loadWeights(bytes.subarray(0, 40), 'm')).toThrow(/m: truncated: the header needs/);
    expect(() => a.loadWeights(bytes.subarray(0, 10), 'm')).toThrow(/not a wasmconv weights file/);
    expect(() => a.loadWeights(new TextEncoder().encode('{"layers": [] , "tensors": []}'), 'm')).toThrow(/not a wasmconv weights file: it starts with/);
    const longer = new Uint8Array(bytes.length + 4);
    longer.set(bytes);
    expect(() => a.loadWeights(longer, 'm')).toThrow(/4 unexpected bytes after the payload/);
    const newer = bytes.slice();
    new DataView(newer.buffer).setUint32(8, 2, true);
    expect(() => a.loadWeights(newer, 'm')).toThrow(/version 2; this wasmconv reads version 1/);
  });

  it('saveModel writes atomically (no temporary file left) and loadModel rebuilds the model; a failed save leaves the old file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasmconv-weights-'));
    const path = join(dir, 'm.wasmconv');
    const a = small(3);
    models.push(a);
    await saveModel(path, a, { epochs: 1 });
    expect(readdirSync(dir)).toEqual(['m.wasmconv']);
    const { model, meta } = await loadModel(path);
    models.push(model);
    expect(meta).toEqual({ epochs: 1 });
    expect(model.forward(x).data).toEqual(a.forward(x).data);
    // a rename onto a directory fails: the error surfaces and the temporary file is removed
    mkdirSync(join(dir, 'taken'));
    await expect(writeFileAtomic(join(dir, 'taken'), new Uint8Array(8))).rejects.toThrow();
    expect(readdirSync(dir).sort()).toEqual(['m.wasmconv', 'taken']);
    // a truncated file on disk names the file
    writeFileSync(path, readFileSync(path).subarray(0, 100));
    await expect(loadModel(path)).rejects.toThrow(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: truncated`));
  });
});
