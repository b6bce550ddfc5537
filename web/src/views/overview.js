/* views/overview.js - the world view: map, ranking table, search.
 *
 * The map always shows countries (the geometry has no regions or ASes); the
 * ranking can switch to regions or ASes.  Scores come from
 * /v2/outages/summary; the set of monitored countries (to tell "no outage"
 * from "no data") from /v2/entities/query?entityType=country.
 */
import * as api from "../api.js";
import { fmtNum, fmtScore, signal, t } from "../i18n/index.js";
import { clear, empty, errorBox, h, loading } from "../util/dom.js";
import { fmtTime } from "../util/time.js";
import { entityHref, go } from "../state.js";
import { controls } from "./controls.js";
import { legend, worldMap } from "./map.js";
import { searchBox } from "./search.js";
import { signalHelp } from "./entity.js";

function scoreOf(row) {
  const sc = row.scores || {};
  if (typeof sc.overall === "number") return sc.overall;
  const v = Object.values(sc).filter((x) => typeof x === "number");
  return v.length ? Math.max(...v) : 0;
}

function rankingTable(rows, s) {
  const sources = [...new Set(rows.flatMap((r) => Object.keys(r.scores || {})))].filter((k) => k !== "overall").sort();
  const from = fmtTime(s.from, s.tz, true);
  const until = fmtTime(s.until, s.tz, true);
  return h(
    "table",
    { class: "data ranking", id: "ranking" },
    h("caption", {}, t("overview.table_caption", { from, until })),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col", class: "num" }, t("overview.col_rank")),
        h("th", { scope: "col" }, t("overview.col_entity")),
        h("th", { scope: "col" }, t("overview.col_code")),
        h("th", { scope: "col", class: "num" }, t("overview.col_score")),
        sources.map((d) => h("th", { scope: "col", class: "num" }, signal(d, "short"))),
        h("th", { scope: "col", class: "num" }, t("overview.col_events"))
      )
    ),
    h(
      "tbody",
      {},
      rows.map((r, i) =>
        h(
          "tr",
          { "data-entity": `${r.entity.type}/${r.entity.code}` },
          h("td", { class: "num" }, fmtNum(i + 1)),
          h("th", { scope: "row" }, h("a", { href: entityHref(r.entity.type, r.entity.code) }, r.entity.name || r.entity.code)),
          h("td", {}, r.entity.type === "asn" ? `AS${r.entity.code}` : r.entity.code),
          h("td", { class: "num" }, fmtScore(scoreOf(r))),
          sources.map((d) => h("td", { class: "num" }, fmtScore(r.scores ? r.scores[d] : null))),
          h("td", { class: "num" }, fmtNum(r.event_cnt))
        )
      )
    )
  );
}

export function renderOverview(root, s, cov) {
  const mapBox = h("div", { class: "map-box", id: "map" }, loading());
  const tableBox = h("div", { class: "table-box" }, loading());
  const rankSel = h(
    "select",
    { id: "rank-type", onchange: (e) => go({ rank: e.target.value }) },
    ["country", "region", "asn"].map((k) => h("option", { value: k, selected: s.rank === k }, t(`entity_types.${k === "asn" ? "asns" : k === "country" ? "countries" : "regions"}`)))
  );

  const helpBox = h("div", {});
  root.append(
    h("h1", { tabindex: -1 }, t("overview.heading")),
    h("p", { class: "intro" }, t("overview.intro")),
    helpBox,
    controls(s, cov),
    searchBox(s),
    h("section", { "aria-labelledby": "map-h" }, h("h2", { id: "map-h" }, t("overview.map_heading")), mapBox),
    h(
      "section",
      { "aria-labelledby": "rank-h" },
      h("h2", { id: "rank-h" }, t("overview.table_heading")),
      h("div", { class: "field inline" }, h("label", { for: "rank-type" }, t("overview.entity_type")), rankSel),
      tableBox
    )
  );

  const from = fmtTime(s.from, s.tz, true);
  const until = fmtTime(s.until, s.tz, true);

  async function loadMap() {
    clear(mapBox).append(loading());
    try {
      const [rows, ents] = await Promise.all([api.summary(s.from, s.until, "country"), api.entities({ entityType: "country", limit: 1000 }).catch(() => [])]);
      const scores = new Map();
      for (const r of rows || []) if (r.entity) scores.set(String(r.entity.code), scoreOf(r));
      const monitored = new Set((Array.isArray(ents) ? ents : []).map((e) => String(e.code)));
      const svg = worldMap({
        scores,
        monitored,
        label: t("overview.map_label", { from, until }),
        onPick: (code) => go({ view: "entity", etype: "country", ecode: code, q: "" }),
      });
      clear(mapBox).append(svg, legend(Math.max(0, ...scores.values())));
      if (!scores.size) mapBox.append(empty(t("overview.empty")));
      mapBox.dataset.ready = "1";
    } catch (err) {
      clear(mapBox).append(errorBox("what_summary", err, loadMap));
    }
  }

  async function loadTable() {
    clear(tableBox).append(loading());
    try {
      const rows = ((await api.summary(s.from, s.until, s.rank)) || []).filter((r) => r.entity);
      rows.sort((a, b) => scoreOf(b) - scoreOf(a));
      clear(tableBox).append(rows.length ? rankingTable(rows, s) : empty(t("overview.empty")));
    } catch (err) {
      clear(tableBox).append(errorBox("what_summary", err, loadTable));
    }
  }

  // The signals this server has (/v2/datasources), explained; closed by
  // default here (open on entity pages, next to the chart).
  api
    .datasources()
    .then((d) => (Array.isArray(d) ? d.map((x) => x && (x.datasource || x.name)).filter(Boolean) : []))
    .catch(() => [])
    .then((ids) => {
      const box = signalHelp([...new Set(ids)]);
      box.open = false;
      helpBox.append(box);
    });
  loadMap();
  loadTable();
}
