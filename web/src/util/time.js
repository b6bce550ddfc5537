/* util/time.js - epoch seconds <-> text, in UTC or the browser's zone.
 *
 * The API speaks integer epoch seconds; links carry ISO-8601 UTC
 * ("2019-11-16T14:00Z") so they read well and mean the same everywhere; the
 * screen shows "YYYY-MM-DD HH:MM" in the chosen zone (UTC by default, since
 * researchers compare notes across time zones).
 */
export const DAY = 86400;

export function localZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "local";
  } catch {
    return "local";
  }
}

function parts(epoch, tz) {
  const d = new Date(epoch * 1000);
  if (tz === "utc") {
    return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes() };
  }
  return { y: d.getFullYear(), mo: d.getMonth() + 1, d: d.getDate(), h: d.getHours(), mi: d.getMinutes() };
}

const p2 = (n) => String(n).padStart(2, "0");

/** "2019-11-16 14:00" in the zone; `suffix` appends " UTC" for UTC. */
export function fmtTime(epoch, tz, suffix = false) {
  if (epoch == null) return "";
  const p = parts(epoch, tz);
  const s = `${p.y}-${p2(p.mo)}-${p2(p.d)} ${p2(p.h)}:${p2(p.mi)}`;
  return suffix && tz === "utc" ? `${s} UTC` : s;
}

/** "2019-11-16 14:00:05": fmtTime with seconds (evidence is seconds apart). */
export function fmtTimeSec(epoch, tz) {
  if (epoch == null) return "";
  const d = new Date(epoch * 1000);
  const sec = tz === "utc" ? d.getUTCSeconds() : d.getSeconds();
  return `${fmtTime(epoch, tz)}:${p2(sec)}`;
}

/** Value for <input type="datetime-local"> in the zone. */
export function toInput(epoch, tz) {
  const p = parts(epoch, tz);
  return `${p.y}-${p2(p.mo)}-${p2(p.d)}T${p2(p.h)}:${p2(p.mi)}`;
}

/** Parse a datetime-local value in the zone; null when malformed. */
export function fromInput(s, tz) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(s || "");
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number);
  const ms = tz === "utc" ? Date.UTC(y, mo - 1, d, h, mi) : new Date(y, mo - 1, d, h, mi).getTime();
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
}

/** ISO UTC text for links: seconds only when needed. */
export function toIso(epoch) {
  const s = new Date(epoch * 1000).toISOString(); // 2019-11-16T14:00:00.000Z
  return epoch % 60 ? s.slice(0, 19) + "Z" : s.slice(0, 16) + "Z";
}

/** Accepts epoch seconds or ISO text (a missing zone means UTC). */
export function parseTime(s) {
  if (s == null || s === "") return null;
  if (/^\d{1,11}$/.test(s)) return Number(s);
  let iso = s;
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(iso)) iso += "Z";
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
}

/** Duration as the two largest units, e.g. "4 d 20 h" / "2 h 5 min". */
export function fmtDuration(secs, t) {
  if (secs == null || secs < 0) return "";
  const d = Math.floor(secs / DAY);
  const h = Math.floor((secs % DAY) / 3600);
  const m = Math.round((secs % 3600) / 60);
  const out = [];
  if (d) out.push(t("duration.d", { n: d }));
  if (h || (d && !out.length)) out.push(t("duration.h", { n: h }));
  if (!d && (m || !h)) out.push(t("duration.m", { n: m }));
  return out.slice(0, 2).join(" ");
}
