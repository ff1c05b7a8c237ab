// Status words, formatting and DOM helpers of the status page. Data
// reaches the DOM through textContent and attributes only, never as
// markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

// Component statuses in the seed's words, least to most severe.
export const COMPONENT = {
  OPERATIONAL: { label: 'Operational', level: 'ok', icon: 'check', rank: 0 },
  UNDERMAINTENANCE: { label: 'Under maintenance', level: 'maint', icon: 'clock', rank: 1 },
  DEGRADEDPERFORMANCE: { label: 'Degraded performance', level: 'degraded', icon: 'bang', rank: 2 },
  PARTIALOUTAGE: { label: 'Partial outage', level: 'partial', icon: 'bang', rank: 3 },
  MAJOROUTAGE: { label: 'Major outage', level: 'major', icon: 'cross', rank: 4 },
};
export const UNKNOWN = { label: 'Unknown', level: 'unknown', icon: 'question', rank: -1 };

export const INCIDENT = {
  INVESTIGATING: 'Investigating',
  IDENTIFIED: 'Identified',
  MONITORING: 'Monitoring',
  RESOLVED: 'Resolved',
};

export const MAINTENANCE = {
  NOTSTARTEDYET: 'Scheduled',
  INPROGRESS: 'In progress',
  COMPLETED: 'Completed',
};

export const BANNER_TEXT = {
  ok: 'All Systems Operational',
  maint: 'Service Under Maintenance',
  degraded: 'Degraded Performance',
  partial: 'Partial System Outage',
  major: 'Major System Outage',
  unknown: 'Status unavailable',
};

// Icons drawn with strokes on a 16×16 grid; aria-hidden, the word beside
// them says the same.
const ICONS = {
  check: ['M3.5 8.5l3 3 6-7'],
  cross: ['M4.5 4.5l7 7', 'M11.5 4.5l-7 7'],
  bang: ['M8 3.5v5.5', 'M8 12.2v.3'],
  clock: ['M8 2.5a5.5 5.5 0 1 0 0 11a5.5 5.5 0 1 0 0-11', 'M8 5v3.2l2.2 1.6'],
  question: ['M5.8 6a2.2 2.2 0 1 1 3 2c-.6.3-.8.7-.8 1.3', 'M8 12.2v.3'],
};

export const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
export const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

// ---------------------------------------------------------------- helpers

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c !== null && c !== undefined && c !== false) e.append(c);
  }
  return e;
}

export function svg(tag, attrs = {}) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

export function icon(name) {
  const s = svg('svg', {
    viewBox: '0 0 16 16', 'aria-hidden': 'true', focusable: 'false',
    fill: 'none', stroke: 'currentColor', 'stroke-width': 2,
    'stroke-linecap': 'round', 'stroke-linejoin': 'round',
  });
  for (const d of ICONS[name] || ICONS.question) s.append(svg('path', { d }));
  return s;
}

export function componentInfo(status) {
  return COMPONENT[status] || UNKNOWN;
}

export function badge(info, text) {
  return el('span', { class: 'badge', 'data-level': info.level }, icon(info.icon), text || info.label);
}

export function setText(e, text) {
  if (e.textContent !== text) e.textContent = text;
}

export function setBadge(b, info, text) {
  b.dataset.level = info.level;
  b.replaceChildren(icon(info.icon), text || info.label);
}

export function parseTime(s) {
  if (!s) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function timeEl(s, format = dateTimeFormat) {
  const d = parseTime(s);
  if (!d) return el('span', { text: '—' });
  return el('time', { datetime: d.toISOString(), text: format.format(d) });
}

export function fmtPercent(u) {
  if (u >= 1) return '100%';
  // Floor, so 99.996% never shows as a perfect 100.00%.
  return (Math.floor(u * 10000) / 100).toFixed(2) + '%';
}

export function fmtDuration(sec) {
  sec = Math.round(sec);
  if (sec < 60) return `${sec} s`;
  const min = Math.round(sec / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  const m = min % 60;
  if (h < 48) return m ? `${h} h ${m} min` : `${h} h`;
  return `${Math.round(h / 24)} days`;
}

export function fmtMs(v) {
  if (v >= 1000) return `${(v / 1000).toFixed(v >= 10000 ? 0 : 1)} s`;
  return `${Math.round(v)} ms`;
}

export function byNewest(key) {
  return (a, b) => (parseTime(b[key])?.getTime() ?? 0) - (parseTime(a[key])?.getTime() ?? 0);
}

export function upsert(list, item) {
  const i = list.findIndex((x) => x.id === item.id);
  if (i >= 0) list[i] = item;
  else list.push(item);
}

// wsURL resolves the up-ws meta: "" means ws next to the page, ":port"
// the page's own host on that port, else an absolute URL. The scheme
// follows the page, so https pages (behind a proxy) use wss.
export function wsURL(meta, loc = window.location, base = document.baseURI) {
  const secure = loc.protocol === 'https:';
  const scheme = secure ? 'wss:' : 'ws:';
  let u;
  if (!meta) {
    u = new URL('ws', base);
  } else if (meta.startsWith(':')) {
    const m = meta.match(/^:(\d+)(\/.*)?$/);
    u = new URL(`${scheme}//${loc.hostname}:${m ? m[1] : ''}${(m && m[2]) || '/ws'}`);
  } else {
    u = new URL(meta, base);
  }
  if (u.protocol === 'http:' || u.protocol === 'https:') {
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  }
  if (secure && u.protocol === 'ws:') u.protocol = 'wss:';
  return u.href;
}

export function checkName(checkID, componentID) {
  // Check ids are "<component>.<check>"; the page shows the check part.
  const prefix = `${componentID}.`;
  return checkID && checkID.startsWith(prefix) ? checkID.slice(prefix.length) : checkID;
}

export function dayLevel(d) {
  if (d.uptime === null || d.uptime === undefined) {
    return d.maintenance_seconds > 0 ? 'maint' : 'none';
  }
  if (d.down_seconds === 0 && d.maintenance_seconds > 0 && d.maintenance_seconds >= (d.up_seconds || 0)) return 'maint';
  if (d.uptime >= 0.999) return 'ok';
  if (d.uptime >= 0.99) return 'minor';
  if (d.uptime >= 0.95) return 'partial';
  return 'major';
}

export function utcToday() {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

export function isoDay(d) {
  return d.toISOString().slice(0, 10);
}
