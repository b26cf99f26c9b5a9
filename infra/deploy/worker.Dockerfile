# The cGML image, built from the repository root:
#   docker build -f infra/deploy/worker.Dockerfile --target app -t cgml/app:latest .     # functions
#   docker build -f infra/deploy/worker.Dockerfile -t cgml/worker:latest .                # GPU worker
# denoland/deno has no Vulkan loader, so Deno's WebGPU would find no adapter at all. The worker
# stage adds the loader (libvulkan1) and Mesa's Vulkan drivers (llvmpipe, the CPU fallback
# adapter), and asks the NVIDIA container runtime for the graphics capability, which mounts the
# driver's Vulkan ICD. With CGML_REQUIRE_GPU=1 (set in the GPU deploy files) a fallback adapter
# is a start-up error, so a node without a working GPU never trains on the CPU unnoticed.
FROM denoland/deno:2.9.6 AS app
WORKDIR /app
RUN chown deno:deno /app
USER deno
COPY --chown=deno:deno deno.json deno.lock ./
RUN deno install --frozen
COPY --chown=deno:deno . .
RUN deno cache functions/main.ts worker/main.ts worker/cli.ts
ENV CGML_HOST=0.0.0.0 PORT=8000
EXPOSE 8000
CMD ["deno", "task", "functions"]

FROM denoland/deno:2.9.6 AS worker
RUN apt-get update \
  && apt-get install -y --no-install-recommends libvulkan1 mesa-vulkan-drivers \
  && rm -rf /var/lib/apt/lists/* \
  && mkdir -p /app /work && chown deno:deno /app /work
COPY --from=app --chown=deno:deno /deno-dir /deno-dir
COPY --from=app --chown=deno:deno /app /app
WORKDIR /app
USER deno
ENV NVIDIA_VISIBLE_DEVICES=all \
  NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics \
  CGML_WORK_DIR=/work
CMD ["deno", "task", "worker"]
