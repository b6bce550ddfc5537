/* api.js - the dashboard's only door to the server: darkwatch's IODA v2 API.
 *
 * Paths are relative ("v2/..."), so the page works from any origin and under
 * a reverse-proxy prefix.  Every answer is IODA's envelope; get() returns
 * its `data` and turns HTTP errors and a non-null `error` into an Error that
 * carries `status` and the server's message.  Identical GETs in flight share
 * one request.
 */
const inflight = new Map();

export function url(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v != null && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return `v2/${path}${s ? "?" + s : ""}`;
}

async function fetchJson(u) {
  const res = await fetch(u, { headers: { Accept: "application/json" } });
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (!res.ok || (body && body.error)) {
    const err = new Error(`HTTP ${res.status} ${u}`);
    err.status = res.status;
    err.apiMessage = body && body.error ? String(body.error.message || body.error) : null;
    throw err;
  }
  return body;
}

export function getEnvelope(path, params) {
  const u = url(path, params);
  if (!inflight.has(u)) {
    inflight.set(
      u,
      fetchJson(u).finally(() => inflight.delete(u))
    );
  }
  return inflight.get(u);
}

export async function get(path, params) {
  const env = await getEnvelope(path, params);
  return env ? env.data : null;
}

/* ---- endpoint helpers, one per IODA path ---- */

export function summary(from, until, entityType, extra) {
  return get("outages/summary", { from, until, entityType, limit: 500, ...extra });
}

export function events(entityType, entityCode, from, until) {
  return get("outages/events", { entityType, entityCode, from, until, format: "ioda", limit: 500 });
}

export function eventsUrl(entityType, entityCode, from, until, format = "ioda") {
  return url("outages/events", { entityType, entityCode, from, until, format, limit: 500 });
}

/** All series of an entity: IODA nests them as data[0] = [series, ...]. */
export async function signals(entityType, entityCode, from, until, maxPoints) {
  const d = await get(`signals/raw/${encodeURIComponent(entityType)}/${encodeURIComponent(entityCode)}`, { from, until, maxPoints });
  return Array.isArray(d) && Array.isArray(d[0]) ? d[0] : [];
}

export function entities(params) {
  return get("entities/query", params);
}

export async function entity(type, code) {
  const d = await entities({ entityType: type, entityCode: code, limit: 1 });
  const list = Array.isArray(d) ? d : [];
  return list.find((e) => e.type === type && String(e.code) === String(code)) || list[0] || null;
}

export function datasources() {
  return get("datasources");
}

/** Earliest and latest data over every datasource and entity type.
 *  /v2/coverage lists per (datasource, entity type) spans; we take the
 *  outer bounds, reading whichever of IODA's time names the server used. */
export async function coverage() {
  const d = await get("coverage");
  let lo = Infinity;
  let hi = -Infinity;
  const low = /^(earliest|from|start|first|min)/i;
  const high = /^(latest|until|end|last|max)/i;
  (function walk(o) {
    if (Array.isArray(o)) return o.forEach(walk);
    if (!o || typeof o !== "object") return;
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === "number" && Number.isFinite(v) && v > 0) {
        if (low.test(k)) lo = Math.min(lo, v);
        else if (high.test(k)) hi = Math.max(hi, v);
      } else walk(v);
    }
  })(d);
  return Number.isFinite(lo) && Number.isFinite(hi) && hi > lo ? { from: lo, until: hi } : null;
}

/* ---- coordinated account networks (/v2/cib/) ---- */

export function cibRuns() {
  return get("cib/runs", { limit: 100 });
}

/** The envelope (data and total) of one page of networks. */
export function cibNetworks(params) {
  return getEnvelope("cib/networks", params);
}

export function cibNetwork(id, run) {
  return get(`cib/networks/${encodeURIComponent(id)}`, { run });
}

export function cibAccount(name, run) {
  return get(`cib/accounts/${encodeURIComponent(name)}`, { run });
}
