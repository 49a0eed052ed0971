// Linear (fully connected) layer on the GEMM kernel. Weight [out, in] (PyTorch's layout), bias [out]:
//   forward  y[N×out] = x[N×in] · Wᵀ + b   (f32_gemm_nt reads W's rows in place: no transposed copy,
//            and W streams from memory once, which is most of the cost at batch 1)
//   dX       dX[N×in] = dY[N×out] · W
//   dW       dW[out×in] = dYᵀ · X          (dYᵀ read through the GEMM's A strides, no copy)
//   db       column sums of dY
import { Layer, positiveInteger, type LayerSpec } from './layer.js';
import { kaimingNormal, Random } from './random.js';
import { Buffer, Parameter, type Activation } from './resident.js';

export interface LinearOptions {
  /** include a bias (default true) */
  bias?: boolean;
  /** seed of the layer's initial weights (default 0); a Sequential given a seed re-draws them */
  seed?: number;
}

export class Linear extends Layer {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  private readonly y: Buffer;
  private readonly dx: Buffer;
  private input: Activation | null = null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions = {}) {
    super('nn.Linear');
    positiveInteger(this.op, 'inFeatures', inFeatures);
    positiveInteger(this.op, 'outFeatures', outFeatures);
    this.weight = new Parameter(this.backend, 'weight', [outFeatures, inFeatures]);
    this.bias = opts.bias === false ? null : new Parameter(this.backend, 'bias', [outFeatures]);
    this.y = new Buffer(this.backend, this.op);
    this.dx = new Buffer(this.backend, this.op);
    this.resetParameters(new Random(opts.seed ?? 0));
  }

  override parameters(): Parameter[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  override resetParameters(random: Random): void {
    this.weight.write(kaimingNormal(this.weight.size, this.inFeatures, random));
    this.bias?.write(new Float32Array(this.outFeatures));
  }

  forward(x: Activation): Activation {
    const I = this.inFeatures, O = this.outFeatures;
    if (x.shape.length !== 2 || x.shape[1] !== I) {
      const hint = x.shape.length > 2 ? ' (put a Flatten before it)' : '';
      throw new Error(
        `${this.op}: x has shape [${x.shape.join(',')}] but ${this.toString()} takes ${I} input features; x must be [N,${I}]${hint}`,
      );
    }
    const N = x.shape[0];
    const { kernels } = this.backend;
    const y = this.y.reserve(N * O);
    if (this.bias) kernels.f32_fill_cols(y, N, O, this.bias.ptr);
    kernels.f32_gemm_nt(N, O, I, x.ptr, I * 4, this.weight.ptr, I * 4, y, O * 4, this.bias ? 1 : 0);
    this.input = x;
    return { ptr: y, shape: [N, O] };
  }

  backward(dy: Activation, inputGradient: boolean): Activation | null {
    const x = this.lastInput(this.input);
    const I = this.inFeatures, O = this.outFeatures, N = x.shape[0];
    this.checkGradientShape(dy, [N, O]);
    const { kernels, arena } = this.backend;
    const dx = inputGradient ? this.dx.reserve(N * I) : 0;
    const at = arena.layout(this.op, { db: this.bias ? 0 : O });
    kernels.f32_gemm(O, I, N, dy.ptr, 4, O * 4, x.ptr, I * 4, this.weight.gradPtr, I * 4, 0);
    kernels.f32_colsum(dy.ptr, N, O, O, this.bias ? this.bias.gradPtr : at.db);
    if (!inputGradient) return null;
    kernels.f32_gemm(N, I, O, dy.ptr, O * 4, 4, this.weight.ptr, I * 4, dx, I * 4, 0);
    return { ptr: dx, shape: x.shape };
  }

  spec(): LayerSpec {
    return { type: 'Linear', inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== null };
  }

  dispose(): void {
    this.weight.dispose();
    this.bias?.dispose();
    this.y.dispose();
    this.dx.dispose();
    this.input = null;
  }
}
