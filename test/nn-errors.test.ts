// Bad input to the nn layers is an Error naming the argument and the shapes; the model stays usable.
import { beforeAll, describe, expect, it } from 'vitest';
import { init, nn } from '../src/index.js';

describe('nn errors', () => {
  beforeAll(async () => {
    await init({ isa: 'simd' });
  });

  it('a Linear given the wrong input size names both shapes and suggests Flatten for images', () => {
    const model = new nn.Sequential([new nn.Linear(512, 10)]);
    expect(() => model.forward({ data: new Float32Array(2 * 500), shape: [2, 500] })).toThrow(
      'nn.Linear: x has shape [2,500] but Linear(512→10) takes 512 input features; x must be [N,512]',
    );
    expect(() => model.forward({ data: new Float32Array(2 * 512), shape: [2, 2, 16, 16] })).toThrow(/put a Flatten before it/);
    expect(model.forward({ data: new Float32Array(2 * 512), shape: [2, 512] }).shape).toEqual([2, 10]);
    model.dispose();
  });

  it('a Conv2d given the wrong channels or rank says so with the shapes', () => {
    const model = new nn.Sequential([new nn.Conv2d(3, 8, 3)]);
    expect(() => model.forward({ data: new Float32Array(4 * 25), shape: [1, 4, 5, 5] })).toThrow(
      /nn\.Conv2d: w has 3 input channels per group but x has 4 channels.*\(x \[1,4,5,5\], w \[8,3,3,3\]\)/,
    );
    expect(() => model.forward({ data: new Float32Array(3 * 25), shape: [3, 25] })).toThrow(/nn\.Conv2d: x must have rank 4 \(\[N,C,H,W\]\), got shape \[3,25\]/);
    expect(() => new nn.Conv2d(3, 8, 3, { strides: 2 } as never)).toThrow(/unknown option 'strides'/);
    expect(() => new nn.Conv2d(3, 8, 0)).toThrow(/kernelSize\[0\] must be a positive integer/);
    model.dispose();
  });

  it('labels out of range, a label count that differs, backward before forward, bad optimiser options', () => {
    const model = new nn.Sequential([new nn.Flatten(), new nn.Linear(4, 3)]);
    const x = { data: new Float32Array(8), shape: [2, 1, 2, 2] };
    expect(() => model.gradients(x, [0, 3])).toThrow('nn.SoftmaxCrossEntropy: labels[1] is 3; labels must be integers in [0, 3)');
    expect(() => model.gradients(x, [0])).toThrow(/labels has 1 entries but logits \[2,3\] has 2 rows/);
    const fresh = new nn.Sequential([new nn.ReLU()]);
    expect(() => fresh.backward({ data: new Float32Array(1), shape: [1, 1] })).toThrow(/call forward first/);
    expect(() => new nn.SGD(model.parameters(), { lr: -1 })).toThrow(/nn\.SGD: lr must be a finite number ≥ 0, got -1/);
    expect(() => new nn.Adam([], {})).toThrow(/params must be a non-empty array/);
    expect(model.gradients(x, [0, 2]).loss).toBeCloseTo(Math.log(3), 5);
    model.dispose();
    fresh.dispose();
    expect(() => model.forward(x)).toThrow(/disposed/);
  });

  it('a MaxPool2d window larger than the input', () => {
    const model = new nn.Sequential([new nn.MaxPool2d(4)]);
    expect(() => model.forward({ data: new Float32Array(9), shape: [1, 1, 3, 3] })).toThrow(/nn\.MaxPool2d: window 4×4 is larger than x's 3×3 plane/);
    model.dispose();
    const padded = new nn.Sequential([new nn.MaxPool2d(6, { padding: 1 })]);
    expect(() => padded.forward({ data: new Float32Array(9), shape: [1, 1, 3, 3] })).toThrow(/nn\.MaxPool2d: window 6×6 is larger than x's 3×3 plane with padding 1×1/);
    padded.dispose();
  });

  it('MaxPool2d padding beyond half the kernel', () => {
    expect(() => new nn.MaxPool2d(3, { padding: 2 })).toThrow(/nn\.MaxPool2d: padding\[0\] must be an integer from 0 to half the kernel \(1\), got 2/);
    expect(() => new nn.MaxPool2d([2, 4], { padding: [1, -1] })).toThrow(/nn\.MaxPool2d: padding\[1\] must be an integer from 0 to half the kernel \(2\), got -1/);
  });

  it('disposing models gives their memory back', async () => {
    const { requireBackend } = await import('../src/runtime.js');
    const resident = requireBackend('test').arena.resident;
    const before = resident.stats.liveBytes;
    const model = nn.lenet({ seed: 1 });
    const opt = new nn.Adam(model.parameters());
    model.gradients({ data: new Float32Array(2 * 784), shape: [2, 1, 28, 28] }, [1, 2]);
    opt.step();
    expect(resident.stats.liveBytes).toBeGreaterThan(before);
    opt.dispose();
    model.dispose();
    expect(resident.stats.liveBytes).toBe(before);
  });
});
