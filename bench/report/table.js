// The stdout report: Markdown tables (they paste into the README as they are). Pure functions.

/** GFLOP/s: two decimals, or two significant digits for the very slow rows (0.0026). */
const rate = (v) => (v == null ? '—' : v >= 0.1 ? v.toFixed(2) : v.toPrecision(2));
const ms = (v) => (v == null ? '—' : v.toFixed(v < 10 ? 3 : v < 1000 ? 2 : 0));

/** A Markdown table; columns whose `align` is 'right' are padded on the left. */
export function markdownTable(columns, cells) {
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i].length)));
  const pad = (text, i) => (columns[i].align === 'right' ? text.padStart(widths[i]) : text.padEnd(widths[i]));
  const line = (row) => `| ${row.map(pad).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (columns[i].align === 'right' ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(columns.map((c) => c.title)), rule, ...cells.map(line)].join('\n');
}

/** Every row: one per shape × pass × implementation, with the reason where nothing was timed. */
export function resultsTable(rows) {
  const columns = [
    { title: 'shape' }, { title: 'pass' }, { title: 'implementation' },
    { title: 'median ms', align: 'right' }, { title: 'samples', align: 'right' }, { title: 'GFLOP/s', align: 'right' },
    { title: '% ceiling', align: 'right' }, { title: 'vs best peer', align: 'right' }, { title: 'notes' },
  ];
  const cells = rows.map((r) => [
    r.shape, r.pass, r.impl,
    ms(r.ms), r.samples == null ? '—' : String(r.samples), rate(r.gflops),
    r.pctCeiling == null ? '—' : `${r.pctCeiling.toFixed(0)}%`,
    r.vsBestPeer == null ? '—' : `${r.vsBestPeer.toFixed(2)}×`,
    r.status === 'ok' ? r.note ?? '' : r.reason,
  ]);
  return markdownTable(columns, cells);
}

/** The headline: our fastest ISA against the fastest peer, per shape and pass. */
export function headlineTable(lines) {
  const columns = [
    { title: 'shape' }, { title: 'pass' }, { title: 'ours (best ISA)' }, { title: 'GFLOP/s', align: 'right' },
    { title: 'best peer' }, { title: 'GFLOP/s ', align: 'right' }, { title: 'ours ÷ best peer', align: 'right' },
  ];
  const cells = lines.map((h) => [
    h.shape, h.pass, h.ours ?? '—', rate(h.oursGflops), h.peer ?? 'none ran', rate(h.peerGflops),
    h.speedup == null ? '—' : `${h.speedup.toFixed(2)}×`,
  ]);
  return markdownTable(columns, cells);
}

/** Multi-thread rows against one thread, same ISA (ratios.js threadScaling). */
export function threadsTable(lines) {
  const many = lines[0]?.threads ?? 2;
  const columns = [
    { title: 'shape' }, { title: 'pass' }, { title: 'ISA' }, { title: '1 thread GFLOP/s', align: 'right' },
    { title: `${many} threads GFLOP/s`, align: 'right' }, { title: 'speedup', align: 'right' },
    { title: 'speedup, fastest samples', align: 'right' },
  ];
  const times = (x) => (x == null ? '—' : `${x.toFixed(2)}×`);
  const cells = lines.map((l) => [l.shape, l.pass, l.isa, rate(l.oneGflops), rate(l.manyGflops), times(l.speedup), times(l.bestSpeedup)]);
  return markdownTable(columns, cells);
}

/** winogradSpeedup's lines: effective GFLOP/s of Winograd against the GEMM path's, median and fastest-sample ratios. */
export function winogradTable(lines) {
  const columns = [
    { title: 'shape' }, { title: 'pass' }, { title: 'ISA' }, { title: 'GEMM GFLOP/s', align: 'right' },
    { title: 'Winograd GFLOP/s (effective)', align: 'right' }, { title: 'Winograd ÷ GEMM', align: 'right' },
    { title: 'Winograd ÷ GEMM, fastest samples', align: 'right' },
  ];
  const times = (x) => (x == null ? '—' : `${x.toFixed(2)}×`);
  const cells = lines.map((l) => [l.shape, l.pass, l.isa, rate(l.gemmGflops), rate(l.winogradGflops), times(l.speedup), times(l.bestSpeedup)]);
  return markdownTable(columns, cells);
}
