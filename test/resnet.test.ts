// nn.resnet20 on every ISA: exactly CIFAR ResNet-20's structure and parameter count (computed
// from the architecture here, not copied from anywhere), both input sizes, and a few training
// steps on a small seeded synthetic task that lower the loss.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { init, nn } from '../src/index.js';
import { TEST_ISAS } from './helpers/isas.js';
import { bands } from './helpers/synthetic.js';

/** Parameters of ResNet-20 (option B shortcuts, bias-free convs, BN γ and β) for `c` input channels and `k` classes. */
function resnet20Parameters(c: number, k: number): number {
  const conv = (i: number, o: number, kernel: number) => i * o * kernel * kernel;
  const bn = (ch: number) => 2 * ch;
  let total = conv(c, 16, 3) + bn(16);
  let inC = 16;
  for (const width of [16, 32, 64]) {
    for (let block = 0; block < 3; block++) {
      total += conv(inC, width, 3) + bn(width) + conv(width, width, 3) + bn(width);
      if (inC !== width) total += conv(inC, width, 1) + bn(width);
      inC = width;
    }
  }
  return total + 64 * k + k;
}

describe.each(TEST_ISAS)('nn.resnet20, isa %s', (isa) => {
  const owned: Array<{ dispose(): void }> = [];
  beforeAll(async () => {
    await init({ isa });
  });
  afterEach(() => {
    for (const o of owned.splice(0)) o.dispose();
  });

  it('has the CIFAR ResNet-20 structure and parameter count, for 1 and 3 input channels', () => {
    const m1 = nn.resnet20(), m3 = nn.resnet20({ inChannels: 3, classes: 7 });
    owned.push(m1, m3);
    const count = (m: nn.Graph) => m.parameters().reduce((s, p) => s + p.size, 0);
    expect(count(m1)).toBe(resnet20Parameters(1, 10));
    expect(count(m1)).toBe(272186);
    expect(count(m3)).toBe(resnet20Parameters(3, 7));
    const specs = m1.nodes.map((n) => n.layer.spec());
    const convs = specs.filter((s) => s.type === 'Conv2d');
    // 19 weighted layers on the main path + the classifier = 20; two 1×1 projection shortcuts
    expect(convs.length).toBe(21);
    expect(convs.filter((s) => s.type === 'Conv2d' && s.kernelSize[0] === 1).length).toBe(2);
    expect(convs.every((s) => s.type === 'Conv2d' && s.bias === false)).toBe(true);
    expect(convs.filter((s) => s.type === 'Conv2d' && s.stride === 2).map((s) => s.type === 'Conv2d' && [s.inChannels, s.outChannels, s.kernelSize[0]]))
      .toEqual([[16, 32, 3], [16, 32, 1], [32, 64, 3], [32, 64, 1]]);
    expect(specs.filter((s) => s.type === 'BatchNorm2d').length).toBe(21);
    expect(specs.filter((s) => s.type === 'Add').length).toBe(9);
    expect(specs.at(-1)).toEqual({ type: 'Linear', inFeatures: 64, outFeatures: 10, bias: true });
    expect(m1.nodes.find((n) => n.name === 'layer2.0.add')!.inputs).toEqual(['layer2.0.bn2', 'layer2.0.shortcut.bn']);
    expect(m1.nodes.find((n) => n.name === 'layer2.1.add')!.inputs).toEqual(['layer2.1.bn2', 'layer2.0.relu2']);
    m1.eval();
    m3.eval();
    expect(m1.forward({ data: new Float32Array(2 * 784), shape: [2, 1, 28, 28] }).shape).toEqual([2, 10]);
    expect(m3.forward({ data: new Float32Array(3 * 1024), shape: [1, 3, 32, 32] }).shape).toEqual([1, 7]);
    expect(() => nn.resnet20({ inChannels: 0 })).toThrow(/nn\.resnet20: inChannels must be a positive integer, got 0/);
  });

  it('trains: a few SGD steps on a seeded two-class task lower the loss, and the seed fixes the weights', () => {
    const model = nn.resnet20({ seed: 3, classes: 2 });
    const same = nn.resnet20({ seed: 3, classes: 2 });
    const opt = new nn.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    owned.push(model, same, opt);
    expect(same.parameters()[0].read()).toEqual(model.parameters()[0].read());
    const { x, labels } = bands(16, 1);
    const batch = { data: x, shape: [16, 1, 28, 28] };
    const losses: number[] = [];
    for (let step = 0; step < 6; step++) losses.push(model.trainStep(batch, labels, opt).loss);
    expect(losses.every(Number.isFinite), `${isa} losses ${losses}`).toBe(true);
    expect(losses.at(-1)!, `${isa} losses ${losses}`).toBeLessThan(0.5 * losses[0]);
  }, 60_000);

  it("the algorithm option: 'gemm', 'auto' and 'winograd' give the same model and outputs within rounding", () => {
    const { x } = bands(4, 2);
    const batch = { data: x, shape: [4, 1, 28, 28] };
    const outputs = (['gemm', 'auto', 'winograd'] as const).map((algorithm) => {
      const model = nn.resnet20({ seed: 5, algorithm });
      owned.push(model);
      return model.eval().forward(batch).data;
    });
    const scale = Math.max(...outputs[0].map(Math.abs));
    // Winograd's F(4×4, 3×3) error stays within ~1e-5 of the output scale on such layers (docs/winograd.md)
    for (const other of outputs.slice(1)) expect(Math.max(...other.map((v, i) => Math.abs(v - outputs[0][i]))) / scale).toBeLessThan(1e-4);
    expect(outputs[1]).not.toEqual(outputs[0]); // 'auto' does take the Winograd path on the 16- to 64-channel convs
    expect(() => nn.resnet20({ algorithm: 'fft' as 'gemm' })).toThrow(/algorithm must be 'auto', 'gemm', 'winograd', got "fft"/);
  });
});
