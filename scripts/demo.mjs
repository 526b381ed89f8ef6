// npm run demo: bundles examples/web/app.ts with esbuild (it imports "mixem" like any app would,
// with no loader configuration) and serves examples/web on http://localhost:8080 (PORT to change).
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { serve } from "./static-server.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
export async function buildDemo() {
  // The page, and its data worker (CSV parsing and the labels CSV, off the page's thread).
  await build({
    entryPoints: [`${root}examples/web/app.ts`, `${root}examples/web/data-worker.ts`], outdir: `${root}examples/web`, bundle: true, format: "esm",
    target: "es2022", minify: true, loader: { ".csv": "text" }, logLevel: "warning",
  });
}
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildDemo();
  const { port } = await serve(`${root}examples/web`, Number(process.env.PORT ?? 8080));
  console.log(`mixem demo: http://localhost:${port}/  (Ctrl-C to stop)`);
}
