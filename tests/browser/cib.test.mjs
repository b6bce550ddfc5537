// cib.test.mjs - the dashboard's networks page in a real browser against a
// real server.
//
// Driven by tests/integration/cib_dashboard.sh, which builds a store holding
// the fixture of tests/integration/cib_api.py (three networks in the latest
// finished run), starts `darkwatch serve` on loopback and runs:
//
//   node tests/browser/cib.test.mjs
//
// Environment: DW_BASE (server with the fixture), DW_BASE_EMPTY (server on a
// store without cib results), DW_SHOTS (screenshot directory), DW_WEB (web/
// of the source tree, for playwright-core), DW_CHROMIUM (default
// /usr/bin/chromium).
//
// Checks (each prints "ok" or "FAIL"; any failure exits 1): the page lists
// the fixture's networks with their indicator mark; choosing one draws the
// graph with as many nodes and edges as the API gives and fills the evidence
// table with its rows (sortable); selecting a node highlights it, narrows
// the evidence and shows its memberships, and survives a reload; filters and
// the run picker reach the URL; the outage pages still open; a store without
// results says so; right-to-left keeps the page usable; no page errors, no
// 5xx, no request to another origin.
import { createRequire } from "node:module";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const base = (process.env.DW_BASE || "").replace(/\/?$/, "/");
const baseEmpty = (process.env.DW_BASE_EMPTY || "").replace(/\/?$/, "/");
const shots = process.env.DW_SHOTS;
const web = process.env.DW_WEB;
const exe = process.env.DW_CHROMIUM || "/usr/bin/chromium";
if (!process.env.DW_BASE || !shots || !web) {
  console.error("cib.test: set DW_BASE, DW_SHOTS and DW_WEB");
  process.exit(2);
}
const { chromium } = createRequire(join(web, "package.json"))("playwright-core");
mkdirSync(shots, { recursive: true });

let pass = 0, fail = 0;
function check(name, ok, detail = "") {
  if (ok) { pass++; console.log(`ok    ${name}`); }
  else { fail++; console.log(`FAIL  ${name}${detail ? ": " + detail : ""}`); }
  return ok;
}
async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}
async function apiJson(path) {
  const r = await fetch(base + path);
  return r.json();
}

