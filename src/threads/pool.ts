// The main thread's side of multi-threading: a pool of workers, each with its own instance of
// the kernels on the shared Wasm memory. An op splits its work into chunks, each a function of
// the kernels and of the thread that runs it. For each worker every chunk is recorded as a
// tape of kernel calls (pointers and sizes only, so a tape means the same in every instance);
// then all threads, this one included, work through their own range of chunks and help with
// the others' once theirs is done (protocol.js). Ops stay synchronous: the main thread waits
// for its workers (Atomics.wait in Node and in workers; a spin on a browser's main thread,
// which may not block).
import type { KernelExports } from '../loader.js';
import {
  ABORT, CHUNKS, controlBytes, DONE, doneFlag, FED_ALL, fedFlag, GENERATION, MAX_CHUNKS, packRange, rangeOf, readMessage,
  SHUTDOWN, slot, STATE, STATE_FAILED, STATE_OK, STATE_STOPPED, takeChunk, TAPE_LENGTH, TAPE_PTR, TASK, THREADS, withdrawTask,
} from './protocol.js';
import { isNode } from '../environment.js';

/**
 * One chunk of an op's work: calls the kernels it is given, ignoring their return values.
 * `thread` (0: the calling thread, w: worker w) picks the scratch it may use; the chunk's
 * results must not depend on it.
 */
export type Chunk = (kernels: KernelExports, thread: number) => void;

/** What runs around an op's chunks. */
export interface ChunkHooks {
  /** run by each thread before its first chunk (packing W into its scratch, say) */
  prologue?: Chunk;
  /** copies chunk c's inputs in, on the calling thread: once per chunk (the workers' first), before any thread may start it */
  feed?(c: number): void;
  /** copies chunk c's results out, on the calling thread: once per chunk, once it is done */
  drain?(c: number): void;
}

// Through a variable so that browser bundlers leave the Node built-in alone.
const NODE_WORKER_THREADS = 'node:worker_threads';

/** Atomics.load spins before the main thread sleeps on a worker: most chunks end within microseconds of each other. */
const SPIN = 20000;

/**
 * Spins until control[at] holds `value`, at most SPIN loads; true if it came. The loop is alone
 * in its function on purpose: V8 compiles a hot loop on its own (on-stack replacement) and keeps
 * that code for the next calls, and with the sleeping path after the loop in the same function,
 * every wait long enough to reach it threw the compiled code out (that path had no type feedback
 * when it was compiled) and ran the rest in the interpreter: ~3 times a LeNet training step, and
 * 2 threads' median step ran 1.78× one thread's but the mean only 1.50×.
 */
function spinUntil(control: Int32Array, at: number, value: number): boolean {
  for (let spin = 0; spin < SPIN; spin++) if (Atomics.load(control, at) === value) return true;
  return false;
}

/** The workers' tapes, one after another in `calls`: worker w's are calls[start, end). */
interface Tapes {
  calls: Float64Array;
  workers: Array<{ start: number; end: number }>;
}

