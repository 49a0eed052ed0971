// How many images of a batch the calling thread takes when a pass is split across threads.
// Besides its slice, the calling thread copies the call's tensors in and out (touching fresh
// pages of the result arrays costs as much as copying them), so an even split would leave the
// workers idle at the end. The balance remembers, per op and shape, what the calling thread's
// slice cost per image and what the copying around it cost, and gives it the share that
// should make both sides finish together. A first call splits evenly.
import type { ConvGeometry } from './geometry.js';

interface Seen {
  /** milliseconds per image of the calling thread's slice */
  imageMs: number;
  /** milliseconds of copying around it */
  copyMs: number;
}

/** Shapes remembered; beyond this the memory starts over (a training loop has a handful). */
const CAPACITY = 256;

const seen = new Map<string, Seen>();

export const balanceKey = (op: string, g: ConvGeometry): string =>
  `${op} ${g.batch},${g.inChannels},${g.inH},${g.inW},${g.outChannels},${g.kernelH},${g.kernelW},${g.strideH},${g.strideW},` +
  `${g.padTop},${g.padLeft},${g.dilationH},${g.dilationW},${g.groups}`;

/**
 * Images for the calling thread out of `batch` on `threads` threads (fractional; the split
 * rounds it), or undefined for an even split. With c ms per image and t ms of copying, the
 * calling thread's n images and the copying take as long as a worker's share:
 * n·c + t = (batch − n)·c / (threads − 1).
 */
export function mainImages(key: string, batch: number, threads: number): number | undefined {
  const s = seen.get(key);
  if (!s || !(s.imageMs > 0)) return undefined;
  return (batch * s.imageMs - (threads - 1) * s.copyMs) / (threads * s.imageMs);
}

/** Records one call: the calling thread's `images` took `sliceMs`, the copying around them `copyMs`. */
export function recordCall(key: string, images: number, sliceMs: number, copyMs: number): void {
  const now = { imageMs: sliceMs / images, copyMs };
  const before = seen.get(key);
  if (!before && seen.size >= CAPACITY) seen.clear();
  // half the weight on the newest call: follows a machine whose load changes, damps one noisy call
  seen.set(key, before ? { imageMs: (before.imageMs + now.imageMs) / 2, copyMs: (before.copyMs + now.copyMs) / 2 } : now);
}
