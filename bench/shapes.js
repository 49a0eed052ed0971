// The standard shapes of DESIGN.md: real networks' layers. FLOPs per pass = 2·N·O·OH·OW·(C/groups)·KH·KW.
export const SHAPES = [
  { id: 'S1 mnist-c1', x: [64, 1, 28, 28], w: [32, 1, 3, 3], opts: { padding: 1 } },
  { id: 'S2 mnist-c2', x: [64, 32, 14, 14], w: [64, 32, 3, 3], opts: { padding: 1 } },
  { id: 'S3 cifar', x: [32, 64, 16, 16], w: [64, 64, 3, 3], opts: { padding: 1 } },
  { id: 'S4 resnet', x: [8, 128, 28, 28], w: [128, 128, 3, 3], opts: { padding: 1 } },
  { id: 'S5 pointwise', x: [8, 256, 14, 14], w: [256, 256, 1, 1], opts: {} },
  { id: 'S6 depthwise', x: [8, 128, 28, 28], w: [128, 1, 3, 3], opts: { padding: 1, groups: 128 } },
  { id: 'S7 stem', x: [16, 3, 64, 64], w: [32, 3, 3, 3], opts: { padding: 1, stride: 2 } },
  { id: 'S8 conv1d', x: [16, 64, 1024], w: [64, 64, 9], opts: { padding: 4 } },
];

/**
 * The timed passes. dW+db does the same multiply-adds as forward (db is a row sum on top), so all
 * three count flopsPerPass(shape).
 */
export const PASSES = [
  { id: 'forward', label: 'forward' },
  { id: 'dx', label: 'dX' },
  { id: 'dw', label: 'dW+db' },
];

/** Output spatial sizes for symmetric integer padding. */
export function outputSizes({ x, w, opts }) {
  const pad = opts.padding ?? 0, stride = opts.stride ?? 1;
  return x.slice(2).map((size, i) => Math.floor((size + 2 * pad - w[2 + i]) / stride) + 1);
}

export function flopsPerPass(shape) {
  const [n] = shape.x;
  const [o, cg, ...kernel] = shape.w;
  const positions = outputSizes(shape).reduce((a, b) => a * b, 1);
  return 2 * n * o * positions * cg * kernel.reduce((a, b) => a * b, 1);
}

/** dy's shape: [N, O, ...output sizes]. */
export function dyShape(shape) {
  return [shape.x[0], shape.w[0], ...outputSizes(shape)];
}

/** Picks shapes by id prefix ("S2" matches "S2 mnist-c2"); throws on an unknown one. */
export function selectShapes(ids) {
  if (!ids) return SHAPES;
  return ids.map((id) => {
    const shape = SHAPES.find((s) => s.id === id || s.id.split(' ')[0].toLowerCase() === id.toLowerCase());
    if (!shape) throw new Error(`--shapes: unknown shape '${id}'; known: ${SHAPES.map((s) => s.id.split(' ')[0]).join(', ')}`);
    return shape;
  });
}

const PASS_ALIASES = { forward: 'forward', fwd: 'forward', dx: 'dx', dw: 'dw', 'dw+db': 'dw', db: 'dw' };

/** Picks passes by id or alias (forward|fwd, dx, dw|dw+db); throws on an unknown one. */
export function selectPasses(ids) {
  if (!ids) return PASSES;
  return ids.map((id) => {
    const pass = PASSES.find((p) => p.id === PASS_ALIASES[id.toLowerCase()]);
    if (!pass) throw new Error(`--passes: unknown pass '${id}'; known: forward, dx, dw`);
    return pass;
  });
}
