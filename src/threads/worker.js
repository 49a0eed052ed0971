// A pool worker (Node worker_threads or a browser Web Worker). It instantiates the kernels on
// the shared memory it is sent, says 'ready', then serves tasks from its slot of the control
// block until told to shut down: for each task it takes chunks until none is left (protocol.js).
import {
  ABORT, awaitFed, CHUNKS, claimTask, DONE, doneFlag, GENERATION, isPosted, replay, SHUTDOWN, slot, STATE, STATE_FAILED, STATE_STOPPED,
  takeChunk, TAPE_LENGTH, TAPE_PTR, TASK, THREADS, writeMessage,
} from './protocol.js';

// Through a variable so that browser bundlers leave the Node built-in alone.
const NODE_WORKER_THREADS = 'node:worker_threads';
const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';

/**
 * Milliseconds a worker keeps polling for its next task before it sleeps in Atomics.wait:
 * waking a sleeping thread takes 30–100 µs here, as long as a small conv's whole share, and
 * in a training loop the next split op follows within a millisecond. Longer polling bought
 * nothing measurable (MNIST training: 1 ms and 3 ms within noise) and costs a busy machine a
 * core. The main thread's wake() (at the start of an op) restarts the polling before the op's
 * task is ready.
 */
const POLL_MS = 1;

/**
 * @param {{ module: WebAssembly.Module, memory: WebAssembly.Memory, control: SharedArrayBuffer,
 *           worker: number, workers: number, names: string[] }} setup
 * @param {(message: unknown) => void} post
 */
async function start(setup, post) {
  const control = new Int32Array(setup.control);
  let functions;
  try {
    const instance = await WebAssembly.instantiate(setup.module, { env: { memory: setup.memory } });
    functions = setup.names.map((name) => {
      const fn = instance.exports[name];
      if (typeof fn !== 'function') throw new Error(`the kernel binary has no function ${name}`);
      return fn;
    });
  } catch (error) {
    post({ type: 'failed', message: String(error?.message ?? error) });
    return;
  }
  post({ type: 'ready' });
  try {
    serve(setup, control, functions);
  } finally {
    Atomics.store(control, slot(setup.worker, STATE), STATE_STOPPED);
    Atomics.notify(control, slot(setup.worker, DONE));
  }
}

function serve({ memory, worker, workers }, control, functions) {
  const taskAt = slot(worker, TASK);
  // the TASK word as this worker last saw it; a change means a new task (or a withdrawal)
  let seen = Atomics.load(control, slot(worker, DONE));
  for (;;) {
    let word = poll(control, taskAt, seen);
    while (word === seen) {
      Atomics.wait(control, taskAt, seen);
      word = poll(control, taskAt, seen);
    }
    if (word === SHUTDOWN) return;
    seen = word;
    // a task the main thread has withdrawn (it ran every chunk while this thread was held up) is skipped
    const claimed = isPosted(word) ? claimTask(control, worker, word) : null;
    if (claimed === null) continue;
    seen = claimed;
    takeChunks(control, functions, memory, worker, workers);
    Atomics.store(control, slot(worker, DONE), word);
    Atomics.notify(control, slot(worker, DONE));
  }
}

/**
 * Runs chunks of the current task until none is left or the task aborts, replaying this
 * worker's tape of each (segment c + 1), and its prologue (segment 0) before the first.
 */
function takeChunks(control, functions, memory, worker, workers) {
  const count = Atomics.load(control, CHUNKS);
  const threads = Atomics.load(control, THREADS);
  const generation = Atomics.load(control, GENERATION);
  // a byte offset: past 2 GiB the Int32Array slot holds it as a negative number
  const at = Atomics.load(control, slot(worker, TAPE_PTR)) >>> 0;
  const offsets = new Float64Array(memory.buffer, at, count + 2);
  const calls = new Float64Array(memory.buffer, at + (count + 2) * 8, Atomics.load(control, slot(worker, TAPE_LENGTH)) - count - 2);
  const segment = (s) => calls.subarray(offsets[s], offsets[s + 1]);
  let prepared = false;
  for (let c = takeChunk(control, worker + 1, threads); c >= 0; c = takeChunk(control, worker + 1, threads)) {
    // the main thread may still be copying this chunk's inputs in
    if (!awaitFed(control, c, generation) || Atomics.load(control, ABORT)) return;
    try {
      if (!prepared) replay(functions, segment(0));
      prepared = true;
      replay(functions, segment(c + 1));
    } catch (error) {
      writeMessage(control, workers, worker, String(error?.message ?? error));
      Atomics.store(control, slot(worker, STATE), STATE_FAILED);
      Atomics.store(control, ABORT, 1);
    }
    Atomics.store(control, doneFlag(c), generation);
    Atomics.notify(control, doneFlag(c));
  }
}

/** The TASK word once it differs from `seen`, or `seen` after POLL_MS of polling. */
function poll(control, taskAt, seen) {
  const until = performance.now() + POLL_MS;
  let word = Atomics.load(control, taskAt);
  while (word === seen && performance.now() < until) {
    for (let i = 0; i < 1000 && word === seen; i++) word = Atomics.load(control, taskAt);
  }
  return word;
}

// No top-level await (a promise chain instead): bundlers build browser workers as classic
// scripts by default (Vite's worker.format is 'iife'), which cannot hold one. Messages posted
// to the worker before its listener is attached wait in parentPort's queue.
if (isNode) {
  void import(/* @vite-ignore */ NODE_WORKER_THREADS).then(({ parentPort }) => {
    parentPort.once('message', (setup) => {
      // a worker that ends any other way (process.exit in a kernel's host, say) still says so
      process.once('exit', () => {
        const control = new Int32Array(setup.control);
        Atomics.store(control, slot(setup.worker, STATE), STATE_STOPPED);
        Atomics.notify(control, slot(setup.worker, DONE));
      });
      void start(setup, (message) => parentPort.postMessage(message));
    });
  });
} else {
  self.addEventListener('message', (event) => void start(event.data, (message) => self.postMessage(message)), { once: true });
}
