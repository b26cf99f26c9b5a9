import { assert, assertAllClose, assertEquals, assertRejects } from "../../testing/assert.ts";
import { decode } from "fast-png";
import { gpuTest } from "../gpu/_testing.ts";
import { main, parseArgs } from "./cli.ts";
import { shCount, zernikeCount } from "./indexing.ts";
import { parseShape } from "./io/read.ts";
import { OUTPUT_FILES, writeResult } from "./outputs.ts";
import { analyzeShapes, type SpectralOptions } from "./pipeline.ts";
import { spherePoints, torusMesh } from "./synthetic.ts";

const torus = torusMesh(0.55, 0.2, 32, 16);
const cloud = { vertices: spherePoints(1500, 2, 4), triangles: new Uint32Array(0) };
const shapes = [{ name: "torus", shape: torus }, { name: "cloud", shape: cloud }];

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

gpuTest(
  "pipeline: GPU batch agrees with the CPU reference (Zernike surface, solid, SH)",
  async (gpu) => {
    const cases: [SpectralOptions, number][] = [
      [{ basis: "zernike", order: 6, grid: 16 }, 1e-4],
      [{ basis: "sh", order: 5, grid: 16 }, 5e-2],
    ];
    for (const [opts, tol] of cases) {
      const progress: number[] = [];
      const onGpu = await analyzeShapes(shapes, {
        ...opts,
        onProgress: (done) => progress.push(done),
      }, gpu);
      const onCpu = await analyzeShapes(shapes, opts, null);
      assert(progress.at(-1) === 2, `progress reported (${progress})`);
      onGpu.forEach((r, i) => {
        const want = onCpu[i].coefficients;
        assertAllClose(r.coefficients, want, {
          atol: tol * maxAbs(want),
          rtol: 0,
          msg: `${opts.basis} ${r.name}`,
        });
        assert(Math.abs(r.metrics.voxelIou - onCpu[i].metrics.voxelIou) < 0.1, "similar IoU");
      });
    }
    const solid = { basis: "zernike", order: 4, grid: 16, solid: true } as const;
    const [g] = await analyzeShapes([shapes[0]], solid, gpu);
    const [c] = await analyzeShapes([shapes[0]], solid, null);
    assertAllClose(g.coefficients, c.coefficients, {
      atol: 1e-4 * maxAbs(c.coefficients),
      rtol: 0,
    });
    assert(
      c.metrics.spectralError !== undefined && c.metrics.spectralError < 1,
      "spectral error reported",
    );
    await assertRejects(() => analyzeShapes([shapes[1]], solid, null), RangeError, "point list");
  },
);

Deno.test("outputs: every file is written and readable", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (
      const opts of [{ basis: "zernike", order: 4, grid: 16 }, {
        basis: "sh",
        order: 3,
        grid: 16,
      }] as const
    ) {
      const [r] = await analyzeShapes([shapes[0]], opts, null);
      await writeResult(`${dir}/${opts.basis}`, r);
      for (const f of OUTPUT_FILES) {
        assert((await Deno.stat(`${dir}/${opts.basis}/${f}`)).size > 0, `${f} written`);
      }
      const read = async (f: string) =>
        JSON.parse(await Deno.readTextFile(`${dir}/${opts.basis}/${f}`));
      const coef = await read("coefficients.json");
      assertEquals(coef.length, opts.basis === "zernike" ? zernikeCount(4) : shCount(3));
      assertEquals(
        Object.keys(coef[1]),
        opts.basis === "zernike" ? ["n", "l", "m", "value"] : ["l", "m", "value"],
      );
      const map = await read("map.json");
      assertEquals([map.height, map.width], opts.basis === "zernike" ? [8, 8] : [4, 4]);
      assertEquals(map.mask.flat().reduce((s: number, v: number) => s + v, 0), coef.length);
      const metrics = await read("metrics.json");
      assert(
        metrics.voxelIou >= 0 && metrics.voxelIou <= 1 && metrics.chamfer > 0,
        "metrics in range",
      );
      const png = decode(await Deno.readFile(`${dir}/${opts.basis}/reconstruction.png`));
      assertEquals([png.width, png.height], [3 * 256 + 24, 2 * 256 + 18]);
      const ply = parseShape(
        "r.ply",
        await Deno.readFile(`${dir}/${opts.basis}/reconstruction.ply`),
      );
      assertEquals(ply.vertices.length, r.reconstruction.vertices.length);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CLI: arguments, a run on the CPU, a refused file", async () => {
  assertEquals(parseArgs(["a.off"])?.options.order, 16);
  assertEquals(parseArgs(["a.off", "--basis", "sh"])?.options.order, 15);
  assertEquals(parseArgs(["--help"]), null);
  for (
    const bad of [["a.off", "--order", "x"], ["a.off", "--basis", "fourier"], [], [
      "a.off",
      "--frob",
    ]]
  ) {
    let threw = false;
    try {
      parseArgs(bad);
    } catch (e) {
      threw = e instanceof RangeError && e.message.startsWith("Cannot");
    }
    assert(threw, `refuses ${bad.join(" ")}`);
  }
  const dir = await Deno.makeTempDir();
  try {
    const off = [
      "OFF",
      "4 4 0",
      "0 0 0",
      "1 0 0",
      "0 1 0",
      "0 0 1",
      "3 0 2 1",
      "3 0 1 3",
      "3 0 3 2",
      "3 1 2 3",
    ].join("\n");
    await Deno.writeTextFile(`${dir}/tet.off`, off);
    await Deno.writeTextFile(`${dir}/bad.off`, "OFF\n4 1 0\n0 0 0\n");
    assertEquals(
      await main([
        `${dir}/tet.off`,
        "--cpu",
        "--order",
        "4",
        "--grid",
        "16",
        "--out",
        `${dir}/out`,
      ]),
      0,
    );
    assertEquals(
      JSON.parse(await Deno.readTextFile(`${dir}/out/metrics.json`)).backend,
      "cpu (float64 reference)",
    );
    assertEquals(await main([`${dir}/bad.off`, "--cpu", "--out", `${dir}/out2`]), 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
