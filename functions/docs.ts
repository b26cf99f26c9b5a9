/**
 * The `/docs` page: the OpenAPI document rendered as one static HTML page — every route with
 * its parameters, request body, responses, schemas and an example body — with inline styles and
 * no script or CDN, so it works offline and behind strict content security policies.
 *
 * @module
 */

/** The parts of an OpenAPI 3.1 document the page reads. */
export interface OpenApiDoc {
  info?: { title?: string; version?: string; description?: string };
  paths?: Record<string, Record<string, unknown> | undefined>;
  components?: { schemas?: Record<string, unknown> };
}

type Schema = Record<string, unknown>;

interface Operation {
  summary?: string;
  description?: string;
  parameters?: {
    name: string;
    in: string;
    required?: boolean;
    schema?: Schema;
    description?: string;
  }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<
    string,
    { description?: string; content?: Record<string, { schema?: Schema }> }
  >;
}

const METHODS = ["get", "post", "put", "patch", "delete"];

const STYLE =
  `body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f5f5f5;padding:.6rem;overflow:auto}
section.op{border:1px solid #ddd;border-radius:6px;margin:1rem 0;padding:.4rem 1rem}
.m{display:inline-block;min-width:4.5rem;font-weight:bold;text-transform:uppercase}
.get{color:#1565c0}.post{color:#2e7d32}.put{color:#ef6c00}.delete{color:#c62828}.patch{color:#6a1b9a}
table{border-collapse:collapse;margin:.3rem 0}td,th{border-bottom:1px solid #eee;padding:.2rem .6rem;text-align:left;vertical-align:top}
nav a{display:block}`;

/** Renders `doc` as a standalone HTML page. */
export function renderApiDocs(doc: OpenApiDoc): string {
  const title = doc.info?.title ?? "API";
  const ops: { method: string; path: string; op: Operation }[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item?.[method] as Operation | undefined;
      if (op !== undefined) ops.push({ method, path, op });
    }
  }
  const schemas = doc.components?.schemas ?? {};
  const nav = ops.map(({ method, path, op }) =>
    `<a href="#${anchor(method, path)}"><span class="m ${method}">${method}</span><code>${
      esc(path)
    }</code> ${esc(op.summary ?? "")}</a>`
  );
  return `<!doctype html><html lang="en"><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${esc(title)}</title><style>${STYLE}</style>` +
    `<h1>${esc(title)} <small>${esc(doc.info?.version ?? "")}</small></h1>` +
    `<p>All <code>/v1/*</code> routes take <code>Authorization: Bearer &lt;token&gt;</code>. ` +
    `Errors are JSON <code>{"error": "Cannot …", "issues"?: […]}</code>; a method a path does ` +
    `not list answers 405 with <code>Allow</code>. Jobs: <code>POST …/cancel</code> stops one ` +
    `and keeps it; <code>DELETE</code> removes a finished one with its files. ` +
    `Machine-readable document: <a href="/openapi.json">/openapi.json</a>.</p>` +
    `<nav>${nav.join("")}</nav>` +
    ops.map(({ method, path, op }) => operationHtml(method, path, op, schemas)).join("") +
    (Object.keys(schemas).length > 0
      ? `<h2>Schemas</h2>` +
        Object.entries(schemas).map(([name, s]) =>
          `<section class="op" id="schema-${esc(name)}"><h3>${esc(name)}</h3>${
            schemaHtml(s as Schema)
          }</section>`
        ).join("")
      : "") +
    `</html>`;
}

function operationHtml(
  method: string,
  path: string,
  op: Operation,
  schemas: Record<string, unknown>,
): string {
  const parts = [
    `<section class="op" id="${anchor(method, path)}"><h3><span class="m ${method}">${method}` +
    `</span><code>${esc(path)}</code></h3>`,
  ];
  if (op.summary) parts.push(`<p>${esc(op.summary)}</p>`);
  if (op.description) parts.push(`<p>${esc(op.description)}</p>`);
  if (op.parameters?.length) {
    parts.push(
      `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th></th></tr>` +
        op.parameters.map((p) =>
          `<tr><td><code>${esc(p.name)}</code>${p.required ? " *" : ""}</td><td>${
            esc(p.in)
          }</td><td>${p.schema ? schemaHtml(p.schema) : ""}</td><td>${
            esc(p.description ?? "")
          }</td></tr>`
        ).join("") + `</table>`,
    );
  }
  for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
    parts.push(`<h4>Request body <code>${esc(type)}</code></h4>`);
    if (media.schema) parts.push(bodyHtml(media.schema, schemas));
  }
  const responses = Object.entries(op.responses ?? {});
  if (responses.length > 0) {
    parts.push(
      `<h4>Responses</h4><table>` +
        responses.map(([status, r]) => {
          const schema = Object.values(r.content ?? {})[0]?.schema;
          return `<tr><td><code>${esc(status)}</code></td><td>${esc(r.description ?? "")}${
            schema ? ` — ${schemaHtml(schema)}` : ""
          }</td></tr>`;
        }).join("") + `</table>`,
    );
  }
  parts.push(`</section>`);
  return parts.join("");
}

