// up status page: renders GET /status, keeps it live from the WebSocket,
// and draws 90-day uptime bars and response-time charts. Plain ES
// modules, no dependencies: ui.js has the words and DOM helpers, chart.js
// the response-time chart.

import {
  COMPONENT,
  UNKNOWN,
  INCIDENT,
  MAINTENANCE,
  BANNER_TEXT,
  dateTimeFormat,
  dayFormat,
  el,
  icon,
  componentInfo,
  badge,
  setText,
  setBadge,
  parseTime,
  timeEl,
  fmtPercent,
  fmtDuration,
  byNewest,
  upsert,
  wsURL,
  checkName,
  dayLevel,
  utcToday,
  isoDay,
} from './ui.js';
import { responseTimeChart } from './chart.js';
import { Freshness } from './freshness.js';

const UPTIME_DAYS = 90;
const CHART_HOURS = 24;
const RECONNECT_MIN_MS = 1000;
const RECONNECT_MAX_MS = 30000;
const UPTIME_REFRESH_MS = 5 * 60 * 1000;
const UPTIME_AFTER_CHANGE_MS = 15 * 1000;
const CHART_REFRESH_MS = 60 * 1000;
const HISTORY_LIMIT = 20;
// What a check that is not UP says when last_error, the latest result's
// error, is empty because that result succeeded: a DOWN check counting
// successes toward UP, a FLAKY one between failures, a SLOW one.
const CHECK_STATE = { DOWN: 'down', FLAKY: 'flaky', SLOW: 'slow' };


// ------------------------------------------------------------------- app

class StatusPage {
  constructor() {
    this.$ = (id) => document.getElementById(id);
    this.pageName = this.$('page-name').textContent;
    this.wsMeta = document.querySelector('meta[name="up-ws"]')?.content ?? '';

    this.state = { page: {}, groups: [], components: new Map(), order: [], incidents: [], maintenance: [] };
    this.structure = '';
    this.groupEls = new Map();
    this.componentEls = new Map();
    this.uptime = null; // Map id -> days, once loaded
    this.uptimeFailed = false;
    this.target = linkTarget();
    this.openEls = new Map();
    this.pastEls = new Map();
    this.maintEls = new Map();
    this.revealed = false;
    this.olderDone = false; // every older incident was loaded

    this.ws = null;
    this.live = false;
    this.wasLive = false;
    this.attempt = 0;
    this.reconnectTimer = 0;
    this.uptimeTimer = 0;

    this.freshness = new Freshness(this.$('as-of'), this.$('updated-line'), this.$('stale'));
    this.tooltip = this.$('tooltip');
    this.charts = new IntersectionObserver((entries) => this.onChartsVisible(entries), { rootMargin: '200px' });
  }

