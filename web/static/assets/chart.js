// Response-time chart of the status page: an inline SVG line over a time
// range, no chart library.

import { el, svg, fmtMs, timeFormat } from './ui.js';

// The drawing's own units; the SVG stretches to its box, and strokes keep
// their width (vector-effect), so one shape fits every screen.
const W = 600;
const H = 56;

// A gap longer than this breaks the line: there was no successful probe
// then, which the chart must not paper over.
const GAP_MS = 3 * 60e3;

// responseTimeChart draws points ({t, v}, sorted by t, t in ms) between
// from and to. label names the series for screen readers; show(anchor,
// children, x) and hide() drive the page's tooltip, which tells the
// value under the pointer. It returns the SVG element and a one-line
// summary.
export function responseTimeChart({ points, from, to, label, show, hide }) {
  let max = 0;
  let sum = 0;
  for (const p of points) {
    max = Math.max(max, p.v);
    sum += p.v;
  }
  const avg = sum / points.length;
  const last = points[points.length - 1];
  const top = max > 0 ? max * 1.15 : 1;
  const x = (t) => ((t - from) / (to - from)) * W;
  const y = (v) => H - (v / top) * H;

  let line = '';
  let area = '';
  let runStart = null;
  let prev = null;
  const closeArea = () => {
    if (runStart !== null) area += `L${x(prev.t).toFixed(1)},${H}L${x(runStart.t).toFixed(1)},${H}Z`;
  };
  for (const p of points) {
    const px = x(p.t).toFixed(1);
    const py = y(p.v).toFixed(1);
    if (!prev || p.t - prev.t > GAP_MS) {
      closeArea();
      line += `M${px},${py}`;
      area += `M${px},${H}L${px},${py}`;
      runStart = p;
    } else {
      line += `L${px},${py}`;
      area += `L${px},${py}`;
    }
    prev = p;
  }
  closeArea();

  const text = `${label}: average ${fmtMs(avg)}, maximum ${fmtMs(max)}, latest ${fmtMs(last.v)}.`;
  const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': text });
  const title = svg('title');
  title.textContent = text;
  const cursor = svg('line', { class: 'cursor', y1: 0, y2: H, 'vector-effect': 'non-scaling-stroke', visibility: 'hidden' });
  s.append(title,
    svg('line', { class: 'grid', x1: 0, x2: W, y1: H, y2: H, 'vector-effect': 'non-scaling-stroke' }),
    svg('path', { class: 'area', d: area }),
    svg('path', { class: 'line', d: line, 'vector-effect': 'non-scaling-stroke' }),
    cursor);

  s.addEventListener('mousemove', (e) => {
    const r = s.getBoundingClientRect();
    const t = from + ((e.clientX - r.left) / r.width) * (to - from);
    let best = points[0];
    for (const p of points) if (Math.abs(p.t - t) < Math.abs(best.t - t)) best = p;
    const bx = x(best.t);
    cursor.setAttribute('x1', bx);
    cursor.setAttribute('x2', bx);
    cursor.setAttribute('visibility', 'visible');
    show(s, [el('p', { class: 'tt-title', text: fmtMs(best.v) }), el('p', { text: timeFormat.format(new Date(best.t)) })],
      r.left + (bx / W) * r.width);
  });
  s.addEventListener('mouseleave', () => {
    cursor.setAttribute('visibility', 'hidden');
    hide();
  });
  return { svg: s, summary: `avg ${fmtMs(avg)} · max ${fmtMs(max)}` };
}
