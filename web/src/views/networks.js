/* views/networks.js - coordinated account networks (#/networks[/ID]).
 *
 * What `darkwatch cib detect` found, from /v2/cib/: a run picker, the list of
 * networks (score, size, period, traces, indicator marks), and for the chosen
 * network a graph of its members and edges, the members table (the graph's
 * accessible equivalent), the top shared objects, the matched indicators and
 * the evidence table (which objects two members shared, how many seconds
 * apart).  Clicking a node or a member selects that account: it is
 * highlighted, the evidence narrows to it, and its memberships are shown.
 *
 * The graph layout is d3-force run to rest before drawing (300 ticks, no
 * animation): the picture is the same on every load, nothing keeps running
 * after the view is left, and a test can count its nodes and edges
 * (data-nodes / data-edges on the SVG).  Large networks show their
 * strongest GRAPH_MAX members.  All text goes through t(); links carry the
 * state (run, filters, network, member) in the URL like the other views.
 */
import { forceCollide, forceLink, forceManyBody, forceSimulation, forceX, forceY } from "d3-force";
import * as api from "../api.js";
import { fmtNum, t, tn } from "../i18n/index.js";
import { clear, empty, errorBox, h, loading } from "../util/dom.js";
import { fmtTime, fmtTimeSec, localZone, toIso } from "../util/time.js";
import { CIB_ORDERS, CIB_TRACES, go, networksHref } from "../state.js";

const PAGE = 50;
const GRAPH_MAX = 300;
const TEXT_MAX = 280;
const EV_PAGE = 200; // evidence rows drawn at a time ("Show more" adds as many)
const MIN_W = 360;
const MIN_H = 240;
let generation = 0; // answers for an earlier render are dropped

export function teardownNetworks() {
  generation++;
}

function traceName(tr) {
  return CIB_TRACES.includes(tr) ? t(`cib.traces.${tr}`) : t("cib.traces.unknown", { id: tr });
}

function traceBadges(list) {
  return h("span", { class: "traces" }, (list || []).map((tr) => h("span", { class: `trace trace-${CIB_TRACES.includes(tr) ? tr : "unknown"}` }, traceName(tr))));
}

function when(epoch, tz, secs = false) {
  if (epoch == null) return "–";
  // dir="ltr" isolates the digits, so a right-to-left page keeps each time
  // whole and only orders the two ends of a period.
  return h("time", { datetime: toIso(epoch), dir: "ltr" }, secs ? fmtTimeSec(epoch, tz) : fmtTime(epoch, tz, true));
}

function period(n, tz) {
  return h("span", { class: "period" }, when(n.from, tz), " – ", when(n.until, tz));
}

function indicatorMark(n) {
  const k = Array.isArray(n.indicators) ? n.indicators.length : 0;
  if (!k) return "";
  const names = n.indicators.map((i) => (i && i.indicator) || "").filter(Boolean).join(t("cib.list_sep"));
  return h("span", { class: "ind-mark", title: t("cib.indicator_title", { names }), "data-indicators": k }, t("cib.indicator_mark"), " ", tn("cib.indicators_n", k));
}

/* ---- the list ---- */

function runPicker(runs, run) {
  const sel = h(
    "select",
    { id: "cib-run", onchange: (e) => go({ run: Number(e.target.value), net: null, member: "", page: 0 }) },
    runs.map((r) =>
      h(
        "option",
        { value: r.id, selected: r.id === run, disabled: r.finished == null },
        r.finished == null ? t("cib.run_running", { id: r.id }) : t("cib.run_option", { id: r.id, when: fmtTime(r.finished, "utc", true) })
      )
    )
  );
  return h("div", { class: "field" }, h("label", { for: "cib-run" }, t("cib.run")), sel);
}

