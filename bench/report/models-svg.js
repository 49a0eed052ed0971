// The chart of bench:models and bench:models:browser: one panel per model, a group of bars per batch and thread
// count, one colour per implementation; images per second from the median time (higher is
// better), the fastest sample's rate as a tick on each bar. Plain string building, as svg.js.
import { axisScale } from './svg.js';

const COLOURS = { simd: '#43a047', relaxed: '#1b5e20', ortWeb: '#1e88e5', ortNode: '#6d4c41' };
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/**
 * @param report { title, date, machine, rows, impls }: rows as bench/models-browser.js writes them
 *   (model, batch, threads, and per impl key { medianMs, fastestMs } or { error }); impls [{ key, name }]
 * @returns the SVG document as a string
 */
export function renderModelsSvg({ title, date, machine, rows, impls }) {
  const models = [...new Set(rows.map((r) => r.model))];
  const rate = (m, batch, which) => (m && !m.error ? (batch * 1000) / m[which] : null);
  const W = 1000, left = 64, right = 24, plotW = W - left - right, headerH = 110, panelH = 250, plotH = 180;
  const H = headerH + models.length * panelH + 30;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${left}" y="30" font-size="18" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="${left}" y="52" font-size="13" fill="#444">${esc(`${machine.cpu} (${machine.cores} logical cores), load average ${machine.loadAverage[0]}${machine.loadAverageAfter ? ` → ${machine.loadAverageAfter[0]}` : ''} · ${date} · tick: fastest sample`)}</text>`);
  let lx = left;
  for (const impl of impls) {
    out.push(`<rect x="${lx}" y="${74}" width="13" height="13" fill="${COLOURS[impl.key] ?? '#999'}"/>`);
    out.push(`<text x="${lx + 18}" y="${85}" font-size="13">${esc(impl.name)}</text>`);
    lx += 18 + impl.name.length * 7.4 + 20;
  }
  models.forEach((model, p) => {
    const modelRows = rows.filter((r) => r.model === model);
    const { max, step } = axisScale(Math.max(...modelRows.flatMap((r) => impls.map((i) => rate(r[i.key], r.batch, 'fastestMs') ?? 0))) * 1.08);
    const y0 = headerH + p * panelH + 20;
    const yOf = (v) => y0 + plotH - (v / max) * plotH;
    out.push(`<text x="${left}" y="${y0 - 6}" font-size="15" font-weight="bold">${esc(model)}</text>`);
    for (let v = 0; v <= max + 1e-9; v += step) {
      out.push(`<line x1="${left}" x2="${left + plotW}" y1="${yOf(v)}" y2="${yOf(v)}" stroke="#e0e0e0"/>`);
      out.push(`<text x="${left - 6}" y="${yOf(v) + 4}" font-size="11" text-anchor="end" fill="#555">${+v.toFixed(3)}</text>`);
    }
    out.push(`<text x="16" y="${y0 + plotH / 2}" font-size="12" fill="#555" transform="rotate(-90 16 ${y0 + plotH / 2})" text-anchor="middle">images/s</text>`);
    const groupW = plotW / modelRows.length, barW = Math.min(28, (groupW - 16) / impls.length);
    modelRows.forEach((row, g) => {
      const gx = left + g * groupW + (groupW - barW * impls.length) / 2;
      out.push(`<text x="${left + (g + 0.5) * groupW}" y="${y0 + plotH + 16}" font-size="12" text-anchor="middle">${esc(`batch ${row.batch}, ${row.threads} thread${row.threads > 1 ? 's' : ''}`)}</text>`);
      impls.forEach((impl, i) => {
        const m = row[impl.key], x = gx + i * barW, colour = COLOURS[impl.key] ?? '#999';
        const median = rate(m, row.batch, 'medianMs');
        if (median === null) {
          out.push(`<text x="${x + barW / 2}" y="${y0 + plotH - 3}" font-size="11" text-anchor="middle" fill="${colour}"><title>${esc(`${impl.name}: ${m?.error ?? 'not run'}`)}</title>×</text>`);
          return;
        }
        const y = yOf(median), fastest = yOf(rate(m, row.batch, 'fastestMs'));
        out.push(`<rect x="${x + 1}" y="${y}" width="${barW - 2}" height="${Math.max(1, y0 + plotH - y)}" fill="${colour}"><title>${esc(`${impl.name}: ${m.medianMs.toFixed(1)} ms median, ${m.fastestMs.toFixed(1)} ms fastest`)}</title></rect>`);
        out.push(`<line x1="${x + 1}" x2="${x + barW - 1}" y1="${fastest}" y2="${fastest}" stroke="#333"/>`);
        out.push(`<text x="${x + barW / 2}" y="${Math.min(y, fastest) - 5}" font-size="10" text-anchor="middle" fill="#333">${fmt(median)}</text>`);
      });
    });
    out.push(`<line x1="${left}" x2="${left + plotW}" y1="${y0 + plotH}" y2="${y0 + plotH}" stroke="#333"/>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
