/**
 * How a stage's progress is drawn in the run's log, apart from running it:
 * - `bar`: one line redrawn in place (`\r`), at most 4 times a second, cleared at the end — for
 *   a terminal;
 * - `lines`: a plain line whenever the stage passes a multiple of 10 % (the last one at 100 %)
 *   or 30 s have passed since the last line (or the stage's start) — for files and CI logs,
 *   which keep every frame;
 * - `none`: nothing.
 * @module
 */
import type { StageProgress } from "../stages/mod.ts";
import { stageFraction } from "./progress.ts";

/** How progress is drawn. */
export type ProgressStyle = "bar" | "lines" | "none";

/** Draws one stage's progress. */
export interface StageProgressView {
  update(p: StageProgress): void;
  /** The stage ended (done or failed). */
  end(): void;
}

/** Seconds between plain lines when a stage advances slowly. */
export const LINE_SECONDS = 30;
/** Share of a stage between plain lines. */
export const LINE_STEP = 0.1;

/**
 * The view of stage `name` in `style`, writing to `log`; `now` gives milliseconds (a clock
 * for tests).
 */
export function progressView(
  style: ProgressStyle,
  name: string,
  log: (text: string) => void,
  now: () => number = () => performance.now(),
): StageProgressView {
  if (style === "none") return { update: () => {}, end: () => {} };
  return style === "bar" ? new BarView(name, log, now) : new LineView(name, log, now);
}

/** "1m05s" / "3.2s". */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - 60 * m)).padStart(2, "0")}s`;
}

/** Bar, count, loss and ETA of a report: `[####....] epoch 3/10  loss 0.1234  ETA 12.0s`. */
export function describeProgress(p: StageProgress): string {
  const cells = 20;
  const full = Math.round(stageFraction(p) * cells);
  const count = p.unit === "epoch"
    ? `epoch ${Math.min(p.total, Math.floor(p.done) + (p.done < p.total ? 1 : 0))}/${p.total}`
    : `${p.done}/${p.total} ${p.unit}`;
  const loss = p.loss !== undefined && Number.isFinite(p.loss) ? `  loss ${p.loss.toFixed(4)}` : "";
  const eta = p.eta !== undefined && Number.isFinite(p.eta) ? `  ETA ${formatSeconds(p.eta)}` : "";
  return `[${"#".repeat(full)}${".".repeat(cells - full)}] ${count}${loss}${eta}`;
}

/** A line redrawn in place. */
class BarView implements StageProgressView {
  #last = -Infinity;
  #drawn = false;
  constructor(
    readonly name: string,
    readonly log: (t: string) => void,
    readonly now: () => number,
  ) {}

  update(p: StageProgress): void {
    const t = this.now();
    if (t - this.#last < 250 && p.done < p.total) return;
    this.#last = t;
    this.log(`\r${this.name}  ${describeProgress(p)}\x1b[K`);
    this.#drawn = true;
  }

  end(): void {
    if (this.#drawn) this.log("\r\x1b[K");
  }
}

/** Plain lines: at each 10 % mark passed, or after 30 s without one. */
class LineView implements StageProgressView {
  #fraction = 0;
  #time: number;
  constructor(
    readonly name: string,
    readonly log: (t: string) => void,
    readonly now: () => number,
  ) {
    this.#time = now();
  }

  update(p: StageProgress): void {
    const t = this.now();
    const f = stageFraction(p);
    const mark = (x: number) => Math.floor(x / LINE_STEP + 1e-9);
    if (mark(f) <= mark(this.#fraction) && t - this.#time < LINE_SECONDS * 1000) return;
    this.#fraction = f;
    this.#time = t;
    this.log(`${this.name}  ${describeProgress(p)}\n`);
  }

  end(): void {}
}
