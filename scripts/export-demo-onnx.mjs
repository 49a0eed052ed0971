// Writes demo/model/mnist-cnn.onnx, the demo's example ONNX model: the pretrained
// demo/model/mnist-cnn.wasmconv exported by nn.toONNX (opset 13). Run after `npm run build`:
//   node scripts/export-demo-onnx.mjs
// test/demo-model.test.ts checks that the committed file is what this writes.
import { readFileSync, writeFileSync } from 'node:fs';
import { init, nn } from 'wasmconv';

const source = new URL('../demo/model/mnist-cnn.wasmconv', import.meta.url);
const target = new URL('../demo/model/mnist-cnn.onnx', import.meta.url);
await init();
const model = nn.Sequential.fromWeights(new Uint8Array(readFileSync(source)), 'mnist-cnn.wasmconv');
const bytes = nn.toONNX(model);
model.dispose();
writeFileSync(target, bytes);
console.log(`wrote ${target.pathname} (${bytes.length} bytes)`);
