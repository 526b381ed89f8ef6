// Bit-for-bit regression: every family, covariance type and mode gives exactly the parameters,
// log-likelihood history and responsibilities that the build before the family-registry refactor
// gave (test/fixtures/golden/make_golden.mjs wrote results.json from it). A deliberate change of
// the numerics regenerates the fixture and says why in its commit.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fitSync, initSync } from "../src/index.js";
import { cases, result } from "./fixtures/golden/make_golden.mjs";

initSync();
const golden = JSON.parse(readFileSync(new URL("./fixtures/golden/results.json", import.meta.url), "utf8"));

describe("results are bit-identical to the golden fixture", () => {
  it("covers every case in the fixture", () => {
    expect(cases.map((c) => c.name).sort()).toEqual(Object.keys(golden).sort());
  });
  for (const c of cases) {
    it(c.name, () => {
      // JSON round trip: the fixture went through it too (undefined → absent, -0 → 0 never occurs here).
      expect(JSON.parse(JSON.stringify(result(fitSync as never, c)))).toEqual(golden[c.name]);
    });
  }
});
