// dashboard.test.mjs - the dashboard in a real browser against a real server.
//
// Driven by tests/integration/dashboard_browser.sh, which builds a store from
// the iran-2019 scenario (sim, replay, detect), starts `darkwatch serve` on
// loopback and runs:
//
//   node tests/browser/dashboard.test.mjs
//
// Environment: DW_BASE (server URL), DW_TRUTH (the simulator's truth.csv),
// DW_SHOTS (screenshot directory), DW_WEB (web/ of the source tree, for
// playwright-core), DW_CHROMIUM (default /usr/bin/chromium).
//
// Checks, in order (each prints "ok" or "FAIL"; any failure exits 1):
// the map renders with Iran shaded; the ranking lists Iran; search finds
// Iran; clicking Iran on the map opens its page with a chart and an outage
// band starting at the truth's onset (in data and on screen); the events
// table and the downloaded CSV hold Iran's BGP event; the view's state
// (scale, zone, period) is in the URL and a reload or a fresh browser
// reproduces it; no uncaught page errors and no 5xx from the API.
// Then Farsi: fa.js has exactly en.js's keys (and the same placeholders);
// #/?lang=fa, a saved choice and a Persian browser each give
// <html lang="fa" dir="rtl"> with Persian headings and country names; the
// header's switch goes back to English on the same view; no console errors.
import { createRequire } from "node:module";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const base = (process.env.DW_BASE || "").replace(/\/?$/, "/");
const truthFile = process.env.DW_TRUTH;
const shots = process.env.DW_SHOTS;
const web = process.env.DW_WEB;
const exe = process.env.DW_CHROMIUM || "/usr/bin/chromium";
if (!base || !truthFile || !shots || !web) {
  console.error("dashboard.test: set DW_BASE, DW_TRUTH, DW_SHOTS and DW_WEB");
  process.exit(2);
}
const { chromium } = createRequire(join(web, "package.json"))("playwright-core");
mkdirSync(shots, { recursive: true });
const enLoc = (await import(pathToFileURL(join(web, "src/i18n/en.js")).href)).default;
const faLoc = (await import(pathToFileURL(join(web, "src/i18n/fa.js")).href)).default;

// ---- ground truth: Iran's first BGP drop (the mobile operators, 14:00Z)
function parseCsv(text) {
  const rows = [];
  let row = [], cell = "", q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') q = false;
      else cell += c;
    } else if (c === '"') q = true;
    else if (c === ",") { row.push(cell); cell = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell); rows.push(row); row = []; cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
  const [head, ...body] = rows.filter((r) => r.length > 1 || r[0] !== "");
  return body.map((r) => Object.fromEntries(head.map((k, i) => [k, r[i]])));
}
const truth = parseCsv(readFileSync(truthFile, "utf8"));
const irDrops = truth.filter((r) => r.entity_type === "country" && r.entity_code === "IR" && Number(r.expected_change) < 0);
if (!irDrops.length) {
  console.error(`dashboard.test: no drop for country/IR in ${truthFile}`);
  process.exit(2);
}
const onset = Math.min(...irDrops.map((r) => Number(r.start)));
// Detection reports an outage at the bin it sees it: allow the onset's bin,
// the next one (DOMAIN: median onset delay <= 1 bin) and bin rounding.
const TOL = 2 * 300;
const iso = (t) => new Date(t * 1000).toISOString().slice(0, 16) + "Z";
console.log(`truth: Iran's first drop at ${iso(onset)} (${onset})`);

let pass = 0, fail = 0;
function check(name, ok, detail = "") {
  if (ok) { pass++; console.log(`ok    ${name}`); }
  else { fail++; console.log(`FAIL  ${name}${detail ? ": " + detail : ""}`); }
  return ok;
}
const savedShots = [];
async function shot(page, name) {
  const p = join(shots, `${name}.png`);
  await page.screenshot({ path: p, fullPage: true });
  savedShots.push(p);
}

