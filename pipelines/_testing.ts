/**
 * Helpers for the pipelines tests.
 *
 * @module
 */

/**
 * A valid pipeline named `name` (one `toy.data@1` stage, params `data` and `tag`) with the given
 * `triggers:` block (YAML lines indented by two).
 */
export function pipelineText(name: string, triggers: string): string {
  return `version: 1
name: ${name}
params:
  data: { type: object, default: { csv: "", pairs: 100 } }
  tag: { type: string, default: manual }
triggers:
${triggers}
stages:
  data:
    uses: toy.data@1
    with:
      csv: \${{ params.data.csv }}
      pairs: \${{ params.data.pairs }}
`;
}
