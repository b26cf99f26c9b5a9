/**
 * The geometry every reader produces: vertices plus (possibly no) triangles. A shape without
 * triangles is a point list.
 */

/** A triangle mesh or, with no triangles, a point list. Coordinates are xyz interleaved. */
export interface Shape {
  /** Vertex (or point) coordinates, length 3·V. */
  vertices: Float64Array;
  /** Triangle vertex indices, length 3·T (0 for a point list). */
  triangles: Uint32Array;
}

/** Number of vertices (points) of a shape. */
export function vertexCount(shape: Shape): number {
  return shape.vertices.length / 3;
}

/** Number of triangles of a shape. */
export function triangleCount(shape: Shape): number {
  return shape.triangles.length / 3;
}

/** True when the shape is a point list (no triangles). */
export function isPointList(shape: Shape): boolean {
  return shape.triangles.length === 0;
}
