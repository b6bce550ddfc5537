/* main.js - boot and routing of the darkwatch dashboard.
 *
 * Sets lang/dir from the locale, draws the page frame, asks /v2/coverage for
 * the span of the data (so a link without dates opens on the period that has
 * data, e.g. November 2019 for the simulated scenario, rather than on
 * today), then renders the view the URL's hash names and re-renders on every
 * hash change.  Views only read state from the URL and write it back there.
 * Two sections share the frame: outages (overview, entity pages) and
 * coordinated account networks (#/networks, views/networks.js), which needs
 * no period and works on stores without outage data.  The header's language
 * switch (English / فارسی) saves the choice and reloads the same view.
 */
import * as api from "./api.js";
import { lang, locales, pickLocale, saveLocale, t } from "./i18n/index.js";
import { clear, errorBox, h } from "./util/dom.js";
import { DAY, fmtTime, localZone } from "./util/time.js";
import { networksHref, overviewHref, read, replace } from "./state.js";
import { renderOverview } from "./views/overview.js";
import { renderEntity, teardown } from "./views/entity.js";
import { renderNetworks, teardownNetworks } from "./views/networks.js";
import "./style.css";

let coverage; // {from, until} | null once known
let lastView = null;

/** Default period: all of the data when it spans two weeks or less,
 *  otherwise its last seven days; without coverage, the last seven days. */
export function defaultRange(cov, now = Math.floor(Date.now() / 1000)) {
  if (!cov) {
    const until = Math.ceil(now / 3600) * 3600;
    return { from: until - 7 * DAY, until };
  }
  if (cov.until - cov.from <= 14 * DAY) return { from: cov.from, until: cov.until };
  return { from: cov.until - 7 * DAY, until: cov.until };
}

/** Switch language: save the choice, drop any `lang` parameter from the URL
 *  (it would override the choice) and reload the same view.  A reload, not a
 *  re-render, because views cache translated text (the map's country names). */
function switchLocale(code) {
  if (code === lang()) return;
  saveLocale(code);
  const u = new URL(location.href);
  u.searchParams.delete("lang");
  const hash = u.hash.replace(/^#/, "");
  const qi = hash.indexOf("?");
  if (qi >= 0) {
    const q = new URLSearchParams(hash.slice(qi + 1));
    q.delete("lang");
    u.hash = `${hash.slice(0, qi)}?${q.toString().replace(/%3A/gi, ":")}`;
  }
  history.replaceState(null, "", u.href);
  location.reload();
}

function langSwitch() {
  return h(
    "nav",
    { class: "langs", id: "lang-switch", "aria-label": t("nav.language") },
    ...Object.values(locales).map((l) =>
      h(
        "button",
        {
          type: "button",
          lang: l.meta.lang,
          dir: l.meta.dir,
          "data-lang": l.meta.lang,
          "aria-pressed": l.meta.lang === lang() ? "true" : "false",
          onclick: () => switchLocale(l.meta.lang),
        },
        l.meta.name
      )
    )
  );
}

function frame() {
  const app = document.getElementById("app");
  clear(app).append(
    h("a", { class: "skip", href: "#main", onclick: (e) => { e.preventDefault(); document.getElementById("main").focus(); } }, t("app.skip")),
    h(
      "header",
      { class: "top" },
      h("a", { class: "brand", href: "#/" }, h("span", { class: "logo", "aria-hidden": "true" }), t("app.title")),
      h("span", { class: "tagline" }, t("app.tagline")),
      h(
        "nav",
        { class: "sections", "aria-label": t("nav.label") },
        h("a", { id: "nav-outages", href: "#/" }, t("nav.outages")),
        h("a", { id: "nav-networks", href: "#/networks" }, t("nav.networks"))
      ),
      langSwitch()
    ),
    h("div", { id: "banner" }),
    h("main", { id: "main", tabindex: -1 }),
    h("footer", { class: "foot" }, h("p", { id: "foot-text" }), h("p", {}, h("a", { href: "v2/openapi.json" }, t("app.api_link"))))
  );
}

function navLinks(s) {
  const outages = document.getElementById("nav-outages");
  const nets = document.getElementById("nav-networks");
  outages.href = s.view === "networks" && (s.from == null || s.until == null) ? `#/?tz=${s.tz}` : overviewHref(s);
  nets.href = networksHref({ net: null, member: "", page: 0 }, s);
  const cur = s.view === "networks" ? nets : outages;
  outages.removeAttribute("aria-current");
  nets.removeAttribute("aria-current");
  cur.setAttribute("aria-current", "page");
}

function render() {
  const s = read();
  if (s.view !== "networks" && (s.from == null || s.until == null || s.from >= s.until)) {
    // A partial link keeps what it gives (when that still makes a period);
    // anything else falls back to the default period.
    const r = defaultRange(coverage);
    let from = s.from ?? r.from;
    let until = s.until ?? r.until;
    if (from >= until) ({ from, until } = r);
    replace({ from, until });
    s.from = from;
    s.until = until;
  }
  teardown();
  teardownNetworks();
  navLinks(s);
  const main = clear(document.getElementById("main"));
  document.getElementById("foot-text").textContent = t("app.footer", { tz: s.tz === "utc" ? "UTC" : localZone() });
  const titles = { entity: s.ecode, networks: t("cib.heading"), overview: t("overview.heading") };
  document.title = `${titles[s.view]} – ${t("app.title")}`;
  document.body.dataset.view = s.view;
  if (s.view === "entity") renderEntity(main, s, coverage);
  else if (s.view === "networks") renderNetworks(main, s);
  else renderOverview(main, s, coverage);
  // Move focus to the new heading when the view changes (not when only the
  // period or zone changes), so screen readers announce the new page.
  const key = s.view === "entity" ? `${s.etype}/${s.ecode}` : s.view === "networks" ? `networks/${s.net || ""}` : "overview";
  if (lastView !== null && lastView !== key) main.querySelector("h1")?.focus();
  lastView = key;
  if (s.from != null && s.until != null) main.dataset.range = `${fmtTime(s.from, "utc")}/${fmtTime(s.until, "utc")}`;
}

async function boot() {
  pickLocale();
  frame();
  try {
    coverage = await api.coverage();
  } catch (err) {
    coverage = null;
    // The dashboard still works on explicit periods; say what failed.
    document.getElementById("banner").append(errorBox("what_coverage", err));
  }
  window.addEventListener("hashchange", render);
  render();
}

boot();
