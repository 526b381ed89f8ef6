// The Node side of the browser benchmark, in its own process and session (bench/browser.mjs starts
// it detached): with the kernel's scheduler grouping processes by session, Chromium (which starts
// its own) and this process then get the same share of a loaded machine. Answers JSON lines on
// stdin: { scale } → the workloads' names, N and K; { i, iterations } → timeIterations of workload i.
import { createInterface } from "node:readline";
import { fitSync, initSync } from "../../dist/index.js";
import { kernelWorkloads, timeIterations } from "./workloads.mjs";

initSync();
let workloads = null;
for await (const line of createInterface({ input: process.stdin })) {
  const q = JSON.parse(line);
  if (q.scale !== undefined) { workloads = kernelWorkloads(q.scale); console.log(JSON.stringify(workloads.map((w) => ({ name: w.name, n: w.n, k: w.k })))); }
  else console.log(JSON.stringify(timeIterations(fitSync, workloads[q.i], q.iterations)));
}
