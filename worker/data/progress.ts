/**
 * A progress display for transfers: a bar redrawn in place on a terminal (at most 10 times a
 * second), plain lines at every tenth of the work when the output is a file or a pipe.
 *
 * @module
 */

/** Where a transfer stands. */
export interface TransferState {
  files: number;
  totalFiles: number;
  bytes: number;
  totalBytes: number;
  skipped: number;
}

/** Options of {@link progressDisplay}. */
export interface ProgressDisplayOptions {
  /** Writes text (no newline added). */
  write: (text: string) => void;
  /** Draw a bar in place (a terminal) rather than plain lines. */
  terminal: boolean;
  /** Printed before the numbers (`push shapes`). */
  label: string;
  /** Milliseconds clock (tests pass their own). */
  now?: () => number;
}

const WIDTH = 24;

/** `1.5 MiB`-style sizes. */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${units[i]}`;
}

/** A progress display; call `update` with every new state and `finish` once at the end. */
export function progressDisplay(options: ProgressDisplayOptions): {
  update(state: TransferState): void;
  finish(): void;
} {
  const now = options.now ?? (() => performance.now());
  const started = now();
  let lastDraw = -Infinity;
  let lastTenth = -1;
  let latest: TransferState | null = null;
  const line = (s: TransferState) => {
    const seconds = Math.max(1e-3, (now() - started) / 1000);
    const rate = `${formatBytes(Math.round(s.bytes / seconds))}/s`;
    return `${options.label}: ${s.files}/${s.totalFiles} files, ${formatBytes(s.bytes)}/${
      formatBytes(s.totalBytes)
    }, ${rate}${s.skipped > 0 ? `, ${s.skipped} unchanged` : ""}`;
  };
  const fraction = (s: TransferState) =>
    s.totalBytes > 0 ? s.bytes / s.totalBytes : s.totalFiles > 0 ? s.files / s.totalFiles : 1;
  const draw = (s: TransferState) => {
    const filled = Math.round(fraction(s) * WIDTH);
    const bar = `[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}]`;
    options.write(`\r\x1b[2K${bar} ${line(s)}`);
  };
  return {
    update(state) {
      latest = state;
      if (options.terminal) {
        if (now() - lastDraw < 100) return;
        lastDraw = now();
        draw(state);
        return;
      }
      const tenth = Math.floor(fraction(state) * 10);
      if (tenth > lastTenth && tenth < 10) {
        lastTenth = tenth;
        options.write(`${line(state)}\n`);
      }
    },
    finish() {
      if (latest === null) return;
      if (options.terminal) {
        draw(latest);
        options.write("\n");
      } else {
        options.write(`${line(latest)}\n`);
      }
    },
  };
}