function bodyHtml(schema: Schema, schemas: Record<string, unknown>): string {
  return `${schemaHtml(schema)}<p>Example:</p><pre>${
    esc(JSON.stringify(exampleOf(schema, schemas), null, 2))
  }</pre>`;
}

/** A compact HTML rendering of a JSON schema: type, fields, constraints, references. */
function schemaHtml(schema: Schema, depth = 0): string {
  const ref = schema.$ref;
  if (typeof ref === "string") {
    const name = ref.split("/").at(-1)!;
    return `<a href="#schema-${esc(name)}"><code>${esc(name)}</code></a>`;
  }
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (alternatives?.some((a) => a.properties !== undefined) && depth < 4) {
    return alternatives.map((a) => schemaHtml(a, depth + 1)).join("<p>or</p>");
  }
  const props = schema.properties as Record<string, Schema> | undefined;
  if (props !== undefined && depth < 4) {
    const required = new Set((schema.required as string[] | undefined) ?? []);
    return `<table>${
      Object.entries(props).map(([name, s]) =>
        `<tr><td><code>${esc(name)}</code>${required.has(name) ? " *" : ""}</td><td>${
          schemaHtml(s, depth + 1)
        }</td></tr>`
      ).join("")
    }</table>`;
  }
  return `<code>${esc(typeText(schema))}</code>${
    schema.description ? ` — ${esc(String(schema.description))}` : ""
  }`;
}

function typeText(schema: Schema): string {
  if (typeof schema.$ref === "string") return schema.$ref.split("/").at(-1)!;
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const list = schema[key] as Schema[] | undefined;
    if (list) return list.map(typeText).join(key === "allOf" ? " & " : " | ");
  }
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const type = Array.isArray(schema.type) ? schema.type.join(" | ") : String(schema.type ?? "any");
  if (type === "array" && schema.items) return `${typeText(schema.items as Schema)}[]`;
  if (type === "object" && schema.properties === undefined) {
    const extra = schema.additionalProperties;
    const keys = (schema.propertyNames as Schema | undefined)?.pattern;
    const key = keys === undefined ? "key" : `key /${keys}/`;
    return typeof extra === "object" && extra !== null
      ? `{[${key}]: ${typeText(extra as Schema)}}`
      : "object";
  }
  if (schema.contentMediaType !== undefined) return `${type} (${schema.contentMediaType})`;
  const limits = [
    schema.minimum !== undefined ? `≥ ${schema.minimum}` : "",
    schema.maximum !== undefined ? `≤ ${schema.maximum}` : "",
    schema.minLength !== undefined ? `length ≥ ${schema.minLength}` : "",
    schema.maxLength !== undefined ? `length ≤ ${schema.maxLength}` : "",
    schema.pattern !== undefined ? `/${schema.pattern}/` : "",
    (schema.not as Schema | undefined)?.const !== undefined
      ? `not ${JSON.stringify((schema.not as Schema).const)}`
      : "",
  ].filter((s) => s !== "");
  return limits.length > 0 ? `${type} (${limits.join(", ")})` : type;
}

/** The schema's example, or one built from its fields; `$ref`s are looked up in `schemas`. */
export function exampleOf(
  schema: Schema,
  schemas: Record<string, unknown> = {},
  depth = 0,
): unknown {
  const ref = schema.$ref;
  if (typeof ref === "string") {
    const target = schemas[ref.split("/").at(-1)!] as Schema | undefined;
    return target !== undefined && depth <= 4 ? exampleOf(target, schemas, depth + 1) : null;
  }
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (depth > 4) return null;
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const list = schema[key] as Schema[] | undefined;
    if (list?.length) return exampleOf(list[0], schemas, depth + 1);
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  const props = schema.properties as Record<string, Schema> | undefined;
  if (props !== undefined) {
    return Object.fromEntries(
      Object.entries(props).map(([k, s]) => [k, exampleOf(s, schemas, depth + 1)]),
    );
  }
  if (type === "array") {
    return schema.items ? [exampleOf(schema.items as Schema, schemas, depth + 1)] : [];
  }
  if (type === "object") return {};
  if (type === "string") return "string";
  if (type === "integer" || type === "number") return schema.minimum ?? 0;
  if (type === "boolean") return false;
  return null;
}

function anchor(method: string, path: string): string {
  return `${method}-${path.replace(/[^A-Za-z0-9]+/g, "-")}`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
