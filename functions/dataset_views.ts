/**
 * Dataset routes over `infra/datasets`: list the datasets, describe one (objects and bytes per
 * class and split, the manifest hash), and store a checked manifest.
 *
 * `POST /v1/datasets/{name}/manifest` resolves the dataset (its `manifest.json` or
 * `manifest.csv` when there is one, else the folder layout), checks the layout (shapes under
 * `<class>/{train,test}/`, every class with both splits, two classes or more) and sniffs the
 * first 16 KiB of every object against the format its extension promises (functions do not
 * import the worker's mesh readers; the dataset stage parses every mesh in full). With no
 * problem it writes `datasets/<name>/manifest.json`, pinning each object's size and ETag, and
 * answers the stored manifest; otherwise 422 with every problem and its key in `issues`.
 *
 * @module
 */

import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import {
  DATASET_NAME,
  datasetOverview,
  datasetPrefix,
  describeDataset,
  formatManifestJson,
  listDatasetNames,
  loadDataset,
  summarize,
  validateDataset,
} from "../infra/mod.ts";
import { requireScope } from "./auth.ts";
import {
  type App,
  type AppContext,
  errorJson,
  errorResponse,
  ERRORS,
  type HandlerOf,
} from "./context.ts";

const Name = z.string().regex(DATASET_NAME).openapi({
  param: { name: "name", in: "path" },
  description: "A dataset name: 1 to 128 of `A-Z a-z 0-9 . _ -`, not `.` or `..`",
  example: "shapes",
});

const Tally = z.object({ objects: z.number().int(), bytes: z.number().int() }).openapi("Tally");

const Overview = z.object({
  name: z.string(),
  prefix: z.string(),
  objects: z.number().int().describe("data objects (manifests, hidden files, markers left out)"),
  bytes: z.number().int(),
  manifest: z.enum(["manifest.json", "manifest.csv"]).nullable(),
  lastModified: z.string(),
}).openapi("DatasetOverview");

const Problem = z.object({ key: z.string(), message: z.string() }).openapi("DatasetProblem");

const Description = z.object({
  name: z.string(),
  prefix: z.string(),
  source: z.enum(["listing", "manifest.json", "manifest.csv"]),
  hash: z.string().nullable().describe(
    "sha256 of the entries (path, size, ETag, class, split); null when the manifest file " +
      "cannot be read",
  ),
  objects: z.number().int(),
  bytes: z.number().int(),
  classes: z.array(z.object({ class: z.string(), train: Tally, test: Tally, none: Tally })),
  unclassified: Tally,
  problems: z.array(Problem).describe("problems of the manifest file, each with its key"),
  unlisted: z.number().int().describe("data objects under the prefix that the manifest leaves out"),
}).openapi("Dataset");

const Stored = Description.extend({ key: z.string() }).openapi("StoredManifest");

/** Registers the dataset list, description and manifest routes. */
export function registerDatasetViews(app: App, ctx: AppContext): void {
  const read = requireScope(ctx.config.apiTokens, "read");
  const write = requireScope(ctx.config.apiTokens, "write");

  app.openapi(listDatasetsRoute(read), listDatasets(ctx));
  app.openapi(showDatasetRoute(read), showDataset(ctx));
  app.openapi(storeManifestRoute(write), storeManifest(ctx));
}

/** `GET /v1/datasets`: one page of dataset overviews. */
function listDatasetsRoute(auth: MiddlewareHandler) {
  return createRoute({
    method: "get",
    path: "/v1/datasets",
    summary: "List datasets (objects and bytes from the listing, whether a manifest is stored)",
    middleware: [auth] as const,
    request: {
      query: z.object({
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        after: z.string().regex(DATASET_NAME).optional(),
      }),
    },
    responses: {
      200: {
        description: "One page of datasets in key order; pass `next` as `after` for the next",
        content: {
          "application/json": {
            schema: z.object({ datasets: z.array(Overview), next: z.string().optional() }),
          },
        },
      },
      ...ERRORS,
    },
  });
}

