// TensorFlow.js for the wasmconv/tfjs tests. The @tensorflow/tfjs union package is what users
// import, and its Node bundle registers tfjs's gradients (tfjs-core's own Node bundle does not,
// and tfjs-layers' leaves that to the union package too), so tf.grads and model.fit work with no
// resolve hook. Tests run on tfjs's cpu backend.
import * as tf from '@tensorflow/tfjs';
import { UNIT_ROUNDOFF } from './tolerance.js';

export { tf };

export async function tfjsCpu(): Promise<typeof tf> {
  return tfjsBackend('cpu');
}

/**
 * tfjs with the backend asked for. 'wasm' loads @tensorflow/tfjs-backend-wasm (not part of the
 * union package) with its binaries from node_modules, as bench/tfjs/setup.js does.
 */
export async function tfjsBackend(name: 'cpu' | 'wasm'): Promise<typeof tf> {
  if (name === 'wasm' && tf.findBackendFactory('wasm') === null) {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url).pathname);
  }
  await tf.setBackend(name);
  await tf.ready();
  if (tf.getBackend() !== name) throw new Error(`tfjs backend is ${tf.getBackend()}, not ${name}`);
  return tf;
}

/**
 * Two float32 evaluations of the same sums (tfjs-cpu's and wasmconv's) in different orders.
 * Each lies within (terms + 2)·u·Σ|term| of the exact sum (test/helpers/tolerance.ts), so they
 * differ by at most twice that; `scale` is Σ|term| per element (the op run on |inputs|).
 * Returns the largest error seen in units of u·Σ|term|.
 */
export function expectSameSums(label: string, got: Float32Array, expected: Float32Array, scale: Float32Array, terms: number, context: () => string): number {
  if (got.length !== expected.length) throw new Error(`${label}: length ${got.length}, expected ${expected.length}\n${context()}`);
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const error = Math.abs(got[i] - expected[i]);
    const tolerance = 2 * (terms + 2) * UNIT_ROUNDOFF * scale[i];
    if (!(error <= tolerance)) {
      throw new Error(
        `${label}[${i}]: tfjs-cpu ${expected[i]}, wasmconv ${got[i]} (error ${error.toExponential(3)}, ` +
          `tolerance ${tolerance.toExponential(3)} = 2·(${terms}+2)·2⁻²⁴·${scale[i]})\n${context()}`,
      );
    }
    if (scale[i] > 0) worst = Math.max(worst, error / (UNIT_ROUNDOFF * scale[i]));
  }
  return worst;
}