function filters(s) {
  const trace = h(
    "select",
    { id: "cib-trace", onchange: (e) => go({ trace: e.target.value, net: null, member: "", page: 0 }) },
    h("option", { value: "", selected: !s.trace }, t("cib.trace_any")),
    CIB_TRACES.map((tr) => h("option", { value: tr, selected: s.trace === tr }, traceName(tr)))
  );
  const order = h(
    "select",
    { id: "cib-order", onchange: (e) => go({ order: e.target.value, page: 0 }) },
    CIB_ORDERS.map((o) => h("option", { value: o, selected: s.order === o }, t(`cib.order_${o}`)))
  );
  const ind = h("input", { type: "checkbox", id: "cib-ind", checked: s.ind, onchange: (e) => go({ ind: e.target.checked, net: null, member: "", page: 0 }) });
  const tz = h(
    "select",
    { id: "tz", onchange: (e) => go({ tz: e.target.value }) },
    h("option", { value: "utc", selected: s.tz === "utc" }, t("controls.tz_utc")),
    h("option", { value: "local", selected: s.tz === "local" }, t("controls.tz_local", { zone: localZone() }))
  );
  return [
    h("div", { class: "field" }, h("label", { for: "cib-trace" }, t("cib.trace")), trace),
    h("div", { class: "field" }, h("label", { for: "cib-order" }, t("cib.order")), order),
    h("div", { class: "field" }, h("label", { for: "tz" }, t("controls.tz")), tz),
    h("div", { class: "field check" }, ind, h("label", { for: "cib-ind" }, t("cib.only_indicators"))),
  ];
}

function listTable(rows, s, run, total) {
  return h(
    "table",
    { class: "data networks", id: "networks-table" },
    h("caption", {}, t("cib.list_caption", { run, n: fmtNum(total) })),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, t("cib.col_network")),
        h("th", { scope: "col", class: "num" }, t("cib.col_score")),
        h("th", { scope: "col", class: "num" }, t("cib.col_size")),
        h("th", { scope: "col" }, t("cib.col_period")),
        h("th", { scope: "col" }, t("cib.col_traces")),
        h("th", { scope: "col" }, t("cib.col_indicators"))
      )
    ),
    h(
      "tbody",
      {},
      rows.map((n) =>
        h(
          "tr",
          { "data-network": n.id, class: s.net === n.id ? "selected" : null, "aria-current": s.net === n.id ? "true" : null },
          h("th", { scope: "row" }, h("a", { href: networksHref({ net: n.id, member: "", run }) }, t("cib.network_name", { id: n.id }))),
          h("td", { class: "num" }, fmtNum(n.score, 2)),
          h("td", { class: "num" }, fmtNum(n.size)),
          h("td", {}, period(n, s.tz)),
          h("td", {}, traceBadges(n.traces)),
          h("td", {}, indicatorMark(n))
        )
      )
    )
  );
}

function pager(s, total) {
  const pages = Math.ceil(total / PAGE);
  if (pages <= 1) return null;
  return h(
    "div",
    { class: "actions pager" },
    h("button", { type: "button", id: "cib-prev", disabled: s.page <= 0, onclick: () => go({ page: s.page - 1 }) }, t("cib.prev")),
    h("span", {}, t("cib.page_of", { page: fmtNum(s.page + 1), pages: fmtNum(pages) })),
    h("button", { type: "button", id: "cib-next", disabled: s.page + 1 >= pages, onclick: () => go({ page: s.page + 1 }) }, t("cib.next"))
  );
}

/* ---- one network ---- */

const SVG = "svg:";

/** The force-directed graph; calls onPick(member) when a node is chosen.
 *  Returns {el, select(name)}. */
