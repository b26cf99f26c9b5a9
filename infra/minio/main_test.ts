import { assertEquals, assertThrows } from "../../testing/assert.ts";
import { parseRunnerArgs } from "./main.ts";

Deno.test("the MinIO runner parses --port, --dir and --webhook", () => {
  assertEquals(parseRunnerArgs([], "/w"), { port: 9000, dir: "/w/.cache/minio" });
  assertEquals(
    parseRunnerArgs([
      "--port",
      "9100",
      "--dir=data/m",
      "--webhook",
      "http://127.0.0.1:8000/v1/events/minio",
    ], "/w"),
    { port: 9100, dir: "/w/data/m", webhook: "http://127.0.0.1:8000/v1/events/minio" },
  );
  assertEquals(parseRunnerArgs(["--dir", "/abs"], "/w").dir, "/abs");
  assertThrows(() => parseRunnerArgs(["--port", "0"], "/w"), Error, "--port must be 1..65535");
  assertThrows(() => parseRunnerArgs(["--port"], "/w"), Error, "--port needs a value");
  assertThrows(() => parseRunnerArgs(["--webhook", "ftp://x"], "/w"), Error, "http(s) URL");
  assertThrows(() => parseRunnerArgs(["--verbose"], "/w"), Error, "unknown option --verbose");
});
