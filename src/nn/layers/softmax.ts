// Softmax over the features of x [N, K] (a classifier's probabilities; ONNX's Softmax on 2-D
// data). Backward: dx = y·(dy − Σ dy·y) per row. Not for training with SoftmaxCrossEntropy,
// which takes the logits: put it after a model's last Linear for inference only.
import { formatShape, sizeOf } from '../../tensor.js';
import { Layer, type LayerSpec } from '../layer.js';
import { splitRange } from '../parallel.js';
import { Buffer, type Activation } from '../resident.js';

/** Elements below which a pass stays on one thread. */
const MIN_SPLIT = 1 << 16;

export class Softmax extends Layer {
  private readonly y: Buffer;
  private readonly dx: Buffer;
  private output: Activation | null = null;

  constructor() {
    super('nn.Softmax');
    this.y = new Buffer(this.backend, this.op);
    this.dx = new Buffer(this.backend, this.op);
  }

  forward(x: Activation): Activation {
    if (x.shape.length !== 2 || x.shape[1] < 1) throw new Error(`${this.op}: x must be [N, K] (features last), got ${formatShape(x.shape)}`);
    const [N, K] = x.shape;
    const y = this.y.reserve(N * K);
    splitRange(this.backend, this.op, N, Math.ceil(MIN_SPLIT / K), (k, r0, rows) => k.f32_softmax_rows(x.ptr + r0 * K * 4, rows, K, y + r0 * K * 4));
    this.output = { ptr: y, shape: x.shape };
    return this.output;
  }

  backward(dy: Activation, inputGradient: boolean): Activation | null {
    const y = this.output;
    if (!y) throw new Error(`${this.op}: backward called before forward`);
    this.checkGradientShape(dy, y.shape);
    if (!inputGradient) return null;
    const [N, K] = y.shape;
    const dx = this.dx.reserve(sizeOf(y.shape));
    splitRange(this.backend, this.op, N, Math.ceil(MIN_SPLIT / K), (k, r0, rows) =>
      k.f32_softmax_rows_backward(y.ptr + r0 * K * 4, dy.ptr + r0 * K * 4, rows, K, dx + r0 * K * 4));
    return { ptr: dx, shape: y.shape };
  }

  spec(): LayerSpec {
    return { type: 'Softmax' };
  }

  dispose(): void {
    this.y.dispose();
    this.dx.dispose();
    this.output = null;
  }
}
