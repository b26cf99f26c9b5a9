import { assert, assertEquals, assertRejects } from "../../testing/assert.ts";
import { minioTest } from "../testing/minio.ts";
import { MinioStore } from "../store/minio_store.ts";
import { startMinio, WEBHOOK_ARN } from "./server.ts";

minioTest("MinIO starts on loopback, survives a restart, and stops by PID", async (server) => {
  assert(server.url.startsWith("http://127.0.0.1:"));
  const store = await MinioStore.open({
    endpoint: server.url,
    bucket: "lifecycle",
    accessKey: server.rootUser,
    secretKey: server.rootPassword,
  });
  await store.put("kept.txt", "before restart");
  const pid = server.pid;
  await server.restart();
  assert(server.pid !== pid, "a new process");
  assertEquals(new TextDecoder().decode((await store.get("kept.txt")).body), "before restart");
  const health = await fetch(`${server.url}/minio/health/cluster`);
  await health.body?.cancel();
  assertEquals(health.status, 200);
}, { webhook: { endpoint: "http://127.0.0.1:9/unused", authToken: "test-token-0123456789" } });

/** Writes an executable stand-in for the minio binary: it answers the health check like MinIO. */
async function fakeMinio(dir: string, behaviour: "serve" | "crash"): Promise<string> {
  const path = `${dir}/fake-minio`;
  await Deno.writeTextFile(
    path,
    `#!/usr/bin/env -S ${Deno.execPath()} run -A --no-check --quiet
const args = Deno.args;
if (${JSON.stringify(behaviour)} === "crash") {
  console.error("ERROR Unable to use the drive: fake failure");
  Deno.exit(3);
}
const address = args[args.indexOf("--address") + 1];
const [hostname, port] = address.split(":");
await Deno.writeTextFile(args[1] + "/../launch.json", JSON.stringify({ args, env: Deno.env.toObject() }));
const started = Date.now();
const server = Deno.serve({ hostname, port: Number(port), onListen: () => {} }, (req) =>
  new URL(req.url).pathname === "/minio/health/cluster" && Date.now() - started > 300
    ? new Response("ok")
    : new Response("starting", { status: 503 }));
Deno.addSignalListener("SIGTERM", () => server.shutdown().then(() => Deno.exit(0)));
`,
  );
  await Deno.chmod(path, 0o755);
  return path;
}

Deno.test("startMinio waits for /minio/health/cluster, configures the webhook, restarts and stops", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cgml-fake-minio-" });
  try {
    const binary = await fakeMinio(dir, "serve");
    const home = `${dir}/home`;
    const server = await startMinio({
      binary,
      dir: home,
      rootPassword: "password123",
      webhook: {
        endpoint: "http://127.0.0.1:8000/v1/events/minio",
        authToken: "tok-0123456789abcdef",
      },
    });
    const launch = JSON.parse(await Deno.readTextFile(`${home}/launch.json`));
    assertEquals(launch.args.slice(0, 4), [
      "server",
      `${home}/data`,
      "--address",
      `127.0.0.1:${server.port}`,
    ]);
    assertEquals(launch.env.MINIO_ROOT_PASSWORD, "password123");
    assertEquals(launch.env.MINIO_NOTIFY_WEBHOOK_ENABLE_CGML, "on");
    assertEquals(
      launch.env.MINIO_NOTIFY_WEBHOOK_ENDPOINT_CGML,
      "http://127.0.0.1:8000/v1/events/minio",
    );
    assertEquals(launch.env.MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_CGML, "tok-0123456789abcdef");
    assertEquals(launch.env.MINIO_NOTIFY_WEBHOOK_QUEUE_DIR_CGML, `${home}/events`);
    assertEquals(WEBHOOK_ARN, "arn:minio:sqs::CGML:webhook");
    const health = await fetch(`${server.url}/minio/health/cluster`);
    assertEquals([health.status, await health.text()], [200, "ok"]);
    const firstPid = server.pid;
    await server.restart();
    assert(server.pid !== firstPid);
    await server.stop();
    assertEquals(await server.exited, 0);
    await assertRejects(() => fetch(`${server.url}/minio/health/cluster`));
    assert((await Deno.stat(home)).isDirectory, "a given home directory is kept");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startMinio reports a server that exits at start with its output", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cgml-fake-minio-" });
  try {
    const binary = await fakeMinio(dir, "crash");
    await assertRejects(
      () => startMinio({ binary, dir: `${dir}/home` }),
      Error,
      "exited with code 3\nERROR Unable to use the drive: fake failure",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
