// The parts of TensorFlow.js the plug-in uses, described by shape rather than imported:
// @tensorflow/tfjs-core is an optional peer dependency, never bundled, and any tfjs ≥ 4 namespace
// (tfjs-core's or the @tensorflow/tfjs union package's) fits these.

/** A tensor as a kernel sees it: a handle to the backend's storage, its shape and dtype. */
export interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | 'complex64' | 'string';
}

export interface KernelArgs {
  inputs: Record<string, TensorInfo | undefined>;
  backend: object;
  attrs?: Record<string, unknown>;
}

export type KernelFunc = (args: KernelArgs) => TensorInfo | TensorInfo[];

export interface KernelConfig {
  kernelName: string;
  backendName: string;
  kernelFunc: KernelFunc;
  setupFunc?: (backend: object) => void;
  disposeFunc?: (backend: object) => void;
}

export type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

/** What tfjs's backend_util.computeConv2DInfo returns: the geometry its own kernels run. */
export interface Conv2DInfo {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  padInfo: { top: number; bottom: number; left: number; right: number; type: string };
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  filterHeight: number;
  filterWidth: number;
  effectiveFilterHeight: number;
  effectiveFilterWidth: number;
  outShape: number[];
}

/** What tfjs's backend_util.computePool2DInfo returns (the parts the pooling kernels use). */
export interface PoolInfo {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  padInfo: { top: number; left: number };
  strideHeight: number;
  strideWidth: number;
  effectiveFilterHeight: number;
  effectiveFilterWidth: number;
  outShape: number[];
}

/** A tfjs Tensor, as far as a gradient function looks at it. */
export interface TfTensor {
  shape: number[];
  dtype: TensorInfo['dtype'];
}

/** A gradient in tfjs's gradient registry: for each input of the kernel, its gradient from dy. */
export interface GradConfig {
  kernelName: string;
  inputsToSave?: string[];
  outputsToSave?: boolean[];
  gradFunc(dy: TfTensor | TfTensor[], saved: TfTensor[], attrs: Record<string, unknown>): Record<string, () => TfTensor>;
}

/** What tfjs's backend_util.segment_util.collectGatherOpShapeInfo returns. */
export interface GatherInfo {
  batchSize: number;
  outerSize: number;
  dimSize: number;
  sliceSize: number;
  outputShape: number[];
}

/** The tfjs namespace, as far as registerWasmconv needs it. */
export interface Tfjs {
  registerKernel(config: KernelConfig): void;
  unregisterKernel(kernelName: string, backendName: string): void;
  /** a backend's own config: only kept, and handed back to registerKernel as it was */
  getKernel(kernelName: string, backendName: string): object | undefined;
  /** (configs as GradConfig: tfjs's own Tensor type is not this file's) */
  registerGradient(config: object): void;
  getGradient(kernelName: string): object | undefined;
  /** the backend kernels run on now */
  getBackend(): string;
  engine(): { runKernel(kernelName: string, inputs: object, attrs?: object): unknown };
  backend_util: {
    computeConv2DInfo(
      inShape: [number, number, number, number],
      filterShape: [number, number, number, number],
      strides: number | [number, number],
      dilations: number | [number, number],
      pad: 'same' | 'valid' | number | ExplicitPadding,
      roundingMode?: 'floor' | 'round' | 'ceil',
      depthwise?: boolean,
      dataFormat?: 'channelsFirst' | 'channelsLast',
    ): Conv2DInfo;
    computePool2DInfo(
      inShape: [number, number, number, number],
      filterSize: number | [number, number],
      strides: number | [number, number],
      dilations: number | [number, number],
      pad: 'same' | 'valid' | number | ExplicitPadding,
      roundingMode?: 'floor' | 'round' | 'ceil',
    ): PoolInfo;
    /** the shape a and b broadcast to; throws tfjs's own error where they do not */
    assertAndGetBroadcastShape(aShape: number[], bShape: number[]): number[];
    segment_util: {
      /** GatherV2's geometry; throws tfjs's own errors for a bad batchDims */
      collectGatherOpShapeInfo(x: TensorInfo, indices: TensorInfo, axis: number, batchDims: number): GatherInfo;
    };
  };
}
