// A real redis-server for the tests (Debian's redis-server): on a free loopback port, in a
// temporary folder, without persistence; stopped by the test. `available` says whether the binary is there.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer, connect } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const which = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
export const redisBinary = which.status === 0 ? which.stdout.trim() : undefined;

/** A loopback TCP port nothing listens on (at the time of asking). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => { const port = (s.address() as { port: number }).port; s.close(() => resolve(port)); });
  });
}

/** Resolves when something answers PING on the port (at most `ms`). */
async function waitForPing(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, "127.0.0.1");
      c.once("error", () => resolve(false));
      c.once("data", (d) => { c.destroy(); resolve(d.toString().startsWith("+PONG")); });
      c.once("connect", () => c.write("PING\r\n"));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not answer on port ${port} within ${ms} ms`);
}

export class RedisServer {
  private proc: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), "mixem-redis-"));
  constructor(readonly port: number) {}
  get url() { return `redis://127.0.0.1:${this.port}`; }
  async start(): Promise<void> {
    this.proc = spawn(redisBinary!, ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", this.dir], { stdio: "ignore" });
    await waitForPing(this.port, 5000);
  }
  /** Stops it at once (SIGKILL: nothing is saved), waiting until the process is gone. */
  async kill(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => { p.once("exit", () => resolve()); p.kill("SIGKILL"); });
  }
  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
