/* views/entity.js - one country, region or AS: its signals on one time axis,
 * its outage events (table and CSV), and related regions and networks.
 *
 * The CSV is built in the browser from the same format=ioda events the table
 * shows, so what is downloaded is exactly what is on screen (times as epoch
 * seconds and ISO UTC, for spreadsheets and scripts alike).
 */
import * as api from "../api.js";
import { fmtNum, fmtScore, method, signal, t } from "../i18n/index.js";
import { clear, empty, errorBox, h, loading } from "../util/dom.js";
import { download, toCsv } from "../util/csv.js";
import { fmtDuration, fmtTime, toIso } from "../util/time.js";
import { entityHref, go, overviewHref } from "../state.js";
import { controls } from "./controls.js";
import { pickSeries, signalChart } from "./chart.js";

const RELATED_SHOWN = 60;
let chart = null; // the live uPlot, destroyed on re-render

export function teardown() {
  if (chart) chart.destroy();
  chart = null;
}

function typeLabel(type) {
  return t(`entity_types.${type}`);
}

function codeLabel(type, code) {
  return type === "asn" ? `AS${code}` : code;
}

function fileStamp(epoch) {
  return toIso(epoch).replace(/[-:]/g, "");
}

function eventsCsv(ent, evs) {
  const rows = evs.map((e) => [
    e.entity?.type ?? ent.type,
    e.entity?.code ?? ent.code,
    e.entity?.name ?? ent.name,
    e.datasource,
    e.method ?? "",
    e.from,
    e.until ?? "",
    toIso(e.from),
    e.until != null ? toIso(e.until) : "",
    e.until != null ? e.until - e.from : "",
    e.score,
  ]);
  return toCsv(["entity_type", "entity_code", "entity_name", "datasource", "method", "from", "until", "from_utc", "until_utc", "duration_s", "score"], rows);
}

function signalsCsv(series) {
  const rows = [];
  for (const s of series) {
    s.values.forEach((v, i) => rows.push([s.datasource, s.subtype || "", s.from + i * s.step, toIso(s.from + i * s.step), v ?? ""]));
  }
  return toCsv(["datasource", "subtype", "time", "time_utc", "value"], rows);
}

function eventsTable(ent, evs, s) {
  return h(
    "table",
    { class: "data events", id: "events" },
    h("caption", {}, t("entity.events_caption", { name: ent.name || ent.code, from: fmtTime(s.from, s.tz, true), until: fmtTime(s.until, s.tz, true) })),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["col_datasource", "col_method", "col_start", "col_end", "col_duration", "col_score"].map((k) => h("th", { scope: "col", class: k === "col_score" || k === "col_duration" ? "num" : null }, t(`entity.${k}`)))
      )
    ),
    h(
      "tbody",
      {},
      evs.map((e) =>
        h(
          "tr",
          { "data-from": e.from, "data-datasource": e.datasource },
          h("td", {}, signal(e.datasource)),
          h("td", {}, e.method ? method(e.method) : ""),
          h("td", {}, h("time", { datetime: toIso(e.from) }, fmtTime(e.from, s.tz, true))),
          h("td", {}, e.until != null ? h("time", { datetime: toIso(e.until) }, fmtTime(e.until, s.tz, true)) : t("entity.ongoing")),
          h("td", { class: "num" }, e.until != null ? fmtDuration(e.until - e.from, t) : ""),
          h("td", { class: "num" }, fmtScore(e.score))
        )
      )
    )
  );
}

/* The events the page shows: one detection method at a time (the URL's, else
 * the store's default: any method but IODA's "median", which stays one
 * click away), per-datasource events of the default series only (the
 * merged "overall" ones and other visibility thresholds would repeat them). */
function pickEvents(data, wanted) {
  // darkwatch marks events still open at the window's end with ongoing:true
  // (and until = the window's end); show those as ongoing.
  let all = (Array.isArray(data) ? data : [])
    .filter((x) => x && x.from != null && !x.subtype)
    .map((x) => (x.ongoing ? { ...x, until: null } : x));
  const per = all.filter((x) => x.datasource !== "overall");
  if (per.length) all = per;
  const methods = [...new Set(all.map((x) => x.method || ""))].sort();
  const chosen = methods.includes(wanted) ? wanted : methods.find((m) => m && m !== "median") ?? methods[0] ?? "";
  return { methods, chosen, events: all.filter((x) => (x.method || "") === chosen) };
}