function graph(d, onPick) {
  const shown = d.members.slice(0, GRAPH_MAX);
  const ids = new Set(shown.map((m) => m.id));
  const nodes = shown.map((m) => ({ id: m.id, name: m.name, strength: m.strength }));
  const links = d.edges.filter((e) => ids.has(e.a) && ids.has(e.b) && e.a !== e.b).map((e) => ({ ...e, source: e.a, target: e.b }));
  const maxW = Math.max(1e-9, ...links.map((l) => l.weight || 0));
  const maxS = Math.max(1e-9, ...nodes.map((n) => n.strength || 0));
  const radius = (n) => 5 + 9 * Math.sqrt(Math.max(0, n.strength || 0) / maxS);

  // Link strength by weight, divided by the smaller degree of its two ends
  // (d3's own default rule), so a dense clique spreads out instead of
  // collapsing into a ball that hides its edges.
  const degree = new Map();
  for (const l of links) {
    degree.set(l.a, (degree.get(l.a) || 0) + 1);
    degree.set(l.b, (degree.get(l.b) || 0) + 1);
  }
  const sim = forceSimulation(nodes)
    .force(
      "link",
      forceLink(links)
        .id((n) => n.id)
        .distance(120)
        .strength((l) => (0.3 + 0.7 * ((l.weight || 0) / maxW)) / Math.min(degree.get(l.a), degree.get(l.b)))
    )
    .force("charge", forceManyBody().strength(-300))
    .force("collide", forceCollide((n) => radius(n) + 3))
    .force("x", forceX(0).strength(0.06))
    .force("y", forceY(0).strength(0.06))
    .stop();
  const ticks = Math.ceil(Math.log(sim.alphaMin()) / Math.log(1 - sim.alphaDecay()));
  for (let i = 0; i < ticks; i++) sim.tick();

  // The view box holds every node with a margin (at least MIN_W x MIN_H
  // around their centre); the SVG is never drawn larger than 1:1, so a
  // small network keeps readable sizes and a large one is scaled down.
  const pad = 30;
  const xs = nodes.map((n) => n.x);
  const ys = nodes.map((n) => n.y);
  const lo = [Math.min(...xs) - pad, Math.min(...ys) - pad];
  const hi = [Math.max(...xs) + pad, Math.max(...ys) + pad];
  const w = Math.max(MIN_W, hi[0] - lo[0]);
  const hgt = Math.max(MIN_H, hi[1] - lo[1]);
  const x0 = (lo[0] + hi[0]) / 2 - w / 2;
  const y0 = (lo[1] + hi[1]) / 2 - hgt / 2;

  // Thinner lines when there are many, so a dense network stays readable.
  const wBase = links.length > 100 ? 0.5 : 1;
  const wSpan = links.length > 100 ? 2.5 : 5;
  const edgeEls = links.map((l) =>
    h(
      `${SVG}line`,
      {
        class: "edge",
        x1: l.source.x.toFixed(1),
        y1: l.source.y.toFixed(1),
        x2: l.target.x.toFixed(1),
        y2: l.target.y.toFixed(1),
        "stroke-width": (wBase + wSpan * ((l.weight || 0) / maxW)).toFixed(2),
        "data-a": l.a,
        "data-b": l.b,
      },
      h(`${SVG}title`, {}, t("cib.edge_title", { a: l.aName, b: l.bName, weight: fmtNum(l.weight, 3), shared: fmtNum(l.shared), traces: (l.traces || []).map(traceName).join(t("cib.list_sep")) }))
    )
  );
  const nodeEls = nodes.map((n) => {
    const g = h(
      `${SVG}g`,
      {
        class: "node",
        tabindex: 0,
        role: "button",
        "aria-label": t("cib.node_label", { name: n.name, strength: fmtNum(n.strength, 2) }),
        "data-id": n.id,
        "data-name": n.name,
        transform: `translate(${n.x.toFixed(1)},${n.y.toFixed(1)})`,
        onclick: () => onPick(n.name),
        onkeydown: (e) => {
          if (e.key === "Enter" || e.key === " ") {
            e.preventDefault();
            onPick(n.name);
          }
        },
      },
      h(`${SVG}title`, {}, t("cib.node_label", { name: n.name, strength: fmtNum(n.strength, 2) })),
      h(`${SVG}circle`, { r: radius(n).toFixed(1) }),
      h(`${SVG}text`, { class: "label", y: (-radius(n) - 4).toFixed(1) }, n.name)
    );
    return g;
  });
  const svg = h(
    `${SVG}svg`,
    {
      class: "graph",
      id: "graph",
      viewBox: `${x0.toFixed(1)} ${y0.toFixed(1)} ${w.toFixed(1)} ${hgt.toFixed(1)}`,
      preserveAspectRatio: "xMidYMid meet",
      style: `max-inline-size: ${Math.ceil(w)}px`,
      role: "group",
      "aria-label": t("cib.graph_label", { nodes: fmtNum(nodes.length), edges: fmtNum(links.length) }),
      "data-nodes": nodes.length,
      "data-edges": links.length,
    },
    h(`${SVG}g`, { class: "edges" }, edgeEls),
    h(`${SVG}g`, { class: "nodes" }, nodeEls)
  );
  function select(name) {
    const id = (nodes.find((n) => n.name === name) || {}).id;
    svg.classList.toggle("picking", id != null);
    for (const g of nodeEls) g.classList.toggle("sel", id != null && Number(g.dataset.id) === id);
    for (const e of edgeEls) e.classList.toggle("hl", id != null && (Number(e.dataset.a) === id || Number(e.dataset.b) === id));
  }
  return { el: svg, select, shown: nodes.length };
}

