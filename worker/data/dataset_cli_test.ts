import { assert, assertEquals } from "../../testing/assert.ts";
import { modelnetFiles, putFiles, withFsStore } from "../../infra/datasets/_testing.ts";
import type { ObjectStore } from "../../infra/mod.ts";
import { type DatasetCliIo, datasetCommand } from "./dataset_cli.ts";
import { formatBytes, progressDisplay } from "./progress.ts";

function captureIo(terminal = false): DatasetCliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    stderrIsTerminal: terminal,
  };
}

Deno.test("the progress bar redraws in place on a terminal and prints tenths otherwise", () => {
  let clock = 0;
  const state = (files: number) => ({
    files,
    totalFiles: 20,
    bytes: files * 1024,
    totalBytes: 20 * 1024,
    skipped: files > 10 ? 1 : 0,
  });
  const lines: string[] = [];
  const plain = progressDisplay({
    write: (t) => lines.push(t),
    terminal: false,
    label: "push x",
    now: () => clock,
  });
  for (let f = 1; f <= 20; f++) {
    clock += 50;
    plain.update(state(f));
  }
  plain.finish();
  assertEquals(lines.length, 11, lines.join(""));
  assert(lines.every((l) => l.endsWith("\n") && !l.includes("\r")));
  assertEquals(lines[10], "push x: 20/20 files, 20.0 KiB/20.0 KiB, 20.0 KiB/s, 1 unchanged\n");
  const drawn: string[] = [];
  clock = 0;
  const bar = progressDisplay({
    write: (t) => drawn.push(t),
    terminal: true,
    label: "push x",
    now: () => clock,
  });
  for (let f = 1; f <= 20; f++) {
    clock += 30;
    bar.update(state(f));
  }
  bar.finish();
  assert(drawn.length >= 6 && drawn.length <= 9, `${drawn.length} redraws`);
  assert(drawn[0].startsWith("\r\x1b[2K[#-----------------------] push x: 1/20"), drawn[0]);
  assertEquals(drawn[drawn.length - 2].slice(0, 31), "\r\x1b[2K[########################]");
  assertEquals(drawn[drawn.length - 1], "\n");
  assertEquals([formatBytes(0), formatBytes(1536), formatBytes(5 * 2 ** 30)], [
    "0 B",
    "1.5 KiB",
    "5.0 GiB",
  ]);
});

Deno.test("dataset ls lists datasets and one dataset's classes; usage errors exit 2", async () => {
  await withFsStore(async (store: ObjectStore) => {
    const ctx = (io: DatasetCliIo) => ({ store, bucket: "cgml", io });
    const empty = captureIo();
    assertEquals(await datasetCommand(["ls"], ctx(empty)), 0);
    assert(empty.out.join("").startsWith("no datasets"));
    await putFiles(store, "datasets/shapes/", modelnetFiles(["chair", "desk"], 2));
    await putFiles(store, "datasets/other/", { "rows.csv": "x,y\n1,2\n" });
    const all = captureIo();
    assertEquals(await datasetCommand(["ls"], ctx(all)), 0);
    const text = all.out.join("");
    assert(/^dataset\s+objects\s+bytes\s+manifest\s+updated\n/.test(text), text);
    assert(/\nother\s+1\s+8 B\s+-\s+\d{4}-/.test(text) && /\nshapes\s+8\s+/.test(text), text);
    const one = captureIo();
    assertEquals(await datasetCommand(["ls", "shapes"], ctx(one)), 0);
    assert(one.out.join("").includes("dataset shapes: s3://cgml/datasets/shapes/\nobjects 8"));
    assert(/\nchair\s+2 \(\d+ B\)\s+2 \(\d+ B\)\s+-\n/.test(one.out.join("")), one.out.join(""));
    await store.put("datasets/shapes/manifest.json", '{"objects": [{"path": "gone.off"}]}');
    const broken = captureIo();
    assertEquals(await datasetCommand(["ls", "shapes"], ctx(broken)), 1);
    assert(broken.err.join("").includes("datasets/shapes/gone.off: manifest.json line 1"));
    const missing = captureIo();
    assertEquals(await datasetCommand(["ls", "nothing"], ctx(missing)), 1);
    assert(missing.err.join("").startsWith("Cannot find dataset nothing"));
    for (
      const argv of [[], ["pull"], ["push", "dir"], ["push", "a", "b", "--jobs", "0"], [
        "push",
        "a",
        "b",
        "--x",
      ], ["ls", "a", "b"]]
    ) {
      const io = captureIo();
      assertEquals(await datasetCommand(argv, ctx(io)), 2, argv.join(" "));
      assert(io.err.join("").includes("Usage: cgml dataset push"), argv.join(" "));
    }
    const badName = captureIo();
    assertEquals(await datasetCommand(["ls", "../x"], ctx(badName)), 1);
    assert(badName.err.join("").startsWith('Cannot use dataset name "../x"'));
  });
});
