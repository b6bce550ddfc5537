// build.mjs - bundle the dashboard into dist/ with esbuild.
//
//   node build.mjs            dist/index.html, dist/app.js, dist/app.css
//   node build.mjs --dev      the same, unminified, with source maps
//
// One JS bundle (our modules, uPlot, d3-geo, topojson-client, the world
// geometry and the country-code table) and one CSS file, so the C server
// serves three static files and the page needs nothing from the network.
// Target: browsers of the last few years (ES2020); Debian's Chromium runs it.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "dist");
const dev = process.argv.includes("--dev");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const res = await build({
  entryPoints: { app: join(here, "src/main.js") },
  bundle: true,
  format: "esm",
  target: ["es2020"],
  minify: !dev,
  sourcemap: dev,
  outdir: out,
  metafile: true,
  legalComments: "linked",
  logLevel: "warning",
});
copyFileSync(join(here, "index.html"), join(out, "index.html"));
const sizes = Object.entries(res.metafile.outputs).map(([f, o]) => `${f.replace(here + "/", "").replace(/^.*dist\//, "dist/")} ${(o.bytes / 1024).toFixed(0)} KiB`);
console.log(`web: built ${sizes.join(", ")}`);
