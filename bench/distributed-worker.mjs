// A shard worker for bench/distributed.mjs: shards are raw little-endian Float64 files.
import { readFileSync } from "node:fs";
import { startShardWorker } from "../dist/bullmq.js";

const worker = await startShardWorker({
  connection: process.env.REDIS_URL,
  load: (path) => { const b = readFileSync(path); return new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8); },
});
process.stdout.write("ready\n");
process.on("SIGTERM", () => { worker.close().finally(() => process.exit(0)); });
