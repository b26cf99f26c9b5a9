import { assertEquals } from "../../../testing/assert.ts";
import { CONV_CLASSES, type ConvKind } from "../kernels/conv.ts";
import { convGeometry, phases } from "../kernels/conv_shape.ts";
import { convProblemShapes, TUNE_CONV, tuneFamilies } from "./families.ts";

Deno.test("each conv tuning problem has the GEMM its shape class is named after", () => {
  for (const kind of ["fwd", "dx", "dw"] as ConvKind[]) {
    for (const [name, shape] of Object.entries(CONV_CLASSES[kind])) {
      const { x, w } = convProblemShapes(kind, shape);
      const g = convGeometry("tune", x, w, TUNE_CONV);
      const gemm = kind === "fwd"
        ? [g.n * g.ho * g.wo, g.cout, g.kh * g.kw * g.cin]
        : kind === "dw"
        ? [g.kh * g.kw * g.cin, g.cout, g.n * g.ho * g.wo]
        : (() => {
          const ph = phases(g)[0];
          return [g.n * ph.hq * ph.wq, g.cin, ph.khp * ph.kwp * g.cout];
        })();
      assertEquals(gemm, [shape.m, shape.n, shape.k], `${kind} ${name}`);
    }
  }
});

Deno.test("a CPU adapter tries register blocks first, a GPU workgroup tiles", () => {
  assertEquals(tuneFamilies("cpu")[0].candidates[0], "cpu");
  assertEquals(tuneFamilies("gpu")[0].candidates[0], "gpu");
  assertEquals(tuneFamilies("cpu").map((f) => f.family), [
    "matmul",
    "conv_fwd",
    "conv_dx",
    "conv_dw",
    "reduce_rows",
  ]);
});