function methodPicker(methods, chosen) {
  const def = methods.find((m) => m && m !== "median") ?? methods[0];
  return h(
    "div",
    { class: "field" },
    h("label", { for: "method" }, t("entity.method")),
    h(
      "select",
      { id: "method", onchange: (e) => go({ method: e.target.value }) },
      methods.map((m) => h("option", { value: m, selected: m === chosen }, m === def ? t("entity.method_default", { name: method(m) }) : method(m)))
    )
  );
}

export function signalHelp(ids) {
  const list = ids.length ? ids : ["bgp", "ping-slash24", "merit-nt"];
  return h(
    "details",
    { class: "help", open: true },
    h("summary", {}, t("entity.signals_heading")),
    h("dl", {}, list.map((id) => [h("dt", {}, signal(id)), h("dd", {}, signal(id, "help"))]))
  );
}

function relatedList(list, s) {
  if (!list.length) return empty(t("entity.related_empty"));
  const shown = list.slice(0, RELATED_SHOWN);
  return h(
    "div",
    {},
    h(
      "ul",
      { class: "related-list" },
      shown.map((e) => h("li", {}, h("a", { href: entityHref(e.type, e.code, s), "data-entity": `${e.type}/${e.code}` }, e.name || e.code), " ", h("span", { class: "muted" }, codeLabel(e.type, e.code))))
    ),
    list.length > shown.length ? h("p", { class: "muted" }, t("entity.related_more", { n: fmtNum(list.length - shown.length) })) : null
  );
}

