/**
 * Validates Kubernetes manifests with `kubernetes-models` (the Kubernetes OpenAPI schemas:
 * required fields, types, enums) and, for unknown or misspelt fields, which those schemas allow,
 * with the same package's TypeScript declarations: every document is written as an object
 * literal typed with its kind's interface and type-checked (`deno check`), so an excess property
 * is an error, as `kubeconform -strict` reports it. Test tooling.
 *
 * @module
 */

import { parseAllDocuments } from "yaml";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Service } from "kubernetes-models/v1/Service";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";

/** One manifest document. */
export interface Manifest {
  /** `file#index` for messages. */
  where: string;
  apiVersion: string;
  kind: string;
  // deno-lint-ignore no-explicit-any
  body: any;
}

// deno-lint-ignore no-explicit-any
type ModelClass = new (data: any) => { validate(): void };

/** The kinds the deploy files use: model class and the module of its TypeScript interface. */
const KINDS: Record<string, { model: ModelClass; module: string; type: string }> = {
  "v1/ConfigMap": { model: ConfigMap, module: "v1/ConfigMap", type: "IConfigMap" },
  "v1/Service": { model: Service, module: "v1/Service", type: "IService" },
  "apps/v1/Deployment": { model: Deployment, module: "apps/v1/Deployment", type: "IDeployment" },
  "apps/v1/StatefulSet": {
    model: StatefulSet,
    module: "apps/v1/StatefulSet",
    type: "IStatefulSet",
  },
};

/** Parses every YAML document of `files`; throws on YAML errors. */
export async function readManifests(files: string[]): Promise<Manifest[]> {
  const out: Manifest[] = [];
  for (const file of files) {
    const docs = parseAllDocuments(await Deno.readTextFile(file));
    if (!Array.isArray(docs)) throw new Error(`Cannot read ${file}: not a YAML stream`);
    for (const [i, doc] of docs.entries()) {
      if (doc.errors.length > 0) throw new Error(`Cannot read ${file}#${i}: ${doc.errors[0]}`);
      const body = doc.toJS();
      out.push({ where: `${file}#${i}`, apiVersion: body?.apiVersion, kind: body?.kind, body });
    }
  }
  return out;
}

/** Schema errors of the manifests, one line each (`[]`: all valid). */
export function schemaErrors(manifests: Manifest[]): string[] {
  const errors: string[] = [];
  for (const m of manifests) {
    const kind = KINDS[`${m.apiVersion}/${m.kind}`];
    if (!kind) {
      errors.push(`${m.where}: unsupported kind ${m.apiVersion}/${m.kind}`);
      continue;
    }
    try {
      new kind.model(m.body).validate();
    } catch (e) {
      errors.push(`${m.where}: ${(e as Error).message}`);
    }
  }
  return errors;
}

const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/**
 * Unknown-field errors: type-checks the manifests as typed object literals in a module written
 * to `dir` (a temporary folder; the project's deno.json resolves `kubernetes-models`). Returns
 * `deno check`'s diagnostics, or `""` when every field is known.
 */
export async function unknownFieldErrors(manifests: Manifest[], dir: string): Promise<string> {
  const lines: string[] = [];
  const imports = new Set<string>();
  for (const [i, m] of manifests.entries()) {
    const kind = KINDS[`${m.apiVersion}/${m.kind}`];
    if (!kind) continue;
    imports.add(`import type { ${kind.type} } from "kubernetes-models/${kind.module}";`);
    lines.push(`// ${m.where}\nexport const doc${i}: ${kind.type} = ${JSON.stringify(m.body)};`);
  }
  const file = `${dir}/manifests_typed.ts`;
  await Deno.writeTextFile(file, [...imports, ...lines, ""].join("\n"));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--quiet", "--config", CONFIG, file],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.success) return "";
  // deno-lint-ignore no-control-regex
  return new TextDecoder().decode(out.stderr).replace(/\x1b\[[0-9;]*m/g, "");
}
