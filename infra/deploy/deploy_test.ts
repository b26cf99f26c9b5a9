/**
 * The deploy files are valid and agree with the code: the compose file loads with compose-go
 * (as `docker compose config` would) under each store profile, the Kubernetes manifests pass
 * the Kubernetes schemas with no unknown field, the notification settings match the webhook
 * route and token the functions accept, the worker runs the Vulkan-capable image with
 * CGML_REQUIRE_GPU=1, and the images the files name are the ones the Dockerfiles build. Each
 * validator is also shown to fail on a broken copy.
 */

import { parse } from "yaml";
import { assert, assertEquals } from "../../testing/assert.ts";
import { MINIO_WEBHOOK_ARN } from "../store/notifications.ts";
import { hasGo } from "../s3/build.ts";
import { checkCompose, ensureComposeCheck } from "./validators.ts";
import { readManifests, schemaErrors, unknownFieldErrors } from "./k8s_check.ts";

const DIR = new URL(".", import.meta.url).pathname;
const K8S = ["config.yaml", "minio.yaml", "functions.yaml", "worker.yaml"].map((f) =>
  `${DIR}k8s/${f}`
);
const WEBHOOK_PATH = "/v1/events/minio";
const ENV = {
  CGML_S3_SECRET_KEY: "secret-key-123",
  CGML_API_TOKENS: "api-token-0123456789:write",
  CGML_WEBHOOK_TOKEN: "hook-token-0123456789",
};
const inCI = Deno.env.get("CI") === "true";

/** The compose checker, built when missing; outside CI a failed or impossible build skips. */
async function locateChecker(): Promise<{ binary: string | null; reason: string }> {
  if (!(await hasGo())) return { binary: null, reason: "no 'go' on PATH to build it" };
  try {
    return { binary: await ensureComposeCheck(), reason: "" };
  } catch (e) {
    return { binary: null, reason: (e as Error).message };
  }
}

const located = await locateChecker();
const skipCompose = located.binary === null && !inCI;
if (skipCompose) console.error(`compose checks skipped: ${located.reason}`);

function composeChecker(): string {
  if (located.binary === null) throw new Error(`Cannot check compose.yaml: ${located.reason}`);
  return located.binary;
}

const text = (f: string) => Deno.readTextFileSync(`${DIR}${f}`);

Deno.test({
  name: "compose.yaml loads with compose-go under each store profile and matches the functions",
  ignore: skipCompose,
  async fn() {
    const checker = composeChecker();
    for (const [profile, store] of [["minio", "minio"], ["versitygw", "versitygw"]]) {
      const result = await checkCompose(checker, `${DIR}compose.yaml`, [profile], ENV);
      assert(result.ok, `profile ${profile}: ${!result.ok && result.error}`);
      const services = result.project.services;
      assertEquals(Object.keys(services).sort(), ["functions", store, "worker"].sort());
      assert(
        services[store].networks.default.aliases.includes("s3"),
        `${store} answers as the s3 host`,
      );
      for (const name of ["functions", "worker"]) {
        assertEquals(services[name].environment.CGML_STORE, "http://s3:9000");
        assertEquals(services[name].environment.CGML_WEBHOOK_TOKEN, ENV.CGML_WEBHOOK_TOKEN);
      }
      const worker = services.worker;
      assertEquals(worker.build.dockerfile, "infra/deploy/worker.Dockerfile");
      assertEquals(worker.build.target, "worker");
      assertEquals(worker.environment.CGML_REQUIRE_GPU, "1");
      assertEquals(worker.environment.NVIDIA_DRIVER_CAPABILITIES, "compute,utility,graphics");
      assertEquals(worker.deploy.resources.reservations.devices[0].capabilities, ["gpu"]);
      assertEquals(services.functions.build.target, "app");
    }
    const minio = await checkCompose(checker, `${DIR}compose.yaml`, ["minio"], ENV);
    assert(minio.ok);
    const env = minio.project.services.minio.environment;
    assertEquals(new URL(env.MINIO_NOTIFY_WEBHOOK_ENDPOINT_CGML).pathname, WEBHOOK_PATH);
    assertEquals(new URL(env.MINIO_NOTIFY_WEBHOOK_ENDPOINT_CGML).hostname, "functions");
    assertEquals(env.MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_CGML, ENV.CGML_WEBHOOK_TOKEN);
    const vgw = await checkCompose(checker, `${DIR}compose.yaml`, ["versitygw"], ENV);
    assert(vgw.ok);
    const command: string[] = vgw.project.services.versitygw.command;
    const hook = new URL(command[command.indexOf("--event-webhook-url") + 1]);
    assertEquals([hook.hostname, hook.pathname, hook.password], [
      "functions",
      WEBHOOK_PATH,
      ENV.CGML_WEBHOOK_TOKEN,
    ]);
    assert(command.includes("--event-filter"), "an event filter");
    assert(text("versitygw.Dockerfile").includes(`'{"s3:ObjectCreated:*": true}'`));
  },
});

