import { assert, assertEquals } from "../testing/assert.ts";
import { type CliIo, type Command, COMMANDS, EXIT_USAGE, main, parseArgs } from "./cli.ts";

function fakeIo(files: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    readTextFile: (path) =>
      Object.hasOwn(files, path)
        ? Promise.resolve(files[path])
        : Promise.reject(new Deno.errors.NotFound("No such file")),
  };
  return { io, out, err };
}

const GOOD = "version: 1\nname: toy\nparams:\n  seed: {type: int, default: 0}\nstages:\n  data:\n" +
  "    uses: toy.data@1\n    with:\n      seed: ${{ params.seed }}\n";
const BAD = "version: 1\nname: toy\nstages:\n  data:\n    uses: toy.dat@1\n    retires: 2\n";

Deno.test("parseArgs reads the command, the file, -f, --set, --out and --resume", () => {
  assertEquals(
    parseArgs(["plan", "p.yaml", "-f", "a.yaml", "--set", "x=1", "--set=y.z=2", "--file=b.yaml"]),
    {
      command: "plan",
      file: "p.yaml",
      overrides: ["a.yaml", "b.yaml"],
      sets: ["x=1", "y.z=2"],
    },
  );
  assertEquals(parseArgs(["run", "p.yaml", "--out", "dir", "--resume", "r_1"]), {
    command: "run",
    file: "p.yaml",
    overrides: [],
    sets: [],
    out: "dir",
    resume: "r_1",
  });
  assertEquals(parseArgs(["plan"]), { error: 'Cannot run "plan": name a pipeline file' });
  assertEquals(parseArgs(["plan", "p.yaml", "--set"]), {
    error: "Cannot read --set: it needs a value",
  });
  assertEquals(parseArgs(["plan", "p.yaml", "--dry"]), {
    error: 'Cannot read option "--dry": unknown option',
  });
  assertEquals(parseArgs(["plan", "a", "b"]), { error: 'Cannot read "b": unexpected argument' });
});

Deno.test("parseArgs reads --seeds as distinct non-negative integers; only run takes it", async () => {
  assertEquals(parseArgs(["run", "p.yaml", "--seeds", "0,1, 2"]), {
    command: "run",
    file: "p.yaml",
    overrides: [],
    sets: [],
    seeds: [0, 1, 2],
  });
  assertEquals((parseArgs(["run", "p.yaml", "--seeds=7"]) as { seeds: number[] }).seeds, [7]);
  assertEquals(parseArgs(["run", "p.yaml", "--seeds", "0,-1"]), {
    error:
      'Cannot read --seeds "0,-1": give non-negative integers separated by commas (e.g. 0,1,2)',
  });
  assertEquals(parseArgs(["run", "p.yaml", "--seeds", "1,,2"]), {
    error:
      'Cannot read --seeds "1,,2": give non-negative integers separated by commas (e.g. 0,1,2)',
  });
  assertEquals(parseArgs(["run", "p.yaml", "--seeds", "3,1,3"]), {
    error: 'Cannot read --seeds "3,1,3": seed 3 is given twice',
  });
  const { io, err } = fakeIo({ "good.yaml": GOOD });
  assertEquals(await main(["plan", "good.yaml", "--seeds", "0,1"], { io }), EXIT_USAGE);
  assert(err.join("").startsWith('Cannot use --seeds with "plan"'), err.join(""));
});

Deno.test("validate exits 0 on a good file and 1 with every error on a bad one", async () => {
  const { io, out, err } = fakeIo({ "good.yaml": GOOD, "bad.yaml": BAD });
  assertEquals(await main(["validate", "good.yaml"], { io }), 0);
  assertEquals(out.join(""), 'good.yaml: ok (pipeline "toy", 1 stage)\n');
  assertEquals(await main(["validate", "bad.yaml"], { io }), 1);
  const text = err.join("");
  assert(
    text.includes(
      'bad.yaml:5:11  stages.data.uses  Cannot find stage type "toy.dat@1" (did you mean "toy.data@1"?)',
    ),
    text,
  );
  assert(
    text.includes(
      'bad.yaml:6:5  stages.data.retires  Cannot accept key "retires": unknown key (did you mean "retry"?)',
    ),
    text,
  );
  assert(text.endsWith("2 errors\n"), text);
});

Deno.test("validate applies -f and --set and reports their errors", async () => {
  const { io, err } = fakeIo({ "good.yaml": GOOD, "o.yaml": "params:\n  seed: -1.5\n" });
  assertEquals(await main(["validate", "good.yaml", "-f", "o.yaml", "--set", "sed=2"], { io }), 1);
  const text = err.join("");
  assert(
    text.includes('o.yaml:2:9  params.seed  Cannot set param "seed" to -1.5: expected an integer'),
    text,
  );
  assert(
    text.includes(
      '--set sed=2  params.sed  Cannot set param "sed": no such param (did you mean "seed"?)',
    ),
    text,
  );
  assertEquals(await main(["validate", "missing.yaml"], { io }), 1);
  assert(err.at(-1)!.startsWith('Cannot read "missing.yaml": No such file'));
});

Deno.test("plan prints params and a decision per stage", async () => {
  const { io, out } = fakeIo({ "good.yaml": GOOD });
  assertEquals(await main(["plan", "good.yaml", "--set", "seed=4"], { io }), 0);
  assertEquals(
    out.join(""),
    "pipeline toy (1 stage)\nparams\n  seed = 4\ndata  toy.data@1  MISS no cache store\n0 HIT, 1 MISS, 0 RUN\n",
  );
});

Deno.test("usage errors exit 2; commands from worker/ extend the CLI with their options", async () => {
  const { io, err } = fakeIo({ "good.yaml": GOOD });
  assertEquals(await main([], { io }), EXIT_USAGE);
  assertEquals(await main(["explode", "good.yaml"], { io }), EXIT_USAGE);
  assert(err.at(-1)!.startsWith('Cannot run "explode": unknown command'));
  assertEquals(await main(["validate", "good.yaml", "--out", "d"], { io }), EXIT_USAGE);
  assert(err.at(-1)!.startsWith('Cannot use --out with "validate"'));
  let seen: unknown;
  const run: Command = {
    summary: "run a pipeline",
    options: ["out", "resume"],
    run(args) {
      seen = args;
      return Promise.resolve(0);
    },
  };
  assertEquals(
    await main(["run", "good.yaml", "--out", "d"], { io, commands: { ...COMMANDS, run } }),
    0,
  );
  assertEquals(seen, { command: "run", file: "good.yaml", overrides: [], sets: [], out: "d" });
});
