/**
 * Data sets: multimodal (x, y) rows from toy curves or CSV files.
 * @module
 */
export {
  defaultNames,
  modeShares,
  type MultimodalData,
  selectRows,
  withModes,
} from "./multimodal.ts";
export {
  type Branch,
  PLUS_MINUS,
  sampleToy,
  THREE_BRANCHES,
  toyGrid,
  type ToyProblem,
  toyTruth,
} from "./toy.ts";
export { CsvDataError, formatMultimodalCsv, parseMultimodalCsv, readMultimodalCsv } from "./csv.ts";
