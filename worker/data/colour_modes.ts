/**
 * Generated colorization data with known colour modes (issue 14): every image is a neutral grey
 * background (a = b = 0, lightness with a gentle gradient) holding one or two objects; the
 * object's shape class fixes a small set of possible hues with known odds (discs red or blue
 * 50/50, squares green or yellow 70/30, triangles always purple). The class shows in the
 * lightness image twice: by the shape, and by a lightness band per class (discs 40–50, squares
 * 50–60, triangles 60–70), which lets a small network tell the classes apart within a CPU budget
 * (with shape alone, 16 epochs on 960 images of 16×16 were not enough). The hues of a class share
 * its band and are drawn at equal chroma, so lightness never tells which of its class's hues an
 * object has: the (a, b) a colorizer should produce is one of the class's hues, with the odds.
 *
 * Colours are placed in CIE L*a*b* (D65) and converted to sRGB; every hue of
 * {@link COLOUR_MODE_CLASSES} stays inside the sRGB gamut for the whole object lightness range
 * (checked by a test), so the (a, b) of the stored image is the hue's (a, b).
 * @module
 */
import { Rng } from "../lib/mod.ts";
import { labToRgb } from "./color.ts";

/** One possible colour of a class: a hue angle and chroma in the (a, b) plane. */
export interface ColourHue {
  name: string;
  /** Hue angle h in degrees (a = C·cos h, b = C·sin h). */
  angle: number;
  /** Chroma C. */
  chroma: number;
  /** Probability of this hue within its class. */
  odds: number;
}

/** A shape class and its possible hues. */
export interface ColourClass {
  name: string;
  shape: "disc" | "square" | "triangle";
  hues: ColourHue[];
  /** Lightness band of the class's objects (all its hues share it). */
  lightness: readonly [number, number];
}

/** The classes: two bimodal ones with different odds and a unimodal control. */
export const COLOUR_MODE_CLASSES: readonly ColourClass[] = [
  {
    name: "disc",
    shape: "disc",
    hues: [
      { name: "red", angle: 30, chroma: 45, odds: 0.5 },
      { name: "blue", angle: 285, chroma: 40, odds: 0.5 },
    ],
    lightness: [40, 50],
  },
  {
    name: "square",
    shape: "square",
    hues: [
      { name: "green", angle: 150, chroma: 45, odds: 0.7 },
      { name: "yellow", angle: 90, chroma: 45, odds: 0.3 },
    ],
    lightness: [50, 60],
  },
  {
    name: "triangle",
    shape: "triangle",
    hues: [{ name: "purple", angle: 320, chroma: 45, odds: 1 }],
    lightness: [60, 70],
  },
];

/** Lightness range of all objects (every hue is in gamut over it; classes use bands of it). */
export const OBJECT_LIGHTNESS: readonly [number, number] = [40, 70];
/** Lightness range of the background's centre. */
export const BACKGROUND_LIGHTNESS: readonly [number, number] = [20, 90];
/** Smallest lightness difference between an object and the background behind it. */
export const MIN_CONTRAST = 12;

/** The hue odds of each class (class → hue → odds), the truth colour-mode shares are set against. */
export function colourModeOdds(
  classes: readonly ColourClass[] = COLOUR_MODE_CLASSES,
): Record<string, Record<string, number>> {
  return Object.fromEntries(
    classes.map((c) => [c.name, Object.fromEntries(c.hues.map((h) => [h.name, h.odds]))]),
  );
}

/** (a, b) of a hue. */
export function hueAb(hue: Pick<ColourHue, "angle" | "chroma">): [number, number] {
  const r = (hue.angle * Math.PI) / 180;
  return [hue.chroma * Math.cos(r), hue.chroma * Math.sin(r)];
}

/** The objects of a generated set: one entry per object, and a region map per image. */
export interface ColourObjects {
  /** The classes (names, hues, odds) the indices below refer to. */
  classes: ColourClass[];
  /** Image index of each object. */
  image: Int32Array;
  /** Class index of each object. */
  cls: Int32Array;
  /** Hue index (within its class) of each object. */
  hue: Int32Array;
  /** [count, H, W]: 0 for background, else 1 + the object's index within its image. */
  regions: Int32Array;
}

/** Images with known colour modes: [count, size, size, 3] sRGB in [0, 1] and their objects. */
export interface ColourModeImages {
  pixels: Float32Array;
  objects: ColourObjects;
}

/** Options of {@link generateColourModeImages}. */
export interface ColourModeOptions {
  /** Classes to draw from (default {@link COLOUR_MODE_CLASSES}). */
  classes?: readonly ColourClass[];
  /** Most objects per image (default 2; each image has 1 … max). */
  maxObjects?: number;
}

type Inside = (x: number, y: number) => boolean;

/** Inside-test of one object of `shape`, centred at (cx, cy) in pixels, radius-like size r. */
function shapeTest(shape: ColourClass["shape"], cx: number, cy: number, r: number, t: number) {
  if (shape === "disc") return (x: number, y: number) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  if (shape === "square") {
    const h = r * 0.85;
    return (x: number, y: number) => Math.abs(x - cx) <= h && Math.abs(y - cy) <= h;
  }
  const v = [0, 1, 2].map((k) => {
    const a = t + (2 * Math.PI * k) / 3;
    return [cx + 1.25 * r * Math.cos(a), cy + 1.25 * r * Math.sin(a)];
  });
  const side = (p: number[], q: number[], x: number, y: number) =>
    (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0]);
  return (x: number, y: number) => {
    const s = [side(v[0], v[1], x, y), side(v[1], v[2], x, y), side(v[2], v[0], x, y)];
    return s.every((d) => d >= 0) || s.every((d) => d <= 0);
  };
}

