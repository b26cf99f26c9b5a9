import { assertEquals, assertThrows } from "../testing/assert.ts";
import { ConfigError, loadGpuConfig } from "./config.ts";

Deno.test("GPU config defaults: tuned kernels, any adapter, cache under XDG or home", () => {
  assertEquals(loadGpuConfig({ HOME: "/home/u" }), {
    profile: "auto",
    requireGpu: false,
    tuneCacheDir: "/home/u/.cache/cgml",
  });
  assertEquals(
    loadGpuConfig({ HOME: "/home/u", XDG_CACHE_HOME: "/xdg" }).tuneCacheDir,
    "/xdg/cgml",
  );
  assertEquals(loadGpuConfig({ CGML_CACHE: "/c", XDG_CACHE_HOME: "/xdg" }).tuneCacheDir, "/c");
});

Deno.test("GPU config reads a fixed profile and CGML_REQUIRE_GPU as 1 or true", () => {
  const c = loadGpuConfig({ CGML_GPU_PROFILE: "gpu", CGML_REQUIRE_GPU: "true", CGML_CACHE: "/c" });
  assertEquals(c, { profile: "gpu", requireGpu: true, tuneCacheDir: "/c" });
  assertEquals(loadGpuConfig({ CGML_REQUIRE_GPU: "1", HOME: "/h" }).requireGpu, true);
  assertEquals(loadGpuConfig({ CGML_REQUIRE_GPU: "0", HOME: "/h" }).requireGpu, false);
  assertEquals(loadGpuConfig({ CGML_GPU_PROFILE: "", HOME: "/h" }).profile, "auto");
});

Deno.test("GPU config refuses bad values, naming each variable", () => {
  const err = assertThrows(
    () => loadGpuConfig({ CGML_GPU_PROFILE: "fast", CGML_REQUIRE_GPU: "yes", CGML_CACHE: "rel" }),
    ConfigError,
  );
  for (const name of ["CGML_GPU_PROFILE", "CGML_REQUIRE_GPU", "CGML_CACHE"]) {
    assertEquals(err.message.includes(name), true, `${name} in ${err.message}`);
  }
});