/** One page of dataset overviews (datasets gone since the listing left out) and `next`. */
function listDatasets(ctx: AppContext): HandlerOf<typeof listDatasetsRoute> {
  return async (c) => {
    const { limit, after } = c.req.valid("query");
    const page = await listDatasetNames(ctx.store, { limit, after });
    const datasets = [];
    for (const name of page.names) {
      const overview = await datasetOverview(ctx.store, name);
      if (overview !== null) datasets.push(overview);
    }
    return c.json({ datasets, next: page.next }, 200);
  };
}

/** `GET /v1/datasets/{name}`: a dataset's objects and bytes per class and split. */
function showDatasetRoute(auth: MiddlewareHandler) {
  return createRoute({
    method: "get",
    path: "/v1/datasets/{name}",
    summary: "A dataset: objects and bytes per class and split, its manifest hash and source",
    middleware: [auth] as const,
    request: { params: z.object({ name: Name }) },
    responses: {
      200: {
        description: "The dataset",
        content: { "application/json": { schema: Description } },
      },
      404: errorResponse("Nothing is stored under `datasets/<name>/`"),
      ...ERRORS,
    },
  });
}

/** The dataset's description, or 404 when nothing is stored under its prefix. */
function showDataset(ctx: AppContext): HandlerOf<typeof showDatasetRoute> {
  return async (c) => {
    const { name } = c.req.valid("param");
    const description = await describeDataset(ctx.store, name);
    if (description === null) {
      return c.json(
        { error: `Cannot find dataset ${name}: no objects under datasets/${name}/` },
        404,
      );
    }
    return c.json(description, 200);
  };
}

/** `POST /v1/datasets/{name}/manifest`: check a dataset and store its manifest. */
function storeManifestRoute(auth: MiddlewareHandler) {
  return createRoute({
    method: "post",
    path: "/v1/datasets/{name}/manifest",
    summary: "Check the dataset (layout and a header sniff of every object) and store its " +
      "manifest as `datasets/<name>/manifest.json`",
    middleware: [auth] as const,
    request: { params: z.object({ name: Name }) },
    responses: {
      200: {
        description: "Stored: every object pinned by size and ETag",
        content: { "application/json": { schema: Stored } },
      },
      404: errorResponse("Nothing is stored under `datasets/<name>/`"),
      409: errorResponse("The manifest was written by someone else meanwhile: retry"),
      422: errorResponse(
        "The dataset has problems; `issues` lists each as `{key, message}` and nothing is stored",
      ),
      ...ERRORS,
    },
  });
}

/**
 * Checks the dataset and writes `manifest.json` (conditionally); 404 when empty, 422 with every
 * problem.
 */
function storeManifest(ctx: AppContext): HandlerOf<typeof storeManifestRoute> {
  return async (c) => {
    const { name } = c.req.valid("param");
    const prefix = datasetPrefix(name);
    const loaded = await loadDataset(ctx.store, prefix, { ignorePins: true });
    if (loaded.objects.length === 0) {
      return errorJson(
        c,
        `Cannot store the manifest of ${name}: no objects under ${prefix}`,
        404,
      );
    }
    const problems = loaded.manifest === null
      ? loaded.problems
      : [...loaded.problems, ...await validateDataset(ctx.store, loaded.manifest)];
    if (loaded.manifest === null || problems.length > 0) {
      const n = problems.length;
      return errorJson(
        c,
        `Cannot store the manifest of ${name}: ${n} problem${n === 1 ? "" : "s"} (see issues)`,
        422,
        problems,
      );
    }
    const key = `${prefix}manifest.json`;
    const current = loaded.objects.find((o) => o.key === key);
    await ctx.store.put(key, formatManifestJson(loaded.manifest), {
      contentType: "application/json",
      ...(current === undefined ? { ifNoneMatch: "*" as const } : { ifMatch: current.etag }),
    });
    const manifest = loaded.manifest;
    return c.json({
      name,
      prefix,
      key,
      source: "manifest.json" as const,
      hash: manifest.hash,
      ...summarize(manifest),
      problems: [],
      unlisted: 0,
    }, 200);
  };
}
