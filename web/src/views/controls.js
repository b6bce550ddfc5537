/* views/controls.js - the period picker and the time-zone choice.
 *
 * Shared by both views.  Times typed in the boxes are read in the chosen
 * zone; presets are anchored on the data's coverage (not on today), so
 * historical data such as the simulated November 2019 opens on its period.
 */
import { t } from "../i18n/index.js";
import { h } from "../util/dom.js";
import { DAY, fmtTime, fromInput, localZone, toInput } from "../util/time.js";
import { go } from "../state.js";

export function controls(s, cov) {
  const zoneName = s.tz === "utc" ? "UTC" : localZone();
  const fromIn = h("input", { type: "datetime-local", id: "range-from", name: "from", required: true, value: toInput(s.from, s.tz) });
  const untilIn = h("input", { type: "datetime-local", id: "range-until", name: "until", required: true, value: toInput(s.until, s.tz) });
  const msg = h("p", { class: "form-error", role: "alert", hidden: true });

  function submit(ev) {
    ev.preventDefault();
    const from = fromInput(fromIn.value, s.tz);
    const until = fromInput(untilIn.value, s.tz);
    if (from == null || until == null || from >= until) {
      msg.textContent = t("controls.bad_range");
      msg.hidden = false;
      return;
    }
    msg.hidden = true;
    go({ from, until });
  }

  const presets = cov
    ? [
        ["preset_all", cov.from, cov.until],
        ["preset_7d", Math.max(cov.from, cov.until - 7 * DAY), cov.until],
        ["preset_1d", Math.max(cov.from, cov.until - DAY), cov.until],
      ]
    : [];

  const tz = h(
    "select",
    { id: "tz", name: "tz", onchange: (e) => go({ tz: e.target.value }) },
    h("option", { value: "utc", selected: s.tz === "utc" }, t("controls.tz_utc")),
    h("option", { value: "local", selected: s.tz === "local" }, t("controls.tz_local", { zone: localZone() }))
  );

  return h(
    "form",
    { class: "controls", onsubmit: submit, "aria-label": t("controls.legend") },
    h(
      "div",
      { class: "field" },
      h("label", { for: "range-from" }, t("controls.from", { tz: zoneName })),
      fromIn
    ),
    h("div", { class: "field" }, h("label", { for: "range-until" }, t("controls.until", { tz: zoneName })), untilIn),
    h("button", { type: "submit", class: "primary" }, t("controls.apply")),
    h("div", { class: "field" }, h("label", { for: "tz" }, t("controls.tz")), tz),
    presets.length
      ? h(
          "div",
          { class: "presets", role: "group", "aria-label": t("controls.presets") },
          presets.map(([k, a, b]) =>
            h("button", { type: "button", "data-preset": k, "aria-pressed": String(a === s.from && b === s.until), onclick: () => go({ from: a, until: b }) }, t(`controls.${k}`))
          )
        )
      : null,
    h(
      "p",
      { class: "coverage" },
      cov ? t("controls.coverage", { from: fmtTime(cov.from, s.tz, true), until: fmtTime(cov.until, s.tz, true) }) : t("controls.coverage_none")
    ),
    msg
  );
}
