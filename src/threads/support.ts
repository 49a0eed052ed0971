// Whether this environment can run wasmconv's thread pool, and how many cores it has.
import { isNode } from '../environment.js';

// Through a variable so that browser bundlers leave the Node built-in alone.
const NODE_OS = 'node:os';

/** null where threads work here; otherwise why not, in words a user can act on. */
export function threadsUnavailable(): string | null {
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown };
  if (!isNode()) {
    if (g.crossOriginIsolated === false) {
      return 'the page is not cross-origin isolated (serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
    }
    if (typeof g.Worker !== 'function') return 'this environment has no Web Workers';
  }
  if (typeof SharedArrayBuffer !== 'function') return 'SharedArrayBuffer is not available';
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  } catch {
    return 'this engine cannot share WebAssembly memory between threads';
  }
  return null;
}

/** Logical cores available to this process (1 if the environment does not say). */
export async function availableCores(): Promise<number> {
  if (isNode()) {
    const os = (await import(/* @vite-ignore */ NODE_OS)) as { availableParallelism?: () => number; cpus(): unknown[] };
    return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  }
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return Number.isInteger(cores) && cores! > 0 ? cores! : 1;
}
