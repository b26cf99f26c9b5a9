/**
 * Stage implementations by catalog stage type name (`pipelines/catalog.ts`), one module each.
 * @module
 */
import { run as baselineTrain } from "./baseline_train.ts";
import { run as cgmlTrain } from "./cgml_train.ts";
import { run as classifierLinear } from "./classifier_linear.ts";
import { run as mapsCorrupt } from "./corrupt.ts";
import { run as evalDenoise } from "./eval_denoise.ts";
import { run as featuresExtract } from "./features_extract.ts";
import { run as imagesData } from "./images_data.ts";
import { run as imagesEvaluate } from "./images_evaluate.ts";
import { run as imagesTask } from "./images_task.ts";
import { run as imagesTrain } from "./images_train.ts";
import { run as mnistData } from "./mnist_data.ts";
import { run as modelnet } from "./modelnet.ts";
import { run as reportHtml } from "./report_html.ts";
import { run as reportImages } from "./report_images.ts";
import { run as spectralMaps } from "./spectral_maps.ts";
import { run as syntheticShapes } from "./synthetic_shapes.ts";
import { run as toyData } from "./toy_data.ts";
import { run as toyEvaluate } from "./toy_evaluate.ts";
import { run as toyTrain } from "./toy_train.ts";
import type { StageImpl } from "./types.ts";

export type { StageContext, StageImpl, StageProgress } from "./types.ts";

/** Every implemented stage type. */
export const STAGES: Readonly<Record<string, StageImpl>> = {
  "dataset.synthetic_shapes": syntheticShapes,
  "dataset.modelnet": modelnet,
  "spectral.maps": spectralMaps,
  "maps.corrupt": mapsCorrupt,
  "cgml.train": cgmlTrain,
  "baseline.train": baselineTrain,
  "eval.denoise": evalDenoise,
  "features.extract": featuresExtract,
  "classifier.linear": classifierLinear,
  "report.html": reportHtml,
  "toy.data": toyData,
  "toy.train": toyTrain,
  "toy.evaluate": toyEvaluate,
  "dataset.mnist": mnistData,
  "dataset.images": imagesData,
  "images.task": imagesTask,
  "images.train": imagesTrain,
  "images.evaluate": imagesEvaluate,
  "report.images": reportImages,
};
