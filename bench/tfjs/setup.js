// Loads tfjs-core with its gradients registered and the backend asked for ('cpu' or 'wasm').
import { register } from 'node:module';

register('./resolve-hook.js', import.meta.url);

export async function loadTfjs(backendName) {
  const tf = await import('@tensorflow/tfjs-core');
  // the gradient registry is global (shared by every copy of tfjs-core), so registering through
  // the per-file build serves the Node bundle too
  await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  if (backendName === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  else if (backendName === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url).pathname);
  } else throw new Error(`unknown tfjs backend ${backendName}`);
  await tf.setBackend(backendName);
  await tf.ready();
  if (tf.getBackend() !== backendName) throw new Error(`tfjs backend ${backendName} did not load`);
  return tf;
}
