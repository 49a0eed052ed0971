// Bringing a cold block of memory into cache before a compute-dense loop reads it.
//
// Wasm has no prefetch instruction. A micro-kernel that does many multiply-adds per byte of a
// weight block it reads has few cache misses in flight at a time, and the hardware prefetcher
// stops at every 4 KiB page, so a block coming from DRAM arrives at a fraction of the memory's
// bandwidth: ResNet-18's 14×14 Winograd U (9.4 MB) took 2.6 ms longer cold than cached, about
// 3.6 GB/s. A loop of independent loads, one per 64-byte line, keeps dozens of misses in
// flight and reads the same block at ~10 GB/s; the kernel then finds it in L2.

/** L2 per core on the machines measured (2 MiB): what is larger than this is not in cache. */
export const L2_BYTES: usize = 2 << 20;

/**
 * Blocks up to this size are brought in whole (half of L2, so the kernel's other operands keep
 * their place); callers skip larger ones.
 */
export const STREAM_IN_MAX_BYTES: usize = L2_BYTES >> 1;

/** Where the loaded lines are folded, so the loads cannot be dropped as unused. */
let sink: u64 = 0;

/** Touches every 64-byte line of [p, p + bytes) (one load per line, none past the end). */
export function streamIn(p: usize, bytes: usize): void {
  const end = p + bytes;
  let a: u64 = 0, b: u64 = 0, c: u64 = 0, d: u64 = 0;
  for (; p + 256 <= end; p += 256) {
    a |= load<u64>(p); b |= load<u64>(p, 64); c |= load<u64>(p, 128); d |= load<u64>(p, 192);
  }
  for (; p + 8 <= end; p += 64) a |= load<u64>(p);
  sink |= a | b | c | d;
}
