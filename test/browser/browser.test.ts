// Real-browser tests: Debian's chromium driven by playwright-core (installed by .ci/run).
// A bare <script type="module"> page and the demo page, served from this checkout on loopback.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { fitSync, initSync } from "../../src/index.js";
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

suite("demo page", () => {
  it("fits Old Faithful in a worker, draws it, offers the model JSON; screenshot saved", async () => {
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(`${base}/examples/web/index.html`);
    await page.waitForFunction(() => (window as any).mixemReady === true);
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
    mkdirSync(`${root}test-artifacts`, { recursive: true });
    await page.screenshot({ path: `${root}test-artifacts/demo.png`, fullPage: true });
  }, 60_000);
});
