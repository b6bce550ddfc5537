/* util/dom.js - a tiny element builder and the shared status boxes.
 *
 * h("p", {class: "x", onclick: f}, child...) builds DOM without innerHTML, so
 * names from the API (AS names are free text) can never inject markup.
 */
import { t } from "../i18n/index.js";

export function h(tag, attrs, ...kids) {
  const svg = tag.startsWith("svg:");
  const el = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const k of kids.flat(Infinity)) {
    if (k == null || k === false) continue;
    el.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function loading() {
  return h("p", { class: "status status-loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), t("state.loading"));
}

/** Error box with a retry button; `what` is a state.what_* key. */
export function errorBox(what, err, retry) {
  return h(
    "div",
    { class: "status status-error", role: "alert" },
    h("p", {}, t("state.error", { what: t(`state.${what}`), msg: errText(err) })),
    retry ? h("button", { type: "button", onclick: retry }, t("state.retry")) : null
  );
}

export function empty(text) {
  return h("p", { class: "status status-empty" }, text);
}

export function errText(err) {
  if (err && err.status) return err.apiMessage || t("state.http", { status: err.status });
  if (err && err.name === "TypeError") return t("state.network");
  return (err && err.message) || String(err);
}
