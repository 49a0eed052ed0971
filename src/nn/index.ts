// wasmconv/nn: layers, loss, optimisers and a Sequential container whose activations and
// parameters stay in Wasm memory across a training step.
export { Layer, type LayerSpec } from './layer.js';
export { Conv2d, Conv1d, type Conv2dLayerOptions, type Conv1dLayerOptions, type ConvLayerOptions } from './conv.js';
export { Linear, type LinearOptions } from './linear.js';
export { ReLU } from './activation.js';
export {
  LeakyReLU, ReLU6, Clip, HardSigmoid, HardSwish, Sigmoid, Tanh, SiLU, FLOAT32_MAX, type HardSigmoidOptions,
} from './layers/activations.js';
export { MaxPool2d } from './pool.js';
export { Flatten } from './flatten.js';
export { BatchNorm2d, type BatchNorm2dOptions } from './layers/batchnorm.js';
export { GlobalAvgPool2d } from './layers/global-avgpool.js';
export { Add } from './layers/add.js';
export { Dropout, type DropoutOptions } from './layers/dropout.js';
export { AvgPool2d, type AvgPool2dOptions } from './layers/avgpool.js';
export { Concat } from './layers/concat.js';
export { ConvTranspose2d, type ConvTranspose2dOptions } from './layers/conv-transpose.js';
export { ChannelAffine, type ChannelAffineOptions } from './layers/channel-affine.js';
export { Mul } from './layers/mul.js';
export { ChannelSlice } from './layers/channel-slice.js';
export { Softmax } from './layers/softmax.js';
export { Pad2d } from './layers/pad.js';
export { ChannelShuffle } from './layers/channel-shuffle.js';
export { MergeLayer } from './merge-layer.js';
export {
  Graph, GraphBuilder, GraphTensor, layerOfSpec, graphSpecOfFile, foldBatchNorm,
  type GraphOptions, type GraphProfile, type AnyLayer, type GraphDefinition, type GraphInput, type GraphNode, type GraphOutput, type GraphSpec,
} from './graph/index.js';
export { resnet20, type ResNetOptions } from './resnet.js';
export { mobilenetV2Small, type MobileNetV2Options } from './mobilenet.js';
export { SoftmaxCrossEntropy, type LossResult, type SoftmaxCrossEntropyOptions } from './loss.js';
export { SGD, Adam, AdamW, type Optimizer, type SGDOptions, type AdamOptions } from './optim.js';
export { clipGradNorm } from './clip.js';
export { cosineSchedule, stepSchedule, type LrSchedule, type CosineScheduleOptions, type StepScheduleOptions } from './schedule.js';
export { ImageAugment, type AugmentOptions } from './augment.js';
export { Sequential, layerFromSpec, type SequentialOptions, type EvaluateResult } from './sequential.js';
export { Parameter, type Activation } from './resident.js';
export { Random, kaimingNormal } from './random.js';
export { encodeWeights, decodeWeights, WEIGHTS_MAGIC, WEIGHTS_VERSION, type WeightsFile, type WeightsTensor, type WeightsGraph } from './weights.js';
export { lenet } from './models.js';
export { trainEpoch, type EpochOptions, type EpochResult } from './train.js';
export { fromONNX, toONNX, type FromONNXOptions } from '../onnx/index.js';
