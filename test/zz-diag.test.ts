import { it } from "vitest";
import { fitSync, fitStream, initSync } from "../src/index.js";
import { mulberry32, normal } from "./helpers.js";
initSync();
const u = mulberry32(7);
const gauss4 = Array.from({ length: 3000 }, () => 2 * Math.floor(u() * 4) + normal(u));
it("diag", async () => {
  const o = { k: 4, tol: 1e-10, accelerate: "squarem" } as const;
  const a = fitSync(gauss4, o), b = await fitStream(() => [gauss4], o);
  console.log("SAME", JSON.stringify(a.history) === JSON.stringify(b.history), a.settings.scale, b.settings.scale, a.passes, b.passes);
});