function membersTable(d, onPick) {
  return h(
    "table",
    { class: "data members", id: "members" },
    h("caption", {}, t("cib.members_caption", { n: fmtNum(d.membersTotal ?? d.members.length) })),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("cib.col_account")), h("th", { scope: "col", class: "num" }, t("cib.col_strength")))),
    h(
      "tbody",
      {},
      d.members.map((m) =>
        h(
          "tr",
          { "data-name": m.name },
          h("th", { scope: "row" }, h("button", { type: "button", class: "link", onclick: () => onPick(m.name) }, m.name)),
          h("td", { class: "num" }, fmtNum(m.strength, 2))
        )
      )
    )
  );
}

function topObjects(top) {
  const entries = Object.entries(top || {}).filter(([, v]) => Array.isArray(v) && v.length);
  if (!entries.length) return empty(t("cib.top_none"));
  return h(
    "div",
    { class: "top-grid", id: "top" },
    entries.map(([tr, list]) =>
      h(
        "section",
        { class: "top-list", "data-trace": tr },
        h("h4", {}, traceName(tr)),
        h(
          "ol",
          {},
          list.map((o) => h("li", {}, h("span", { class: "obj", dir: "auto" }, String(o && o.key != null ? o.key : "")), " ", h("span", { class: "muted" }, tn("cib.times", Number(o && o.count) || 0))))
        )
      )
    )
  );
}

function indicatorsList(list) {
  if (!Array.isArray(list) || !list.length) return empty(t("cib.indicators_none"));
  return h(
    "ul",
    { class: "indicators", id: "indicators" },
    list.map((i) =>
      h(
        "li",
        {},
        h("strong", { dir: "auto" }, String((i && i.indicator) || "")),
        " ",
        t("cib.indicator_line", {
          kind: String((i && i.kind) || "–"),
          source: String((i && i.source_file) || "–"),
          matched: Array.isArray(i && i.matched) ? i.matched.join(t("cib.list_sep")) : "",
        })
      )
    )
  );
}

const EV_COLS = [
  ["trace", "cib.col_trace", (e) => e.trace],
  ["object", "cib.col_object", (e) => e.object],
  ["aName", "cib.col_a", (e) => e.aName],
  ["bName", "cib.col_b", (e) => e.bName],
  ["ta", "cib.col_ta", (e) => e.ta],
  ["tb", "cib.col_tb", (e) => e.tb],
  ["seconds", "cib.col_seconds", (e) => e.seconds],
];

/** The evidence table, sortable by any column; filter(name) narrows it to
 *  one member's rows.  Returns {el, filter}. */
