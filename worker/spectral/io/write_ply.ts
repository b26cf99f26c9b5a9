/**
 * Writing point sets and meshes as ascii PLY.
 */

/** Ascii PLY text of xyz-interleaved points (and optional triangles). */
export function formatPly(
  points: ArrayLike<number>,
  triangles: ArrayLike<number> = [],
  comment?: string,
): string {
  const nv = points.length / 3;
  const nf = triangles.length / 3;
  const lines = ["ply", "format ascii 1.0"];
  if (comment) lines.push(`comment ${comment.replace(/\s+/g, " ")}`);
  lines.push(`element vertex ${nv}`, "property float x", "property float y", "property float z");
  if (nf > 0) lines.push(`element face ${nf}`, "property list uchar int vertex_indices");
  lines.push("end_header");
  for (let i = 0; i < nv; i++) {
    lines.push(`${num(points[3 * i])} ${num(points[3 * i + 1])} ${num(points[3 * i + 2])}`);
  }
  for (let f = 0; f < nf; f++) {
    lines.push(`3 ${triangles[3 * f]} ${triangles[3 * f + 1]} ${triangles[3 * f + 2]}`);
  }
  return lines.join("\n") + "\n";
}

function num(v: number): string {
  return Number(v.toPrecision(7)).toString();
}