const browser = await chromium.launch({
  executablePath: exe,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const pageErrors = [];
const serverErrors = [];
function watch(page, origin) {
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") pageErrors.push(`console: ${m.text()}`); });
  page.on("response", (r) => { if (r.status() >= 500) serverErrors.push(`${r.status()} ${r.url()}`); });
  page.on("request", (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith("blob:") && !r.url().startsWith("data:")) serverErrors.push(`external request ${r.url()}`); });
}

let page;
try {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  page = await ctx.newPage();
  page.setDefaultTimeout(30000);
  watch(page, base);

  // ---- the list
  await page.goto(base + "#/networks");
  await page.waitForSelector("#networks-table tbody tr");
  const ids = await page.$$eval("#networks-table tbody tr", (trs) => trs.map((tr) => Number(tr.dataset.network)));
  const list = await apiJson("v2/cib/networks");
  check("the page lists the latest run's networks", JSON.stringify(ids) === JSON.stringify(list.data.map((n) => n.id)), `${ids} vs API ${list.data.map((n) => n.id)}`);
  check("three networks in the fixture", ids.length === 3, `${ids.length}`);
  const marks = await page.$$eval("#networks-table tbody tr", (trs) => trs.map((tr) => !!tr.querySelector(".ind-mark")));
  check("indicator mark on the network matching an indicator only", JSON.stringify(marks) === "[true,false,false]", JSON.stringify(marks));
  const nav = await page.getAttribute("#nav-networks", "aria-current");
  check("the nav marks the networks section", nav === "page");
  const stray = await page.evaluate(() => /\bnull\b|undefined|\{\w+\}/.test(document.querySelector("main").innerText));
  check("no stray null/undefined/placeholder text", !stray);
  const runSel = await page.inputValue("#cib-run");
  check("the run picker shows the latest finished run", runSel === "2", runSel);
  await shot(page, "networks-list");

  // ---- choose network 1
  await page.click('#networks-table tr[data-network="1"] a');
  await page.waitForFunction(() => location.hash.startsWith("#/networks/1"));
  await page.waitForSelector("#graph");
  const d1 = (await apiJson("v2/cib/networks/1")).data;
  const g = await page.$eval("#graph", (s) => ({ nodes: Number(s.dataset.nodes), edges: Number(s.dataset.edges), circles: s.querySelectorAll(".node circle").length, lines: s.querySelectorAll("line.edge").length }));
  check("the graph has a node per member", g.nodes === d1.members.length && g.circles === d1.members.length, JSON.stringify(g));
  check("the graph has a line per edge", g.edges === d1.edges.length && g.lines === d1.edges.length, JSON.stringify(g));
  const widths = await page.$$eval("#graph line.edge", (ls) => ls.map((l) => Number(l.getAttribute("stroke-width"))));
  check("edge width follows weight (strongest widest)", widths[0] === Math.max(...widths) && Math.min(...widths) < widths[0], widths.join(","));
  const box = await page.$eval("#graph", (s) => { const r = s.getBoundingClientRect(); return { w: r.width, h: r.height }; });
  check("the graph is drawn at a visible size", box.w > 300 && box.h > 150, JSON.stringify(box));
  const inside = await page.$$eval("#graph .node", (ns) => {
    const svg = ns[0].ownerSVGElement.getBoundingClientRect();
    return ns.every((n) => { const r = n.getBoundingClientRect(); return r.left >= svg.left - 1 && r.right <= svg.right + 1 && r.top >= svg.top - 1 && r.bottom <= svg.bottom + 1; });
  });
  check("every node lies inside the graph", inside);
  const evRows = await page.locator("#evidence tbody tr").count();
  check("the evidence table has the network's rows", evRows === d1.evidence.length && evRows === 6, `${evRows} vs ${d1.evidence.length}`);
  const texts = await page.locator("#evidence q.post-text").count();
  check("text evidence shows the posts' text", texts === d1.evidence.filter((e) => e.text).length && texts >= 2, `${texts}`);
  const tops = await page.locator("#top .top-list").count();
  check("top shared objects per trace", tops === Object.keys(d1.top).length, `${tops}`);
  check("indicators listed", (await page.locator("#indicators li").count()) === d1.indicators.length);
  check("network 1 is marked in the list", (await page.getAttribute('#networks-table tr[data-network="1"]', "aria-current")) === "true");

  // hover shows a label
  const label = page.locator('#graph .node[data-name="alice"] .label');
  const op0 = await label.evaluate((e) => getComputedStyle(e).opacity);
  await page.hover('#graph .node[data-name="alice"] circle');
  const op1 = await label.evaluate((e) => getComputedStyle(e).opacity);
  check("a node's label shows on hover", op0 === "0" && op1 === "1", `${op0} -> ${op1}`);

  // sorting the evidence
  await page.click('#evidence th[data-key="seconds"] button');
  let secs = await page.$$eval("#evidence tbody tr", (trs) => trs.map((tr) => Number(tr.dataset.seconds)));
  check("evidence sorts by seconds apart", JSON.stringify(secs) === JSON.stringify([...secs].sort((a, b) => a - b)), secs.join(","));
  await page.click('#evidence th[data-key="seconds"] button');
  secs = await page.$$eval("#evidence tbody tr", (trs) => trs.map((tr) => Number(tr.dataset.seconds)));
  check("and again in reverse", JSON.stringify(secs) === JSON.stringify([...secs].sort((a, b) => b - a)) && (await page.getAttribute('#evidence th[data-key="seconds"]', "aria-sort")) === "descending", secs.join(","));
  check("no stray text in the network view", !(await page.evaluate(() => /\bnull\b|undefined|\{\w+\}/.test(document.querySelector("main").innerText))));
  await shot(page, "network-1");

  // ---- select a node
  await page.click('#graph .node[data-name="alice"] circle');
  await page.waitForSelector("#member-info li a");
  const want = d1.evidence.filter((e) => e.aName === "alice" || e.bName === "alice").length;
  const got = await page.locator("#evidence tbody tr").count();
  check("selecting a node narrows the evidence to it", got === want && want > 0, `${got} vs ${want}`);
  check("the node is highlighted with its edges", (await page.locator("#graph .node.sel").count()) === 1 && (await page.locator("#graph line.edge.hl").count()) === d1.edges.filter((e) => e.aName === "alice" || e.bName === "alice").length);
  check("its memberships are shown", /Network 1/.test(await page.textContent("#member-info")));
  check("the member is in the URL", (await page.evaluate(() => location.hash)).includes("member=alice"));
  await shot(page, "network-1-alice");
  await page.reload();
  await page.waitForSelector("#graph .node.sel");
  check("a reload keeps network and member", (await page.locator("#evidence tbody tr").count()) === want && (await page.getAttribute("#graph .node.sel", "data-name")) === "alice");
  await page.click("#member-clear");
  await page.waitForFunction(() => !location.hash.includes("member="));
  check("clearing the member shows all evidence again", (await page.locator("#evidence tbody tr").count()) === d1.evidence.length && (await page.locator("#graph .node.sel").count()) === 0);
  // the members table selects too (keyboard path)
  await page.click("#network details.help summary");
  await page.click('#members tr[data-name="bob"] button');
  await page.waitForSelector('#graph .node.sel[data-name="bob"]');
  check("the members table selects an account", true);

  // ---- network 3: unicode names, no indicators, malformed stored values
  await page.goto(base + "#/networks/3");
  await page.waitForSelector("#graph");
  const n3 = await page.$eval("#graph", (s) => [Number(s.dataset.nodes), Number(s.dataset.edges)]);
  check("network 3 graph", n3[0] === 3 && n3[1] === 2, JSON.stringify(n3));
  check("network 3 evidence", (await page.locator("#evidence tbody tr").count()) === 2);
  check("a unicode account name is shown", (await page.locator('#graph .node[data-name="zoë ünïcode"]').count()) === 1);

  // ---- filters and the run picker reach the URL
  await page.goto(base + "#/networks");
  await page.waitForSelector("#networks-table tbody tr");
  await page.selectOption("#cib-trace", "hashtag");
  await page.waitForFunction(() => location.hash.includes("trace=hashtag"));
  await page.waitForFunction(() => document.querySelectorAll("#networks-table tbody tr").length === 2);
  check("trace filter: two networks share hashtags", true);
  await page.selectOption("#cib-trace", "");
  await page.waitForFunction(() => !location.hash.includes("trace="));
  await page.check("#cib-ind");
  await page.waitForFunction(() => location.hash.includes("ind=1"));
  await page.waitForFunction(() => document.querySelectorAll("#networks-table tbody tr").length === 1);
  check("indicator filter: one network", true);
  await page.uncheck("#cib-ind");
  await page.waitForFunction(() => !location.hash.includes("ind=1"));
  await page.selectOption("#cib-order", "size");
  await page.waitForFunction(() => location.hash.includes("order=size"));
  await page.selectOption("#cib-run", "1");
  await page.waitForFunction(() => location.hash.includes("run=1"));
  await page.waitForFunction(() => document.querySelectorAll("#networks-table tbody tr").length === 1);
  await page.click('#networks-table tr[data-network="1"] a');
  await page.waitForSelector("#graph");
  const m1 = await page.$$eval("#graph .node", (ns) => ns.map((n) => n.dataset.name).sort());
  check("run 1's network 1 has its own members", JSON.stringify(m1) === '["alice","bob","mallory"]', JSON.stringify(m1));
  const unfinished = await page.$eval('#cib-run option[value="3"]', (o) => o.disabled);
  check("an unfinished run cannot be chosen", unfinished);

  // ---- right to left
  await page.goto(base + "#/networks/1");
  await page.waitForSelector("#graph");
  await page.evaluate(() => { document.documentElement.dir = "rtl"; });
  const rtl = await page.evaluate(() => {
    const th = document.querySelector("#evidence thead th").getBoundingClientRect();
    const tb = document.querySelector("#evidence").getBoundingClientRect();
    return { first: th.right, right: tb.right, overflow: document.documentElement.scrollWidth > window.innerWidth + 1 };
  });
  check("right to left: tables start on the right, nothing overflows", Math.abs(rtl.first - rtl.right) < 3 && !rtl.overflow, JSON.stringify(rtl));
  // each time stays whole (isolated left to right): a period's start is right of its end
  const ends = await page.$$eval("#network dl.summary .period time", (ts) => ts.map((e) => { const r = e.getBoundingClientRect(); return { l: r.left, r: r.right, text: e.textContent }; }));
  check("right to left: a period reads from right to left, each time intact", ends.length === 2 && ends[0].l > ends[1].r && /^\d{4}-\d\d-\d\d \d\d:\d\d/.test(ends[0].text), JSON.stringify(ends));
  await shot(page, "network-1-rtl");
  await page.evaluate(() => { document.documentElement.dir = "ltr"; });

  // ---- the outage section still works from here
  await page.click("#nav-outages");
  await page.waitForFunction(() => document.body.dataset.view === "overview");
  await page.waitForSelector("#map");
  check("the outages section opens from the nav", (await page.locator("main h1").count()) === 1);

  // ---- a store without results
  if (baseEmpty !== "/") {
    const p2 = await ctx.newPage();
    watch(p2, baseEmpty);
    await p2.goto(baseEmpty + "#/networks");
    await p2.waitForSelector("#cib-controls .status-empty");
    check("a store without cib results says so", /cib detect/.test(await p2.textContent("#cib-controls")));
    await p2.goto(baseEmpty + "#/");
    await p2.waitForSelector("#map svg.worldmap path.country");
    check("its outage map still renders", true);
    await p2.close();
  }

  check("no page errors", pageErrors.length === 0, pageErrors.slice(0, 5).join(" | "));
  check("no 5xx answers and no other origin", serverErrors.length === 0, serverErrors.slice(0, 5).join(" | "));
} catch (err) {
  fail++;
  console.log(`FAIL  ${err && err.stack ? err.stack.split("\n").slice(0, 3).join(" ") : err}`);
  if (page) await shot(page, "failure").catch(() => {});
  if (pageErrors.length) console.log(`page errors: ${pageErrors.slice(0, 5).join(" | ")}`);
} finally {
  await browser.close();
}
console.log(`cib.test: ${pass} passed, ${fail} failed (screenshots in ${shots})`);
process.exit(fail ? 1 : 0);
