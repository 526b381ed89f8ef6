// The code that runs inside a worker (a Web Worker or a Node worker_threads worker): it receives
// one fit request, posts a progress message per iteration, then the model as JSON (or the error),
// and is terminated by the caller. Built by scripts/build.mjs into a string inlined in the package.
import { fitSync, initSync, MixemError } from "./index.js";
import type { WorkerRequest, WorkerReply } from "./worker-protocol.js";

type Port = { post(message: WorkerReply): void; listen(handler: (message: WorkerRequest) => void): void };

function port(): Port {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => any } }).process;
  const threads = proc?.getBuiltinModule?.("node:worker_threads");
  if (threads?.parentPort) {
    const p = threads.parentPort;
    return { post: (m) => p.postMessage(m), listen: (h) => p.on("message", h) };
  }
  const self = globalThis as unknown as { postMessage(m: unknown): void; onmessage: ((e: { data: WorkerRequest }) => void) | null };
  return { post: (m) => self.postMessage(m), listen: (h) => { self.onmessage = (e) => h(e.data); } };
}

const p = port();
p.listen((request) => {
  try {
    initSync();
    const data = request.data;
    const options = { ...request.options } as Record<string, unknown>;
    if (request.dims > 0) options.dims = request.dims;
    if (request.progress) options.onIteration = (info: unknown) => { p.post({ type: "progress", info: info as never }); };
    const model = fitSync(data as never, options as never);
    p.post({ type: "done", model: model.toJSON() });
  } catch (e) {
    const error = e instanceof MixemError
      ? { name: e.name, message: e.message, code: e.code, path: e.path }
      : { name: (e as Error)?.name ?? "Error", message: (e as Error)?.message ?? String(e) };
    p.post({ type: "error", error });
  }
});
