/* i18n/index.js - string lookup and locale-aware formatting.
 *
 * t("a.b", {x}) looks the dotted key up in the active locale, falls back to
 * English, and fills {x} placeholders.  tn() picks `_one`/`_other` by
 * Intl.PluralRules.  apply() sets lang and dir on <html>, so CSS written with
 * logical properties (margin-inline-start, text-align: start) mirrors by
 * itself when a right-to-left locale is added.
 *
 * Locales: English (en.js) and Persian (fa.js, right to left).  pickLocale()
 * chooses one at boot: a `lang` parameter in the URL (query or hash), else
 * the choice saved in localStorage, else the browser's languages, else
 * English.
 */
import countries from "i18n-iso-countries/index.js";
import faNames from "i18n-iso-countries/langs/fa.json";
import en from "./en.js";
import fa from "./fa.js";

// Persian country names for the map (views/map.js registers English).
countries.registerLocale(faNames);

export const locales = { en, fa };
const STORE_KEY = "darkwatch.lang";
let cur = en;

function lookup(obj, key) {
  let o = obj;
  for (const part of key.split(".")) {
    if (o == null || typeof o !== "object") return undefined;
    o = o[part];
  }
  return typeof o === "string" ? o : undefined;
}

// In a right-to-left locale each filled-in value is bidi-isolated (FSI ...
// PDI, invisible): otherwise "2019-11-15 00:00 UTC" inside Persian text
// shows as "UTC 00:00 15-11-2019", and Latin names pull commas around.
const FSI = "\u2068";
const PDI = "\u2069";

function fill(s, vars) {
  if (!vars) return s;
  const rtl = cur.meta.dir === "rtl";
  return s.replace(/\{(\w+)\}/g, (m, k) => {
    if (!(k in vars)) return m;
    const v = String(vars[k]);
    return rtl && v !== "" ? FSI + v + PDI : v;
  });
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

/** The locale code a URL asks for (`?lang=fa` or `#/...?lang=fa`), or null. */
export function urlLocale(loc = location) {
  const fromQuery = new URLSearchParams(loc.search || "").get("lang");
  const hash = (loc.hash || "").replace(/^#/, "");
  const qi = hash.indexOf("?");
  const fromHash = qi < 0 ? null : new URLSearchParams(hash.slice(qi + 1)).get("lang");
  const code = fromHash || fromQuery;
  return code && locales[code] ? code : null;
}

export function savedLocale() {
  try {
    const code = localStorage.getItem(STORE_KEY);
    return code && locales[code] ? code : null;
  } catch {
    return null; // storage disabled: no saved choice
  }
}

export function saveLocale(code) {
  try {
    localStorage.setItem(STORE_KEY, code);
  } catch {
    /* storage disabled: the choice lasts for this page only */
  }
}

function browserLocale() {
  const langs = (typeof navigator !== "undefined" && (navigator.languages?.length ? navigator.languages : [navigator.language])) || [];
  for (const l of langs) {
    const base = String(l || "").toLowerCase().split("-")[0];
    if (base === "fa") return "fa";
    if (base === "en") return "en";
  }
  return null;
}

/** URL parameter (saved, so the choice survives navigation), saved choice,
 *  browser languages, English: set and return the chosen code. */
export function pickLocale() {
  const fromUrl = urlLocale();
  if (fromUrl) saveLocale(fromUrl);
  const code = fromUrl || savedLocale() || browserLocale() || "en";
  setLocale(code);
  return code;
}

export function apply() {
  const html = document.documentElement;
  html.lang = cur.meta.lang;
  html.dir = cur.meta.dir;
}
