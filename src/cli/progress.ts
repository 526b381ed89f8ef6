// Progress on stderr once an operation has run for half a second: in place on a terminal (at most
// five times a second), else a line a second. --quiet silences it.
import { mib } from "./input.js";

/** Milliseconds before the first progress line (MIXEM_PROGRESS_AFTER overrides; for tests). */
const AFTER = Number(process.env.MIXEM_PROGRESS_AFTER ?? 500);

export class Progress {
  private started = Date.now();
  private last = 0;
  private shown = false;
  private tty = process.stderr.isTTY === true;
  constructor(private quiet: boolean) {}

  restart() {
    this.started = Date.now();
  }

  private show(msg: string) {
    const now = Date.now();
    if (this.quiet || now - this.started < AFTER || (this.shown && now - this.last < (this.tty ? 200 : Math.min(1000, AFTER * 2 + 1)))) return;
    this.last = now;
    this.shown = true;
    process.stderr.write(this.tty ? `\r${msg}\x1b[K` : `${msg}\n`);
  }

  reading(source: string, bytes: number, size: number) {
    this.show(`mixem: reading ${source}, ${mib(bytes)}${size ? ` of ${mib(size)} (${Math.floor((100 * bytes) / size)}%)` : ""}`);
  }

  iteration(info: { iteration: number; logLikelihood: number; restart: number }) {
    this.show(`mixem: restart ${info.restart + 1}, iteration ${info.iteration}, log-likelihood ${info.logLikelihood.toFixed(4)}`);
  }

  /** Clears the line on a terminal. */
  done() {
    if (this.shown && this.tty) process.stderr.write("\r\x1b[K");
    this.shown = false;
  }
}
