/**
 * Stage implementations by catalog stage type `name@version` (`pipelines/catalog/`), one
 * module each: thin adapters that parse their params with the catalog's schema, call a model or
 * a data/eval function and encode the outputs (`formats/`). A catalog entry without an
 * implementation of exactly its version has none: `name@2` never runs `name@1` code.
 * @module
 */
import baselineTrain from "./baseline_train.ts";
import cgmlTrain from "./cgml_train.ts";
import classifierLinear, { withProbe as classifierLinearProbe } from "./classifier_linear.ts";
import mapsCorrupt from "./corrupt.ts";
import evalDenoise from "./eval_denoise.ts";
import featuresExtract from "./features_extract.ts";
import imagesData from "./images_data.ts";
import imagesEvaluate from "./images_evaluate.ts";
import imagesTask from "./images_task.ts";
import imagesTrain from "./images_train.ts";
import mnistData from "./mnist_data.ts";
import modelFeatures from "./model_features.ts";
import modelInfer from "./model_infer.ts";
import modelLoad from "./model_load.ts";
import modelPublish from "./model_publish.ts";
import modelnet from "./modelnet.ts";
import reportHtml from "./report_html.ts";
import reportImages from "./report_images.ts";
import spectralMaps from "./spectral_maps.ts";
import syntheticShapes from "./synthetic_shapes.ts";
import toyData from "./toy_data.ts";
import toyEvaluate from "./toy_evaluate.ts";
import toyTrain from "./toy_train.ts";
import type { StageImpl } from "./stage.ts";

export {
  implement,
  type StageBinding,
  type StageContext,
  type StageEnv,
  type StageImpl,
  type StageOutputs,
  type StageProgress,
  tableRows,
} from "./stage.ts";

export { packFiles, unpackFiles } from "./formats/mod.ts";

/** Every implemented stage type, keyed by `name@version`. */
export const STAGES: Readonly<Record<string, StageImpl>> = Object.fromEntries(
  [
    syntheticShapes,
    modelnet,
    spectralMaps,
    mapsCorrupt,
    cgmlTrain,
    baselineTrain,
    evalDenoise,
    featuresExtract,
    classifierLinear,
    classifierLinearProbe,
    reportHtml,
    toyData,
    toyTrain,
    toyEvaluate,
    mnistData,
    imagesData,
    imagesTask,
    imagesTrain,
    imagesEvaluate,
    reportImages,
    modelPublish,
    modelLoad,
    modelInfer,
    modelFeatures,
  ].map((b) => [b.id, b.run]),
);
