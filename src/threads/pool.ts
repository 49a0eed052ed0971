// The main thread's side of multi-threading: a pool of workers, each with its own instance of
// the kernels on the shared Wasm memory. An op splits its work into parts, each a function of
// the kernels; part 0 runs here, the others are recorded as tapes of kernel calls (pointers and
// sizes only, so a tape means the same in every instance) and replayed by the workers. Ops
// stay synchronous: the main thread waits for its workers (Atomics.wait in Node and in
// workers; a spin on a browser's main thread, which may not block).
import type { KernelExports } from '../loader.js';
import {
  controlBytes, DONE, readMessage, SHUTDOWN, slot, STATE, STATE_FAILED, STATE_OK, STATE_STOPPED, TAPE_LENGTH, TAPE_PTR, TASK,
} from './protocol.js';
import { isNode } from '../environment.js';

/** One share of an op's work: calls the kernels it is given, ignoring their return values. */
export type Part = (kernels: KernelExports) => void;

// Through a variable so that browser bundlers leave the Node built-in alone.
const NODE_WORKER_THREADS = 'node:worker_threads';

/** Atomics.load spins before the main thread sleeps on a worker: most parts end within microseconds of each other. */
const SPIN = 20000;

/** What a worker handle must offer, in Node and in browsers. */
interface WorkerHandle {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/** The parts of Node's worker_threads.Worker used here. */
interface NodeWorker extends WorkerHandle {
  on(event: 'message', listener: (message: unknown) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'exit', listener: (code: number) => void): void;
  unref(): void;
}

/** True where this thread may block in Atomics.wait (not a browser's main thread). */
function mayBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts a worker running worker.js, in Node or a browser. */
async function spawnWorker(): Promise<{ handle: WorkerHandle; onMessage(listener: (m: unknown) => void): void; onError(listener: (e: Error) => void): void; unref(): void }> {
  if (isNode()) {
    const { Worker } = (await import(/* @vite-ignore */ NODE_WORKER_THREADS)) as { Worker: new (url: URL) => NodeWorker };
    const worker = new Worker(new URL('./worker.js', import.meta.url));
    return {
      handle: worker,
      onMessage: (listener) => worker.on('message', listener),
      onError: (listener) => {
        worker.on('error', listener);
        worker.on('exit', (code) => listener(new Error(`the worker exited (code ${code})`)));
      },
      unref: () => worker.unref(),
    };
  }
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  return {
    handle: worker,
    onMessage: (listener) => worker.addEventListener('message', (event) => listener(event.data)),
    onError: (listener) => worker.addEventListener('error', (event) => listener(new Error(event.message || 'the worker failed to start'))),
    unref: () => {},
  };
}

export class ThreadPool {
  private readonly control: Int32Array;
  private readonly blocking = mayBlock();
  /** tape-recording stand-ins for the kernels, one per export name */
  private readonly recorder: KernelExports;
  /** the tape being recorded: entries [0, tapeLength) of a buffer that doubles when full */
  private tape = new Float64Array(4096);
  private tapeLength = 0;
  /** the number of each worker's latest task */
  private readonly lastTask: number[];
  /** why the pool stopped serving (a worker is gone), or null while it serves */
  private stopped: string | null = null;

  private constructor(
    private readonly workers: WorkerHandle[],
    control: SharedArrayBuffer,
    /** the calling thread's instance of the kernels */
    readonly kernels: KernelExports,
    names: string[],
  ) {
    this.control = new Int32Array(control);
    this.lastTask = workers.map(() => 0);
    // A part may also write into memory from JavaScript (a depthwise plan into its scratch):
    // the recorder's memory is the real, shared one, so those writes land before the tape runs.
    const recorder: Record<string, unknown> = { memory: kernels.memory };
    const pool = this;
    names.forEach((name, index) => {
      // `arguments`, not a rest parameter: no array per call (a training step records ~500 calls)
      recorder[name] = function record() {
        pool.append(index, arguments);
      };
    });
    this.recorder = recorder as unknown as KernelExports;
  }

  /** Appends one call to the tape being recorded. */
  private append(index: number, args: ArrayLike<number>): void {
    const needed = this.tapeLength + 2 + args.length;
    if (needed > this.tape.length) {
      const grown = new Float64Array(Math.max(needed, this.tape.length * 2));
      grown.set(this.tape.subarray(0, this.tapeLength));
      this.tape = grown;
    }
    const t = this.tape;
    let at = this.tapeLength;
    t[at++] = index;
    t[at++] = args.length;
    for (let i = 0; i < args.length; i++) t[at++] = args[i];
    this.tapeLength = at;
  }

  /**
   * Starts `threads − 1` workers on `module` (a threaded build) and the shared `memory`;
   * resolves once every worker has its kernels, rejects (stopping them all) if any fails.
   */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, kernels: KernelExports, threads: number, names: string[]): Promise<ThreadPool> {
    const count = threads - 1;
    const control = new SharedArrayBuffer(controlBytes(count));
    const spawned = await Promise.all(Array.from({ length: count }, () => spawnWorker()));
    const pool = new ThreadPool(spawned.map((s) => s.handle), control, kernels, names);
    try {
      await Promise.all(spawned.map((worker, index) => new Promise<void>((resolve, reject) => {
        worker.onMessage((message) => {
          const m = message as { type: string; message?: string };
          if (m.type === 'ready') resolve();
          else reject(new Error(`worker ${index + 1} could not load the kernels: ${m.message}`));
        });
        worker.onError((error) => reject(new Error(`worker ${index + 1} failed to start: ${error.message}`)));
        worker.handle.postMessage({ module, memory, control, worker: index, workers: count, names });
      })));
    } catch (error) {
      await pool.dispose();
      throw error;
    }
    // idle workers must not keep a Node process alive
    for (const worker of spawned) worker.unref();
    return pool;
  }

