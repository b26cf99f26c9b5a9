/**
 * The one PNG encoder of the worker (fast-png): 8-bit RGB pixels in, PNG bytes out.
 * @module
 */
import { encode } from "fast-png";

/** An 8-bit RGB image, rows top to bottom, 3 bytes per pixel. */
export interface RgbBytes {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Encodes an 8-bit RGB image as PNG. */
export function encodePng(img: RgbBytes): Uint8Array {
  if (img.data.length !== img.width * img.height * 3) {
    throw new RangeError(
      `Cannot encode PNG: ${img.width}×${img.height} RGB needs ${
        img.width * img.height * 3
      } bytes, got ${img.data.length}`,
    );
  }
  return encode({ width: img.width, height: img.height, data: img.data, channels: 3, depth: 8 });
}
