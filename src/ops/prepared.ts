// Prepared convolutions: weights (and bias) kept resident in Wasm memory, with what the
// forward pass makes from them (Winograd's transformed filter U, the GEMM's packed W) made on
// first use and kept, so repeated calls with the same weights (inference) copy in x alone and
// skip the copy, pack and transform of w. The same passes run as for conv2d/conv1d, so the
// results are bit-identical to theirs (test/prepared.test.ts).
//
// The resident copy belongs to one backend (one init()): when a later init() loads another
// (another ISA or thread count, or after dispose()), the next run() lays the weights out again
// in the new one from the prepared conv's own copy, and frees the old one's blocks.
import { requireBackend, type Backend } from '../runtime.js';
import type { ResidentBlock } from '../resident.js';
import { formatShape, type Tensor } from '../tensor.js';
import { winogradIneligibility } from './algorithm.js';
import type { ConvSpec } from './conv.js';
import { convForwardResident } from './execute.js';
import { checkBias, checkTensor, convGeometry } from './geometry.js';
import type { ConvParams } from './options.js';
import type { ForwardPointers, Pass } from './passes/index.js';

/** What a prepared conv holds in one backend's memory. */
interface Resident {
  backend: Backend;
  w: ResidentBlock;
  bias: ResidentBlock | null;
  /** by WeightsBlock key */
  blocks: Map<string, ResidentBlock>;
}

/** A convolution whose weights stay in Wasm memory, prepared once: `run(x)` as conv2d/conv1d(x, w, bias, opts). */
export class PreparedConv {
  /** the shape of w, [O, C/groups, KH, KW] (or [O, C/groups, K]) */
  readonly weightShape: readonly number[];
  /** whether a bias is added */
  readonly hasBias: boolean;
  private readonly w: Float32Array;
  private readonly bias: Float32Array | null;
  private resident: Resident | null = null;
  private disposed = false;
  private readonly runOp: string;

  /** @internal use prepareConv2d / prepareConv1d */
  constructor(private readonly spec: ConvSpec<unknown>, w: Tensor, bias: Tensor | null | undefined, private readonly params: ConvParams) {
    const op = `prepare${spec.name[0].toUpperCase()}${spec.name.slice(1)}`;
    this.runOp = `${op}(…).run`;
    checkTensor(op, 'w', w, spec.rank, spec.wLayout);
    const [outChannels, groupChannels] = w.shape;
    if (outChannels % params.groups !== 0) {
      throw new Error(`${op}: w has ${outChannels} output channels, not divisible by groups=${params.groups} (w ${formatShape(w.shape)})`);
    }
    const b = checkBias(op, bias, outChannels, w.shape);
    if (params.algorithm === 'winograd') {
      // eligibility depends on the kernel and the options alone: probe with the smallest valid x
      const probe = [1, groupChannels * params.groups, ...w.shape.slice(2).map((k, a) => params.dilation[a] * (k - 1) + 1)];
      const why = winogradIneligibility(convGeometry(op, probe, w.shape, { ...params, algorithm: 'auto' }));
      if (why) throw new Error(`${op}: algorithm 'winograd' cannot compute this convolution: ${why} (w ${formatShape(w.shape)})`);
    }
    // own copies: the caller's arrays may change, and another backend needs them again
    this.weightShape = Object.freeze([...w.shape]);
    this.w = w.data.slice();
    this.bias = b ? b.data.slice() : null;
    this.hasBias = b !== null;
  }

  /** y = conv(x, w, bias, opts) with the prepared weights and options; bit-identical to the unprepared call. */
  run(x: Tensor): Tensor {
    const op = this.runOp;
    if (this.disposed) throw new Error(`${op}: this prepared ${this.spec.name} was disposed`);
    const backend = requireBackend(op);
    checkTensor(op, 'x', x, this.spec.rank, this.spec.xLayout);
    const geometry = { ...convGeometry(op, x.shape, this.weightShape, this.params), preparedWeights: true };
    const resident = this.residentIn(backend);
    const y = convForwardResident(op, backend, geometry, x.data, {
      w: resident.w.ptr,
      bias: resident.bias ? resident.bias.ptr : 0,
      block: (pass) => this.block(resident, pass),
    });
    return { data: y, shape: geometry.outShape };
  }

  /** Frees the resident weights and blocks; run() is then an Error. Calling it twice is harmless. */
  dispose(): void {
    this.release();
    this.disposed = true;
  }

  /** The weights in `backend`'s memory, laid out there first if they are elsewhere (or nowhere). */
  private residentIn(backend: Backend): Resident {
    if (this.resident?.backend === backend) return this.resident;
    this.release();
    const { arena } = backend;
    const w = arena.resident.alloc(this.runOp, this.w.length * 4);
    const bias = this.bias ? arena.resident.alloc(this.runOp, this.bias.length * 4) : null;
    arena.write(w.ptr, this.w);
    if (bias) arena.write(bias.ptr, this.bias!);
    return (this.resident = { backend, w, bias, blocks: new Map() });
  }

  /** The block `pass` makes from the weights, made on its first use and kept. */
  private block(resident: Resident, pass: Pass<ForwardPointers>): number | undefined {
    const shared = pass.shared;
    if (!shared) return undefined;
    let block = resident.blocks.get(shared.key);
    if (!block) {
      block = resident.backend.arena.resident.alloc(this.runOp, shared.floats * 4);
      shared.prepare(resident.backend.kernels, { x: 0, w: resident.w.ptr, bias: resident.bias ? resident.bias.ptr : 0, y: 0 }, block.ptr);
      resident.blocks.set(shared.key, block);
    }
    return block.ptr;
  }

  private release(): void {
    const r = this.resident;
    if (!r) return;
    const allocator = r.backend.arena.resident;
    for (const block of [r.w, r.bias, ...r.blocks.values()]) if (block) allocator.release(block);
    this.resident = null;
  }
}

/** Prepares a conv for repeated forward calls with the same weights (see PreparedConv). */
export function prepareConv<Options>(spec: ConvSpec<Options>, w: Tensor, bias: Tensor | null | undefined, opts: Options | undefined): PreparedConv {
  const op = `prepare${spec.name[0].toUpperCase()}${spec.name.slice(1)}`;
  return new PreparedConv(spec as ConvSpec<unknown>, w, bias, spec.parseOptions(op, opts));
}