function evidenceTable(d, tz) {
  let sortKey = "ta";
  let dir = 1;
  let member = "";
  let shown = EV_PAGE;
  const body = h("tbody", {});
  const more = h("button", { type: "button", id: "evidence-more", hidden: true, onclick: () => { shown += EV_PAGE; draw(); } });
  const heads = EV_COLS.map(([key, label]) =>
    h("th", { scope: "col", class: key === "seconds" ? "num" : null, "data-key": key }, h("button", { type: "button", class: "sort", onclick: () => sortBy(key) }, t(label)))
  );
  const caption = h("caption", {});
  const table = h("table", { class: "data evidence", id: "evidence" }, caption, h("thead", {}, h("tr", {}, heads)), body);

  function row(e) {
    const text = e.text ? (e.text.length > TEXT_MAX ? e.text.slice(0, TEXT_MAX) + "…" : e.text) : null;
    return h(
      "tr",
      { "data-a": e.aName, "data-b": e.bName, "data-seconds": e.seconds },
      h("td", {}, traceBadges([e.trace])),
      h("td", { class: "object" }, h("span", { class: "obj", dir: "auto" }, e.object), text ? h("q", { class: "post-text", dir: "auto", title: e.text }, text) : null),
      h("td", { dir: "auto" }, e.aName),
      h("td", { dir: "auto" }, e.bName),
      h("td", {}, when(e.ta, tz, true)),
      h("td", {}, when(e.tb, tz, true)),
      h("td", { class: "num" }, fmtNum(e.seconds))
    );
  }
  function draw() {
    const get = EV_COLS.find((c) => c[0] === sortKey)[2];
    const rows = d.evidence.filter((e) => !member || e.aName === member || e.bName === member);
    rows.sort((x, y) => {
      const a = get(x);
      const b = get(y);
      const c = typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b));
      return c * dir || x.ta - y.ta;
    });
    clear(body).append(...rows.slice(0, shown).map(row));
    more.hidden = rows.length <= shown;
    more.textContent = t("cib.evidence_more", { n: fmtNum(Math.min(EV_PAGE, rows.length - shown)), left: fmtNum(rows.length - shown) });
    for (const th of heads) {
      const on = th.dataset.key === sortKey;
      if (on) th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    }
    const n = fmtNum(Math.min(shown, rows.length));
    caption.textContent = member
      ? t("cib.evidence_caption_member", { n, all: fmtNum(rows.length), name: member })
      : t("cib.evidence_caption", { n, total: fmtNum(d.evidenceTotal ?? rows.length) });
    table.dataset.rows = rows.length;
  }
  function sortBy(key) {
    dir = key === sortKey ? -dir : 1;
    sortKey = key;
    draw();
  }
  draw();
  return {
    el: h("div", { class: "table-box" }, table, more),
    filter(name) {
      member = name || "";
      shown = EV_PAGE;
      draw();
    },
  };
}

function summary(d, tz) {
  const item = (k, v) => [h("dt", {}, t(k)), h("dd", {}, v)];
  return h(
    "dl",
    { class: "summary" },
    item("cib.col_score", fmtNum(d.score, 2)),
    item("cib.col_size", fmtNum(d.size)),
    item("cib.col_period", period(d, tz)),
    item("cib.col_traces", traceBadges(d.traces)),
    item("cib.run", String(d.run))
  );
}

function renderDetail(box, s, run, gen) {
  clear(box).append(loading());
  api
    .cibNetwork(s.net, run)
    .then((d) => {
      if (gen !== generation) return;
      const memberBox = h("div", { id: "member-info", class: "member-info", "aria-live": "polite" });
      const ev = evidenceTable(d, s.tz);
      let g = null;
      function pick(name, fromUrl = false) {
        const same = !fromUrl && name === s.member;
        s.member = same ? "" : name;
        if (g) g.select(s.member);
        ev.filter(s.member);
        for (const tr of box.querySelectorAll("#members tbody tr")) tr.classList.toggle("selected", tr.dataset.name === s.member);
        history.replaceState(null, "", networksHref({ member: s.member }, s));
        showMember(memberBox, s, run, gen, () => pick(s.member));
      }
      g = d.members.length ? graph(d, pick) : null;
      const more = d.members.length < (d.membersTotal ?? 0) || (g && g.shown < d.members.length);
      box.dataset.network = d.id;
      clear(box).append(
        h("h2", { id: "network-h", tabindex: -1 }, t("cib.network_heading", { id: d.id })),
        summary(d, s.tz),
        h("h3", {}, t("cib.graph_heading")),
        h("p", { class: "note muted" }, t("cib.graph_note")),
        more ? h("p", { class: "note" }, t("cib.graph_partial", { shown: fmtNum(g ? g.shown : 0), n: fmtNum(d.membersTotal ?? d.members.length) })) : "",
        h("div", { class: "graph-box" }, g ? g.el : empty(t("cib.no_members"))),
        memberBox,
        h("details", { class: "help" }, h("summary", {}, t("cib.members_heading")), h("div", { class: "table-box" }, membersTable(d, pick))),
        h("h3", {}, t("cib.top_heading")),
        topObjects(d.top),
        h("h3", {}, t("cib.indicators_heading")),
        indicatorsList(d.indicators),
        h("h3", { id: "evidence-h" }, t("cib.evidence_heading")),
        h("p", { class: "note muted" }, t("cib.evidence_note")),
        d.evidence.length ? ev.el : empty(t("cib.evidence_none"))
      );
      box.dataset.ready = "1";
      if (s.member) pick(s.member, true);
    })
    .catch((err) => {
      if (gen !== generation) return;
      clear(box).append(errorBox("what_network", err, () => renderDetail(box, s, run, gen)));
    });
}

