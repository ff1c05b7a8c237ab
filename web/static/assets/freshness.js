// How current the state the page shows is. The server says when its
// state was last confirmed current (as_of) and what time it is there (in
// its as_of messages, or the Date header of GET /status); the page
// compares the two, so a wrong clock in the browser changes nothing. A
// follower of a cluster that lost its database keeps serving its last
// state, with an as_of that stands still while its time moves on.

import { icon, parseTime } from './ui.js';

// STALE_AFTER_MS is how far as_of may lag the server's time before the
// page says it may be out of date: three of the server's as_of messages,
// and far more than a follower's reads take while its database answers.
export const STALE_AFTER_MS = 15 * 1000;

const asOfFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const lostFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

export class Freshness {
  // line holds the "as of" time (a <time> inside it), which stands in for
  // updated, the browser's time of the last change, once the server says
  // it; banner is the warning, with a .stale-icon and a .stale-text.
  constructor(line, updated, banner) {
    this.line = line;
    this.time = line.querySelector('time');
    this.updated = updated;
    this.banner = banner;
    this.text = banner.querySelector('.stale-text');
    banner.querySelector('.stale-icon').replaceChildren(icon('bang'));
  }

  // update shows asOf (RFC 3339; "" while the server has not read its
  // state yet) against the server's time now (a Date or RFC 3339; null
  // when unknown, which leaves the warning as it was).
  update(asOf, now) {
    const at = parseTime(asOf);
    if (!at) {
      // Nothing to say yet: no time, and no warning either.
      this.line.hidden = true;
      this.updated.hidden = false;
      this.warn(null);
      return;
    }
    this.time.dateTime = at.toISOString();
    this.time.textContent = asOfFormat.format(at);
    this.line.hidden = false;
    this.updated.hidden = true;
    const serverNow = now instanceof Date ? now : parseTime(now);
    if (!serverNow || Number.isNaN(serverNow.getTime())) return;
    this.warn(serverNow - at > STALE_AFTER_MS ? at : null);
  }

  warn(lostAt) {
    if (!lostAt) {
      this.banner.hidden = true;
      return;
    }
    const text = `This page may be out of date: the server lost its database at ${lostFormat.format(lostAt)}.`;
    // Words first, then shown: the alert is announced once, with them.
    if (this.text.textContent !== text) this.text.textContent = text;
    this.banner.hidden = false;
  }
}
