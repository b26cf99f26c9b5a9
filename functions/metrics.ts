/**
 * In-process counters in the Prometheus text format (version 0.0.4). Each function instance
 * counts its own requests; a scraper sums instances.
 *
 * @module
 */

/** Counters and a latency histogram of one app instance. */
export class Metrics {
  #counters = new Map<string, { help: string; values: Map<string, number> }>();
  #buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
  #latency = new Map<string, { counts: number[]; sum: number; count: number }>();

  /** Adds `by` to counter `name` with `labels`. */
  inc(name: string, help: string, labels: Record<string, string> = {}, by = 1): void {
    let counter = this.#counters.get(name);
    if (!counter) this.#counters.set(name, counter = { help, values: new Map() });
    const key = formatLabels(labels);
    counter.values.set(key, (counter.values.get(key) ?? 0) + by);
  }

  /** Records one request's duration in seconds for `route`. */
  observe(route: string, seconds: number): void {
    let h = this.#latency.get(route);
    if (!h) this.#latency.set(route, h = { counts: this.#buckets.map(() => 0), sum: 0, count: 0 });
    for (const [i, b] of this.#buckets.entries()) if (seconds <= b) h.counts[i]++;
    h.sum += seconds;
    h.count++;
  }

  /** The exposition text. */
  render(): string {
    const lines: string[] = [];
    for (const [name, { help, values }] of this.#counters) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [labels, v] of values) lines.push(`${name}${labels} ${v}`);
    }
    const name = "cgml_http_request_duration_seconds";
    lines.push(`# HELP ${name} HTTP request latency by route.`, `# TYPE ${name} histogram`);
    for (const [route, h] of this.#latency) {
      for (const [i, b] of this.#buckets.entries()) {
        lines.push(`${name}_bucket${formatLabels({ route, le: String(b) })} ${h.counts[i]}`);
      }
      lines.push(`${name}_bucket${formatLabels({ route, le: "+Inf" })} ${h.count}`);
      lines.push(`${name}_sum${formatLabels({ route })} ${h.sum}`);
      lines.push(`${name}_count${formatLabels({ route })} ${h.count}`);
    }
    return lines.join("\n") + "\n";
  }
}

function formatLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  const body = entries.map(([k, v]) =>
    `${k}="${v.replace(/[\\"]/g, "\\$&").replace(/\n/g, "\\n")}"`
  );
  return `{${body.join(",")}}`;
}