/** Recorded tapes kept per pool (the oldest dropped first): a training step replays ~10. */
const TAPE_CACHE_ENTRIES = 64;

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
  /** tapes recorded under a caller's key (see run) */
  private readonly tapeCache = new Map<string, Tapes>();
  /** the latest task's number, as its done chunks' flags hold it */
  private generation = 0;
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

  /** Makes room for `entries` more entries on the tape (the buffer doubles when full). */
  private reserve(entries: number): void {
    const needed = this.tapeLength + entries;
    if (needed > this.tape.length) {
      const grown = new Float64Array(Math.max(needed, this.tape.length * 2));
      grown.set(this.tape.subarray(0, this.tapeLength));
      this.tape = grown;
    }
    this.tapeLength = needed;
  }

  /** Appends one call to the tape being recorded. */
  private append(index: number, args: ArrayLike<number>): void {
    let at = this.tapeLength;
    this.reserve(2 + args.length);
    const t = this.tape;
    t[at++] = index;
    t[at++] = args.length;
    for (let i = 0; i < args.length; i++) t[at++] = args[i];
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
   * Runs the chunks on the first `threads` threads (this one and threads − 1 workers), and
   * returns once all are done. Thread t owns a contiguous range of chunks, from `starts[t]` to
   * the next thread's start (default: `threads` even ranges), and runs them in order; a thread
   * whose range is done takes chunks from the back of another's. `tapeSpace(bytes)` gives a
   * 16-byte aligned byte offset in Wasm memory the tapes may use for the duration of the call.
   * Each thread runs `hooks.prologue` before its first
   * chunk. `hooks.feed(c)` runs here for every chunk (the workers' ranges first) before chunk
   * c may start anywhere, `hooks.drain(c)` once it is done, between this thread's own chunks.
   * A chunk that fails on a worker throws here, naming `op`; the pool stays usable unless the
   * worker itself is gone. `tapeKey`, if given, must name everything the chunks' and the
   * prologue's kernel calls depend on, and they must do nothing but call kernels: the workers'
   * tapes are then recorded once per key and replayed (recording took ~175 µs of each 2-thread
   * LeNet training step, 3%).
   */
  run(
    op: string, chunks: Chunk[], tapeSpace: (bytes: number) => number, hooks: ChunkHooks = {}, threads = this.threads,
    starts: readonly number[] = Array.from({ length: threads }, (_, t) => Math.floor((t * chunks.length) / threads)),
    tapeKey?: string,
  ): void {
    const count = chunks.length;
    if (count < 1 || count > MAX_CHUNKS) throw new Error(`${op}: ${count} chunks; a task has 1 to ${MAX_CHUNKS}`);
    if (!(threads >= 1 && threads <= this.threads)) throw new Error(`${op}: ${threads} threads asked of a pool of ${this.threads}`);
    if (starts.length !== threads || starts[0] !== 0 || starts.some((s, t) => s > (starts[t + 1] ?? count))) {
      throw new Error(`${op}: range starts [${starts.join(', ')}] for ${threads} threads and ${count} chunks`);
    }
    if (this.stopped !== null) throw new Error(`${op}: the thread pool has stopped (${this.stopped})`);
    const workers = threads - 1;
    this.throwIfStopped(op, workers);
    this.postTapes(chunks, hooks.prologue, tapeSpace, workers, tapeKey);
    const c = this.control;
    // 1 … 2^30 − 1, never 0: the flags start at 0 and FED_ALL holds 0 while chunks wait to be
    // fed, so a task numbered 0 would find every chunk fed, and unused ones done, before it began
    const generation = (this.generation = (this.generation % 0x3fffffff) + 1);
    const ranges = starts.map((front, t) => [front, starts[t + 1] ?? count]);
    ranges.forEach(([front, back], t) => Atomics.store(c, rangeOf(t), packRange(front, back)));
    Atomics.store(c, GENERATION, generation);
    Atomics.store(c, CHUNKS, count);
    Atomics.store(c, THREADS, threads);
    Atomics.store(c, ABORT, 0);
    Atomics.store(c, FED_ALL, hooks.feed ? 0 : generation);
    const tasks = Array.from({ length: workers }, (_, worker) => {
      // counts up, wrapping before it could reach SHUTDOWN
      const task = (this.lastTask[worker] = (this.lastTask[worker] + 1) & 0x3fffffff);
      Atomics.store(c, slot(worker, TASK), task);
      Atomics.notify(c, slot(worker, TASK));
      return task;
    });
    let failure: unknown = null;
    try {
      if (hooks.feed) {
        // the workers' chunks first: they can start while this thread copies the rest in
        for (const [front, back] of [...ranges.slice(1), ranges[0]]) {
          for (let chunk = front; chunk < back; chunk++) {
            hooks.feed(chunk);
            Atomics.store(c, fedFlag(chunk), generation);
          }
        }
      }
      const drained = new Uint8Array(count);
      const drainDone = () => {
        for (let chunk = 0; chunk < count; chunk++) {
          if (!drained[chunk] && Atomics.load(c, doneFlag(chunk)) === generation) {
            drained[chunk] = 1;
            hooks.drain!(chunk);
          }
        }
      };
      let prepared = false;
      for (let chunk = takeChunk(c, 0, threads); chunk >= 0; chunk = takeChunk(c, 0, threads)) {
        if (!prepared) hooks.prologue?.(this.kernels, 0);
        prepared = true;
        // a chunk taken from a worker's range is fed already: this thread fed it
        chunks[chunk](this.kernels, 0);
        Atomics.store(c, doneFlag(chunk), generation);
        if (hooks.drain) drainDone();
      }
      if (hooks.drain) {
        for (let chunk = 0; chunk < count; chunk++) {
          if (drained[chunk]) continue;
          if (!this.awaitChunk(op, chunk, generation, workers)) break;
          drained[chunk] = 1;
          hooks.drain(chunk);
        }
      }
    } catch (error) {
      failure = error;
      // the workers take no more chunks and stop waiting for inputs that will not come
      Atomics.store(c, ABORT, 1);
    }
    const problems: string[] = [];
    tasks.forEach((task, worker) => {
      // A worker the OS has not run since the task was posted took no chunk: this thread ran
      // them all. Waiting for it to wake up only to find none left cost LeNet's 2-thread steps
      // up to ~1 ms at a time.
      if (withdrawTask(c, worker, task)) return;
      const problem = this.await(worker, task);
      if (problem) problems.push(problem);
    });
    if (failure !== null) throw failure;
    if (problems.length > 0) throw new Error(`${op}: ${problems.join('; ')}`);
  }

  /**
   * Records, for each of the first `workers` workers (with its thread number), the prologue and
   * every chunk, and tells each where its tapes are: segment 0 the prologue, segment c + 1
   * chunk c. With a `tapeKey`, tapes recorded under the same key (and thread and chunk counts)
   * before are replayed instead of recorded again.
   */
  private postTapes(chunks: Chunk[], prologue: Chunk | undefined, tapeSpace: (bytes: number) => number, workers: number, tapeKey?: string): void {
    const key = tapeKey === undefined ? undefined : `${tapeKey}|${workers}|${chunks.length}`;
    let tapes = key === undefined ? undefined : this.tapeCache.get(key);
    if (!tapes) {
      tapes = this.record(chunks, prologue, workers);
      if (key !== undefined) {
        // a copy: the recording buffer is reused by the next run
        tapes = { calls: tapes.calls.slice(), workers: tapes.workers };
        if (this.tapeCache.size >= TAPE_CACHE_ENTRIES) this.tapeCache.delete(this.tapeCache.keys().next().value!);
        this.tapeCache.set(key, tapes);
      }
    }
    const base = tapeSpace(tapes.calls.length * 8);
    new Float64Array(this.kernels.memory.buffer, base, tapes.calls.length).set(tapes.calls);
    tapes.workers.forEach(({ start, end }, worker) => {
      Atomics.store(this.control, slot(worker, TAPE_PTR), base + start * 8);
      Atomics.store(this.control, slot(worker, TAPE_LENGTH), end - start);
    });
  }

  /**
   * Records the tapes of the first `workers` workers, one after another (see postTapes), into
   * the recording buffer: `calls` is a view of it, valid until the next recording.
   */
  private record(chunks: Chunk[], prologue: Chunk | undefined, workers: number): Tapes {
    const segments = chunks.length + 1;
    this.tapeLength = 0;
    const workerTapes = Array.from({ length: workers }, (_, worker) => {
      // the segment offsets first, filled in below, then the calls
      const start = this.tapeLength;
      this.reserve(segments + 1);
      const callsFrom = this.tapeLength;
      for (let segment = 0; segment < segments; segment++) {
        this.tape[start + segment] = this.tapeLength - callsFrom;
        if (segment > 0) chunks[segment - 1](this.recorder, worker + 1);
        else prologue?.(this.recorder, worker + 1);
      }
      this.tape[start + segments] = this.tapeLength - callsFrom;
      return { start, end: this.tapeLength };
    });
    return { calls: this.tape.subarray(0, this.tapeLength), workers: workerTapes };
  }

  /**
   * Waits until chunk `chunk` is done; false if the task aborted (a worker's chunk failed,
   * reported once the workers are awaited). Throws if one of the `workers` stopped meanwhile.
   */
  private awaitChunk(op: string, chunk: number, generation: number, workers: number): boolean {
    const c = this.control;
    const flagAt = doneFlag(chunk);
    if (spinUntil(c, flagAt, generation)) return true;
    for (;;) {
      const flag = Atomics.load(c, flagAt);
      if (flag === generation) return true;
      if (Atomics.load(c, ABORT)) return false;
      this.throwIfStopped(op, workers);
      if (this.blocking) Atomics.wait(c, flagAt, flag, 100);
    }
  }

  /** Waits for `worker` to finish `task`; returns what went wrong, if anything. */
  private await(worker: number, task: number): string | null {
    const c = this.control;
    const doneAt = slot(worker, DONE);
    spinUntil(c, doneAt, task);
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

  /** Throws, and stops the pool serving, if one of the first `workers` workers has stopped. */
  private throwIfStopped(op: string, workers: number): void {
    for (let worker = 0; worker < workers; worker++) {
      if (Atomics.load(this.control, slot(worker, STATE)) === STATE_STOPPED) {
        this.stopped = `worker ${worker + 1} stopped`;
        throw new Error(`${op}: ${this.stoppedMessage(worker)}`);
      }
    }
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
