/**
 * The pipeline file as a schema of the OpenAPI document (`#/components/schemas/PipelineFile`),
 * derived from the pipeline language's own zod schema so the two cannot drift. It describes the
 * YAML bodies of `POST /v1/pipelines/validate` and `PUT /v1/pipelines/{name}` (the schema of the
 * parsed document; `application/yaml` is its serialization) and inline pipelines in
 * `POST /v1/jobs`. What it cannot state — stage types, their `with:` params, references between
 * stages — the compiler checks and answers with 422 and positioned diagnostics.
 *
 * @module
 */

import { z } from "zod";
import { PipelineFile } from "../pipelines/mod.ts";
import type { App } from "./context.ts";

/** A reference to the registered pipeline file schema. */
export const PIPELINE_FILE_REF = { $ref: "#/components/schemas/PipelineFile" } as const;

/** The JSON schema of a pipeline file as written (defaults optional). */
export function pipelineFileSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PipelineFile, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  delete schema.$schema;
  const properties = schema.properties as Record<string, Record<string, unknown>>;
  // A refinement zod cannot export: a pipeline has at least one stage.
  properties.stages = { ...properties.stages, minProperties: 1 };
  return {
    ...schema,
    description: "A pipeline file (version 1): params, stages and outputs",
    example: {
      version: 1,
      name: "tiny",
      stages: { data: { uses: "toy.data@1", with: { pairs: 64, truth: 16 } } },
    },
  };
}

/** Registers `PipelineFile` among the document's schemas. */
export function registerPipelineFileSchema(app: App): void {
  app.openAPIRegistry.registerComponent("schemas", "PipelineFile", pipelineFileSchema());
}
