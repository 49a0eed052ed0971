// The chart: one panel per pass, grouped bars of GFLOP/s per shape, one colour per
// implementation, the SIMD ceilings as dashed lines. Plain string building, no dependency.

const COLOURS = {
  'relaxed-simd': '#1b5e20', simd: '#43a047', scalar: '#a5d6a7', 'js-reference': '#9e9e9e',
  'tfjs-cpu': '#ffb74d', 'tfjs-wasm': '#e65100', 'onnxruntime-web': '#1e88e5',
};
const SPARE = ['#8e24aa', '#00897b', '#6d4c41', '#3949ab'];

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const unique = (xs) => [...new Set(xs)];
const fmt = (v) => (v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v >= 0.1 ? v.toFixed(2) : v.toPrecision(2));

/** Axis top and tick step: about five ticks of 1, 2, 2.5 or 5 times a power of ten. */
export function axisScale(top) {
  if (!(top > 0)) return { max: 1, step: 0.2 };
  const raw = top / 5, p = 10 ** Math.floor(Math.log10(raw));
  const step = +(p * [1, 2, 2.5, 5, 10].find((m) => m * p >= raw)).toPrecision(12);
  return { max: +(Math.ceil(top / step - 1e-9) * step).toPrecision(12), step };
}

/**
 * @param report { rows, machine, ceilings, date, quick }: rows as from addDerived() (shape,
 *   pass, impl, status, gflops, samples, reason)
 * @returns the SVG document as a string
 */
