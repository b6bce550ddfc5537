/* views/chart.js - every datasource of an entity on one time axis (uPlot),
 * with detected outages as shaded spans.
 *
 * Series have different steps (BGP 300 s, probing 600 s, telescope 60 s), so
 * they are merged with uPlot.join: alignment gaps become `undefined` (the
 * line continues) while the API's `null` bins stay real gaps.  Absolute mode
 * gives each datasource its own y scale; normalised mode puts all on one
 * "% of normal" scale (normal: the median outside detected outages), so a
 * third of a country going dark reads the same on every signal.
 *
 * Outage bands are DOM elements in uPlot's `under` layer (below the canvas,
 * which is transparent), each carrying data-from/data-until/data-datasource
 * and a title: hoverable, and checkable by the browser tests.  The plot's
 * time axis is physical left-to-right even in a right-to-left locale, hence
 * dir="ltr" on its box.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { fmtNum, fmtScore, method, signal, t } from "../i18n/index.js";
import { h } from "../util/dom.js";
import { fmtTime, localZone } from "../util/time.js";

const PALETTE = { bgp: "#1f6fb2", "ping-slash24": "#c2410c", "merit-nt": "#15803d", "ucsd-nt": "#7e22ce", gtr: "#a16207" };
const EXTRA = ["#0e7490", "#be185d", "#4d7c0f", "#57534e"];

export function colorOf(ds, i = 0) {
  return PALETTE[ds] || EXTRA[i % EXTRA.length];
}

/** One series per datasource: the default subtype ("") when there are several. */
export function pickSeries(list) {
  const by = new Map();
  for (const s of list) {
    if (!s || !Array.isArray(s.values)) continue;
    const cur = by.get(s.datasource);
    if (!cur || (cur.subtype && !s.subtype)) by.set(s.datasource, s);
  }
  return [...by.values()].sort((a, b) => Object.keys(PALETTE).indexOf(a.datasource) - Object.keys(PALETTE).indexOf(b.datasource));
}

