// f32_flip_weights on its own: the transposed conv's weights, out[g][c][o][t] = w[g][o][c][taps−1−t],
// at the edges of the SIMD builds' 4×4 blocks (channel counts around 4) and with 1 (a pure
// transpose, the blocked path) or more taps. A copy: every element must match exactly.
import { describe, expect, it } from 'vitest';
import { instantiateKernels } from '../src/loader.js';
import { TEST_ISAS } from './helpers/isas.js';
import { randomData, seededRandom } from './helpers/random.js';

const GROUPS = [1, 3];
const CHANNELS = [1, 3, 4, 5, 8, 11];
const TAPS = [1, 2, 9];

for (const isa of TEST_ISAS) {
  describe(`f32_flip_weights, isa ${isa}`, () => {
    it(`${GROUPS.length * CHANNELS.length ** 2 * TAPS.length} shapes, element by element`, async () => {
      const k = await instantiateKernels(isa);
      const base = Math.ceil(k.heap_base() / 16) * 16;
      const maxFloats = 3 * 11 * 11 * 9;
      // a guard float after out: the flip writes nothing past its end
      const at = { w: base, out: base + 4 * (maxFloats + 16) };
      const needed = at.out + 4 * (maxFloats + 1);
      if (k.memory.buffer.byteLength < needed) k.memory.grow(Math.ceil((needed - k.memory.buffer.byteLength) / 65536));
      const random = seededRandom(11);
      let checked = 0;
      for (const groups of GROUPS) for (const groupOut of CHANNELS) for (const groupIn of CHANNELS) for (const taps of TAPS) {
        const floats = groups * groupOut * groupIn * taps;
        const w = randomData(floats, random);
        new Float32Array(k.memory.buffer, at.w, floats).set(w);
        new Float32Array(k.memory.buffer, at.out, floats + 1).fill(-7);
        k.f32_flip_weights(at.w, groups, groupOut, groupIn, taps, at.out);
        const out = new Float32Array(k.memory.buffer, at.out, floats + 1);
        for (let g = 0; g < groups; g++) for (let c = 0; c < groupIn; c++) for (let o = 0; o < groupOut; o++) for (let t = 0; t < taps; t++) {
          const got = out[((g * groupIn + c) * groupOut + o) * taps + t];
          const want = w[((g * groupOut + o) * groupIn + c) * taps + taps - 1 - t];
          if (got !== want) {
            throw new Error(`out[${g}][${c}][${o}][${t}] = ${got}, expected ${want}; groups ${groups}, groupOut ${groupOut}, groupIn ${groupIn}, taps ${taps}`);
          }
        }
        expect(out[floats], 'the float after out').toBe(-7);
        checked++;
      }
      expect(checked).toBe(GROUPS.length * CHANNELS.length ** 2 * TAPS.length);
    });
  });
}