function pickHue(rng: Rng, hues: readonly ColourHue[]): number {
  let u = rng.uniform();
  for (let i = 0; i < hues.length; i++) {
    u -= hues[i].odds;
    if (u < 0) return i;
  }
  return hues.length - 1;
}

function checkClasses(classes: readonly ColourClass[]): void {
  if (classes.length === 0) throw new RangeError("Cannot generate images: no colour classes");
  for (const c of classes) {
    const total = c.hues.reduce((s, h) => s + h.odds, 0);
    if (c.hues.length === 0 || Math.abs(total - 1) > 1e-9) {
      throw new RangeError(`Cannot use colour class ${c.name}: its hue odds sum to ${total}`);
    }
  }
}

interface Placed {
  inside: Inside;
  cx: number;
  cy: number;
  r: number;
  lightness: number;
}

/**
 * A free spot for an object of `shape` among `placed`, with its lightness at least
 * {@link MIN_CONTRAST} from the background behind its centre; undefined after `tries` failures.
 */
function place(
  rng: Rng,
  { shape, lightness: band }: ColourClass,
  size: number,
  placed: readonly Placed[],
  background: (x: number, y: number) => number,
  tries: number,
): Placed | undefined {
  for (let attempt = 0; attempt < tries; attempt++) {
    const r = rng.uniform(0.18, 0.28) * size;
    const cx = rng.uniform(r + 0.5, size - r - 0.5), cy = rng.uniform(r + 0.5, size - r - 0.5);
    const t = rng.uniform(0, 2 * Math.PI);
    const lightness = rng.uniform(...band);
    const free = placed.every((p) => Math.hypot(p.cx - cx, p.cy - cy) > 1.3 * (p.r + r) + 1);
    if (free && Math.abs(lightness - background(cx, cy)) >= MIN_CONTRAST) {
      return { inside: shapeTest(shape, cx, cy, r, t), cx, cy, r, lightness };
    }
  }
  return undefined;
}

/** A grey background's lightness at (x, y): a random level with a gentle linear gradient. */
function randomBackground(rng: Rng, size: number): (x: number, y: number) => number {
  const centre = rng.uniform(...BACKGROUND_LIGHTNESS);
  const slope = rng.uniform(-8, 8), angle = rng.uniform(0, 2 * Math.PI);
  return (x, y) =>
    centre + slope * ((x / size - 0.5) * Math.cos(angle) + (y / size - 0.5) * Math.sin(angle));
}

/**
 * `count` images of `size`×`size` with known colour modes (see the module doc), deterministic
 * per `seed`. Each image gets 1 … maxObjects objects (drawn uniformly); objects do not overlap
 * (a second object that finds no free place in 20 tries is left out; for the first one the
 * background is redrawn until it fits); radius 18–28 % of the side.
 */
export function generateColourModeImages(
  count: number,
  size: number,
  seed: number,
  opts: ColourModeOptions = {},
): ColourModeImages {
  if (!(Number.isInteger(count) && count >= 0 && Number.isInteger(size) && size >= 8)) {
    throw new RangeError(`Cannot generate ${count} images of side ${size}: need side ≥ 8`);
  }
  const classes = [...(opts.classes ?? COLOUR_MODE_CLASSES)];
  checkClasses(classes);
  const maxObjects = opts.maxObjects ?? 2;
  const rng = new Rng(seed);
  const cells = size * size;
  const lab = new Float32Array(count * cells * 3);
  const regions = new Int32Array(count * cells);
  const image: number[] = [], cls: number[] = [], hue: number[] = [];
  for (let n = 0; n < count; n++) {
    let background = randomBackground(rng, size);
    const wanted = 1 + rng.int(maxObjects);
    const placed: Placed[] = [];
    for (let o = 0; o < wanted; o++) {
      const c = rng.int(classes.length);
      const h = pickHue(rng, classes[c].hues);
      let spot = place(rng, classes[c], size, placed, background, 20);
      while (!spot && o === 0) {
        background = randomBackground(rng, size);
        spot = place(rng, classes[c], size, placed, background, 20);
      }
      if (!spot) continue;
      placed.push(spot);
      const [a, b] = hueAb(classes[c].hues[h]);
      for (let p = n * cells, y = 0; y < size; y++) {
        for (let x = 0; x < size; x++, p++) {
          if (!spot.inside(x + 0.5, y + 0.5)) continue;
          regions[p] = placed.length;
          lab.set([spot.lightness, a, b], p * 3);
        }
      }
      image.push(n);
      cls.push(c);
      hue.push(h);
    }
    for (let p = n * cells, y = 0; y < size; y++) {
      for (let x = 0; x < size; x++, p++) {
        if (regions[p] === 0) lab.set([background(x + 0.5, y + 0.5), 0, 0], p * 3);
      }
    }
  }
  return {
    pixels: labToRgb(lab),
    objects: {
      classes,
      image: Int32Array.from(image),
      cls: Int32Array.from(cls),
      hue: Int32Array.from(hue),
      regions,
    },
  };
}

/**
 * Loss weights of colorization targets ([rows, cells, channels]): 1 on the objects' pixels,
 * `backgroundWeight` on the background, so that the ambiguous part (the objects' hues) is not
 * drowned by the grey background that covers most of each image.
 */
export function objectWeights(
  objects: Pick<ColourObjects, "regions">,
  rows: readonly number[],
  cells: number,
  channels: number,
  backgroundWeight: number,
): Float32Array {
  const out = new Float32Array(rows.length * cells * channels);
  rows.forEach((row, i) => {
    for (let c = 0; c < cells; c++) {
      const w = objects.regions[row * cells + c] !== 0 ? 1 : backgroundWeight;
      out.fill(w, (i * cells + c) * channels, (i * cells + c + 1) * channels);
    }
  });
  return out;
}