  start() {
    this.setConnection('connecting');
    // HTTP first paints fast; the WebSocket snapshot replaces it.
    this.pollStatus();
    this.connect();
    this.loadUptime();
    setInterval(() => this.loadUptime(), UPTIME_REFRESH_MS);
    setInterval(() => this.refreshCharts(), CHART_REFRESH_MS);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.reconnectNow();
    });
    window.addEventListener('online', () => this.reconnectNow());
    this.$('history-more').addEventListener('click', () => this.loadOlder());
    // A focused day keeps its details in place; a hovered one lets go.
    const follow = () => {
      const a = this.tooltipAnchor;
      if (a && a === document.activeElement && !this.tooltip.hidden) this.placeTooltip(a, this.tooltipX);
      else this.hideTooltip();
    };
    window.addEventListener('scroll', follow, { passive: true });
    window.addEventListener('resize', follow, { passive: true });
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.hideTooltip();
    });
  }

  // ------------------------------------------------------- connection

  connect() {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = 0;
    let ws;
    try {
      ws = new WebSocket(wsURL(this.wsMeta));
    } catch (err) {
      console.error('status page: bad WebSocket URL', err);
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (msg.type === 'snapshot' && !this.live) {
        const resumed = this.attempt > 0 || this.wasLive;
        this.live = true;
        this.wasLive = true;
        this.attempt = 0;
        this.setConnection('live');
        // After a gap, the bars may have missed a change too.
        if (resumed) this.loadUptime();
      }
      this.onMessage(msg);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.live = false;
      this.scheduleReconnect();
    };
  }

  scheduleReconnect() {
    const base = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.attempt);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.attempt++;
    this.setConnection('reconnecting', delay);
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      // While the feed is down the page still follows GET /status.
      this.pollStatus();
      this.connect();
    }, delay);
  }

  reconnectNow() {
    if (this.ws || !this.reconnectTimer) return;
    this.attempt = 0;
    this.connect();
  }

  setConnection(state, retryMs) {
    const c = this.$('connection');
    c.dataset.state = state;
    const label = c.querySelector('.label');
    label.textContent = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' }[state];
    c.title = state === 'reconnecting' && retryMs
      ? `Live updates interrupted; retrying in ${Math.ceil(retryMs / 1000)} s`
      : state === 'live' ? 'Receiving live updates' : '';
  }

  async pollStatus() {
    try {
      const res = await fetch('status', { headers: { Accept: 'application/json' }, cache: 'no-store' });
      if (!res.ok) throw new Error(`GET status: ${res.status}`);
      const data = await res.json();
      if (!this.live) {
        this.applySnapshot(data);
        // The Date header is the server's time, as now is in as_of
        // messages.
        const date = res.headers.get('Date');
        this.freshness.update(data.as_of, date ? new Date(date) : null);
      }
    } catch (err) {
      if (!this.live && !this.state.page.status_indicator) this.renderBanner();
    }
  }

  // ---------------------------------------------------------- messages

  onMessage(msg) {
    const d = msg.data;
    if (!d) return;
    switch (msg.type) {
      case 'snapshot':
        this.applySnapshot(d);
        break;
      case 'component': {
        const old = this.state.components.get(d.id);
        this.state.components.set(d.id, { ...old, ...d });
        if (!old) this.state.order.push(d.id);
        this.renderComponents(d.id);
        this.renderBanner();
        if (!old || old.status !== d.status) this.uptimeSoon();
        break;
      }
      case 'incident':
        upsert(this.state.incidents, d);
        this.renderIncidents();
        break;
      case 'maintenance':
        upsert(this.state.maintenance, d);
        this.renderMaintenance();
        break;
      case 'page':
        this.state.page = { ...this.state.page, ...d };
        this.renderBanner();
        break;
      case 'as_of':
        // Says how old the state is, and changes none of it.
        this.freshness.update(d.as_of, d.now);
        return;
      default:
        return;
    }
    this.touch();
  }

  applySnapshot(data) {
    const comps = data.components || [];
    this.state = {
      page: data.page || {},
      groups: data.groups || [],
      components: new Map(comps.map((c) => [c.id, c])),
      order: comps.map((c) => c.id),
      incidents: data.incidents || [],
      maintenance: data.maintenance || [],
    };
    if (data.page?.name) this.pageName = data.page.name;
    this.renderAll();
    this.touch();
    this.reveal();
  }

  // reveal scrolls once to the item the page was opened for (a webhook's
  // incident or maintenance link) and moves the focus there.
  reveal() {
    if (this.revealed || !this.target) return;
    this.revealed = true;
    const e = document.querySelector(`[data-kind="${this.target.kind}"][data-id="${CSS.escape(this.target.id)}"]`);
    if (!e) return;
    if (e.tagName === 'DETAILS') e.open = true;
    e.tabIndex = -1;
    e.scrollIntoView({ block: 'start' });
    e.focus({ preventScroll: true });
  }

  isTarget(kind, id) {
    return this.target?.kind === kind && this.target.id === id;
  }

  touch() {
    const now = new Date();
    this.$('updated').replaceWith(el('time', { id: 'updated', datetime: now.toISOString(), text: dateTimeFormat.format(now) }));
  }

  renderAll() {
    this.$('page-name').textContent = this.pageName;
    this.renderBanner();
    this.renderComponents();
    this.renderIncidents();
    this.renderMaintenance();
  }

  // ------------------------------------------------------------ banner

  worstComponent() {
    let worst = null;
    for (const c of this.state.components.values()) {
      const info = componentInfo(c.status);
      if (!worst || info.rank > worst.rank) worst = info;
    }
    return worst;
  }

  bannerLevel() {
    const ind = this.state.page.status_indicator;
    if (ind === 'UP') return 'ok';
    if (ind === 'UNDER MAINTENANCE' || ind === 'UNDERMAINTENANCE') return 'maint';
    if (ind === 'HASISSUES') {
      const w = this.worstComponent();
      return w && w.rank >= 2 ? w.level : 'partial';
    }
    return 'unknown';
  }

  renderBanner() {
    const level = this.bannerLevel();
    const text = this.state.page.status_description || BANNER_TEXT[level];
    const b = this.$('banner');
    const iconName = { ok: 'check', maint: 'clock', degraded: 'bang', partial: 'bang', major: 'cross' }[level] || 'question';
    // Only touch the live region when the words change, so screen readers
    // announce changes and not every refresh.
    if (b.dataset.level !== level || b.querySelector('.banner-text').textContent !== text) {
      b.dataset.level = level;
      b.querySelector('.banner-icon').replaceChildren(icon(iconName));
      b.querySelector('.banner-text').textContent = text;
    }
    document.title = level === 'ok' || level === 'unknown' ? this.pageName : `${text} · ${this.pageName}`;
  }

  // -------------------------------------------------------- components

  // renderComponents brings the component list up to date; changed, when
  // given, is the only component whose fields moved.
  renderComponents(changed) {
    const { groups, components, order } = this.state;
    const shape = JSON.stringify([
      groups.map((g) => [g.id, g.name, g.description, g.components]),
      order.map((id) => [id, components.get(id)?.group]),
    ]);
    if (shape !== this.structure) {
      this.structure = shape;
      this.buildComponents();
      changed = undefined;
    }
    for (const id of changed === undefined ? order : [changed]) this.updateComponent(id);
    for (const g of groups) this.updateGroup(g);
  }

  // buildComponents lays out groups and rows, reusing existing rows so
  // their charts and bars survive a snapshot.
  buildComponents() {
    const { groups, components, order } = this.state;
    const placed = new Set();
    const sections = [];
    const keepGroups = new Set();
    for (const g of groups) {
      const ids = (g.components || []).filter((id) => components.has(id) && !placed.has(id));
      ids.forEach((id) => placed.add(id));
      sections.push(this.groupSection(g.id, g.name, g.description, ids));
      keepGroups.add(g.id);
    }
    const rest = order.filter((id) => !placed.has(id));
    if (rest.length) {
      sections.push(this.groupSection('', groups.length ? 'Other components' : '', '', rest));
      keepGroups.add('');
    }
    for (const id of this.groupEls.keys()) if (!keepGroups.has(id)) this.groupEls.delete(id);
    for (const [id, row] of this.componentEls) {
      if (!components.has(id)) {
        this.charts.unobserve(row.chart);
        this.componentEls.delete(id);
      }
    }
    const root = this.$('components');
    if (sections.length) root.replaceChildren(...sections);
    else root.replaceChildren(el('p', { class: 'muted', text: 'No components yet.' }));
  }

  groupSection(id, name, description, ids) {
    let g = this.groupEls.get(id);
    if (!g) {
      const titleId = `group-title-${this.groupEls.size}-${Math.random().toString(36).slice(2, 8)}`;
      const title = el('h3', { id: titleId });
      const status = badge(UNKNOWN);
      const desc = el('p', { class: 'group-desc' });
      const head = el('div', { class: 'group-head' }, title, status, desc);
      const list = el('ul', { class: 'component-list', role: 'list' });
      const section = el('section', { class: 'group card', 'aria-labelledby': titleId }, head, list);
      g = { section, head, title, status, desc, list };
      this.groupEls.set(id, g);
    }
    g.title.textContent = name;
    g.head.hidden = !name;
    if (name) g.section.setAttribute('aria-labelledby', g.title.id);
    else g.section.removeAttribute('aria-labelledby');
    g.desc.textContent = description || '';
    g.desc.hidden = !description;
    g.status.hidden = !id;
    g.list.replaceChildren(...ids.map((cid) => this.componentRow(cid).li));
    return g.section;
  }

  updateGroup(group) {
    const g = this.groupEls.get(group.id);
    if (!g) return;
    // The worst of its components, as the engine computes it; group
    // events are not sent when only this changes.
    let worst = null;
    for (const id of group.components || []) {
      const c = this.state.components.get(id);
      if (!c) continue;
      const info = componentInfo(c.status);
      if (!worst || info.rank > worst.rank) worst = info;
    }
    setBadge(g.status, worst || componentInfo(group.status));
  }

  componentRow(id) {
    let row = this.componentEls.get(id);
    if (row) return row;
    const name = el('span', { class: 'component-name' });
    const status = badge(UNKNOWN);
    const desc = el('p', { class: 'component-desc' });
    const checks = el('p', { class: 'component-checks' });
    const head = el('div', { class: 'component-head' }, name, status);

    const bar = el('div', { class: 'uptime-bar', role: 'group' });
    for (let i = 0; i < UPTIME_DAYS; i++) {
      const day = el('span', { class: 'day', role: 'img', 'data-level': 'none', tabindex: i === UPTIME_DAYS - 1 ? 0 : -1 });
      bar.append(day);
    }
    const total = el('span', { class: 'uptime-total', text: '' });
    const meta = el('div', { class: 'uptime-meta' },
      el('span', {}, el('span', { class: 'span-long', text: '90 days ago' }), el('span', { class: 'span-short', text: '30 days ago' })),
      total,
      el('span', { text: 'Today' }));
    const uptime = el('div', { class: 'uptime' }, bar, meta);
    this.wireBar(id, bar);

    const chart = el('div', { class: 'rt' });
    const li = el('li', { class: 'component', 'data-component': id }, head, desc, checks, uptime, chart);
    row = { li, name, status, desc, checks, bar, total, chart, check: '', points: null };
    this.componentEls.set(id, row);
    this.renderBar(id);
    this.charts.observe(chart);
    return row;
  }

  updateComponent(id) {
    const c = this.state.components.get(id);
    const row = this.componentEls.get(id);
    if (!c || !row) return;
    setText(row.name, c.name || c.id);
    const info = componentInfo(c.status);
    if (row.status.dataset.level !== info.level || row.status.textContent !== info.label) setBadge(row.status, info);
    setText(row.desc, c.description || '');
    row.desc.hidden = !c.description;
    // Failing checks say why, next to the status: the latest result's
    // error, or the check's state when that result succeeded.
    const failing = (c.checks || []).filter((ch) => ch.state && ch.last_error ? ch.state !== 'UP' && ch.state !== 'UNKNOWN' : CHECK_STATE[ch.state]);
    row.checks.replaceChildren(...failing.map((ch, i) => el('span', { class: 'failing' },
      `${i ? ' · ' : ''}${checkName(ch.id, c.id)}: ${ch.last_error || CHECK_STATE[ch.state]}`)));
    row.checks.hidden = failing.length === 0;
    row.bar.setAttribute('aria-label', `${c.name || c.id}: uptime over the last ${UPTIME_DAYS} days. Use the arrow keys to read each day.`);
    this.renderChartHead(id);
  }

  // --------------------------------------------------------- uptime bars

  uptimeSoon() {
    if (this.uptimeTimer) return;
    this.uptimeTimer = setTimeout(() => {
      this.uptimeTimer = 0;
      this.loadUptime();
    }, UPTIME_AFTER_CHANGE_MS);
  }

  async loadUptime() {
    try {
      const res = await fetch(`uptime?days=${UPTIME_DAYS}`, { headers: { Accept: 'application/json' }, cache: 'no-store' });
      if (!res.ok) throw new Error(`GET uptime: ${res.status}`);
      const data = await res.json();
      this.uptime = new Map((data.components || []).map((c) => [c.id, c.days || []]));
      this.uptimeFailed = false;
    } catch (err) {
      this.uptimeFailed = true;
    }
    for (const id of this.componentEls.keys()) this.renderBar(id);
  }

  // days returns exactly UPTIME_DAYS entries for a component, oldest
  // first, padding the front with days that have no data.
  days(id) {
    const got = (this.uptime && this.uptime.get(id)) || [];
    const days = got.slice(-UPTIME_DAYS);
    const pad = [];
    let first = days.length ? new Date(`${days[0].date}T00:00:00Z`) : utcToday();
    if (!days.length) first = new Date(first.getTime() + 86400e3);
    for (let i = UPTIME_DAYS - days.length; i > 0; i--) {
      pad.push({ date: isoDay(new Date(first.getTime() - i * 86400e3)), uptime: null });
    }
    return pad.concat(days);
  }

  renderBar(id) {
    const row = this.componentEls.get(id);
    if (!row) return;
    const days = this.days(id);
    let up = 0;
    let down = 0;
    days.forEach((d, i) => {
      const cell = row.bar.children[i];
      cell.dataset.level = dayLevel(d);
      cell.dataset.date = d.date;
      cell.setAttribute('aria-label', this.dayText(id, d).join('. '));
      up += d.up_seconds || 0;
      down += d.down_seconds || 0;
    });
    if (this.uptimeFailed && !this.uptime) row.total.textContent = 'Uptime history unavailable';
    else if (up + down > 0) row.total.textContent = `${fmtPercent(up / (up + down))} uptime`;
    else row.total.textContent = 'No data yet';
  }

  // dayText is what a day says, in the tooltip and to screen readers.
  dayText(id, d) {
    const lines = [dayFormat.format(new Date(`${d.date}T00:00:00Z`))];
    if (d.uptime === null || d.uptime === undefined) {
      lines.push(this.uptimeFailed && !this.uptime ? 'Uptime history unavailable' : 'No data');
    } else {
      // A component's seconds are its checks' added up: scale them back
      // to one day so that two checks down for 5 minutes say 5 minutes.
      const total = (d.up_seconds || 0) + (d.down_seconds || 0) + (d.maintenance_seconds || 0) + (d.no_data_seconds || 0);
      const scale = total > 86400 * 1.01 ? 86400 / total : 1;
      lines.push(`${fmtPercent(d.uptime)} uptime`);
      if (d.down_seconds > 0) lines.push(`Down ${fmtDuration(d.down_seconds * scale)}`);
      if (d.maintenance_seconds > 0) lines.push(`Maintenance ${fmtDuration(d.maintenance_seconds * scale)}`);
      // Today's hours still to come are not missing data.
      let noData = (d.no_data_seconds || 0) * scale;
      if (d.date === isoDay(utcToday())) noData -= (utcToday().getTime() + 86400e3 - Date.now()) / 1000;
      if (noData >= 60 && noData < 86400 - 60) lines.push(`No data for ${fmtDuration(noData)}`);
    }
    const incidents = this.incidentsOn(id, d.date);
    if (incidents.length) {
      lines.push(incidents.length === 1 ? '1 incident' : `${incidents.length} incidents`);
      for (const inc of incidents) lines.push(inc.name);
    } else if (d.uptime !== null && d.uptime !== undefined) {
      lines.push('No incidents');
    }
    return lines;
  }

  incidentsOn(id, date) {
    const from = new Date(`${date}T00:00:00Z`).getTime();
    const to = from + 86400e3;
    return this.state.incidents.filter((inc) => {
      if (!(inc.components || []).includes(id)) return false;
      const start = parseTime(inc.created_at)?.getTime();
      const end = parseTime(inc.resolved_at)?.getTime() ?? Date.now();
      return start !== undefined && start < to && end >= from;
    });
  }

  // wireBar gives a bar one tab stop: arrow keys move between days
  // (roving tabindex), and hover or focus shows a day's details.
  wireBar(id, bar) {
    const visible = () => [...bar.children].filter((c) => c.getClientRects().length > 0);
    bar.addEventListener('keydown', (e) => {
      const cells = visible();
      const i = cells.indexOf(document.activeElement);
      if (i < 0) return;
      const next = { ArrowLeft: i - 1, ArrowRight: i + 1, Home: 0, End: cells.length - 1 }[e.key];
      if (next === undefined) return;
      e.preventDefault();
      const target = cells[Math.max(0, Math.min(cells.length - 1, next))];
      for (const c of bar.children) c.tabIndex = -1;
      target.tabIndex = 0;
      target.focus();
    });
    bar.addEventListener('focusin', (e) => {
      if (!e.target.classList.contains('day')) return;
      // A day hidden on a phone must not keep the tab stop.
      if (e.target.getClientRects().length === 0) return;
      this.showDay(id, e.target);
    });
    bar.addEventListener('focusout', () => this.hideTooltip());
    bar.addEventListener('mouseover', (e) => {
      if (e.target.classList.contains('day')) this.showDay(id, e.target);
    });
    bar.addEventListener('mouseleave', () => {
      if (!bar.contains(document.activeElement)) this.hideTooltip();
    });
  }

  showDay(id, cell) {
    const d = this.days(id).find((x) => x.date === cell.dataset.date);
    if (!d) return;
    const [title, ...rest] = this.dayText(id, d);
    this.showTooltip(cell, [el('p', { class: 'tt-title', text: title }), ...rest.map((t) => el('p', { text: t }))]);
  }

  showTooltip(anchor, children, x) {
    const t = this.tooltip;
    t.replaceChildren(...children);
    t.hidden = false;
    this.tooltipAnchor = anchor;
    this.tooltipX = x;
    this.placeTooltip(anchor, x);
  }

  placeTooltip(anchor, x) {
    const t = this.tooltip;
    const r = anchor.getBoundingClientRect();
    const w = t.offsetWidth;
    const h = t.offsetHeight;
    const cx = x ?? r.left + r.width / 2;
    const left = Math.max(8, Math.min(window.innerWidth - w - 8, cx - w / 2));
    let top = r.top - h - 8;
    if (top < 8) top = r.bottom + 8;
    t.style.left = `${left}px`;
    t.style.top = `${top}px`;
  }

  hideTooltip() {
    this.tooltip.hidden = true;
    this.tooltipAnchor = null;
  }

  // ----------------------------------------------------- response time

  renderChartHead(id) {
    const c = this.state.components.get(id);
    const row = this.componentEls.get(id);
    const checks = (c.checks || []).map((ch) => ch.id);
    row.chart.hidden = checks.length === 0;
    if (!checks.length) return;
    if (!checks.includes(row.check)) {
      row.check = checks[0];
      row.points = null;
    }
    const key = checks.join('\n');
    if (row.chartKey === key) return;
    row.chartKey = key;

    const title = el('span', { class: 'rt-title', text: `Response time, last ${CHART_HOURS} h` });
    let picker = null;
    if (checks.length > 1) {
      picker = el('select', { 'aria-label': `Check of ${c.name || c.id}` },
        ...checks.map((ch) => el('option', { value: ch, text: checkName(ch, id), selected: ch === row.check })));
      picker.addEventListener('change', () => {
        row.check = picker.value;
        row.points = null;
        this.loadChart(id);
      });
    }
    row.summary = el('span', { class: 'rt-summary' });
    row.plot = el('div', { class: 'rt-plot' });
    const axis = el('div', { class: 'rt-axis', 'aria-hidden': 'true' },
      el('span', { text: `${CHART_HOURS} h ago` }), el('span', { text: 'now' }));
    row.chart.replaceChildren(el('div', { class: 'rt-head' }, title, picker, row.summary), row.plot, axis);
    this.drawChart(id);
    if (row.visible) this.loadChart(id);
  }

  onChartsVisible(entries) {
    for (const e of entries) {
      const id = e.target.closest('[data-component]')?.dataset.component;
      const row = id && this.componentEls.get(id);
      if (!row) continue;
      row.visible = e.isIntersecting;
      if (e.isIntersecting && !row.points) this.loadChart(id);
    }
  }

  refreshCharts() {
    if (document.visibilityState !== 'visible') return;
    for (const [id, row] of this.componentEls) if (row.visible && row.check) this.loadChart(id);
  }

  async loadChart(id) {
    const row = this.componentEls.get(id);
    if (!row || !row.check || row.loading) return;
    const check = row.check;
    const to = new Date();
    const from = new Date(to.getTime() - CHART_HOURS * 3600e3);
    row.loading = true;
    try {
      const q = `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
      const res = await fetch(`metrics/${encodeURIComponent(check)}?${q}`, { headers: { Accept: 'application/json' }, cache: 'no-store' });
      if (res.status === 404) {
        row.points = [];
      } else {
        if (!res.ok) throw new Error(`GET metrics/${check}: ${res.status}`);
        const data = await res.json();
        row.points = (data.points || [])
          .map((p) => ({ t: parseTime(p.timestamp)?.getTime(), v: Number(p.value) }))
          .filter((p) => p.t !== undefined && Number.isFinite(p.v))
          .sort((a, b) => a.t - b.t);
      }
      row.range = [from.getTime(), to.getTime()];
      row.failed = false;
    } catch (err) {
      row.failed = true;
    } finally {
      row.loading = false;
    }
    if (row.check === check) this.drawChart(id);
  }

  drawChart(id) {
    const row = this.componentEls.get(id);
    if (!row || !row.plot) return;
    const c = this.state.components.get(id);
    const what = `${checkName(row.check, id)} of ${c?.name || id}`;
    const pts = row.points;
    if (!pts || !pts.length) {
      const text = row.failed ? 'Response times unavailable.' : pts ? 'No response-time data yet.' : 'Loading response times…';
      row.plot.replaceChildren(el('p', { class: 'empty', text }));
      row.summary.textContent = '';
      return;
    }
    const [from, to] = row.range;
    const chart = responseTimeChart({
      points: pts,
      from,
      to,
      label: `Response time of ${what} over the last ${CHART_HOURS} hours`,
      show: (anchor, children, x) => this.showTooltip(anchor, children, x),
      hide: () => this.hideTooltip(),
    });
    row.plot.replaceChildren(chart.svg);
    row.summary.textContent = chart.summary;
  }

  // --------------------------------------------- incidents, maintenance

  componentNames(ids) {
    return (ids || []).map((id) => this.state.components.get(id)?.name || id).join(', ');
  }

  renderIncidents() {
    const all = this.state.incidents;
    const open = all.filter((i) => i.status !== 'RESOLVED').sort(byNewest('created_at'));
    // By start, newest first, like the start time each one shows (and the
    // snapshot's order); a long incident that ended late would otherwise
    // sit above shorter ones that started after it.
    const past = all.filter((i) => i.status === 'RESOLVED').sort(byNewest('created_at')).slice(0, HISTORY_LIMIT);

    this.$('incidents-section').hidden = open.length === 0;
    this.keyed(this.$('incidents'), this.openEls, open, (inc) => this.incidentCard(inc));

    const history = this.$('history');
    const wasOpen = new Set([...history.querySelectorAll('details[open]')].map((d) => d.dataset.id));
    if (!past.length) {
      this.pastEls.clear();
      history.replaceChildren(el('p', { class: 'muted', text: 'No incidents in the last 14 days.' }));
    } else {
      this.keyed(history, this.pastEls, past, (inc) => this.pastCard(inc, wasOpen));
    }
    // What the page holds is the recent history; older incidents come
    // from the API a page at a time.
    this.$('history-more').hidden = !past.length || this.olderDone;
    // Bars' tooltips name the incidents of each day.
    for (const id of this.componentEls.keys()) this.renderBar(id);
  }

  async loadOlder() {
    const button = this.$('history-more');
    const older = this.$('history-older');
    const shown = [...this.$('history').querySelectorAll('details[data-id]'), ...older.querySelectorAll('details[data-id]')];
    const last = shown[shown.length - 1]?.dataset.id;
    if (!last) return;
    button.disabled = true;
    try {
      const res = await fetch(`incidents?before=${encodeURIComponent(last)}&limit=${HISTORY_LIMIT}`, { headers: { Accept: 'application/json' }, cache: 'no-store' });
      if (!res.ok) throw new Error(`GET incidents: ${res.status}`);
      const list = (await res.json()).filter((i) => i.status === 'RESOLVED');
      for (const inc of list) older.append(this.pastCard(inc, new Set()));
      if (res.headers.get('Link') === null) {
        this.olderDone = true;
        button.hidden = true;
        if (!list.length) older.append(el('p', { class: 'muted', text: 'No older incidents.' }));
      }
    } catch (err) {
      button.title = 'Could not load older incidents; try again.';
    } finally {
      button.disabled = false;
    }
  }

  pastCard(inc, wasOpen) {
    const started = parseTime(inc.created_at);
    const ended = parseTime(inc.resolved_at);
    const took = started && ended ? ` · lasted ${fmtDuration((ended - started) / 1000)}` : '';
    const summary = el('summary', {},
      el('span', { class: 'summary-name', text: inc.name || 'Incident' }),
      el('span', { class: 'summary-when' }, timeEl(inc.created_at), took));
    const target = this.isTarget('incident', inc.id);
    return el('details', { class: `past card${target ? ' target' : ''}`, 'data-kind': 'incident', 'data-id': inc.id, open: wasOpen.has(inc.id) || (target && !this.revealed) },
      summary,
      this.incidentMeta(inc),
      this.timeline(inc.incident_updates, INCIDENT));
  }

  incidentMeta(inc) {
    const impact = componentInfo(inc.impact);
    const parts = [];
    if (inc.impact) parts.push(`Impact: ${impact.label.toLowerCase()}`);
    if (inc.components?.length) parts.push(`Affects: ${this.componentNames(inc.components)}`);
    return el('p', { class: 'item-meta', text: parts.join(' · ') });
  }

  incidentCard(inc) {
    const impact = componentInfo(inc.impact);
    const statusInfo = inc.status === 'MONITORING' ? { ...impact, level: 'ok', icon: 'check' } : impact;
    const target = this.isTarget('incident', inc.id) ? ' target' : '';
    return el('article', { class: `incident card${target}`, 'data-level': impact.level, 'data-kind': 'incident', 'data-id': inc.id, 'aria-labelledby': `incident-${inc.id}` },
      el('div', { class: 'item-head' },
        el('h3', { id: `incident-${inc.id}`, text: inc.name || 'Incident' }),
        badge(statusInfo, INCIDENT[inc.status] || inc.status)),
      el('p', { class: 'item-meta' }, 'Started ', timeEl(inc.created_at),
        inc.impact ? ` · Impact: ${impact.label.toLowerCase()}` : '',
        inc.components?.length ? ` · Affects: ${this.componentNames(inc.components)}` : ''),
      this.timeline(inc.incident_updates, INCIDENT));
  }

  timeline(updates, words) {
    const list = (updates || []).slice().sort(byNewest('created_at'));
    if (!list.length) return null;
    return el('ol', { class: 'timeline', 'aria-label': 'Updates, newest first' },
      ...list.map((u) => el('li', {},
        el('p', { class: 'tl-head' }, el('strong', { text: words[u.status] || u.status }), timeEl(u.created_at)),
        u.body ? el('p', { class: 'tl-body', text: u.body }) : null)));
  }

  renderMaintenance() {
    const list = this.state.maintenance
      .filter((m) => m.status === 'INPROGRESS' || m.status === 'NOTSTARTEDYET')
      .sort((a, b) => {
        if (a.status !== b.status) return a.status === 'INPROGRESS' ? -1 : 1;
        return (parseTime(a.start)?.getTime() ?? 0) - (parseTime(b.start)?.getTime() ?? 0);
      });
    this.$('maintenance-section').hidden = list.length === 0;
    this.keyed(this.$('maintenance'), this.maintEls, list, (m) => {
      const info = m.status === 'INPROGRESS' ? COMPONENT.UNDERMAINTENANCE : { ...COMPONENT.UNDERMAINTENANCE, level: 'unknown' };
      const target = this.isTarget('maintenance', m.id) ? ' target' : '';
      return el('article', { class: `maint card${target}`, 'data-kind': 'maintenance', 'data-id': m.id, 'aria-labelledby': `maintenance-${m.id}` },
        el('div', { class: 'item-head' },
          el('h3', { id: `maintenance-${m.id}`, text: m.name || 'Maintenance' }),
          badge(info, MAINTENANCE[m.status] || m.status)),
        el('p', { class: 'item-meta' }, timeEl(m.start), ' – ', timeEl(m.end),
          m.components?.length ? ` · Affects: ${this.componentNames(m.components)}` : ''),
        m.description ? el('p', { class: 'tl-body', text: m.description }) : null,
        this.timeline(m.maintenance_updates, MAINTENANCE));
    });
  }

  // keyed makes parent's children one element per item, in order,
  // rebuilding only the items whose data changed: focus, scroll and
  // opened details survive live updates of other items.
  keyed(parent, cache, items, build) {
    const next = new Map();
    const els = items.map((it) => {
      const sig = JSON.stringify(it) + this.componentNames(it.components);
      let hit = cache.get(it.id);
      if (!hit || hit.sig !== sig) hit = { sig, el: build(it) };
      next.set(it.id, hit);
      return hit.el;
    });
    const now = [...parent.children];
    if (now.length !== els.length || now.some((c, i) => c !== els[i])) parent.replaceChildren(...els);
    cache.clear();
    for (const [k, v] of next) cache.set(k, v);
  }
}

// linkTarget is the item the page was opened for: incidents/<id> or
// maintenance/<id> below the page's root (webhook links), or a
// #incident-<id> or #maintenance-<id> fragment.
function linkTarget() {
  const root = new URL(document.baseURI).pathname;
  const rel = location.pathname.startsWith(root) ? location.pathname.slice(root.length) : '';
  let m = rel.match(/^(incidents|maintenance)\/([^/]+)$/);
  if (m) return { kind: m[1] === 'incidents' ? 'incident' : 'maintenance', id: decodeURIComponent(m[2]) };
  m = location.hash.match(/^#(incident|maintenance)-(.+)$/);
  if (m) return { kind: m[1], id: decodeURIComponent(m[2]) };
  return null;
}

new StatusPage().start();