export function renderEntity(root, s, cov) {
  teardown();
  const fallback = { type: s.etype, code: s.ecode, name: s.ecode };
  const title = h("h1", { tabindex: -1 }, s.etype === "asn" ? `AS${s.ecode}` : s.ecode);
  const sub = h("p", { class: "sub" }, `${typeLabel(s.etype)} ${codeLabel(s.etype, s.ecode)}`);
  const chartBox = h("div", { class: "chart-box" }, loading());
  const helpBox = h("div", {});
  const eventsBox = h("div", { class: "events-box" }, loading());
  const relatedBox = h("div", { class: "related-box" }, loading());
  const methodBox = h("div", { class: "method-box" });
  const scale = h(
    "fieldset",
    { class: "scale" },
    h("legend", {}, t("entity.scale")),
    ["abs", "norm"].map((k) =>
      h(
        "label",
        {},
        h("input", { type: "radio", name: "scale", value: k, checked: s.scale === k, onchange: () => go({ scale: k }) }),
        " ",
        t(`entity.scale_${k}`)
      )
    )
  );

  root.append(
    h("nav", { class: "crumbs", "aria-label": t("nav.overview") }, h("a", { href: overviewHref(s) }, t("nav.back"))),
    title,
    sub,
    controls(s, cov),
    h("section", { "aria-labelledby": "sig-h" }, h("h2", { id: "sig-h" }, t("entity.chart_heading")), h("div", { class: "view-opts" }, scale, methodBox), chartBox, h("p", { class: "muted note" }, t("entity.chart_note")), helpBox),
    h("section", { "aria-labelledby": "ev-h" }, h("h2", { id: "ev-h" }, t("entity.events_heading")), eventsBox),
    h("section", { "aria-labelledby": "rel-h" }, h("h2", { id: "rel-h" }, t("entity.related_heading")), relatedBox)
  );

  let ent = fallback;
  const entP = api.entity(s.etype, s.ecode).catch(() => null);
  const evP = api.events(s.etype, s.ecode, s.from, s.until).then((d) => pickEvents(d, s.method));
  evP.then(({ methods, chosen }) => {
    if (methods.length > 1) methodBox.append(methodPicker(methods, chosen));
  }, () => {});

  entP.then((e) => {
    if (e) {
      ent = e;
      title.textContent = e.name || codeLabel(e.type, e.code);
      document.title = `${title.textContent} – ${t("app.title")}`;
    }
  });

  async function loadChart() {
    teardown();
    clear(chartBox).append(loading());
    try {
      const [raw, sel, e] = await Promise.all([api.signals(s.etype, s.ecode, s.from, s.until), evP.catch(() => ({ events: [] })), entP]);
      const evs = sel.events;
      const series = pickSeries(raw);
      clear(helpBox).append(signalHelp(series.map((x) => x.datasource)));
      const name = (e && e.name) || s.ecode;
      if (!series.length) {
        clear(chartBox).append(empty(e ? t("entity.no_signals", { name }) : t("state.not_found", { type: typeLabel(s.etype).toLowerCase(), code: s.ecode })));
        return;
      }
      chart = signalChart({
        series,
        events: evs,
        norm: s.scale === "norm",
        tz: s.tz,
        from: s.from,
        until: s.until,
        label: t("entity.chart_label", { name, from: fmtTime(s.from, s.tz, true), until: fmtTime(s.until, s.tz, true) }),
      });
      const dl = h(
        "button",
        { type: "button", class: "link", id: "download-signals", onclick: () => download(`darkwatch-signals-${s.etype}-${s.ecode}-${fileStamp(s.from)}-${fileStamp(s.until)}.csv`, signalsCsv(series)) },
        t("entity.download_signals")
      );
      clear(chartBox).append(chart.el, dl);
      chartBox.dataset.ready = "1";
    } catch (err) {
      clear(chartBox).append(errorBox("what_signals", err, loadChart));
    }
  }

  async function loadEvents() {
    clear(eventsBox).append(loading());
    try {
      const evs = [...(await evP).events].sort((a, b) => a.from - b.from || String(a.datasource).localeCompare(String(b.datasource)));
      await entP;
      const apiLink = h("a", { href: api.eventsUrl(s.etype, s.ecode, s.from, s.until), class: "muted" }, t("entity.api_json"));
      if (!evs.length) {
        clear(eventsBox).append(empty(t("entity.events_empty")), h("p", {}, apiLink));
        eventsBox.dataset.ready = "1";
        return;
      }
      const btn = h(
        "button",
        { type: "button", id: "download-events", onclick: () => download(`darkwatch-events-${s.etype}-${s.ecode}-${fileStamp(s.from)}-${fileStamp(s.until)}.csv`, eventsCsv(ent, evs)) },
        t("entity.download_csv")
      );
      clear(eventsBox).append(h("div", { class: "actions" }, btn, apiLink), eventsTable(ent, evs, s));
      eventsBox.dataset.ready = "1";
    } catch (err) {
      clear(eventsBox).append(errorBox("what_events", err, () => location.reload()));
    }
  }

  // One relatedTo query, grouped by type: a country lists its regions and
  // networks, a network the countries (and regions) it is seen in.
  async function loadRelated() {
    clear(relatedBox).append(loading());
    try {
      const d = await api.entities({ relatedTo: `${s.etype}/${s.ecode}`, limit: 2000 });
      const list = (Array.isArray(d) ? d : []).filter((e) => e && !(e.type === s.etype && String(e.code) === s.ecode));
      const byName = (a, b) => String(a.name || a.code).localeCompare(String(b.name || b.code));
      const groups = [
        ["country", "entity_types.countries"],
        ["region", "entity.related_regions"],
        ["asn", "entity.related_asns"],
      ]
        .map(([type, key]) => ({ type, key, items: list.filter((e) => e.type === type).sort(byName) }))
        .filter((g) => g.items.length || (s.etype === "country" && g.type !== "country"));
      clear(relatedBox).append(
        groups.length
          ? h(
              "div",
              { class: "related" },
              groups.map((g) =>
                h(
                  "section",
                  { "aria-labelledby": `rel-${g.type}` },
                  h("h3", { id: `rel-${g.type}` }, t(g.key), " ", h("span", { class: "muted" }, `(${fmtNum(g.items.length)})`)),
                  relatedList(g.items, s)
                )
              )
            )
          : empty(t("entity.related_empty"))
      );
    } catch (err) {
      clear(relatedBox).append(errorBox("what_related", err, loadRelated));
    }
  }

  loadChart();
  loadEvents();
  loadRelated();
}
