/* views/map.js - the world map, drawn as SVG in the browser.
 *
 * Geometry: Natural Earth 1:110m countries from the world-atlas npm package,
 * bundled into the app (no tile server, no network).  Its ids are ISO 3166-1
 * numeric; the API speaks alpha-2, so i18n-iso-countries maps one to the
 * other (Kosovo has no ISO number in Natural Earth: it is matched by name to
 * XK, the code geolocation databases use).  Shading uses score classes on a
 * log scale, because scores (drop% x minutes) span orders of magnitude.
 */
import { geoEqualEarth, geoPath } from "d3-geo";
import { feature } from "topojson-client";
import countries from "i18n-iso-countries/index.js";
import enNames from "i18n-iso-countries/langs/en.json";
import world from "world-atlas/countries-110m.json";
import { fmtScore, lang, t } from "../i18n/index.js";
import { h } from "../util/dom.js";

countries.registerLocale(enNames);

const W = 960;
const H = 470;
const CLASSES = 5;
const BY_NAME = { Kosovo: "XK" };

let shapes = null; // [{code, name, d}], built once

function build() {
  const fc = feature(world, world.objects.countries);
  const proj = geoEqualEarth().fitExtent([[4, 4], [W - 4, H - 4]], fc);
  const path = geoPath(proj);
  shapes = fc.features
    .filter((f) => f.properties.name !== "Antarctica")
    .map((f) => {
      const code = (f.id != null && countries.numericToAlpha2(f.id)) || BY_NAME[f.properties.name] || null;
      const name = (code && countries.getName(code, lang())) || f.properties.name;
      return { code, name, d: path(f) };
    })
    .filter((s) => s.d);
  return shapes;
}

/** Score class 1..CLASSES on a log scale up to `max`; 0 = no outage. */
export function scoreClass(score, max) {
  if (!(score > 0) || !(max > 0)) return 0;
  if (max <= 1) return CLASSES;
  const f = Math.log1p(score) / Math.log1p(max);
  return Math.max(1, Math.min(CLASSES, Math.ceil(f * CLASSES)));
}

/**
 * scores: Map alpha-2 -> overall score; monitored: Set of alpha-2 codes
 * with data; onPick(code, name) when a country is clicked or activated.
 */
export function worldMap({ scores, monitored, label, onPick }) {
  const list = shapes || build();
  const max = Math.max(0, ...scores.values());
  const svg = h("svg:svg", {
    viewBox: `0 0 ${W} ${H}`,
    class: "worldmap",
    role: "group",
    "aria-label": label,
    "data-max-score": max,
  });
  for (const s of list) {
    const score = s.code ? scores.get(s.code) : undefined;
    const known = s.code && (monitored.has(s.code) || score !== undefined);
    const cls = known ? scoreClass(score, max) : -1;
    const title = !known
      ? t("overview.map_title_nodata", { name: s.name })
      : cls > 0
        ? t("overview.map_title", { name: s.name, score: fmtScore(score) })
        : t("overview.map_title_none", { name: s.name });
    const p = h(
      "svg:path",
      {
        d: s.d,
        class: `country c${cls < 0 ? "x" : cls}`,
        "data-code": s.code || "",
        "data-score": score ?? "",
        "data-class": cls,
        tabindex: known ? 0 : null,
        role: known ? "link" : null,
        "aria-label": known ? title : null,
      },
      h("svg:title", {}, title)
    );
    if (known) {
      p.addEventListener("click", () => onPick(s.code, s.name));
      p.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          onPick(s.code, s.name);
        }
      });
    }
    svg.append(p);
  }
  return svg;
}

export function legend(max) {
  const items = [h("li", {}, h("span", { class: "swatch cx", "aria-hidden": "true" }), t("overview.legend_nodata")), h("li", {}, h("span", { class: "swatch c0", "aria-hidden": "true" }), t("overview.legend_none"))];
  for (let c = 1; c <= CLASSES; c++) {
    const hi = max > 1 ? Math.expm1((c / CLASSES) * Math.log1p(max)) : max;
    const lo = max > 1 ? Math.expm1(((c - 1) / CLASSES) * Math.log1p(max)) : 0;
    items.push(h("li", {}, h("span", { class: `swatch c${c}`, "aria-hidden": "true" }), `${fmtScore(lo)} – ${fmtScore(hi)}`));
  }
  return h("div", { class: "legend" }, h("h3", {}, t("overview.legend_heading")), h("ul", {}, items));
}
