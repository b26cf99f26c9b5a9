/**
 * The worker service: claims jobs from the queue, runs their pipelines on the shared GPU, keeps
 * leases alive, scans the inbox and the triggers' prefixes, and stops gracefully.
 * @module
 */
export { type WorkerOptions, WorkerService, type WorkerStats } from "./service.ts";
export { createPipelineRunner, type PipelineRunnerOptions } from "./pipeline_runner.ts";
export { type PipelineRunner, type RunRequest } from "./job.ts";
export { InboxReconciler, type ScanReport } from "./reconcile.ts";
