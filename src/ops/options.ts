// Option parsing: turns the user's Conv2dOptions / Conv1dOptions into per-axis numbers, with an
// Error naming the option for anything malformed. Shapes are not known here ('same' padding is
// resolved later, in geometry.ts, once input and kernel sizes are).
import { describe } from '../tensor.js';
import { parseActivation, type ConvActivation, type OutputClamp } from './activation.js';
import { parseAlgorithm, type ConvAlgorithm } from './algorithm.js';

export interface Conv2dOptions {
  stride?: number | [number, number];
  /** number: same on every side; [ph, pw]: symmetric; [top, bottom, left, right] */
  padding?: number | [number, number] | [number, number, number, number] | 'valid' | 'same';
  dilation?: number | [number, number];
  groups?: number;
  /** 'auto' (default): Winograd where it is eligible and measured faster; 'gemm'; 'winograd' (docs/winograd.md) */
  algorithm?: ConvAlgorithm;
  /**
   * Forward only: an activation fused into the output, after the bias (no extra pass over
   * memory; bit-identical to the conv then relu / relu6 / clip). The backward calls refuse it.
   */
  activation?: ConvActivation;
}

export interface Conv1dOptions {
  stride?: number;
  /** number: both sides; [left, right] */
  padding?: number | [number, number] | 'valid' | 'same';
  dilation?: number;
  groups?: number;
  /** 'auto' (default): Winograd F(4, 3) where it is eligible and measured faster; 'gemm'; 'winograd' (docs/winograd.md) */
  algorithm?: ConvAlgorithm;
  /** Forward only: an activation fused into the output, after the bias (as Conv2dOptions.activation). */
  activation?: ConvActivation;
}

/** Options with one entry per spatial axis (height then width for 2-D, length for 1-D). */
export interface ConvParams {
  stride: number[];
  dilation: number[];
  /** [before, after] per axis, or 'same' (SAME_UPPER, resolved against the shapes) */
  padding: Array<[number, number]> | 'same';
  groups: number;
  algorithm: ConvAlgorithm;
  /** the `activation` option as an output clamp (null: none) */
  clamp: OutputClamp | null;
}

const KNOWN_OPTIONS = ['stride', 'padding', 'dilation', 'groups', 'algorithm', 'activation'];

export function parseConv2dOptions(op: string, opts: Conv2dOptions | undefined): ConvParams {
  const o = checkOptionsObject(op, opts);
  return {
    stride: perAxis(op, 'stride', o.stride, 2),
    dilation: perAxis(op, 'dilation', o.dilation, 2),
    padding: padding2d(op, o.padding),
    groups: positiveInteger(op, 'groups', o.groups ?? 1),
    algorithm: parseAlgorithm(op, o.algorithm),
    clamp: parseActivation(op, o.activation),
  };
}

export function parseConv1dOptions(op: string, opts: Conv1dOptions | undefined): ConvParams {
  const o = checkOptionsObject(op, opts);
  return {
    stride: [positiveInteger(op, 'stride', o.stride ?? 1)],
    dilation: [positiveInteger(op, 'dilation', o.dilation ?? 1)],
    padding: padding1d(op, o.padding),
    groups: positiveInteger(op, 'groups', o.groups ?? 1),
    algorithm: parseAlgorithm(op, o.algorithm),
    clamp: parseActivation(op, o.activation),
  };
}

function checkOptionsObject(op: string, opts: unknown): Record<string, unknown> {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== 'object' || Array.isArray(opts)) {
    throw new Error(`${op}: opts must be an options object, got ${describe(opts)}`);
  }
  for (const key of Object.keys(opts)) {
    // A misspelt option (say `strides`) silently ignored would give a wrong answer.
    if (!KNOWN_OPTIONS.includes(key)) {
      throw new Error(`${op}: unknown option '${key}'; the options are ${KNOWN_OPTIONS.join(', ')}`);
    }
  }
  return opts as Record<string, unknown>;
}

function positiveInteger(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${op}: ${name} must be a positive integer, got ${describe(value)}`);
  }
  return value;
}

function nonNegativeInteger(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new Error(`${op}: ${name} must be a non-negative integer, got ${describe(value)}`);
  }
  return value;
}

/** A number for every axis, or one entry per axis. */
function perAxis(op: string, name: string, value: unknown, axes: number): number[] {
  if (value === undefined) return new Array<number>(axes).fill(1);
  if (Array.isArray(value)) {
    if (value.length !== axes) {
      throw new Error(`${op}: ${name} must be a number or ${axes} numbers, got an array of length ${value.length}`);
    }
    return value.map((v, i) => positiveInteger(op, `${name}[${i}]`, v));
  }
  const v = positiveInteger(op, name, value);
  return new Array<number>(axes).fill(v);
}

function padding2d(op: string, value: unknown): ConvParams['padding'] {
  if (value === undefined || value === 'valid') return [[0, 0], [0, 0]];
  if (value === 'same') return 'same';
  if (typeof value === 'string') {
    throw new Error(`${op}: padding must be a number, [ph, pw], [top, bottom, left, right], 'valid' or 'same', got ${describe(value)}`);
  }
  if (Array.isArray(value)) {
    const p = value.map((v, i) => nonNegativeInteger(op, `padding[${i}]`, v));
    if (p.length === 2) return [[p[0], p[0]], [p[1], p[1]]];
    if (p.length === 4) return [[p[0], p[1]], [p[2], p[3]]];
    throw new Error(`${op}: padding must have 2 ([ph, pw]) or 4 ([top, bottom, left, right]) entries, got ${p.length}`);
  }
  const p = nonNegativeInteger(op, 'padding', value);
  return [[p, p], [p, p]];
}

function padding1d(op: string, value: unknown): ConvParams['padding'] {
  if (value === undefined || value === 'valid') return [[0, 0]];
  if (value === 'same') return 'same';
  if (typeof value === 'string') {
    throw new Error(`${op}: padding must be a number, [left, right], 'valid' or 'same', got ${describe(value)}`);
  }
  if (Array.isArray(value)) {
    if (value.length !== 2) {
      throw new Error(`${op}: padding must have 2 entries ([left, right]), got ${value.length}`);
    }
    return [[nonNegativeInteger(op, 'padding[0]', value[0]), nonNegativeInteger(op, 'padding[1]', value[1])]];
  }
  const p = nonNegativeInteger(op, 'padding', value);
  return [[p, p]];
}