function median(vals) {
  const v = vals.filter((x) => x != null && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/* "Normal" for normalised mode: the median of the bins outside this
 * datasource's detected outages (a long outage would otherwise drag a plain
 * median down and show the normal level as 175%); the plain median when
 * outages cover nearly the whole period. */
function normalLevel(xs, ys, evs) {
  const inside = (x) => evs.some((e) => x >= e.from && (e.until == null || x < e.until));
  const outside = ys.filter((v, i) => !inside(xs[i]));
  const known = outside.filter((v) => v != null).length;
  return known >= Math.max(3, ys.length * 0.05) ? median(outside) : median(ys);
}

function tables(series, norm, events) {
  return series.map((s) => {
    const xs = s.values.map((_, i) => s.from + i * s.step);
    let ys = s.values.map((v) => (v == null ? null : Number(v)));
    if (norm) {
      const m = normalLevel(xs, ys, events.filter((e) => e.datasource === s.datasource));
      ys = ys.map((v) => (v == null || !m ? null : (v / m) * 100));
    }
    return [xs, ys];
  });
}

/**
 * series: IODA signal objects (pickSeries'd); events: format=ioda events;
 * returns {el, destroy}.  `width` follows the box through a ResizeObserver.
 */
export function signalChart({ series, events, norm, tz, from, until, label }) {
  const box = h("div", { class: "chart", dir: "ltr", id: "chart", role: "img", "aria-label": label });
  const data = uPlot.join(tables(series, norm, events));
  const tzDate = tz === "utc" ? (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC") : (ts) => new Date(ts * 1e3);

  const scaleOf = (s) => (norm ? "%" : `y-${s.datasource}`);
  const scales = { x: { time: true, min: from, max: until } };
  const timeLabel = t("entity.axis_time", { tz: tz === "utc" ? "UTC" : localZone() });
  // 24-hour, ISO-style ticks: a date at midnight, the hour otherwise.
  const tick = (ts) => {
    const full = fmtTime(ts, tz);
    return full.endsWith(" 00:00") ? full.slice(0, 10) : full.slice(11);
  };
  const axes = [{ label: timeLabel, space: 90, values: (u, splits) => splits.map(tick) }];
  if (norm) {
    scales["%"] = { range: (u, lo, hi) => [0, Math.max(110, Math.ceil((hi || 100) / 10) * 10)] };
    axes.push({ scale: "%", label: t("entity.axis_norm"), size: 60, values: (u, v) => v.map((x) => `${fmtNum(x)}%`) });
  } else {
    series.forEach((s, i) => {
      scales[scaleOf(s)] = { range: (u, lo, hi) => [0, hi > 0 ? hi * 1.08 : 1] };
      axes.push({
        scale: scaleOf(s),
        side: i === 0 ? 3 : 1,
        grid: { show: i === 0 },
        stroke: colorOf(s.datasource, i),
        label: `${signal(s.datasource, "short")}: ${signal(s.datasource, "unit")}`,
        size: 70,
        values: (u, v) => v.map((x) => fmtScore(x)),
      });
    });
  }

  const opts = {
    width: 800,
    height: 340,
    tzDate,
    // room on the right for the last time label when no axis is there
    padding: [8, norm || series.length < 2 ? 44 : 8, 0, 0],
    scales,
    axes,
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
    series: [
      { label: timeLabel, value: (u, v) => (v == null ? "–" : fmtTime(v, tz, true)) },
      ...series.map((s, i) => ({
        label: signal(s.datasource),
        scale: scaleOf(s),
        stroke: colorOf(s.datasource, i),
        width: 1.5,
        value: (u, v) => (v == null ? "–" : norm ? `${fmtNum(v, 1)}%` : fmtNum(v)),
      })),
    ],
    hooks: { draw: [(u) => drawBands(u, events, tz)] },
  };

  const u = new uPlot(opts, data, box);
  const ro = new ResizeObserver(() => {
    const w = Math.max(320, Math.floor(box.clientWidth));
    if (Math.abs(w - u.width) > 2) u.setSize({ width: w, height: w < 600 ? 260 : 340 });
  });
  ro.observe(box);
  return { el: box, destroy: () => { ro.disconnect(); u.destroy(); } };
}

function drawBands(u, events, tz) {
  let layer = u.under.querySelector(".bands");
  if (!layer) {
    layer = document.createElement("div");
    layer.className = "bands";
    u.under.append(layer);
  }
  layer.replaceChildren();
  const w = u.under.clientWidth;
  const [xmin, xmax] = [u.scales.x.min, u.scales.x.max];
  const key = (e) => `${e.datasource}|${e.method || ""}`;
  const seen = [...new Set(events.map(key))];
  const lanes = Math.max(1, seen.length);
  for (const e of events) {
    const a = Math.max(e.from, xmin);
    const b = Math.min(e.until ?? xmax, xmax);
    if (!(b > a)) continue;
    const x0 = Math.max(0, u.valToPos(a, "x"));
    const x1 = Math.min(w, u.valToPos(b, "x"));
    const lane = seen.indexOf(key(e));
    const band = document.createElement("div");
    band.className = "band";
    band.dataset.from = e.from;
    band.dataset.until = e.until ?? "";
    band.dataset.datasource = e.datasource;
    band.dataset.method = e.method || "";
    band.title = t("entity.band_title", { signal: `${signal(e.datasource)}${e.method ? ` (${method(e.method)})` : ""}`, from: fmtTime(e.from, tz, true), until: e.until ? fmtTime(e.until, tz, true) : t("entity.ongoing"), score: fmtScore(e.score) });
    band.style.left = `${x0}px`;
    band.style.width = `${Math.max(2, x1 - x0)}px`;
    band.style.setProperty("--band", colorOf(e.datasource));
    // Bands of different signals stay apart vertically (a strip each at the
    // top) on a full-height tint, so overlapping outages remain readable.
    band.style.setProperty("--lane", lane);
    band.style.setProperty("--lanes", lanes);
    layer.append(band);
  }
}
