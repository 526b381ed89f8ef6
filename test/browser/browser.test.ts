// Real-browser tests: Debian's chromium driven by playwright-core (installed by .ci/run).
// A bare <script type="module"> page and the demo page, served from this checkout on loopback.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { fitSync, initSync, selectK } from "../../src/index.js";
import { serve } from "../../scripts/static-server.mjs";
import { buildDemo } from "../../scripts/demo.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(CHROMIUM) && !process.env.MIXEM_SKIP_BROWSER)
  throw new Error(`browser tests need Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does this), or MIXEM_SKIP_BROWSER=1`);
const suite = process.env.MIXEM_SKIP_BROWSER ? describe.skip : describe;

let browser: Browser, page: Page, base: string, close: () => void;
beforeAll(async () => {
  if (process.env.MIXEM_SKIP_BROWSER) return;
  await buildDemo();
  const { server, port } = await serve(root);
  close = () => server.close();
  base = `http://127.0.0.1:${port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
  page = await browser.newPage();
  page.on("pageerror", (e) => { throw e; });
}, 60_000);
afterAll(async () => { await browser?.close(); close?.(); });

/** Deterministic data, generated identically in Node and in the page. */
const makeData = (n: number) => {
  const x = new Float64Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1103515245) + 12345) >>> 0; x[i] = (i % 3) * 4 + (s / 4294967296 - 0.5) * 3; }
  return x;
};

suite("bare <script type=\"module\"> page", () => {
  it("fits in the page with the same result as in Node, bit for bit", async () => {
    await page.goto(`${base}/test/browser/bare.html`);
    await page.waitForFunction(() => (window as any).ready === true);
    const inPage = await page.evaluate(async (src) => {
      const make = new Function(`return ${src}`)();
      const m = await (window as any).mixem.fit(make(5000), { k: 3, seed: 7, nInit: 2 });
      const w = await (window as any).mixem.fitInWorker(make(5000), { k: 3, seed: 7, nInit: 2 });
      return [JSON.stringify(m), JSON.stringify(w)];
    }, makeData.toString());
    initSync();
    const inNode = JSON.stringify(fitSync(makeData(5000), { k: 3, seed: 7, nInit: 2 }));
    if (inPage[0] !== inNode) {
      const a = JSON.parse(inPage[0]), b = JSON.parse(inNode);
      const diff: string[] = [];
      const walk = (x: any, y: any, p: string) => { if (typeof x === "object" && x) { for (const key of Object.keys(x)) walk(x[key], y?.[key], `${p}.${key}`); } else if (!Object.is(x, y)) diff.push(`${p}: ${x} vs ${y}`); };
      walk(a, b, "");
      console.log("DIFF\n" + diff.slice(0, 12).join("\n"));
    }
    expect(inPage[0]).toBe(inNode);
    expect(inPage[1]).toBe(inNode);
  });

  it("the Worker path keeps the page responsive during a 1,000,000-point fit, with progress events", async () => {
    const r = await page.evaluate(async (src) => {
      const x = new Function(`return ${src}`)()(1_000_000);
      let ticks = 0, progress = 0;
      const timer = setInterval(() => ticks++, 20);
      const t0 = performance.now();
      const m = await (window as any).mixem.fitInWorker(x, { k: 3, maxIter: 25, tol: 0, init: { means: [0, 4, 8], variances: [1, 1, 1] }, onProgress: () => progress++ });
      const ms = performance.now() - t0;
      clearInterval(timer);
      return { ticks, progress, ms, iterations: m.iterations };
    }, makeData.toString());
    expect(r.iterations).toBe(25);
    expect(r.progress).toBe(25);
    expect(r.ms).toBeGreaterThan(200); // a fit long enough to have blocked the page if it ran on it
    expect(r.ticks).toBeGreaterThanOrEqual(Math.floor((0.5 * r.ms) / 20)); // the 20 ms timer kept firing
  }, 60_000);

  it("an AbortSignal stops a worker fit promptly", async () => {
    const r = await page.evaluate(async (src) => {
      const x = new Function(`return ${src}`)()(500_000);
      const c = new AbortController();
      let progress = 0;
      const t0 = performance.now();
      try {
        await (window as any).mixem.fitInWorker(x, { k: 4, maxIter: 100000, tol: 0, signal: c.signal, onProgress: () => { if (++progress === 3) c.abort(new DOMException("stop", "AbortError")); } });
        return { error: "none" };
      } catch (e) {
        return { error: (e as Error).name, ms: performance.now() - t0, progress };
      }
    }, makeData.toString());
    expect(r.error).toBe("AbortError");
    expect(r.progress).toBeLessThan(10);
    expect(r.ms).toBeLessThan(10_000);
  }, 60_000);
});

/**
 * A tiny app that imports "mixem" (linked into its node_modules), built by `build(appDir)`, then
 * loaded in the browser: the same fit on the main thread and in a Worker.
 */
async function bundledApp(name: string, html: string, build: (app: string) => Promise<void>) {
  const app = `${root}test-artifacts/${name}`;
  rmSync(app, { recursive: true, force: true });
  mkdirSync(`${app}/node_modules`, { recursive: true });
  symlinkSync(root, `${app}/node_modules/mixem`, "dir");
  writeFileSync(`${app}/index.html`, html);
  writeFileSync(`${app}/main.js`, 'import { fit, fitInWorker } from "mixem";\nconst x = [1, 1.2, 0.8, 5, 5.2, 4.9];\nwindow.result = Promise.all([fit(x, { k: 2 }), fitInWorker(x, { k: 2 })]).then(([a, b]) => [a.components, b.components]);\n');
  await build(app);
  return async (file: string) => {
    await page.goto(`${base}/test-artifacts/${name}/${file}`);
    await page.waitForFunction(() => (window as any).result !== undefined);
    const [a, b] = await page.evaluate(() => (window as any).result);
    expect(a).toEqual(b);
    expect(a.map((c: { mean: number }) => Math.round(c.mean)).sort()).toEqual([1, 5]);
  };
}

suite("bundlers", () => {
  it("Vite bundles an app importing \"mixem\" with no configuration; the bundle fits in the browser", async () => {
    const { build } = await import("vite");
    const open = await bundledApp("vite-app", '<!doctype html><script type="module" src="./main.js"></script>', async (app) => {
      // base "./" only makes the output servable from a sub-folder; nothing here is about mixem.
      await build({ root: app, base: "./", logLevel: "silent", configFile: false, build: { outDir: `${app}/dist` } });
    });
    await open("dist/index.html");
  }, 60_000);

  it("webpack 5 bundles an app importing \"mixem\" with no loader configuration; the bundle fits in the browser", async () => {
    const webpack = (await import("webpack")).default;
    const open = await bundledApp("webpack-app", '<!doctype html><script src="./dist/main.js"></script>', async (app) => {
      const stats = await new Promise<any>((resolve, reject) => webpack({
        mode: "production", context: app, entry: "./main.js", output: { path: `${app}/dist`, filename: "main.js" },
        resolve: { symlinks: false }, // the package is linked into this app's node_modules
      }).run((err: unknown, st: unknown) => (err ? reject(err) : resolve(st))));
      expect(stats.hasErrors()).toBe(false);
    });
    await open("index.html");
  }, 60_000);
});

/**
 * The demo page (examples/web), driven as a user would. Each state is saved as a screenshot,
 * test-artifacts/demo-*.png (kept under 150 KB; reviewed copies are committed in docs/demo/).
 */
suite("demo page", () => {
  const errors: Error[] = [];
  beforeAll(async () => {
    if (process.env.MIXEM_SKIP_BROWSER) return;
    page.on("pageerror", (e) => errors.push(e));
    // Count live fitting Web Workers (not the page's data worker, which lives with the page), so a
    // test can see that Cancel terminated the running one.
    await page.addInitScript(() => {
      const W = window.Worker;
      let live = 0;
      (window as any).Worker = class extends W {
        done: boolean;
        constructor(url: string | URL, options?: WorkerOptions) {
          super(url, options);
          this.done = String(url).includes("data-worker");
          if (!this.done) live++;
        }
        terminate() { if (!this.done) { this.done = true; live--; } super.terminate(); }
      };
      (window as any).liveWorkers = () => live;
    });
  });

  const open = async (width = 1024, height = 800) => {
    errors.length = 0;
    await page.setViewportSize({ width, height });
    await page.goto(`${base}/examples/web/index.html`);
    await page.waitForFunction(() => (window as any).mixemReady === true);
  };
  const statusText = async () => (await page.textContent("#status")) ?? "";
  /** Waits for the run to end: a result, an error or a cancel. */
  const settled = () => page.waitForFunction(() => /converged|maxIter|callback\)|error:|cancelled/.test(document.getElementById("status")!.textContent ?? ""), undefined, { timeout: 60_000 });
  /** The whole page, the viewport ("view"), or one element (plots and tables are what make a PNG large). */
  const shot = async (name: string, what: string = "page") => {
    mkdirSync(`${root}test-artifacts`, { recursive: true });
    const path = `${root}test-artifacts/demo-${name}.png`;
    if (what === "page" || what === "view") await page.screenshot({ path, fullPage: what === "page" });
    else await page.locator(what).screenshot({ path });
    expect(statSync(path).size).toBeLessThanOrEqual(150_000);
  };
  const idle = async () => {
    expect(await page.isDisabled("#fit")).toBe(false);
    expect(await page.isDisabled("#auto")).toBe(false);
    expect(await page.isDisabled("#cancel")).toBe(true);
    expect(await page.evaluate(() => (window as any).liveWorkers())).toBe(0);
    expect(errors).toEqual([]);
  };
  /** 10⁵ rows of one column, loaded through the file input. */
  const loadBig = async () => {
    const csv = "x\n" + Array.from(makeData(100_000), (v) => v.toFixed(5)).join("\n");
    await page.setInputFiles("#file", { name: "big.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.waitForFunction(() => /^big\.csv: 100000 rows/.test(document.getElementById("status")!.textContent ?? ""));
  };

  it("fits Old Faithful in a worker, draws it, offers the model JSON; screenshot saved", async () => {
    await open();
    await page.click("#faithful");
    await page.selectOption("#k", "auto");
    await page.click("#fit");
    await page.waitForFunction(() => /converged|maxIter/.test(document.getElementById("status")!.textContent ?? ""), undefined, { timeout: 30_000 });
    const status = await page.textContent("#status");
    expect(status).toMatch(/^mvgaussian mixture, k = 2: log-likelihood -1130\.26/);
    expect(await page.locator("#picture svg").count()).toBe(1);
    expect(await page.locator("#selection svg").count()).toBe(1);
    expect(await page.locator("#progress svg path").count()).toBeGreaterThan(0);
    expect(await page.getAttribute("#download", "href")).toMatch(/^blob:/);
    // The auto-K result: every k 1–6 scored, k = 2 marked best, the parameters of that model.
    const rows = await page.locator("#selection-table tr").allTextContents();
    expect(rows).toHaveLength(7);
    expect(rows[2]).toMatch(/^2 ← best/);
    // The page's scores (a worker per k, criteria computed on the page) are selectK's.
    initSync();
    const faithful = readFileSync(`${root}examples/faithful.csv`, "utf8").trim().split("\n").slice(1).map((l) => l.split(",").map(Number));
    // The page fits the full model from k-means++ (3 restarts): selectK's choices for mvgaussian before it searched every model from mclust's start.
    const reference = selectK(faithful, { family: "mvgaussian", covariance: "full", init: "kmeans++", kRange: [1, 6] });
    const cells = await page.locator("#selection-table tr").evaluateAll((trs) => trs.slice(1).map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent)));
    expect(cells).toEqual(reference.scores.map((e) => [`${e.k}${e.k === reference.k ? " ← best" : ""}`, ...[e.logLikelihood].map((v) => v.toFixed(2)), String(e.nParameters), ...[e.bic, e.aic, e.icl].map((v) => v.toFixed(2))]));
    expect(await page.locator("#params th").allTextContents()).toEqual(["", "component 1", "component 2"]);
    await idle();
    await shot("auto", ".outputs");
  }, 60_000);

  it("loads a CSV: a preview of the first rows with each column's type; clearing the paste box is no error", async () => {
    await open();
    await page.click("#iris");
    // Parsing runs in the page's data worker: the preview comes with the status line.
    await page.waitForFunction(() => /^Iris \(Fisher's\): 150 rows/.test(document.getElementById("status")!.textContent ?? ""));
    expect(await page.locator("#preview-table tr").count()).toBe(6);
    expect(await page.locator("#preview-table th").allTextContents()).toEqual(["#", "sepal_lengthnumber", "sepal_widthnumber", "petal_lengthnumber", "petal_widthnumber", "speciestext"]);
    expect(await statusText()).toMatch(/^Iris \(Fisher's\): 150 rows; numeric columns sepal_length, sepal_width, petal_length, petal_width/);
    await shot("loaded");
    await page.fill("#paste", "a,b\n1,2\n3,4");
    await page.waitForFunction(() => /^pasted data: 2 rows/.test(document.getElementById("status")!.textContent ?? ""));
    // A sample replaces pasted text: the box is emptied, never showing data other than the preview's.
    await page.click("#faithful");
    await page.waitForFunction(() => /^Old Faithful/.test(document.getElementById("status")!.textContent ?? ""));
    expect(await page.inputValue("#paste")).toBe("");
    await page.fill("#paste", "a,b\n1,2\n3,4");
    await page.waitForFunction(() => /^pasted data: 2 rows/.test(document.getElementById("status")!.textContent ?? ""));
    await page.fill("#paste", "");
    await page.waitForFunction(() => /^No data/.test(document.getElementById("status")!.textContent ?? ""));
    expect(await page.textContent("#preview")).toBe("No data yet.");
    await page.click("#fit");
    expect(await statusText()).toBe("error: load data first (a file, pasted CSV or a sample)");
    await idle();
  });

  it("a 4-D fit: pairs plot with every column named, parameter table, chart of the returned model, JSON and CSV downloads", async () => {
    await open();
    await page.click("#iris");
    await page.selectOption("#k", "3");
    await page.fill("#ninit", "4");
    // Fit and Auto K are disabled as soon as a run starts: no second start while it runs.
    const during = await page.evaluate(() => {
      const b = (id: string) => document.getElementById(id) as HTMLButtonElement;
      b("fit").click();
      return [b("fit").disabled, b("auto").disabled, b("cancel").disabled];
    });
    expect(during).toEqual([true, true, false]);
    await settled();
    const status = await statusText();
    expect(status).toMatch(/^mvgaussian mixture, k = 3: log-likelihood -?\d+\.\d{4}, \d+ iterations, converged/);
    const svg = (await page.innerHTML("#picture")) ?? "";
    for (const name of ["sepal_length", "sepal_width", "petal_length", "petal_width"]) expect(svg).toContain(name);
    expect(await page.locator("#params th").allTextContents()).toEqual(["", "component 1", "component 2", "component 3"]);
    const params = await page.locator("#params tr").allTextContents();
    expect(params[0 + 1]).toMatch(/^weight(0\.\d{3}){3}$/);
    expect(params).toContain("mean");
    expect(params).toContain("sd");
    expect(params).toContain("correlation");
    expect(params.filter((r) => /^\w+ · \w+(-?[01]\.\d\d){3}$/.test(r))).toHaveLength(6); // each pair of the 4 columns
    // The chart shows the returned model's history: its last value is the model's log-likelihood.
    const chart = (await page.innerHTML("#progress")) ?? "";
    expect(chart).toContain("iteration");
    expect(chart).toContain("log-likelihood of the returned model");
    const [jsonDownload] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    const model = JSON.parse(readFileSync(await jsonDownload.path(), "utf8"));
    expect(model.format).toBe("mixem-model");
    expect(model.k).toBe(3);
    expect(status).toContain(`log-likelihood ${model.fit.logLikelihood.toFixed(4)}`);
    expect(chart).toContain(`>${model.fit.history.at(-1).toFixed(4)}</text>`);
    const [csvDownload] = await Promise.all([page.waitForEvent("download"), page.click("#download-csv")]);
    expect(csvDownload.suggestedFilename()).toBe("mixem-labels.csv");
    const lines = readFileSync(await csvDownload.path(), "utf8").trim().split("\n");
    expect(lines[0]).toBe("row,component,p1,p2,p3");
    expect(lines).toHaveLength(151);
    const labels = new Set(lines.slice(1).map((l) => l.split(",")[1]));
    expect([...labels].sort()).toEqual(["1", "2", "3"]);
    for (const l of lines.slice(1)) {
      const [row, comp, ...p] = l.split(",").map(Number);
      expect(Math.abs(p.reduce((a, b) => a + b) - 1)).toBeLessThan(1e-5);
      expect(p[comp - 1]).toBe(Math.max(...p));
      expect(row).toBeGreaterThan(0);
    }
    await idle();
    await shot("result", "view"); // the first screen: data, model, the result's table
    await shot("pairs", ".plots");
  }, 60_000);

  it("every family, covariance model and the prior fit from the page", async () => {
    await open();
    const paste = async (csv: string) => {
      await page.fill("#paste", csv);
      await page.waitForFunction(() => /^pasted data: /.test(document.getElementById("status")!.textContent ?? ""));
    };
    const fit = async (expected: RegExp) => {
      await page.click("#fit");
      await settled();
      expect(await statusText()).toMatch(expected);
      expect(await page.locator("#params").count()).toBe(1);
    };
    const counts = Array.from({ length: 60 }, (_, i) => (i % 2 ? 2 + (i % 3) : 12 + (i % 5)));
    await paste("count\n" + counts.join("\n"));
    await page.selectOption("#family", "poisson");
    await fit(/^poisson mixture, k = 2: /);
    expect(await page.locator("#params th").allTextContents()).toEqual(["component", "weight", "lambda"]);
    expect(await page.locator("#picture svg").count()).toBe(1);
    await paste("heads,n\n" + counts.map((c) => `${Math.min(c, 15)},15`).join("\n"));
    await page.selectOption("#family", "binomial");
    await fit(/^error: binomial needs trials/);
    await page.fill("#trials", "15");
    await page.fill("#columns", "heads");
    await fit(/^binomial mixture, k = 2: /);
    expect(await page.locator("#picture svg").count()).toBe(1);
    await page.fill("#trials", "n"); // trials per row, from a column
    await page.fill("#columns", "");
    await fit(/^binomial mixture, k = 2: /);
    await paste("a,b,c\n" + Array.from({ length: 40 }, (_, i) => (i % 2 ? "1,1,0" : i % 3 ? "0,0,1" : "0,1,1")).join("\n"));
    await page.selectOption("#family", "bernoulli");
    await fit(/^bernoulli mixture, k = 2: /);
    expect(await page.textContent("#picture")).toMatch(/^No picture: /);
    await page.click("#faithful");
    await page.selectOption("#family", "mvgaussian");
    for (const covariance of ["tied", "diag", "spherical"]) {
      await page.selectOption("#covariance", covariance);
      await fit(/^mvgaussian mixture, k = 2: /);
      expect(await page.textContent(".facts")).toContain(`${covariance} covariance`);
    }
    // mclust's models: an orientation-bearing one shows correlations, a diagonal one says why not.
    await page.selectOption("#covariance", "VEV");
    await fit(/^mvgaussian mixture, k = 2: /);
    expect(await page.textContent("#params")).toContain("correlation");
    await page.selectOption("#covariance", "VEI");
    await fit(/^mvgaussian mixture, k = 2: /);
    expect(await page.textContent("#result")).toContain("no correlations");
    await page.selectOption("#covariance", "full");
    await page.selectOption("#family", "mvt");
    await fit(/^mvt mixture, k = 2: /);
    expect(await page.textContent("#params")).toContain("dof (ν)");
    await page.check("#prior");
    await page.selectOption("#family", "mvgaussian");
    await fit(/^mvgaussian mixture, k = 2: /);
    expect(await page.textContent(".facts")).toMatch(/log-posterior -?\d/);
    await page.uncheck("#prior");
    // The 1-D families on Old Faithful's waiting times (positive values).
    await page.fill("#columns", "waiting");
    for (const [family, heads] of [["t", ["mean", "variance", "dof"]], ["gamma", ["shape", "rate"]], ["lognormal", ["meanlog", "varlog"]], ["exponential", ["rate"]], ["negbinomial", ["mean", "size"]]] as const) {
      await page.selectOption("#family", family);
      await fit(new RegExp(`^${family} mixture, k = 2: `));
      expect(await page.locator("#params th").allTextContents()).toEqual(["component", "weight", ...heads, ...(family === "t" ? ["scale"] : [])]);
      expect(await page.locator("#picture svg").count()).toBe(1);
    }
    // Categorical rows: a table per column and level, and a heat map.
    await page.fill("#columns", "");
    await paste("q1,q2,q3\n" + Array.from({ length: 80 }, (_, i) => (i % 2 ? "0,1,2" : i % 3 ? "1,0,0" : "2,0,1")).join("\n"));
    await page.selectOption("#family", "categorical");
    await fit(/^categorical mixture, k = 2: /);
    expect(await page.textContent("#params")).toContain("q3: probability of each level");
    expect(await page.locator("#picture svg").count()).toBe(1);
    await shot("categorical", "#result");
    // Level names (text columns): categorical takes them, the table names each level; other families say so.
    await paste("smoker,answer,visits\n" + Array.from({ length: 60 }, (_, i) => (i % 2 ? "yes,agree,3" : i % 3 ? "no,disagree,0" : "no,neutral,1")).join("\n"));
    await fit(/^categorical mixture, k = 2: /);
    expect(await page.textContent(".facts")).toContain("rows × 3 (smoker, answer, visits)");
    const levels = await page.locator("#params td:first-child").allTextContents();
    for (const name of ["no", "yes", "agree", "disagree", "neutral", "level 0", "level 3"]) expect(levels).toContain(name);
    await page.selectOption("#family", "poisson");
    await page.fill("#columns", "smoker");
    await page.click("#fit");
    await expect.poll(() => page.textContent("#status")).toMatch(/column "smoker" is not numeric \(text columns: the categorical family takes them\)/);
    await page.fill("#columns", "");
    await idle();
  }, 90_000);

  it("an error is shown as such, and the page can fit again", async () => {
    await open();
    await page.click("#faithful");
    await page.fill("#columns", "eruptions");
    await page.selectOption("#family", "poisson");
    await page.click("#fit");
    await settled();
    expect(await statusText()).toBe("error: row 1 of eruptions: 3.6 is not a valid count (a non-negative integer)");
    expect(await page.getAttribute("#status", "class")).toBe("error");
    await idle();
    await shot("error");
    await page.selectOption("#family", "gaussian");
    await page.click("#fit");
    await settled();
    expect(await statusText()).toMatch(/^gaussian mixture, k = 2: /);
    expect(await page.getAttribute("#status", "class")).toBe("");
  }, 60_000);

  it("works 390 px wide: nothing wider than the screen", async () => {
    await open(390, 844);
    await page.click("#faithful");
    await page.click("#fit");
    await settled();
    expect(await statusText()).toMatch(/^mvgaussian mixture, k = 2: /);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const widest = await page.evaluate(() => Math.max(...Array.from(document.querySelectorAll("svg, table, section"), (e) => e.getBoundingClientRect().right)));
    expect(widest).toBeLessThanOrEqual(390);
    await idle();
    await shot("mobile");
  }, 60_000);

  it("auto K on 100,000 rows runs off the page: a 20 ms timer keeps firing", async () => {
    await open();
    await loadBig();
    await page.fill("#kmax", "5");
    const r = await page.evaluate(async () => {
      let ticks = 0, last = performance.now(), maxGap = 0;
      const t0 = performance.now();
      document.getElementById("auto")!.click();
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          const now = performance.now();
          ticks++; maxGap = Math.max(maxGap, now - last); last = now;
          if (/converged|maxIter|error:|cancelled/.test(document.getElementById("status")!.textContent ?? "")) { clearInterval(timer); resolve(); }
        }, 20);
      });
      return { ticks, maxGap, ms: performance.now() - t0, status: document.getElementById("status")!.textContent };
    });
    expect(r.status).toMatch(/^gaussian mixture, k = \d: /);
    expect(r.ms).toBeGreaterThan(300); // long enough to have frozen the page on its thread
    expect(r.ticks).toBeGreaterThanOrEqual(Math.floor((0.5 * r.ms) / 20));
    expect(r.maxGap).toBeLessThan(1000);
    expect(await page.locator("#selection-table tr").count()).toBe(6);
    await idle();
  }, 120_000);

  it("reading 1,000,000 CSV rows happens off the page: a 20 ms timer keeps firing", async () => {
    await open();
    // The file is made in the page (before the clock starts) and chosen as a user would.
    await page.evaluate(() => {
      const w = window as any;
      let csv = "a,b\n";
      for (let i = 0; i < 1_000_000; i++) csv += `${((i % 3) * 4 + Math.sin(i * 12.9898) * 1.5).toFixed(5)},${i % 7}\n`;
      const files = new DataTransfer();
      files.items.add(new File([csv], "million.csv", { type: "text/csv" }));
      const input = document.getElementById("file") as HTMLInputElement;
      input.files = files.files;
      w.gaps = { ticks: 0, last: performance.now(), maxGap: 0, t0: performance.now() };
      w.gapTimer = setInterval(() => { const g = w.gaps, now = performance.now(); g.ticks++; g.maxGap = Math.max(g.maxGap, now - g.last); g.last = now; }, 20);
      input.dispatchEvent(new Event("change"));
    });
    await page.waitForFunction(() => /^million\.csv: 1000000 rows/.test(document.getElementById("status")!.textContent ?? ""), undefined, { timeout: 60_000 });
    const r = await page.evaluate(() => { const w = window as any; clearInterval(w.gapTimer); return { ...w.gaps, ms: performance.now() - w.gaps.t0 }; });
    console.log(`1,000,000 rows read in ${r.ms.toFixed(0)} ms; longest gap between 20 ms ticks ${r.maxGap.toFixed(0)} ms`);
    expect(await page.locator("#preview-table tr").count()).toBe(6); // header + 5 rows
    // Parsing on the page's thread took ~1.6 s in one piece; what remains here is reading the
    // file into a string and handing it over.
    expect(r.maxGap).toBeLessThan(500);
    expect(errors).toEqual([]);
  }, 120_000);

  it("Cancel stops auto K: the worker is terminated and nothing runs on", async () => {
    await open();
    await loadBig();
    await page.fill("#kmax", "8");
    await page.click("#auto");
    await page.waitForFunction(() => /^choosing k by BIC: k = 2 \(2 of 8\), restart \d of 3, iteration \d+/.test(document.getElementById("status")!.textContent ?? ""), undefined, { timeout: 30_000 });
    expect(await page.evaluate(() => (window as any).liveWorkers())).toBe(1);
    expect(await page.isDisabled("#fit")).toBe(true);
    expect(await page.isDisabled("#auto")).toBe(true);
    await shot("fitting");
    const t0 = Date.now();
    await page.click("#cancel");
    await page.waitForFunction(() => /cancelled/.test(document.getElementById("status")!.textContent ?? ""), undefined, { timeout: 5_000 });
    expect(Date.now() - t0).toBeLessThan(2_000);
    await idle();
    await page.waitForTimeout(500);
    expect(await statusText()).toBe("cancelled: the worker was stopped");
    expect(await page.locator("#params").count()).toBe(0);
  }, 120_000);
});