export function renderSvg(report) {
  const { rows, machine, ceilings } = report;
  const shapes = unique(rows.map((r) => r.shape));
  const passes = unique(rows.map((r) => r.pass));
  const impls = unique(rows.map((r) => r.impl));
  const colour = (impl) => COLOURS[impl] ?? SPARE[impls.indexOf(impl) % SPARE.length];
  const ceilingLines = Object.entries(ceilings ?? {}).filter(([, v]) => v);

  const W = 1200, left = 64, right = 24, plotW = W - left - right;
  const headerH = 136, panelH = 270, plotH = 190, footerH = 54;
  const H = headerH + passes.length * panelH + footerH;
  const top = Math.max(0, ...rows.filter((r) => r.status === 'ok').map((r) => r.gflops), ...ceilingLines.map(([, v]) => v));
  const { max: yMax, step: yStep } = axisScale(top * 1.08);

  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${left}" y="30" font-size="20" font-weight="bold">wasmconv vs peers: GFLOP/s per shape and pass (one thread, higher is better)</text>`);
  const caption = [
    `${machine.cpu} (${machine.cores} logical cores) · ${machine.platform} · Node ${machine.node} (V8 ${machine.v8})`,
    `${report.date} · ${report.quick ? 'quick run (short budgets)' : 'full run'} · SIMD ceiling probe: ` +
      (ceilingLines.map(([k, v]) => `${k} ${v.toFixed(1)} GFLOP/s`).join(', ') || 'not measured'),
  ];
  caption.forEach((line, i) => out.push(`<text x="${left}" y="${52 + 18 * i}" font-size="13" fill="#444">${esc(line)}</text>`));

  // legend
  let lx = left;
  const ly = 100;
  for (const impl of impls) {
    out.push(`<rect x="${lx}" y="${ly - 11}" width="13" height="13" fill="${colour(impl)}"/>`);
    out.push(`<text x="${lx + 18}" y="${ly}" font-size="13">${esc(impl)}</text>`);
    lx += 18 + impl.length * 7.4 + 20;
  }
  out.push(`<text x="${left}" y="${ly + 20}" font-size="12" fill="#555">× = not timed (not supported or skipped; the reason is in the table) · * = one sample · dashed red = SIMD ceiling probe</text>`);

  passes.forEach((pass, p) => {
    const y0 = headerH + p * panelH + 24; // top of the plot area
    const yOf = (v) => y0 + plotH - (v / yMax) * plotH;
    out.push(`<text x="${left}" y="${y0 - 8}" font-size="15" font-weight="bold">${esc(pass)}</text>`);
    for (let v = 0; v <= yMax + 1e-9; v += yStep) {
      const y = yOf(v);
      out.push(`<line x1="${left}" x2="${left + plotW}" y1="${y}" y2="${y}" stroke="#e0e0e0"/>`);
      out.push(`<text x="${left - 6}" y="${y + 4}" font-size="11" text-anchor="end" fill="#555">${+v.toFixed(3)}</text>`);
    }
    out.push(`<text x="16" y="${y0 + plotH / 2}" font-size="12" fill="#555" transform="rotate(-90 16 ${y0 + plotH / 2})" text-anchor="middle">GFLOP/s</text>`);
    for (const [name, v] of ceilingLines) {
      out.push(`<line x1="${left}" x2="${left + plotW}" y1="${yOf(v)}" y2="${yOf(v)}" stroke="#c62828" stroke-dasharray="6 4"/>`);
      out.push(`<text x="${left + plotW - 4}" y="${yOf(v) - 4}" font-size="11" text-anchor="end" fill="#c62828">${esc(name)} ceiling ${v.toFixed(1)}</text>`);
    }
    const groupW = plotW / shapes.length;
    const barW = Math.min(18, (groupW - 14) / impls.length);
    shapes.forEach((shape, s) => {
      const gx = left + s * groupW + (groupW - barW * impls.length) / 2;
      const [id, ...rest] = shape.split(' ');
      const cx = left + (s + 0.5) * groupW;
      out.push(`<text x="${cx}" y="${y0 + plotH + 16}" font-size="12" font-weight="bold" text-anchor="middle">${esc(id)}</text>`);
      out.push(`<text x="${cx}" y="${y0 + plotH + 30}" font-size="11" text-anchor="middle" fill="#555">${esc(rest.join(' '))}</text>`);
      impls.forEach((impl, i) => {
        const r = rows.find((row) => row.shape === shape && row.pass === pass && row.impl === impl);
        const x = gx + i * barW;
        if (!r) return;
        if (r.status !== 'ok') {
          out.push(`<text x="${x + barW / 2}" y="${y0 + plotH - 3}" font-size="11" text-anchor="middle" fill="${colour(impl)}"><title>${esc(`${impl}: ${r.reason}`)}</title>×</text>`);
          return;
        }
        const y = yOf(r.gflops), h = Math.max(1, y0 + plotH - y);
        const label = `${fmt(r.gflops)}${r.samples === 1 ? '*' : ''}`;
        out.push(`<rect x="${x + 1}" y="${y0 + plotH - h}" width="${barW - 2}" height="${h}" fill="${colour(impl)}"><title>${esc(`${impl} ${shape} ${pass}: ${r.gflops.toFixed(2)} GFLOP/s, ${r.ms.toFixed(2)} ms`)}</title></rect>`);
        const tx = x + barW / 2 + 3.5, ty = y0 + plotH - h - 3;
        out.push(`<text x="${tx}" y="${ty}" font-size="10" fill="#333" transform="rotate(-90 ${tx} ${ty})">${esc(label)}</text>`);
      });
    });
    out.push(`<line x1="${left}" x2="${left + plotW}" y1="${y0 + plotH}" y2="${y0 + plotH}" stroke="#333"/>`);
  });

  const fy = headerH + passes.length * panelH + 10;
  out.push(`<text x="${left}" y="${fy}" font-size="12" fill="#555">GFLOP/s = 2·N·O·OH·OW·(C/groups)·KH·KW ÷ median time of one call (copying in and out included). dW+db counts the forward's FLOPs;</text>`);
  out.push(`<text x="${left}" y="${fy + 16}" font-size="12" fill="#555">the js-reference backward bars are one joint dX+dW+db call credited with both passes' FLOPs. Peers: tfjs-cpu, tfjs-wasm (XNNPACK SIMD), onnxruntime-web (forward only).</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