  /** Threads an op can use: the workers and the calling thread. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /** False once a worker has stopped: ops then run on the calling thread alone. */
  get serving(): boolean {
    return this.stopped === null;
  }

  /** Why the pool stopped serving, if it has. */
  get stoppedReason(): string | null {
    return this.stopped;
  }

  /**
   * Wakes the workers so that they are polling, not asleep, when the op's tasks arrive: call
   * it at the start of an op, before copying its inputs in.
   */
  wake(): void {
    if (this.stopped !== null) return;
    for (let worker = 0; worker < this.workers.length; worker++) Atomics.notify(this.control, slot(worker, TASK));
  }

  /**
   * Runs the parts, part i on thread i (0: here), and returns once all have finished.
   * `tapeSpace(bytes)` gives a 16-byte aligned byte offset in Wasm memory the tapes may use
   * for the duration of the call. `around.before` and `around.after` run here just before and
   * after part 0, while the workers run theirs (the functional API copies part 0's tensors in
   * and out there). Returns the milliseconds part 0 took. A part that fails on a worker
   * throws here, naming `op`; the pool stays usable unless the worker itself is gone.
   */
  run(op: string, parts: Part[], tapeSpace: (bytes: number) => number, around: { before?(): void; after?(): void } = {}): number {
    if (parts.length > this.threads) throw new Error(`${op}: ${parts.length} parts for ${this.threads} threads`);
    if (this.stopped !== null) throw new Error(`${op}: the thread pool has stopped (${this.stopped})`);
    for (let worker = 0; worker < parts.length - 1; worker++) {
      if (Atomics.load(this.control, slot(worker, STATE)) === STATE_STOPPED) {
        this.stopped = `worker ${worker + 1} stopped`;
        throw new Error(`${op}: ${this.stoppedMessage(worker)}`);
      }
    }
    // every worker's tape, one after another, and where each ends
    this.tapeLength = 0;
    const ends = parts.slice(1).map((part) => {
      part(this.recorder);
      return this.tapeLength;
    });
    const tapes = ends.map((end, worker) => this.tape.subarray(worker === 0 ? 0 : ends[worker - 1], end));
    const base = tapeSpace(this.tapeLength * 8);
    const memory = new Float64Array(this.kernels.memory.buffer);
    const tasks: number[] = [];
    let at = base;
    tapes.forEach((tape, worker) => {
      memory.set(tape, at / 8);
      Atomics.store(this.control, slot(worker, TAPE_PTR), at);
      Atomics.store(this.control, slot(worker, TAPE_LENGTH), tape.length);
      at += tape.length * 8;
      // counts up, wrapping before it could reach SHUTDOWN
      const task = (this.lastTask[worker] = (this.lastTask[worker] + 1) & 0x3fffffff);
      tasks.push(task);
      Atomics.store(this.control, slot(worker, TASK), task);
      Atomics.notify(this.control, slot(worker, TASK));
    });
    let failure: unknown = null;
    let firstMs = 0;
    try {
      around.before?.();
      const start = performance.now();
      parts[0](this.kernels);
      firstMs = performance.now() - start;
      around.after?.();
    } catch (error) {
      failure = error;
    }
    const problems: string[] = [];
    tasks.forEach((task, worker) => {
      const problem = this.await(worker, task);
      if (problem) problems.push(problem);
    });
    if (failure !== null) throw failure;
    if (problems.length > 0) throw new Error(`${op}: ${problems.join('; ')}`);
    return firstMs;
  }

  /** Waits for `worker` to finish `task`; returns what went wrong, if anything. */
  private await(worker: number, task: number): string | null {
    const c = this.control;
    const doneAt = slot(worker, DONE);
    for (let spin = 0; spin < SPIN && Atomics.load(c, doneAt) !== task; spin++);
    for (;;) {
      const done = Atomics.load(c, doneAt);
      if (done === task) break;
      if (Atomics.load(c, slot(worker, STATE)) === STATE_STOPPED) {
        this.stopped = `worker ${worker + 1} stopped`;
        return this.stoppedMessage(worker);
      }
      if (this.blocking) Atomics.wait(c, doneAt, done, 100);
    }
    if (Atomics.load(c, slot(worker, STATE)) === STATE_FAILED) {
      Atomics.store(c, slot(worker, STATE), STATE_OK);
      return `worker thread ${worker + 1} failed: ${readMessage(c, this.workers.length, worker)}`;
    }
    return null;
  }

  private stoppedMessage(worker: number): string {
    return `worker thread ${worker + 1} stopped before finishing its part; wasmconv runs on one thread from now on (call init() again for a new pool)`;
  }

  /** Tells the workers to exit and stops them; the pool serves no more ops. */
  async dispose(): Promise<void> {
    this.stopped ??= 'disposed';
    for (let worker = 0; worker < this.workers.length; worker++) {
      Atomics.store(this.control, slot(worker, TASK), SHUTDOWN);
      Atomics.notify(this.control, slot(worker, TASK));
    }
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
