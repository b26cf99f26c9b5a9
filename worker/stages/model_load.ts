/**
 * `model.load@1`: a published model version (`<name>`, `<name>@<version>`, `<name>@latest`)
 * resolved when the stage runs — never cached, so `latest` follows new versions — and bundled
 * with its `version.json` record (name, version, content hash). Stages downstream take the
 * bundle as an input, so their cache keys cover the resolved version.
 * @module
 */
import {
  MODEL_FILES,
  parseModelRef,
  readModelFile,
  resolveModel,
  sha256Hex,
} from "../../infra/mod.ts";
import { modelLoad } from "../../pipelines/mod.ts";
import { packFiles } from "./formats/mod.ts";
import { implement } from "./stage.ts";

/** Resolves and reads the model. */
export default implement(modelLoad, async (ctx, p) => {
  if (p.model === "") {
    throw new Error(`Cannot load a model in "${ctx.id}": set its model, <name>[@<version>]`);
  }
  const record = await resolveModel(ctx.env.store, parseModelRef(p.model));
  const files = new Map<string, Uint8Array>();
  for (const f of record.files) {
    const bytes = await readModelFile(ctx.env.store, record, f.path);
    if (sha256Hex(bytes) !== f.sha256) {
      throw new Error(
        `Cannot load model ${record.name}@${record.version}: ${f.path} does not match the ` +
          "sha256 its version.json records",
      );
    }
    files.set(f.path, bytes);
  }
  files.set(MODEL_FILES.record, new TextEncoder().encode(JSON.stringify(record)));
  ctx.env.log(`${ctx.id}: ${p.model} is ${record.name}@${record.version}\n`);
  return { model: packFiles(files) };
});
