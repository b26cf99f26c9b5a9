/**
 * Errors and problem reports of the dataset layer.
 *
 * @module
 */

/** One thing wrong with a dataset: the object key (or the prefix, for the whole) and why. */
export interface DatasetProblem {
  /** The object's key, or the dataset prefix when the problem is about the whole dataset. */
  key: string;
  /** What is wrong, in words. */
  message: string;
}

/** A dataset cannot be named, listed, described or read; the message begins "Cannot …". */
export class DatasetError extends Error {
  override name = "DatasetError";
  /** The problems found, each with its key (empty when the message says it all). */
  readonly problems: readonly DatasetProblem[];

  /** Creates the error; `problems` are listed after the message, at most 20 of them. */
  constructor(message: string, problems: readonly DatasetProblem[] = []) {
    super(problems.length === 0 ? message : `${message}\n${formatProblems(problems)}`);
    this.problems = problems;
  }
}

/**
 * The problems as lines `  <key>: <message>` (a key with control characters JSON-quoted), the
 * first `max` of them and a count of the rest.
 */
export function formatProblems(problems: readonly DatasetProblem[], max = 20): string {
  // deno-lint-ignore no-control-regex
  const shown = (key: string) => /[\u0000-\u001f\u007f]/.test(key) ? JSON.stringify(key) : key;
  const lines = problems.slice(0, max).map((p) => `  ${shown(p.key)}: ${p.message}`);
  if (problems.length > max) lines.push(`  … and ${problems.length - max} more`);
  return lines.join("\n");
}