const browser = await chromium.launch({
  executablePath: exe,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const pageErrors = [];
const serverErrors = [];
function watch(page) {
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") pageErrors.push(`console: ${m.text()}`); });
  page.on("response", (r) => { if (r.status() >= 500) serverErrors.push(`${r.status()} ${r.url()}`); });
  // The page must need nothing beyond its own server (no tiles, no CDNs).
  page.on("request", (r) => { if (!r.url().startsWith(base) && !r.url().startsWith("blob:") && !r.url().startsWith("data:")) serverErrors.push(`external request ${r.url()}`); });
}

try {
  // Tehran's zone for the "local" time-zone check (UTC+3:30 in 2019).
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: "Asia/Tehran", acceptDownloads: true });
  const page = await ctx.newPage();
  page.setDefaultTimeout(30000);
  watch(page);

  // ---- overview: map, ranking, search
  await page.goto(base);
  await page.waitForSelector("#map svg.worldmap path.country", { timeout: 30000 });
  const nPaths = await page.locator("#map path.country").count();
  check("map renders country shapes", nPaths > 150, `${nPaths} paths`);
  const ir = page.locator('#map path.country[data-code="IR"]');
  check("Iran is on the map", (await ir.count()) === 1);
  const irClass = Number(await ir.getAttribute("data-class"));
  const irFill = await ir.evaluate((el) => getComputedStyle(el).fill);
  const noneFill = await page.locator("#map path.country.c0, #map path.country.cx").first().evaluate((el) => getComputedStyle(el).fill);
  check("Iran is shaded as having an outage", irClass >= 1 && irFill !== noneFill, `class ${irClass}, fill ${irFill}`);
  const hash0 = await page.evaluate(() => location.hash);
  const m = /from=([^&]+)&until=([^&]+)/.exec(hash0);
  const from0 = m && Date.parse(decodeURIComponent(m[1])) / 1000;
  const until0 = m && Date.parse(decodeURIComponent(m[2])) / 1000;
  check("default period comes from the data's coverage and holds the outage", m && from0 < onset && until0 > onset, hash0);
  await page.waitForSelector('#ranking tr[data-entity="country/IR"]');
  check("ranking lists Iran", (await page.locator('#ranking tbody tr').first().getAttribute("data-entity")) === "country/IR");
  await shot(page, "overview");

  await page.fill("#search", "Iran");
  await page.waitForSelector('#search-results a[data-entity="country/IR"]');
  check("search finds Iran", true);
  await page.fill("#search", "");

  // ---- click Iran on the map
  await ir.click();
  await page.waitForFunction(() => location.hash.startsWith("#/entity/country/IR"));
  check("clicking Iran opens its page", true);
  await page.waitForSelector("#chart canvas");
  await page.waitForSelector("#chart .band");
  check("chart is drawn", (await page.locator("#chart canvas").count()) >= 1);
  const h1 = (await page.locator("main h1").textContent()).trim();
  check("page heading names Iran", /Iran/.test(h1), h1);

  const bands = await page.$$eval("#chart .band", (els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      const p = e.closest(".u-under").getBoundingClientRect();
      return { from: Number(e.dataset.from), until: Number(e.dataset.until), ds: e.dataset.datasource, x: r.left - p.left, w: p.width };
    })
  );
  const bgp = bands.filter((b) => b.ds === "bgp").sort((a, b) => Math.abs(a.from - onset) - Math.abs(b.from - onset));
  const best = bgp[0];
  check("a BGP outage band starts at the truth's onset", best && Math.abs(best.from - onset) <= TOL, best ? `nearest band ${iso(best.from)} vs ${iso(onset)}` : `no bgp band in ${JSON.stringify(bands)}`);
  if (best) {
    const want = ((best.from - from0) / (until0 - from0)) * best.w;
    check("the band is drawn at its time on the axis", Math.abs(best.x - want) <= 3, `x ${best.x.toFixed(1)} px, expected ${want.toFixed(1)} px`);
  }
  await page.waitForSelector("#events tbody tr");
  const nEvents = await page.locator("#events tbody tr").count();
  check("events table lists events", nEvents >= 1, `${nEvents} rows`);
  await shot(page, "entity-iran");

  // ---- CSV download
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click("#download-events")]);
  const csvPath = join(shots, "events-iran.csv");
  await dl.saveAs(csvPath);
  const rows = parseCsv(readFileSync(csvPath, "utf8"));
  const hit = rows.find((r) => r.entity_type === "country" && r.entity_code === "IR" && r.datasource === "bgp" && Math.abs(Number(r.from) - onset) <= TOL);
  check("downloaded CSV holds Iran's BGP event at the onset", !!hit, `${rows.length} rows in ${csvPath}`);
  check("CSV rows match the table", rows.length === nEvents, `${rows.length} vs ${nEvents}`);

  // ---- state in the URL: scale, zone, period
  await page.check('input[name="scale"][value="norm"]');
  await page.waitForFunction(() => location.hash.includes("scale=norm"));
  await page.selectOption("#tz", "local");
  await page.waitForFunction(() => location.hash.includes("tz=local"));
  await page.waitForSelector("#events tbody tr");
  // 14:00 UTC is 17:30 in Tehran (UTC+3:30 in November 2019).
  const local = new Date((best ? best.from : onset) * 1000 + 3.5 * 3600 * 1000).toISOString().slice(0, 16).replace("T", " ");
  const starts = await page.$$eval("#events tbody td time", (els) => els.map((e) => e.textContent));
  check("local time zone shows Tehran times", starts.some((s) => s.startsWith(local)), `${local} not in ${starts.slice(0, 4).join(" | ")}`);
  const url = page.url();
  await page.reload();
  await page.waitForSelector("#chart .band");
  check("reload keeps the view", page.url() === url && (await page.isChecked('input[name="scale"][value="norm"]')) && (await page.inputValue("#tz")) === "local", page.url());
  await shot(page, "entity-iran-normalised-local");

  // a link opened in a fresh browser context reproduces the view
  const ctx2 = await browser.newContext({ viewport: { width: 1000, height: 800 }, timezoneId: "Asia/Tehran" });
  const p2 = await ctx2.newPage();
  watch(p2);
  await p2.goto(url);
  await p2.waitForSelector("#chart .band");
  const h1b = (await p2.locator("main h1").textContent()).trim();
  const fromVal = await p2.inputValue("#range-from");
  check("a shared link reproduces the view", h1b === h1 && (await p2.isChecked('input[name="scale"][value="norm"]')) && fromVal === (await page.inputValue("#range-from")), `${h1b}, from ${fromVal}`);
  await ctx2.close();

  // a preset period lands in the URL; Back returns to the overview
  await page.click('button[data-preset="preset_1d"]');
  await page.waitForFunction((u) => location.href !== u, url);
  check("period picker updates the URL", page.url() !== url);
  await page.goBack();
  await page.goBack();
  await page.goBack();
  await page.goBack();
  await page.waitForSelector("#map svg.worldmap");
  check("Back returns to the map", (await page.evaluate(() => document.body.dataset.view)) === "overview");

  check("no page errors", pageErrors.length === 0, pageErrors.slice(0, 5).join("; "));
  check("no server errors or outside requests", serverErrors.length === 0, serverErrors.slice(0, 5).join("; "));

  // ---- Farsi (right to left): URL parameter, saved choice, switch back
  const nErr = pageErrors.length;
  const nSrv = serverErrors.length;
  const htmlLang = (p) => p.evaluate(() => `${document.documentElement.lang}/${document.documentElement.dir}`);
  const ctxFa = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: "Asia/Tehran", locale: "en-US" });
  const pf = await ctxFa.newPage();
  pf.setDefaultTimeout(30000);
  watch(pf);
  await pf.goto(`${base}#/?lang=fa`);
  await pf.waitForSelector("#map svg.worldmap path.country");
  check("?lang=fa gives <html lang=fa dir=rtl>", (await htmlLang(pf)) === "fa/rtl", await htmlLang(pf));
  const faH1 = (await pf.locator("main h1").textContent()).trim();
  check("overview heading is in Persian", faH1 === faLoc.overview.heading, faH1);
  const faNav = (await pf.locator("#nav-outages").textContent()).trim();
  check("header is in Persian", faNav === faLoc.nav.outages, faNav);
  const irTitle = await pf.locator('#map path.country[data-code="IR"] title').textContent();
  check("map names Iran in Persian", irTitle.includes("ایران"), irTitle);
  check("page direction is right to left", (await pf.evaluate(() => getComputedStyle(document.body).direction)) === "rtl");
  await pf.waitForSelector('#ranking tr[data-entity="country/IR"]');
  check("Farsi ranking lists Iran", true);
  await shot(pf, "overview-fa");

  // the choice is saved: a reload without the parameter stays in Farsi
  await pf.goto(`${base}#/entity/country/IR`);
  await pf.waitForSelector("#chart canvas");
  check("saved choice keeps Farsi without the parameter", (await htmlLang(pf)) === "fa/rtl", await htmlLang(pf));
  await pf.waitForSelector("#events tbody tr");
  const evH = (await pf.locator("#ev-h").textContent()).trim();
  check("entity page shows Persian headings", evH === faLoc.entity.events_heading, evH);
  await shot(pf, "entity-iran-fa");

  // the header's switch: English, same view, saved
  check("language switch marks Farsi as current", (await pf.getAttribute('#lang-switch button[data-lang="fa"]', "aria-pressed")) === "true");
  const hashFa = await pf.evaluate(() => location.hash);
  await Promise.all([pf.waitForEvent("load"), pf.click('#lang-switch button[data-lang="en"]')]);
  await pf.waitForSelector("#chart canvas");
  check("switch to English gives <html lang=en dir=ltr>", (await htmlLang(pf)) === "en/ltr", await htmlLang(pf));
  check("switching language keeps the view", (await pf.evaluate(() => location.hash)) === hashFa, `${await pf.evaluate(() => location.hash)} vs ${hashFa}`);
  const enNav = (await pf.locator("#nav-outages").textContent()).trim();
  check("header is back in English", enNav === enLoc.nav.outages, enNav);
  await pf.goto(`${base}#/`);
  await pf.waitForSelector("#map svg.worldmap path.country");
  check("English choice is saved", (await htmlLang(pf)) === "en/ltr" && (await pf.locator("main h1").textContent()).trim() === enLoc.overview.heading);
  // and the switch goes to Farsi again
  await Promise.all([pf.waitForEvent("load"), pf.click('#lang-switch button[data-lang="fa"]')]);
  await pf.waitForSelector("#map svg.worldmap path.country");
  check("switch to Farsi works", (await htmlLang(pf)) === "fa/rtl" && (await pf.locator("main h1").textContent()).trim() === faLoc.overview.heading);
  await ctxFa.close();

  // a browser whose language is Persian gets Farsi with no choice saved
  const ctxBr = await browser.newContext({ viewport: { width: 1000, height: 800 }, locale: "fa-IR" });
  const pb = await ctxBr.newPage();
  watch(pb);
  await pb.goto(base);
  await pb.waitForSelector("#map svg.worldmap path.country");
  check("a Persian browser gets Farsi", (await htmlLang(pb)) === "fa/rtl", await htmlLang(pb));
  await ctxBr.close();

  check("no page errors in Farsi", pageErrors.length === nErr, pageErrors.slice(nErr, nErr + 5).join("; "));
  check("no server errors or outside requests in Farsi", serverErrors.length === nSrv, serverErrors.slice(nSrv, nSrv + 5).join("; "));
} catch (e) {
  check("browser run", false, e && e.stack ? e.stack.split("\n").slice(0, 4).join(" / ") : String(e));
  try {
    const pages = browser.contexts().flatMap((c) => c.pages());
    if (pages[0]) await shot(pages[0], "failure");
  } catch {}
} finally {
  await browser.close();
}
// ---- fa.js holds exactly en.js's keys, with the same {placeholders}
function leaves(obj, pre = "", out = new Map()) {
  for (const [k, v] of Object.entries(obj)) {
    const key = pre ? `${pre}.${k}` : k;
    if (v && typeof v === "object") leaves(v, key, out);
    else out.set(key, v);
  }
  return out;
}
{
  const enKeys = leaves(enLoc);
  const faKeys = leaves(faLoc);
  const missing = [...enKeys.keys()].filter((k) => !faKeys.has(k));
  const extra = [...faKeys.keys()].filter((k) => !enKeys.has(k));
  check("fa.js has every key of en.js", missing.length === 0, `missing: ${missing.join(", ")}`);
  check("fa.js has no key en.js lacks", extra.length === 0, `extra: ${extra.join(", ")}`);
  const holes = (v) => [...String(v).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(",");
  const bad = [...enKeys.keys()].filter((k) => faKeys.has(k) && holes(enKeys.get(k)) !== holes(faKeys.get(k)));
  check("fa.js keeps en.js's placeholders", bad.length === 0, bad.join(", "));
  check("fa.js is right to left", faLoc.meta.lang === "fa" && faLoc.meta.dir === "rtl");
}
for (const p of savedShots) console.log(`screenshot: ${p}`);
console.log(`${pass} passed, ${fail} failed`);
process.exit(fail ? 1 : 0);
