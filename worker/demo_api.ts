/**
 * A small client of the service's HTTP API for the demo: JSON calls with a bearer token,
 * artifact downloads, and following a job over `GET /v1/jobs/{id}/events` (SSE, resumed with
 * `Last-Event-ID` when the stream drops).
 *
 * @module
 */

import { dirname, join } from "node:path";

/** The job as the API shows it (the fields the demo reads). */
export interface JobView {
  id: string;
  status: string;
  progress?: {
    fraction?: number;
    stage?: string;
    index?: number;
    stages?: number;
    epoch?: number;
    epochs?: number;
    loss?: number;
    eta?: number;
    unit?: string;
    done?: number;
    total?: number;
  };
  error?: { message: string };
  result?: { seconds?: number; outputs?: Record<string, string> };
  /** Listed by `GET /v1/jobs/{id}` only. */
  artifacts?: { path: string; size: number }[];
}

/** An answer of {@link ApiClient.call}: the status and the parsed JSON body. */
export interface ApiAnswer<T> {
  status: number;
  body: T;
}

/** Calls the API at `base` with `token` as `Authorization: Bearer`. */
export class ApiClient {
  /** A client of the API at `base` (`http://host:port`). */
  constructor(readonly base: string, readonly token: string) {}

  /** `fetch`, with an unreachable server turned into a "Cannot reach" error naming the call. */
  async #fetch(what: string, url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch (e) {
      if (init.signal?.aborted) throw e;
      throw new Error(
        `Cannot reach the HTTP functions at ${this.base} (${what}): ${(e as Error).message}`,
      );
    }
  }

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, ...extra };
  }

  /** `method path` with an optional JSON body; the status and the JSON answer. */
  async call<T>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
    const res = await this.#fetch(`${method} ${path}`, `${this.base}${path}`, {
      method,
      headers: this.#headers(body === undefined ? {} : { "content-type": "application/json" }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`Cannot read the answer to ${method} ${path}: HTTP ${res.status}, ${text}`);
    }
    return { status: res.status, body: parsed as T };
  }

  /** The bytes of a job's artifact (`GET /v1/jobs/{id}/artifacts/{path}`). */
  async artifact(job: string, path: string): Promise<Uint8Array> {
    const url = `${this.base}/v1/jobs/${job}/artifacts/${path}`;
    const res = await this.#fetch(`GET ${url.slice(this.base.length)}`, url, {
      headers: this.#headers(),
    });
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`Cannot download ${path} of job ${job}: HTTP ${res.status}`);
    }
    return new Uint8Array(await res.arrayBuffer());
  }

  /**
   * Downloads a finished job's outputs (`result.outputs`; a folder output with every artifact
   * under it) into `out`; resolves the outputs by name (paths relative to `out`).
   */
  async downloadOutputs(job: string, out: string): Promise<Record<string, string>> {
    const { status, body } = await this.call<JobView>("GET", `/v1/jobs/${job}`);
    if (status !== 200) throw new Error(`Cannot read job ${job}: HTTP ${status}`);
    const outputs = body.result?.outputs ?? {};
    const wanted = Object.values(outputs);
    for (const { path } of body.artifacts ?? []) {
      if (!wanted.some((w) => path === w || (w.endsWith("/") && path.startsWith(w)))) continue;
      const file = join(out, path);
      await Deno.mkdir(dirname(file), { recursive: true });
      await Deno.writeFile(file, await this.artifact(job, path));
    }
    return outputs;
  }

  /**
   * Follows job `id` over SSE until its `end` event; calls `onStatus` per `status` event and
   * resolves the last job seen, or null when `signal` aborts first.
   */
  async follow(
    id: string,
    signal: AbortSignal,
    onStatus: (job: JobView) => void,
  ): Promise<JobView | null> {
    let last: JobView | null = null;
    let lastId: string | undefined;
    while (!signal.aborted) {
      let res: Response;
      try {
        res = await this.#fetch(`GET /v1/jobs/${id}/events`, `${this.base}/v1/jobs/${id}/events`, {
          signal,
          headers: this.#headers(lastId ? { "last-event-id": lastId } : {}),
        });
      } catch (e) {
        if (signal.aborted) return null;
        throw e;
      }
      if (!res.ok || res.body === null) {
        throw new Error(`Cannot follow job ${id}: HTTP ${res.status}`);
      }
      let buffer = "";
      try {
        for await (const chunk of res.body.pipeThrough(new TextDecoderStream())) {
          buffer += chunk;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const event = parseEvent(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            if (event.id !== undefined) lastId = event.id;
            if (event.event === "status") {
              last = JSON.parse(event.data) as JobView;
              onStatus(last);
            } else if (event.event === "end") {
              return last;
            }
          }
        }
      } catch (e) {
        if (signal.aborted) return null;
        throw e;
      }
    }
    return null;
  }
}

/** One SSE event block's fields. */
function parseEvent(block: string): { event?: string; id?: string; data: string } {
  const out: { event?: string; id?: string; data: string } = { data: "" };
  for (const line of block.split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const field = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") out.event = value;
    else if (field === "id") out.id = value;
    else if (field === "data") out.data += out.data === "" ? value : `\n${value}`;
  }
  return out;
}
