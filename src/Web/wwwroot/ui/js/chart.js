// Stacked bars drawn as inline SVG: no chart library, nothing loaded from elsewhere.
const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

export function stackedBars(bars, series) {
  const wrap = document.createElement('div');
  const legend = document.createElement('div');
  legend.className = 'legend';
  for (const name of series) {
    const item = document.createElement('span');
    item.className = name;
    item.textContent = name;
    legend.append(item);
  }
  const width = 960, height = 270, left = 44, bottom = 56, top = 10;
  const max = Math.max(1, ...bars.map(b => series.reduce((t, k) => t + b.parts[k], 0)));
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Stacked bars of messages per day, provider and account by status' });
  const plotH = height - bottom - top;
  const step = (width - left - 10) / Math.max(1, bars.length);
  const barW = Math.min(48, step * 0.7);
  // Whole numbers only: a scale of 1 reads 0 and 1, not 0, 1, 1.
  for (const value of [...new Set([0, Math.round(max / 2), max])]) {
    const y = top + plotH * (1 - value / max);
    svg.append(s('line', { x1: left, x2: width - 10, y1: y, y2: y, class: 'axis' }), s('text', { x: left - 6, y: y + 4, 'text-anchor': 'end' }, value));
  }
  bars.forEach((b, i) => {
    const x = left + i * step + (step - barW) / 2;
    let y = top + plotH;
    for (const k of series) {
      const v = b.parts[k];
      if (!v) continue;
      const hgt = (v / max) * plotH;
      y -= hgt;
      const rect = s('rect', { x, y, width: barW, height: hgt, class: k });
      rect.append(s('title', {}, `${b.label}: ${v} ${k}`));
      svg.append(rect);
    }
    b.lines.forEach((line, n) => svg.append(s('text', { x: x + barW / 2, y: height - bottom + 14 + 13 * n, 'text-anchor': 'middle' }, line)));
  });
  wrap.append(legend, svg);
  return wrap;
}
