/* i18n/index.js - string lookup and locale-aware formatting.
 *
 * t("a.b", {x}) looks the dotted key up in the active locale, falls back to
 * English, and fills {x} placeholders.  tn() picks `_one`/`_other` by
 * Intl.PluralRules.  apply() sets lang and dir on <html>, so CSS written with
 * logical properties (margin-inline-start, text-align: start) mirrors by
 * itself when a right-to-left locale is added.
 */
import en from "./en.js";

const locales = { en };
let cur = en;

function lookup(obj, key) {
  let o = obj;
  for (const part of key.split(".")) {
    if (o == null || typeof o !== "object") return undefined;
    o = o[part];
  }
  return typeof o === "string" ? o : undefined;
}

function fill(s, vars) {
  if (!vars) return s;
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

export function t(key, vars) {
  const s = lookup(cur, key) ?? lookup(en, key);
  return s === undefined ? key : fill(s, vars);
}

export function tn(key, n, vars) {
  const form = new Intl.PluralRules(cur.meta.lang).select(n);
  const k = `${key}_${form}`;
  const s = lookup(cur, k) ?? lookup(en, k) ?? lookup(en, `${key}_other`);
  return s === undefined ? key : fill(s, { n: fmtNum(n), ...vars });
}

/** Name and help of a datasource id, with a generic fallback for new ones. */
export function signal(id, field = "name") {
  const s = lookup(cur, `signals.${id}.${field}`) ?? lookup(en, `signals.${id}.${field}`);
  return s === undefined ? fill(t(`signals.unknown.${field}`), { id }) : s;
}

export function method(id) {
  const s = lookup(cur, `methods.${id}`) ?? lookup(en, `methods.${id}`);
  return s === undefined ? fill(t("methods.unknown"), { id }) : s;
}

export function lang() {
  return cur.meta.lang;
}

export function fmtNum(n, digits = 0) {
  if (n == null || !Number.isFinite(n)) return "–";
  return new Intl.NumberFormat(cur.meta.lang, { maximumFractionDigits: digits }).format(n);
}

/** Large scores (drop% x minutes, products across signals) in compact form. */
export function fmtScore(n) {
  if (n == null || !Number.isFinite(n)) return "–";
  if (Math.abs(n) < 1000) return fmtNum(n, n < 10 ? 1 : 0);
  // Overall scores multiply per-signal scores: beyond trillions, use e-notation.
  if (Math.abs(n) >= 1e15) return n.toExponential(1).replace("e+", "e");
  return new Intl.NumberFormat(cur.meta.lang, { notation: "compact", maximumFractionDigits: 1 }).format(n);
}

export function setLocale(code) {
  cur = locales[code] || en;
  apply();
}

export function apply() {
  const html = document.documentElement;
  html.lang = cur.meta.lang;
  html.dir = cur.meta.dir;
}
