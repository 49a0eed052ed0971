// Graph.profile: per-node forward timings beside the same outputs forward gives.
import { describe, expect, it } from 'vitest';
import { init, nn } from '../src/index.js';
import { randomData, seededRandom } from './helpers/random.js';

describe('nn.Graph.profile', () => {
  it('times every node in run order and returns the outputs forward gives', async () => {
    await init({ isa: 'simd' });
    const model = nn.resnet20({ seed: 3 }).eval();
    try {
      const x = { data: randomData(2 * 784, seededRandom(1)), shape: [2, 1, 28, 28] };
      const p = model.profile({ x }, { runs: 3 });
      expect(p.runs).toBe(3);
      expect(p.nodes.map((n) => n.name)).toEqual(model.nodes.map((n) => n.name));
      expect(p.nodes.map((n) => n.layer)).toEqual(model.nodes.map((n) => String(n.layer)));
      expect(p.nodes.every((n) => n.ms >= 0)).toBe(true);
      expect(p.nodes.some((n) => n.ms > 0)).toBe(true);
      expect(p.totalMs).toBeCloseTo(p.nodes.reduce((s, n) => s + n.ms, 0), 9);
      const [output] = model.outputs;
      expect(p.outputs[output.name].data).toEqual(model.forward(x).data);
      expect(() => model.profile({ x }, { runs: 0 })).toThrow(/^nn\.Graph\.profile: runs must be a positive integer, got 0$/);
      expect(() => model.profile({ y: x })).toThrow(/unknown input name 'y'/);
    } finally {
      model.dispose();
    }
  });
});
