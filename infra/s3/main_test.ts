import { assertEquals, assertThrows } from "../../testing/assert.ts";
import { parseRunnerArgs, waitForListener } from "./main.ts";
import { freePort } from "./server.ts";

Deno.test("the S3 runner parses --port, --dir and --webhook", () => {
  assertEquals(parseRunnerArgs([], "/w"), { port: 9000, dir: "/w/.cache/s3" });
  assertEquals(
    parseRunnerArgs([
      "--port",
      "9100",
      "--dir=data/s",
      "--webhook",
      "http://127.0.0.1:8000/v1/events/minio",
    ], "/w"),
    { port: 9100, dir: "/w/data/s", webhook: "http://127.0.0.1:8000/v1/events/minio" },
  );
  assertEquals(parseRunnerArgs(["--dir", "/abs"], "/w").dir, "/abs");
  assertThrows(() => parseRunnerArgs(["--port", "0"], "/w"), Error, "--port must be 1..65535");
  assertThrows(() => parseRunnerArgs(["--port"], "/w"), Error, "--port needs a value");
  assertThrows(() => parseRunnerArgs(["--webhook", "ftp://x"], "/w"), Error, "http(s) URL");
  assertThrows(
    () => parseRunnerArgs(["--webhook", "http://u:p@127.0.0.1:1/"], "/w"),
    Error,
    "CGML_WEBHOOK_TOKEN",
  );
  assertThrows(() => parseRunnerArgs(["--verbose"], "/w"), Error, "unknown option --verbose");
});

Deno.test("waitForListener waits until the webhook's port accepts connections", async () => {
  const port = freePort();
  const stop = new AbortController();
  const waiting = waitForListener(`http://127.0.0.1:${port}/v1/events/minio`, stop.signal);
  await new Promise((r) => setTimeout(r, 300));
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  const accept = listener.accept().then((c) => c.close());
  assertEquals(await waiting, true);
  await accept;
  listener.close();
  stop.abort();
  assertEquals(await waitForListener(`http://127.0.0.1:${port}/`, stop.signal), false);
});
