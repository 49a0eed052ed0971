/** A row-major float32 tensor: any object of this shape is accepted as input. */
export interface Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** Number of elements a shape holds. */
export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** `[1,4,8,8]`: how shapes appear in error messages. */
export function formatShape(shape: readonly unknown[]): string {
  return `[${shape.map(String).join(',')}]`;
}

/**
 * Build a Tensor, copying `data` (any ArrayLike of numbers) into a new Float32Array.
 * Throws if the shape is not a list of positive integers or does not match the data length.
 */
export function tensor(data: ArrayLike<number>, shape: readonly number[]): Tensor {
  if (data == null || typeof (data as ArrayLike<number>).length !== 'number') {
    throw new Error(`tensor: data must be an array-like of numbers, got ${describe(data)}`);
  }
  checkShape('tensor', 'shape', shape);
  const size = sizeOf(shape);
  if (data.length !== size) {
    throw new Error(
      `tensor: data has ${data.length} elements but shape ${formatShape(shape)} needs ${size}`,
    );
  }
  return { data: Float32Array.from(data), shape: Object.freeze([...shape]) };
}

/** Throws unless `shape` is an array of positive integers. */
export function checkShape(op: string, name: string, shape: unknown): asserts shape is number[] {
  if (!Array.isArray(shape)) {
    throw new Error(`${op}: ${name} must be an array of positive integers, got ${describe(shape)}`);
  }
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 1) {
      throw new Error(
        `${op}: ${name} ${formatShape(shape)} has a dimension ${String(d)}; every dimension must be a positive integer`,
      );
    }
  }
}

/** A short description of an unexpected value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `an Array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'Object'})`;
  if (typeof value === 'string') return JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}
