// Ops called before init() has resolved: a clear Error telling the caller what to do.
// (Its own file: vitest gives each file fresh module state, so nothing is initialised here.)
import { describe, expect, it } from 'vitest';
import { backend, conv1d, conv2dBackward, init, tensor } from '../src/index.js';

describe('before init()', () => {
  it('ops throw an Error saying to await init()', () => {
    const x = tensor([1, 2, 3], [1, 1, 3]);
    const w = tensor([0.3, 0.5], [1, 1, 2]);
    expect(() => conv1d(x, w)).toThrow(/conv1d: wasmconv is not initialised; call `await init\(\)` first/);
    expect(() => conv2dBackward(x, x, w)).toThrow(/conv2dBackward: .*await init\(\)/);
    expect(() => backend()).toThrow(/await init\(\)/);
  });

  it('works once init() has resolved', async () => {
    await init();
    const y = conv1d(tensor([1, 2, 3], [1, 1, 3]), tensor([0.3, 0.5], [1, 1, 2]));
    expect(Array.from(y.data)).toEqual([Math.fround(1.3), Math.fround(2.1)]);
  });
});
