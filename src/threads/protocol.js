// How the main thread and the pool's workers talk, in plain JavaScript because a worker runs
// this file as it is (Node cannot start a worker from TypeScript source). Everything lives in
// one SharedArrayBuffer (the control block) plus the Wasm memory both sides share.
//
// An op is split into chunks, a few per thread, each thread owning a contiguous range of them:
//   - the main thread records, for each worker, a "tape" of kernel calls per chunk, and one of
//     a prologue each thread runs before its first chunk (pointers and sizes only, with that
//     worker's scratch), into Wasm memory, sets each thread's range and bumps each worker's
//     TASK counter;
//   - every thread, the main one too, takes the chunks of its own range from the front, in
//     order, so that it works on the same images op after op (they stay in its caches); a
//     thread with none left takes chunks from the back of another's range. A thread held up
//     (the OS gave its core to another process for a while) thus leaves its share to the
//     others instead of holding up the op;
//   - chunk c may start once it is fed (FED_ALL, or its own FED flag, holds the task's
//     GENERATION): the functional API copies each chunk's inputs in while the workers already
//     compute, and copies results out as chunks are DONE;
//   - a worker claims a task (CLAIMED in its TASK word) before it reads any of it, and copies
//     the task's number to DONE when no chunk is left; a failure is reported in its slot
//     (state and message) and stops the op (ABORT), never as a silent hang;
//   - once every chunk is done, the main thread takes back (WITHDRAWN) a task a worker has not
//     claimed, rather than wait for that worker to be scheduled again.

/** Shared Int32 fields, at the start of the control block: */
/** this task's number (never 0, the flags' initial value), which a chunk's FED and DONE flags hold once it is fed or done */
export const GENERATION = 0;
/** 1 once the task has failed somewhere: take no more chunks */
export const ABORT = 1;
/** the task's chunk count */
export const CHUNKS = 2;
/** how many threads take part (the main thread and workers 0 … THREADS − 2) */
export const THREADS = 3;
/** GENERATION when every chunk is fed from the start (nothing to copy in) */
export const FED_ALL = 4;
/** the most threads, and chunks, of a task */
export const MAX_THREADS = 64;
export const MAX_CHUNKS = 256;
/** thread t's range of chunks not yet taken, front | back << 16, at RANGES + t */
const RANGES = 8;
const FED_FLAGS = RANGES + MAX_THREADS;
const DONE_FLAGS = FED_FLAGS + MAX_CHUNKS;
const HEADER_INTS = DONE_FLAGS + MAX_CHUNKS;
export const fedFlag = (c) => FED_FLAGS + c;
export const doneFlag = (c) => DONE_FLAGS + c;
export const rangeOf = (thread) => RANGES + thread;
export const packRange = (front, back) => front | (back << 16);

/**
 * The next chunk for thread `self` of `threads`: the front of its own range, else the back of
 * the next thread's that has any left; -1 when none is left.
 */
export function takeChunk(control, self, threads) {
  for (let i = 0; i < threads; i++) {
    const thread = (self + i) % threads;
    const at = RANGES + thread;
    for (;;) {
      const range = Atomics.load(control, at);
      const front = range & 0xffff;
      const back = range >>> 16;
      if (front >= back) break;
      const own = thread === self;
      if (Atomics.compareExchange(control, at, range, own ? packRange(front + 1, back) : packRange(front, back - 1)) === range) {
        return own ? front : back - 1;
      }
    }
  }
  return -1;
}

/** True once chunk c of the task `generation` may start (false if the task aborted first). */
export function awaitFed(control, c, generation) {
  while (Atomics.load(control, FED_ALL) !== generation && Atomics.load(control, FED_FLAGS + c) !== generation) {
    if (Atomics.load(control, ABORT)) return false;
  }
  return true;
}

/** Int32 slots per worker, after the header and the chunk flags: */
const SLOT_BASE = HEADER_INTS;
const SLOT_INTS = 8;
/**
 * the worker's latest task: its number (counts up from 0, below 2^30) as posted, with CLAIMED
 * set once the worker has started it, or WITHDRAWN once the main thread has taken it back;
 * SHUTDOWN tells the worker to exit
 */
