// How the main thread and the pool's workers talk, in plain JavaScript because a worker runs
// this file as it is (Node cannot start a worker from TypeScript source). Everything lives in
// one SharedArrayBuffer (the control block) plus the Wasm memory both sides share:
//   - the main thread writes a worker's task, a "tape" of kernel calls, into Wasm memory,
//     stores its place in the worker's slot, bumps the slot's TASK counter and wakes it;
//   - the worker replays its tape against its own instance of the kernels (same memory), then
//     copies TASK to DONE and wakes the main thread;
//   - a failure is reported in the worker's slot (state and message), never as a silent hang.

/** Int32 slots per worker, starting at SLOT_BASE: */
const SLOT_BASE = 0;
const SLOT_INTS = 8;
/** the number of the worker's latest task (counts up from 0); SHUTDOWN tells it to exit */
export const TASK = 0;
export const SHUTDOWN = -1;
/** the number of the last task the worker finished */
export const DONE = 5;
/** STATE_OK, STATE_FAILED (the last task threw; message set) or STATE_STOPPED (the worker is gone) */
export const STATE = 1;
/** byte offset of the worker's tape in Wasm memory, and its length in f64 entries (0: no task) */
export const TAPE_PTR = 2;
export const TAPE_LENGTH = 3;
export const MESSAGE_BYTES = 4;

export const STATE_OK = 0;
export const STATE_FAILED = 1;
export const STATE_STOPPED = 2;

const MESSAGE_CAPACITY = 1024;

/** The Int32 index of field `field` of worker `worker`'s slot. */
export const slot = (worker, field) => SLOT_BASE + worker * SLOT_INTS + field;

/** Bytes of a control block for `workers` workers. */
export function controlBytes(workers) {
  return (SLOT_BASE + workers * SLOT_INTS) * 4 + workers * MESSAGE_CAPACITY;
}

const messageOffset = (workers, worker) => (SLOT_BASE + workers * SLOT_INTS) * 4 + worker * MESSAGE_CAPACITY;

/** Stores a failure message for `worker` (truncated to the slot's capacity). */
export function writeMessage(control, workers, worker, text) {
  const bytes = new TextEncoder().encode(text).subarray(0, MESSAGE_CAPACITY);
  new Uint8Array(control.buffer, messageOffset(workers, worker), bytes.length).set(bytes);
  Atomics.store(control, slot(worker, MESSAGE_BYTES), bytes.length);
}

export function readMessage(control, workers, worker) {
  const length = Atomics.load(control, slot(worker, MESSAGE_BYTES));
  // copied out first: TextDecoder refuses views of shared memory
  return new TextDecoder().decode(new Uint8Array(control.buffer, messageOffset(workers, worker), length).slice());
}

/**
 * Replays a tape: entries [function index, argument count, ...arguments] one after another.
 * `functions` maps an index to the kernel export it names.
 */
export function replay(functions, tape) {
  let at = 0;
  const args = [];
  while (at < tape.length) {
    const fn = functions[tape[at]];
    const count = tape[at + 1];
    args.length = count;
    for (let i = 0; i < count; i++) args[i] = tape[at + 2 + i];
    fn(...args);
    at += 2 + count;
  }
}
