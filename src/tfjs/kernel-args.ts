// Kernel inputs by name, and handing a call to the backend's own kernel.
import type { KernelArgs, KernelFunc, TensorInfo } from './types.js';

export function input(where: string, inputs: Record<string, TensorInfo | undefined>, name: string): TensorInfo {
  const t = inputs[name];
  if (t === undefined) throw new Error(`${where}: input '${name}' is missing`);
  return t;
}

/** The backend's own kernel, for what these do not serve (other dtypes, other broadcasts). */
export function fallback(where: string, own: KernelFunc | undefined, args: KernelArgs): ReturnType<KernelFunc> {
  if (own === undefined) throw new Error(`${where}: only float32 tensors are supported here`);
  return own(args);
}