export const TASK = 0;
export const SHUTDOWN = -1;
const CLAIMED = 1 << 30;
const WITHDRAWN = 1 << 31;
/** True for a TASK word the worker has neither claimed nor seen withdrawn (nor SHUTDOWN). */
export const isPosted = (word) => word >= 0 && (word & CLAIMED) === 0;

/**
 * The worker's side: claims the posted task `word` before it reads anything of it. Returns the
 * TASK word it now holds, or null if the main thread withdrew the task (or shut the worker
 * down) first.
 */
export function claimTask(control, worker, word) {
  const claimed = word | CLAIMED;
  return Atomics.compareExchange(control, slot(worker, TASK), word, claimed) === word ? claimed : null;
}

/**
 * The main thread's side, once every chunk of `task` is done: takes the task back from a
 * worker that has not claimed it (the OS has not run that worker since it was posted), so
 * that the main thread need not wait for it to wake up only to find nothing left. False if
 * the worker claimed it: it may still be in a chunk, and reads the task's control fields.
 */
export function withdrawTask(control, worker, task) {
  return Atomics.compareExchange(control, slot(worker, TASK), task, task | WITHDRAWN) === task;
}
/** the number of the last task the worker finished */
export const DONE = 5;
/** STATE_OK, STATE_FAILED (the last task threw; message set) or STATE_STOPPED (the worker is gone) */
export const STATE = 1;
/**
 * byte offset of the worker's tapes in Wasm memory and their length in f64 entries: CHUNKS + 2
 * offsets (where segment s starts and ends, counted from the first entry after them: segment 0
 * is the prologue, run before the worker's first chunk, segment c + 1 chunk c), then the calls
 */
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
 * `functions` maps an index to the kernel export it names. The arguments are passed straight
 * from the tape, not through an array and a spread: a worker replays hundreds of calls per op,
 * and the spread form ran a small conv's share 1.5× slower than the calling thread ran it.
 */
export function replay(functions, tape) {
  let at = 0;
  while (at < tape.length) {
    const fn = functions[tape[at]];
    const count = tape[at + 1];
    const a = at + 2;
    const t = tape;
    switch (count) {
      case 0: fn(); break;
      case 1: fn(t[a]); break;
      case 2: fn(t[a], t[a + 1]); break;
      case 3: fn(t[a], t[a + 1], t[a + 2]); break;
      case 4: fn(t[a], t[a + 1], t[a + 2], t[a + 3]); break;
      case 5: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4]); break;
      case 6: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5]); break;
      case 7: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5], t[a + 6]); break;
      case 8: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5], t[a + 6], t[a + 7]); break;
      case 9: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5], t[a + 6], t[a + 7], t[a + 8]); break;
      case 10: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5], t[a + 6], t[a + 7], t[a + 8], t[a + 9]); break;
      case 11: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5], t[a + 6], t[a + 7], t[a + 8], t[a + 9], t[a + 10]); break;
      case 12: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5], t[a + 6], t[a + 7], t[a + 8], t[a + 9], t[a + 10], t[a + 11]); break;
      case 13: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5], t[a + 6], t[a + 7], t[a + 8], t[a + 9], t[a + 10], t[a + 11], t[a + 12]); break;
      case 14: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5], t[a + 6], t[a + 7], t[a + 8], t[a + 9], t[a + 10], t[a + 11], t[a + 12], t[a + 13]); break;
      case 15: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5], t[a + 6], t[a + 7], t[a + 8], t[a + 9], t[a + 10], t[a + 11], t[a + 12], t[a + 13], t[a + 14]); break;
      case 16: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5], t[a + 6], t[a + 7], t[a + 8], t[a + 9], t[a + 10], t[a + 11], t[a + 12], t[a + 13], t[a + 14], t[a + 15]); break;
      case 17: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5], t[a + 6], t[a + 7], t[a + 8], t[a + 9], t[a + 10], t[a + 11], t[a + 12], t[a + 13], t[a + 14], t[a + 15], t[a + 16]); break;
      default: fn(...t.subarray(a, a + count)); // no kernel takes more than 17
    }
    at = a + count;
  }
}
