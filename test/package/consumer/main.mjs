// A user's Node script: every entry point by name, the worked example through the functional
// API and through the reference, a one-step nn model, and the data-set helper without `mnist`.
import { init, backend, tensor, conv1d, conv1dBackward, nn } from 'wasmconv';
import * as nnEntry from 'wasmconv/nn';
import { conv1dRef, conv1dBackwardRef } from 'wasmconv/reference';
import { packagedDigits } from 'wasmconv/node';

await init();
const x = tensor([1, 2, 3], [1, 1, 3]);
const w = tensor([0.3, 0.5], [1, 1, 2]);
const dyData = [-0.1, 0.2];
const y = conv1d(x, w);
const { dx, dw, db } = conv1dBackward(tensor(dyData, [1, 1, 2]), x, w);
const ref = conv1dBackwardRef({ data: Float64Array.from(dyData), shape: [1, 1, 2] }, x, w);

const model = new nnEntry.Sequential([new nnEntry.Flatten(), new nnEntry.Linear(3, 2)], { seed: 1 });
const opt = new nnEntry.SGD(model.parameters(), { lr: 0.1 });
const { loss } = model.trainStep(tensor([1, 2, 3, 3, 2, 1], [2, 1, 3]), Int32Array.from([0, 1]), opt);
model.dispose();

let digits;
try {
  await packagedDigits();
  digits = 'loaded';
} catch (error) {
  digits = error.message;
}

const list = (t) => Array.from(t.data);
console.log(JSON.stringify({
  isa: backend().isa,
  sameNn: nn.Sequential === nnEntry.Sequential,
  y: list(y), dw: list(dw), db: list(db), dx: list(dx),
  refY: Array.from(conv1dRef(x, w, null).data), refDw: Array.from(ref.dw.data), refDb: Array.from(ref.db.data), refDx: Array.from(ref.dx.data),
  loss,
  digits,
}));
