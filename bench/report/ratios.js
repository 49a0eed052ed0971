// Derived columns: % of the SIMD ceiling, and the ratio to the best peer on the same shape and
// pass ("peers" = rows of kind 'peer': tfjs-cpu, tfjs-wasm, onnxruntime-web). Pure functions.

/**
 * The ceiling a row is held against: the fused relaxed_madd loop for rows that run with relaxed
 * SIMD, the mul+add loop for everything else (those processes cannot issue a fused op).
 */
export function ceilingFor(row, ceilings) {
  const fused = row.impl === 'relaxed-simd' && ceilings.relaxed_madd;
  return fused ? ceilings.relaxed_madd : ceilings['mul+add'] ?? null;
}

/**
 * Returns new rows with pctCeiling, and bestPeer / vsBestPeer where a peer was measured on
 * that shape and pass: vsBestPeer = best peer's ms / this row's ms, so > 1 is faster than it.
 * Rows that time more than their pass (a joint backward) compare by GFLOP/s instead of ms.
 */
export function addDerived(rows, ceilings) {
  const best = new Map();
  for (const r of rows) {
    if (r.kind !== 'peer' || r.status !== 'ok') continue;
    const key = `${r.shape}\u0000${r.pass}`;
    if (!best.has(key) || r.gflops > best.get(key).gflops) best.set(key, r);
  }
  return rows.map((r) => {
    const out = { ...r };
    if (r.status !== 'ok') return out;
    const ceiling = ceilingFor(r, ceilings);
    if (ceiling) out.pctCeiling = (100 * r.gflops) / ceiling;
    const peer = best.get(`${r.shape}\u0000${r.pass}`);
    if (peer) {
      out.bestPeer = peer.impl;
      out.vsBestPeer = r.gflops / peer.gflops;
    }
    return out;
  });
}

/**
 * Multi-thread rows against the one-thread row of the same ISA, per shape and pass: by median
 * time (speedup) and by fastest sample (bestSpeedup). Noise on a shared machine only ever slows
 * a sample down, so the fastest samples show what the threads do when they have their cores.
 * @returns [{ shape, pass, isa, threads, oneGflops, manyGflops, speedup, bestSpeedup }]
 */
export function threadScaling(rows) {
  const one = new Map();
  for (const r of rows) if (r.kind === 'ours' && (r.threads ?? 1) === 1 && r.status === 'ok') one.set(`${r.shape}\u0000${r.pass}\u0000${r.impl}`, r);
  const out = [];
  for (const r of rows) {
    if (r.kind !== 'ours' || (r.threads ?? 1) === 1) continue;
    const isa = r.impl.split(' ')[0];
    const base = one.get(`${r.shape}\u0000${r.pass}\u0000${isa}`);
    out.push({
      shape: r.shape, pass: r.pass, isa, threads: r.threads,
      oneGflops: base?.gflops ?? null,
      manyGflops: r.status === 'ok' ? r.gflops : null,
      speedup: base && r.status === 'ok' ? r.gflops / base.gflops : null,
      bestSpeedup: base?.bestMs && r.status === 'ok' && r.bestMs ? base.bestMs / r.bestMs : null,
    });
  }
  return out;
}

/**
 * The headline: per shape and pass, our fastest ISA against the fastest peer, one thread each.
 * @returns [{ shape, pass, ours, oursGflops, peer, peerGflops, speedup }] (peer null if none ran)
 */
export function headline(rows) {
  const groups = new Map();
  for (const r of rows) {
    if ((r.threads ?? 1) !== 1) continue;
    const key = `${r.shape}\u0000${r.pass}`;
    if (!groups.has(key)) groups.set(key, { shape: r.shape, pass: r.pass, ours: null, peer: null });
    const g = groups.get(key);
    if (r.status !== 'ok') continue;
    const slot = r.kind === 'ours' ? 'ours' : r.kind === 'peer' ? 'peer' : null;
    if (slot && (!g[slot] || r.gflops > g[slot].gflops)) g[slot] = r;
  }
  return [...groups.values()].map((g) => ({
    shape: g.shape,
    pass: g.pass,
    ours: g.ours?.impl ?? null,
    oursGflops: g.ours?.gflops ?? null,
    peer: g.peer?.impl ?? null,
    peerGflops: g.peer?.gflops ?? null,
    speedup: g.ours && g.peer ? g.ours.gflops / g.peer.gflops : null,
  }));
}

/**
 * Winograd against the GEMM path: each ISA's one-thread '-winograd' row set against its
 * '-gemm' row (the exact path forced), same shape and pass, timed in the same interleaved rounds.
 * @returns [{ shape, pass, isa, gemmGflops, winogradGflops, speedup, bestSpeedup }]
 */
export function winogradSpeedup(rows) {
  const gemm = new Map();
  for (const r of rows) if (r.kind === 'ours' && (r.threads ?? 1) === 1 && r.impl.endsWith('-gemm')) gemm.set(`${r.shape}\u0000${r.pass}\u0000${r.impl.slice(0, -5)}`, r);
  const out = [];
  for (const r of rows) {
    if (r.kind !== 'ours' || (r.threads ?? 1) !== 1 || !r.impl.endsWith('-winograd') || r.status !== 'ok') continue;
    const isa = r.impl.slice(0, -'-winograd'.length);
    const base = gemm.get(`${r.shape}\u0000${r.pass}\u0000${isa}`);
    if (!base || base.status !== 'ok') continue;
    out.push({
      shape: r.shape, pass: r.pass, isa,
      gemmGflops: base.gflops, winogradGflops: r.gflops,
      speedup: r.gflops / base.gflops,
      bestSpeedup: base.bestMs && r.bestMs ? base.bestMs / r.bestMs : null,
    });
  }
  return out;
}
