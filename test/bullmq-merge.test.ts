// The coordinator's merge step (mergeFlow in src/bullmq.ts) against Redis losing a flow while the
// step reads it. Found by running "Redis killed and restarted empty mid-fit" (test/bullmq.test.ts)
// 15–40 times under load: when Redis restarted between the merge starting and its reading the
// children's values, the values came back empty, the holes of `new Array(n)` passed `some()`, and
// the pass resolved with no statistics — EM took the previous pass's sums (a wrong fit, no error).
// Here the same interleavings are made with a fake job, deterministically.
import { describe, expect, it } from "vitest";
import { mergeFlow } from "../src/bullmq.js";

const shards = ["a.json", "b.json", "c.json"];
type Pending = { parent: string; children: string[]; resolve: (v: unknown[]) => void; reject: (e: unknown) => void };
function flow(parent: string) {
  const got: { resolved?: unknown[]; rejected?: unknown } = {};
  const p: Pending = { parent, children: shards.map((_, s) => `${parent}-${s}`), resolve: (v) => { got.resolved = v; }, reject: (e) => { got.rejected = e; } };
  return { p, got };
}
/** A parent job whose children's values (keyed as BullMQ keys them) are `values`; `during` runs while each read is in flight. */
function job(id: string, values: Record<string, unknown>, during: { deps?: () => void; values?: () => void } = {}, ignored: Record<string, string> = {}) {
  return {
    id,
    getDependencies: async () => { during.deps?.(); return { processed: {}, ignored, unprocessed: [] }; },
    getChildrenValues: async () => { during.values?.(); return values; },
  } as never;
}
const all = (parent: string) => Object.fromEntries(shards.map((_, s) => [`bull:q:${parent}-${s}`, { v: `value ${s}` }]));

describe("mergeFlow: the coordinator's merge of one pass", () => {
  it("settles the pending flow with its children's values in shard order", async () => {
    const { p, got } = flow("f-1");
    const values = all("f-1");
    await mergeFlow(job("f-1", { [`bull:q:f-1-2`]: values["bull:q:f-1-2"], [`bull:q:f-1-0`]: values["bull:q:f-1-0"], [`bull:q:f-1-1`]: values["bull:q:f-1-1"] }), () => p, async () => false, shards, 3);
    expect(got.resolved).toEqual([{ v: "value 0" }, { v: "value 1" }, { v: "value 2" }]);
    expect(got.rejected).toBeUndefined();
  });

  it("Redis restarted empty while the values were read (the flow sent again meanwhile): settles nothing", async () => {
    const { p, got } = flow("f-7");
    const { p: resent } = flow("f-8");
    let current: Pending = p;
    await mergeFlow(job("f-7", {}, { values: () => { current = resent; } }), () => current, async () => true, shards, 3);
    expect(got).toEqual({});
    // Sent again while the dependencies were read: the same.
    current = p;
    await mergeFlow(job("f-7", all("f-7"), { deps: () => { current = resent; } }), () => current, async () => true, shards, 3);
    expect(got).toEqual({});
  });

  it("values missing because Redis lost the flow (not yet sent again): settles nothing, the check sends it again", async () => {
    const { p, got } = flow("f-7");
    const partial = all("f-7");
    delete partial["bull:q:f-7-1"];
    await mergeFlow(job("f-7", {}), () => p, async () => true, shards, 3);
    await mergeFlow(job("f-7", partial), () => p, async () => true, shards, 3);
    expect(got).toEqual({});
  });

  it("values missing from a flow Redis still holds: an error, not a pass without statistics", async () => {
    const { p, got } = flow("f-3");
    const partial = all("f-3");
    delete partial["bull:q:f-3-0"];
    await mergeFlow(job("f-3", partial), () => p, async () => false, shards, 3);
    expect(got.resolved).toBeUndefined();
    expect(String(got.rejected)).toMatch(/a shard's statistics are missing/);
  });

  it("a merge that is not the pending flow's settles nothing; a failed shard is an error naming it", async () => {
    const { p, got } = flow("f-2");
    await mergeFlow(job("f-1", all("f-1")), () => p, async () => false, shards, 3);
    await mergeFlow(job("f-2", all("f-2")), () => undefined, async () => false, shards, 3);
    expect(got).toEqual({});
    await mergeFlow(job("f-2", {}, {}, { "bull:q:f-2-1": "shards[1] (b.json): could not be loaded: ENOENT" }), () => p, async () => false, shards, 2);
    expect((got.rejected as { path: string; message: string }).path).toBe("shards[1]");
    expect((got.rejected as Error).message).toMatch(/\(b\.json\) could not be loaded: ENOENT \(tried 2 times\)/);
  });
});
