/* views/search.js - find a country, region or AS by name or code.
 *
 * Uses /v2/entities/query?search=; results are links to entity pages.  The
 * query is kept in the URL (replaceState: typing makes no history entries).
 * Also accepts "AS44244" / "44244" / "country/IR" as typed by researchers.
 */
import * as api from "../api.js";
import { t, tn } from "../i18n/index.js";
import { clear, errorBox, h, loading } from "../util/dom.js";
import { entityHref, replace } from "../state.js";

function normalise(q) {
  const m = /^\s*as\s*(\d+)\s*$/i.exec(q);
  return m ? m[1] : q.trim();
}

export function searchBox(s) {
  const input = h("input", { type: "search", id: "search", name: "q", value: s.q, autocomplete: "off", placeholder: t("search.placeholder"), "aria-describedby": "search-results" });
  const out = h("div", { id: "search-results", class: "search-results", "aria-live": "polite" });
  let timer = 0;
  let seq = 0;

  async function run() {
    const q = normalise(input.value);
    replace({ q: input.value.trim() });
    const my = ++seq;
    clear(out);
    if (!q) return;
    if (q.length < 2 && !/^\d$/.test(q)) {
      out.append(h("p", { class: "hint" }, t("search.short")));
      return;
    }
    out.append(loading());
    try {
      const typed = /^(country|region|asn|continent|geoasn)\/(.+)$/.exec(q);
      const params = typed ? { entityType: typed[1], entityCode: typed[2], limit: 20 } : { search: q, limit: 20 };
      const d = await api.entities(params);
      if (my !== seq) return;
      const list = Array.isArray(d) ? d : [];
      clear(out);
      if (!list.length) {
        out.append(h("p", { class: "status status-empty" }, t("search.none", { q: input.value.trim() })));
        return;
      }
      out.append(
        h("p", { class: "hint" }, tn("search.results", list.length)),
        h(
          "ul",
          { class: "result-list" },
          list.map((e) =>
            h(
              "li",
              {},
              h("a", { href: entityHref(e.type, e.code), "data-entity": `${e.type}/${e.code}` }, e.name || e.code),
              " ",
              h("span", { class: "muted" }, `${t(`entity_types.${e.type}`)} ${e.type === "asn" ? "AS" : ""}${e.code}`)
            )
          )
        )
      );
    } catch (err) {
      if (my !== seq) return;
      clear(out).append(errorBox("what_search", err, run));
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 300);
  });
  if (s.q) setTimeout(run, 0);

  return h(
    "form",
    {
      class: "search",
      role: "search",
      onsubmit: (e) => {
        e.preventDefault();
        clearTimeout(timer);
        run();
      },
    },
    h("label", { for: "search" }, t("search.label")),
    h("div", { class: "search-row" }, input, h("button", { type: "submit" }, t("search.button"))),
    out
  );
}
