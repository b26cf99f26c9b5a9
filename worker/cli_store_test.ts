/**
 * [real S3] `deno task cgml run` honours `CGML_STORE` and the credentials exactly as the worker
 * does: against the S3 server its stage cache lives in the bucket, and a second run is all
 * cache HITs. A missing credential is refused at start naming the variable.
 */

import { assert, assertEquals } from "../testing/assert.ts";
import { s3Test, storeEnv, storeOn } from "../infra/s3/_testing.ts";
import { CHEAP_PIPELINE } from "./service/_testing.ts";

const CLI = new URL("./cli.ts", import.meta.url).pathname;

async function cgml(args: string[], env: Record<string, string>, cwd: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    env,
    cwd,
    stdin: "null",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

s3Test(
  "deno task cgml run keeps its stage cache in the S3 bucket; a rerun is all HITs",
  async (server) => {
    const dir = await Deno.makeTempDir({ prefix: "cgml-cli-s3-" });
    try {
      const file = `${dir}/cheap.yaml`;
      await Deno.writeTextFile(file, JSON.stringify(CHEAP_PIPELINE));
      const env = storeEnv(server, "cli-cache");
      const first = await cgml(["run", file, "--out", `${dir}/out1`], env, dir);
      assertEquals(first.code, 0, first.stderr);
      assert(/run \S+: 0\/2 stages from cache/.test(first.stdout), first.stdout);
      const store = await storeOn(server, "cli-cache");
      assertEquals(
        (await store.list("cache/")).items.length > 0,
        true,
        "cache records in the bucket",
      );
      await assertMissing(`${dir}/.cache/store`);
      const second = await cgml(["run", file, "--out", `${dir}/out2`], env, dir);
      assertEquals(second.code, 0, second.stderr);
      assert(/run \S+: 2\/2 stages from cache/.test(second.stdout), second.stdout);
      assertEquals((second.stderr.match(/ HIT /g) ?? []).length, 2, second.stderr);
      const refused = await cgml(["run", file], { ...env, CGML_S3_SECRET_KEY: "" }, dir);
      assertEquals(refused.code, 2);
      assert(refused.stderr.includes("CGML_S3_SECRET_KEY: required"), refused.stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

async function assertMissing(path: string): Promise<void> {
  try {
    await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  throw new Error(`${path} exists: the CLI used the filesystem store`);
}
