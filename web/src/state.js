/* state.js - the view's whole state, kept in the URL's hash.
 *
 *   #/?from=2019-11-15T00:00Z&until=2019-11-24T00:00Z&tz=utc&rank=country&q=iran
 *   #/entity/country/IR?from=...&until=...&tz=local&scale=norm&method=median
 *   #/networks/1?tz=utc&run=2&order=size&trace=url&ind=1&page=0&member=alice
 *
 * A link or a reload reproduces the view: read() parses the hash, href()
 * writes one, go() navigates (one history entry per user action) and
 * fillDefaults() completes a partial link in place (no extra entry).  The
 * hash keeps the page a single static file for the server (no rewrites).
 */
import { parseTime, toIso } from "./util/time.js";

const TYPES = ["continent", "country", "region", "asn", "geoasn"];
export const CIB_TRACES = ["retweet", "url", "domain", "hashtag", "image", "text"];
export const CIB_ORDERS = ["score", "size", "first", "last"];

function posInt(v) {
  return /^[1-9]\d{0,15}$/.test(v || "") ? Number(v) : null;
}

export function read(hash = location.hash) {
  const raw = hash.replace(/^#/, "");
  const qi = raw.indexOf("?");
  const path = (qi < 0 ? raw : raw.slice(0, qi)).split("/").filter(Boolean).map(decodeURIComponent);
  const q = new URLSearchParams(qi < 0 ? "" : raw.slice(qi + 1));
  const s = {
    view: "overview",
    etype: null,
    ecode: null,
    from: parseTime(q.get("from")),
    until: parseTime(q.get("until")),
    tz: q.get("tz") === "local" ? "local" : "utc",
    scale: q.get("scale") === "norm" ? "norm" : "abs",
    rank: TYPES.includes(q.get("rank")) ? q.get("rank") : "country",
    method: q.get("method") || "",
    q: q.get("q") || "",
    // networks page (#/networks[/ID])
    net: null,
    run: posInt(q.get("run")),
    order: CIB_ORDERS.includes(q.get("order")) ? q.get("order") : "score",
    trace: CIB_TRACES.includes(q.get("trace")) ? q.get("trace") : "",
    ind: q.get("ind") === "1",
    page: posInt(q.get("page")) || 0,
    member: q.get("member") || "",
  };
  if (path[0] === "networks") {
    s.view = "networks";
    s.net = posInt(path[1]);
  }
  if (path[0] === "entity" && path.length >= 3 && TYPES.includes(path[1])) {
    s.view = "entity";
    s.etype = path[1];
    s.ecode = path.slice(2).join("/");
  }
  return s;
}

export function href(s) {
  const q = new URLSearchParams();
  if (s.from != null) q.set("from", toIso(s.from));
  if (s.until != null) q.set("until", toIso(s.until));
  q.set("tz", s.tz || "utc");
  let path = "/";
  if (s.view === "networks") {
    path = s.net ? `/networks/${s.net}` : "/networks";
    if (s.run) q.set("run", String(s.run));
    if (s.order && s.order !== "score") q.set("order", s.order);
    if (s.trace) q.set("trace", s.trace);
    if (s.ind) q.set("ind", "1");
    if (s.page) q.set("page", String(s.page));
    if (s.net && s.member) q.set("member", s.member);
  } else if (s.view === "entity") {
    path = `/entity/${encodeURIComponent(s.etype)}/${encodeURIComponent(s.ecode)}`;
    if (s.scale === "norm") q.set("scale", "norm");
    if (s.method) q.set("method", s.method);
  } else {
    if (s.rank && s.rank !== "country") q.set("rank", s.rank);
    if (s.q) q.set("q", s.q);
  }
  return `#${path}?${q.toString().replace(/%3A/gi, ":")}`;
}

export function go(patch) {
  const next = href({ ...read(), ...patch });
  if (next !== location.hash) location.hash = next;
}

export function replace(patch) {
  const next = href({ ...read(), ...patch });
  if (next !== location.hash) history.replaceState(null, "", next);
}

/** Link to an entity page keeping the period and zone. */
export function entityHref(type, code, base = read()) {
  return href({ ...base, view: "entity", etype: type, ecode: code, q: "", method: base.method });
}

export function overviewHref(base = read()) {
  return href({ ...base, view: "overview", etype: null, ecode: null });
}

/** Link to the networks page (one network when net is given). */
export function networksHref(patch = {}, base = read()) {
  return href({ ...base, view: "networks", etype: null, ecode: null, q: "", ...patch });
}
