/**
 * The pipeline language: schema, safe parsing with positioned errors, the stage catalog, plans,
 * cache keys and decisions, and the `validate` / `plan` commands. No compute and no GPU code,
 * so the HTTP layer can validate pipeline files cheaply.
 *
 * ```ts
 * const result = compilePipeline({ file, text, overrides, sets });
 * if (result.plan === undefined) console.error(formatDiagnostics(result.errors, result.sources));
 * ```
 *
 * @module
 */

export {
  ArtifactRecord,
  cacheKey,
  type CacheReader,
  canonicalJson,
  decide,
  type DecideContext,
  type Decision,
  type DescribeChange,
  externalFingerprints,
  type Fingerprint,
  formatDecisions,
  type HashLookup,
  inputRefs,
  planRun,
  readRunRecord,
  RunRecord,
  sha256,
  StageRecord,
  stageRecord,
} from "./cache.ts";
export { artifactKey, lastRunKey, recordKey, runRecordKey } from "./store_keys.ts";
export {
  acceptedTypes,
  ARTIFACT_TYPES,
  type ArtifactInput,
  type ArtifactType,
  baselineTrain,
  CATALOG,
  cgmlTrain,
  classifierLinear,
  classifierLinearProbe,
  describeTypes,
  evalDenoise,
  featuresExtract,
  findStageType,
  imagesData,
  imagesEvaluate,
  imagesTask,
  imagesTrain,
  type InputSpec,
  mapsCorrupt,
  mnistData,
  MODEL_NAME_PATTERN,
  MODEL_REF_PATTERN,
  modelFeatures,
  modelInfer,
  modelLoad,
  modelnet,
  modelPublish,
  reportHtml,
  reportImages,
  spectralMaps,
  type StageParams,
  type StageType,
  stageTypeId,
  syntheticShapes,
  type TableInput,
  toyData,
  toyEvaluate,
  toyTrain,
} from "./catalog/mod.ts";
export {
  type CliArgs,
  type CliContext,
  type CliIo,
  type Command,
  type CommandOption,
  COMMANDS,
  compileFiles,
  EXIT_USAGE,
  main,
  parseArgs,
  planCommand,
  usage,
  validateCommand,
} from "./cli.ts";
export { type Diagnostic, formatDiagnostic, formatDiagnostics } from "./diagnostics.ts";
export { type BucketFingerprint, fingerprintPath, fingerprintRoots } from "./fingerprint.ts";
export { type OverrideFile, type ParamValues, resolveParams } from "./params.ts";
export { isOutputRef, type OutputRef, type ParsedPipeline, parsePipeline } from "./parse.ts";
export {
  buildPlan,
  type CompileInput,
  compilePipeline,
  type CompileResult,
  type InputValue,
  type Plan,
  type PlannedStage,
} from "./plan.ts";
export {
  durationMs,
  IDENTIFIER,
  MAX_TRIGGERS,
  type ParamSpec,
  PIPELINE_NAME as PIPELINE_FILE_NAME,
  PipelineFile,
  type Retry,
} from "./schema.ts";
export { type KeyPattern, matchPattern, MAX_PATTERN_BYTES, parsePattern } from "./glob.ts";
export {
  isReservedKey,
  RESERVED_PREFIXES,
  TRIGGER_VALUES,
  type TriggerSpec,
  type TriggerValues,
  triggerValues,
} from "./triggers.ts";
export {
  buildIndex,
  type IndexedPipeline,
  indexStoredPipeline,
  keyProblem,
  matchesAnyTrigger,
  matchObject,
  normalizeEtag,
  type ObjectEvent,
  planRefresh,
  scanPrefixes,
  storedPipelineName,
  TRIGGER_REJECTED_PREFIX,
  type TriggeredJob,
  triggerIdempotencyKey,
  type TriggerIndex,
  type TriggerMatch,
  triggerRejectionKey,
} from "./trigger_match.ts";
export {
  loadTriggerIndex,
  TriggerIndexCache,
  type TriggerIndexCacheOptions,
} from "./trigger_index.ts";
export {
  type ObjectEventDeps,
  type ObjectEventOutcome,
  submitObjectEvent,
  submitTriggeredObject,
  type TriggeredJobOutcome,
  type TriggerOutcome,
} from "./object_events.ts";
export {
  checkPipeline,
  describeIssues,
  type JobPayload,
  type JobRequest,
  JobRequestSchema,
  loadPipelineText,
  MAX_PIPELINE_BYTES,
  PIPELINE_NAME,
  PIPELINES_PREFIX,
  type PipelineSource,
  type PreparedJob,
  prepareJob,
  type RejectedJob,
} from "./jobs.ts";
export {
  INBOX_PREFIX,
  type InboxDeps,
  inboxIdempotencyKey,
  type InboxOutcome,
  isInboxRequest,
  MAX_INBOX_BYTES,
  REJECTED_PREFIX,
  rejectionKey,
  submitInboxObject,
} from "./inbox.ts";
