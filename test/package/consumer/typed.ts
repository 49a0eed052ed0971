// A user's TypeScript: the package's types must check under both module resolutions.
import { init, tensor, conv2d, conv2dBackward, type Tensor, type Conv2dOptions } from 'wasmconv';
import { Sequential, Conv2d, ReLU, Flatten, Linear, SGD } from 'wasmconv/nn';
import { conv2dRef } from 'wasmconv/reference';
import { saveModel, type DigitData } from 'wasmconv/node';

export async function run(): Promise<number> {
  await init({ isa: 'auto' });
  const opts: Conv2dOptions = { stride: 1, padding: 'same' };
  const x: Tensor = tensor(new Float32Array(16), [1, 1, 4, 4]);
  const w: Tensor = tensor(new Float32Array(9).fill(1), [1, 1, 3, 3]);
  const y = conv2d(x, w, null, opts);
  const { dx, dw, db } = conv2dBackward(y, x, w, opts);
  const model = new Sequential([new Conv2d(1, 2, 3), new ReLU(), new Flatten(), new Linear(8, 2)], { seed: 1 });
  const opt = new SGD(model.parameters(), { lr: 0.01 });
  const { loss } = model.trainStep(x, Int32Array.from([1]), opt);
  const data: DigitData | null = null;
  await saveModel('model.wasmconv', model);
  // @ts-expect-error: a string is not a tensor
  conv2d('x', w);
  return dx.data.length + dw.data.length + db.data.length + conv2dRef(x, w, null).data.length + loss + (data ? 1 : 0);
}
