// A drawing as MNIST digits were made (LeCun et al.): the ink's bounding box scaled to fit a
// 20×20 box with its aspect ratio kept (area-averaged, so strokes turn grey at their edges),
// placed in a 28×28 field and shifted so that its centre of mass is the field's centre.

export const SIDE = 28;
const BOX = 20;
/** Canvas pixels fainter than this are not ink when finding the bounding box. */
const INK = 0.05;

/**
 * `ink` holds width × height intensities in [0, 1] (row-major). Returns the 28×28 input the
 * model takes, values in [0, 1], or null for a blank drawing.
 */
export function preprocess(ink: Float32Array, width: number, height: number): Float32Array | null {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] > INK) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  const boxW = x1 - x0 + 1, boxH = y1 - y0 + 1;
  const scale = BOX / Math.max(boxW, boxH);
  const outW = Math.max(1, Math.round(boxW * scale)), outH = Math.max(1, Math.round(boxH * scale));

  // area-average the box to outW × outH: rows first, then columns
  const rows = new Float32Array(boxH * outW);
  for (let y = 0; y < boxH; y++) resample(ink, (y0 + y) * width + x0, 1, boxW, rows, y * outW, 1, outW);
  const small = new Float32Array(outH * outW);
  for (let x = 0; x < outW; x++) resample(rows, x, outW, boxH, small, x, outW, outH);

  // centre of mass, with the box placed in the middle of the field
  const left = Math.floor((SIDE - outW) / 2), top = Math.floor((SIDE - outH) / 2);
  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const v = small[y * outW + x];
      mass += v;
      mx += v * (left + x + 0.5);
      my += v * (top + y + 0.5);
    }
  }
  // shift the centre of mass to the field's centre, keeping the box inside the field
  const shift = (centre: number, start: number, size: number) =>
    Math.min(SIDE - size - start, Math.max(-start, Math.round(SIDE / 2 - centre)));
  const dx = mass > 0 ? shift(mx / mass, left, outW) : 0;
  const dy = mass > 0 ? shift(my / mass, top, outH) : 0;

  const out = new Float32Array(SIDE * SIDE);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) out[(top + dy + y) * SIDE + left + dx + x] = Math.min(1, small[y * outW + x]);
  }
  return out;
}

/**
 * Area-averages n samples (src[from + i·step]) onto m samples (dst[to + j·dstStep]): each output
 * is the mean of the input over its interval, counting partly covered samples by their overlap.
 */
function resample(src: Float32Array, from: number, step: number, n: number, dst: Float32Array, to: number, dstStep: number, m: number): void {
  const ratio = n / m;
  for (let j = 0; j < m; j++) {
    const start = j * ratio, end = (j + 1) * ratio;
    let sum = 0;
    for (let i = Math.floor(start); i < Math.min(n, Math.ceil(end)); i++) {
      const overlap = Math.min(end, i + 1) - Math.max(start, i);
      if (overlap > 0) sum += overlap * src[from + i * step];
    }
    dst[to + j * dstStep] = sum / ratio;
  }
}