Deno.test({
  name: "the compose checker fails on broken compose files",
  ignore: skipCompose,
  async fn() {
    const checker = composeChecker();
    const dir = await Deno.makeTempDir({ prefix: "cgml-compose-" });
    try {
      const broken: [string, (s: string) => string][] = [
        ["a misspelt key", (s) => s.replace("stop_grace_period:", "stop_grace_periods:")],
        [
          "an unknown dependency",
          (s) => s.replace("functions: { condition", "funtions: { condition"),
        ],
        ["a bad type", (s) => s.replace("retries: 20", "retries: many")],
      ];
      for (const [what, edit] of broken) {
        const file = `${dir}/compose.yaml`;
        const changed = edit(text("compose.yaml"));
        assert(changed !== text("compose.yaml"), `the edit for ${what} applies`);
        await Deno.writeTextFile(file, changed);
        const result = await checkCompose(checker, file, ["versitygw"], ENV);
        assert(!result.ok, `${what} is refused`);
      }
      const missing = await checkCompose(checker, `${DIR}compose.yaml`, ["minio"], {});
      assert(!missing.ok && missing.error.includes("set CGML_S3_SECRET_KEY"), "secrets required");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("k8s manifests pass the Kubernetes schemas with no unknown field", async () => {
  const manifests = await readManifests(K8S);
  assertEquals(schemaErrors(manifests), []);
  const dir = await Deno.makeTempDir({ prefix: "cgml-k8s-" });
  try {
    assertEquals(await unknownFieldErrors(manifests, dir), "");
    const typo = structuredClone(manifests.find((m) => m.kind === "Deployment")!);
    typo.body.spec.template.spec.containers[0].imagePullPolicyy = "Always";
    assert((await unknownFieldErrors([typo], dir)).includes("imagePullPolicyy"), "typo found");
    const noSelector = structuredClone(typo);
    delete noSelector.body.spec.selector;
    assert(schemaErrors([noSelector])[0].includes("selector"), "missing field found");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("k8s manifests agree with the functions, the worker and the Dockerfiles", async () => {
  const manifests = await readManifests(K8S);
  const byName = (kind: string, name: string) =>
    manifests.find((m) => m.kind === kind && m.body.metadata.name === name)!.body;
  const notify = byName("ConfigMap", "minio-notify").data;
  const endpoint = new URL(notify.MINIO_NOTIFY_WEBHOOK_ENDPOINT_CGML);
  assertEquals(endpoint.pathname, WEBHOOK_PATH);
  assertEquals(endpoint.hostname, byName("Service", "cgml-functions").metadata.name);
  assert(notify["bucket-notification.xml"].includes(`<Queue>${MINIO_WEBHOOK_ARN}</Queue>`));
  assert(notify["bucket-notification.xml"].includes("<Value>inbox/</Value>"));
  const config = byName("ConfigMap", "cgml").data;
  assertEquals(new URL(config.CGML_STORE).hostname, byName("Service", "minio").metadata.name);
  const minioEnv = byName("StatefulSet", "minio").spec.template.spec.containers[0].env;
  assert(
    minioEnv.some((e: { name: string; valueFrom?: { secretKeyRef?: { key: string } } }) =>
      e.name === "MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_CGML" &&
      e.valueFrom?.secretKeyRef?.key === "CGML_WEBHOOK_TOKEN"
    ),
    "MinIO sends the functions' webhook token",
  );
  const worker = byName("Deployment", "cgml-worker").spec.template.spec.containers[0];
  assertEquals(worker.image, "cgml/worker:latest");
  const workerEnv = Object.fromEntries(
    worker.env.map((e: { name: string; value: string }) => [e.name, e.value]),
  );
  assertEquals(workerEnv.CGML_REQUIRE_GPU, "1");
  assertEquals(workerEnv.NVIDIA_DRIVER_CAPABILITIES, "compute,utility,graphics");
  assertEquals(worker.resources.limits["nvidia.com/gpu"], 1);
  const functions = byName("Deployment", "cgml-functions").spec.template.spec.containers[0];
  assertEquals(functions.image, "cgml/app:latest");
  const minioImage = byName("StatefulSet", "minio").spec.template.spec.containers[0].image;
  const compose = parse(text("compose.yaml"));
  assertEquals(minioImage, compose.services.minio.image, "k8s and compose run the same MinIO");
});

Deno.test("the Dockerfiles pin what the deploy files and the docs say", () => {
  const worker = text("worker.Dockerfile");
  assertEquals(worker.match(/^FROM denoland\/deno:2\.9\.6 AS (app|worker)$/gm)?.length, 2);
  assert(/apt-get install .*libvulkan1 mesa-vulkan-drivers/.test(worker), "Vulkan loader + Mesa");
  assert(worker.includes("NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics"));
  const minio = text("minio.Dockerfile");
  assert(minio.includes("ARG MINIO_VERSION=v0.0.0-20251015172955-9e49d5e7a648"));
  assert(/go install .*github\.com\/minio\/minio@\$\{MINIO_VERSION\}/.test(minio));
  const compose = parse(text("compose.yaml"));
  assertEquals(compose.services.minio.image, "cgml/minio:RELEASE.2025-10-15T17-29-55Z");
  assertEquals(compose.services.minio.build.dockerfile, "minio.Dockerfile");
  const vgw = text("versitygw.Dockerfile");
  assert(vgw.includes("ARG VERSITYGW_VERSION=v1.8.0"));
  assertEquals(compose.services.versitygw.image, "cgml/versitygw:v1.8.0");
});