function showMember(box, s, run, gen, onClear) {
  clear(box);
  if (!s.member) return;
  const name = s.member;
  box.append(loading());
  api
    .cibAccount(name, run)
    .then((d) => {
      if (gen !== generation || s.member !== name) return;
      const nets = (d && d.networks) || [];
      clear(box).append(
        h("h4", { dir: "auto" }, t("cib.member_heading", { name })),
        h(
          "ul",
          {},
          nets.map((n) =>
            h(
              "li",
              {},
              h("a", { href: networksHref({ net: n.id, member: name, run }, s) }, t("cib.network_name", { id: n.id })),
              " ",
              t("cib.member_line", { strength: fmtNum(n.strength, 2), size: fmtNum(n.size), score: fmtNum(n.score, 2) })
            )
          )
        ),
        h("button", { type: "button", class: "link", id: "member-clear", onclick: onClear }, t("cib.member_clear"))
      );
    })
    .catch((err) => {
      if (gen !== generation || s.member !== name) return;
      clear(box).append(errorBox("what_account", err));
    });
}

export function renderNetworks(root, s) {
  const gen = ++generation;
  const runBox = h("div", { class: "controls", id: "cib-controls" }, loading());
  const listBox = h("div", { class: "table-box", id: "networks-list" }, loading());
  const detailBox = h("section", { id: "network", "aria-labelledby": "network-h" });
  root.append(
    h("h1", { tabindex: -1 }, t("cib.heading")),
    h("p", { class: "intro" }, t("cib.intro")),
    runBox,
    h("section", { "aria-labelledby": "list-h" }, h("h2", { id: "list-h" }, t("cib.list_heading")), listBox),
    detailBox
  );

  async function load() {
    clear(runBox).append(loading());
    clear(listBox).append(loading());
    let runs;
    try {
      runs = (await api.cibRuns()) || [];
    } catch (err) {
      if (gen !== generation) return;
      clear(runBox).append(errorBox("what_runs", err, load));
      clear(listBox);
      return;
    }
    if (gen !== generation) return;
    const finished = runs.filter((r) => r.finished != null);
    if (!runs.length || (!finished.length && !s.run)) {
      clear(runBox).append(empty(t("cib.no_runs")));
      clear(listBox);
      root.dataset.ready = "1";
      return;
    }
    const run = s.run || finished[0].id;
    clear(runBox).append(runPicker(runs, run), ...filters(s));
    try {
      const env = await api.cibNetworks({
        run,
        orderBy: s.order,
        trace: s.trace || undefined,
        indicator: s.ind ? "true" : undefined,
        limit: PAGE,
        page: s.page,
      });
      if (gen !== generation) return;
      const rows = (env && env.data) || [];
      const total = (env && env.total) || 0;
      clear(listBox).append(...[rows.length ? listTable(rows, s, run, total) : empty(t("cib.none_match")), pager(s, total)].filter(Boolean));
      listBox.dataset.ready = "1";
      if (s.net) renderDetail(detailBox, s, run, gen);
      else detailBox.append(h("p", { class: "hint", id: "network-h" }, t("cib.pick_hint")));
    } catch (err) {
      if (gen !== generation) return;
      clear(listBox).append(errorBox("what_networks", err, load));
    }
  }
  load();
}
