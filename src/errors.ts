/** What went wrong, for programs that branch on it. */
export type MixemErrorCode =
  | "INVALID_OPTION" // an option has the wrong type or value, or is unknown
  | "INVALID_DATA" // the data is empty, not finite, the wrong shape, or not valid counts
  | "INVALID_MODEL" // loadModel was given something that is not a valid mixem model
  | "NOT_READY" // the WebAssembly core could not be compiled synchronously: call `await init()` first
  | "UNSUPPORTED" // this JavaScript engine cannot run the core (it lacks WebAssembly SIMD)
  | "DEGENERATE" // the fit cannot continue: a covariance is singular even after regularisation
  | "UNAVAILABLE"; // a service the fit needs cannot be reached (mixem/bullmq: Redis, or the bullmq package)

/**
 * The one error type mixem throws for bad input. `path` names what was wrong, as in
 * `options.k`, `options.init.means[1]` or `data[17]`; the message starts with it.
 */
export class MixemError extends Error {
  readonly code: MixemErrorCode;
  readonly path: string | undefined;
  /** A finer cause within `code`, where programs branch on it (see MixemErrorReason). */
  readonly reason: MixemErrorReason | undefined;
  constructor(code: MixemErrorCode, message: string, path?: string, reason?: MixemErrorReason) {
    super(path === undefined ? message : `${path}: ${message}`);
    this.name = "MixemError";
    this.code = code;
    this.path = path;
    this.reason = reason;
  }
}

/** Finer causes: "TOO_FEW_DISTINCT" — INVALID_DATA because the data has fewer distinct points than k (a larger k cannot be fitted either). */
export type MixemErrorReason = "TOO_FEW_DISTINCT";

export const optionError = (path: string, message: string) => new MixemError("INVALID_OPTION", message, path);
export const dataError = (path: string, message: string) => new MixemError("INVALID_DATA", message, path);

/** Runs f, which allocates JavaScript memory for `what`; a RangeError (too large) becomes a MixemError. */
export function jsAllocation<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RangeError) throw new MixemError("INVALID_DATA", `cannot allocate ${what} in JavaScript memory (${e.message})`);
    throw e;
  }
}

/** The same error under another code (a MixemError keeps its message, path and reason; anything else is returned as it is). */
export function recode(e: unknown, code: MixemErrorCode): unknown {
  if (!(e instanceof MixemError)) return e;
  return new MixemError(code, e.path === undefined ? e.message : e.message.slice(e.path.length + 2), e.path, e.reason);
}

/**
 * e as a MixemError under `code`: a MixemError keeps its message and path (see recode); anything
 * else — thrown while reading the caller's object (a getter or Proxy that throws, a revoked Proxy) — is
 * `path: cannot be read (…)`.
 */
export function readFailure(e: unknown, code: MixemErrorCode, path: string): MixemError {
  if (e instanceof MixemError) return recode(e, code) as MixemError;
  const error = new MixemError(code, `cannot be read (${peekMessage(e)})`, path);
  Object.defineProperty(error, "cause", { value: e, configurable: true, writable: true }); // what the read threw, as Error's own cause
  return error;
}

/** e's message, where reading it cannot throw again (e may itself be a revoked Proxy). */
function peekMessage(e: unknown): string {
  try {
    return String((e as Error)?.message ?? e);
  } catch {
    return "an unreadable value was thrown";
  }
}
