// What wasmconv's algorithm 'auto' picks for a 2-D conv layer: the rule of usesWinograd in
// src/ops/passes/index.ts (docs/winograd.md), restated for the benches' labels;
// test/resnet18-model.test.ts checks that it agrees with the library's.
// layer: { x: [N, C, H, W], w: [O, C, KH, KW], stride, padding } (square, dilation 1, groups 1);
// prepared: the weights of a prepareConv2d (U kept), where 4 tiles per image in one block of
// tiles suffice whatever U's size
export function autoPicksWinograd(layer, prepared = false) {
  const [n, c, h] = layer.x, [o, , kh, kw] = layer.w;
  if (kh !== 3 || kw !== 3 || layer.stride !== 1) return false;
  const out = h + 2 * layer.padding - 2;
  const tiles = Math.ceil(out / 4) ** 2;
  if (Math.min(c, o) < 16 || (out * out) / (tiles * 16) < 0.5) return false;
  if (n * tiles >= 16) return true;
  // one block: the forward pass's tiles per block (2 MiB of V and M, at least 8 tiles)
  const perTile = 36 * (c + Math.ceil(o / 4) * 4) * 4;
  const oneBlock = tiles <= Math.max(8, Math.floor((2 << 20) / perTile / 8) * 8);
  // fewer tiles, from 32 channels: 4 with U (36·O·C floats) up to 4 MiB, 9 with U up to 16 MiB,
  // or any U made a few rows at a time (one image in one block of tiles)
  const uBytes = 36 * o * c * 4, fused = n === 1 && oneBlock;
  if (Math.min(c, o) >= 32 && ((n * tiles >= 4 && (uBytes <= 4 << 20 || fused)) || (n * tiles >= 9 && (uBytes <= 16 << 20 || fused)))) return true;
  return prepared && tiles >= 4 && oneBlock;
}
