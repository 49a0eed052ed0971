/// <reference types="node" />
// wasmconv/node: Node-only helpers for training: the packaged MNIST digits, IDX files,
// and weights files on disk.
export { loadPackagedMnist, type Digits } from './mnist.js';
export { parseIdx, encodeIdx, readIdxFile, type IdxArray } from './idx.js';
export { packagedDigits, idxDigits, SPLIT_SEED, type DigitData, type DigitSplit } from './datasets.js';
export { saveModel, loadModel, loadGraph, writeFileAtomic } from './weights-file.js';
export { fashionMnist, fashionMnistCachePath, FASHION_CLASSES, FASHION_TRAIN_PER_CLASS, type FashionMnistOptions } from './fashion-mnist.js';
