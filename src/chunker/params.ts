/*
 * FastCDC parameters: the allowed ranges of min/avg/max chunk size (those of the
 * reference, fastcdc-rs v2020), the spread-bit judgement masks of the C reference,
 * and the resolution of caller options (omitted = recommended) into the masks the
 * cut-point scan uses.
 */
import { assertInt, assertOneOf } from '../core/index.js';
import { GearTable, standardGear } from './gear-table.js';

/** Allowed ranges of the three sizes, in bytes (fastcdc-rs v2020). */
export const MIN_SIZE_RANGE = { min: 64, max: 1 << 20 } as const;
export const AVG_SIZE_RANGE = { min: 256, max: 4 << 20 } as const;
export const MAX_SIZE_RANGE = { min: 1024, max: 16 << 20 } as const;

/** Recommended sizes: avg 16 KiB, min avg/4, max avg*4 (measured in docs/chunking.md). */
export const DEFAULT_AVG_SIZE = 16 * 1024;
export const DEFAULT_MIN_SIZE = DEFAULT_AVG_SIZE / 4;
export const DEFAULT_MAX_SIZE = DEFAULT_AVG_SIZE * 4;
/** Normalization level of FastCDC (0-3); 1 is the reference's default. */
export const DEFAULT_NORMALIZATION = 1;

export type NormalizationLevel = 0 | 1 | 2 | 3;

/**
 * Judgement masks by number of effective bits: MASKS[b] has b bits set, spread over
 * bits 4..47 (FastCDC C reference for 64 B-128 KiB, restic-FastCDC above). A hash
 * whose masked bits are all zero marks a cut; b bits give a 1 in 2^b chance a byte.
 */
// prettier-ignore
const MASKS: readonly bigint[] = [
  0n, 0n, 0n, 0n, 0n,
  0x0000000001804110n, // 5 bits, used only by normalization level 3
  0x0000000001803110n, // 64 B
  0x0000000018035100n, // 128 B
  0x0000001800035300n, // 256 B
  0x0000019000353000n, // 512 B
  0x0000590003530000n, // 1 KiB
  0x0000d90003530000n, // 2 KiB
  0x0000d90103530000n, // 4 KiB
  0x0000d90303530000n, // 8 KiB
  0x0000d90313530000n, // 16 KiB
  0x0000d90f03530000n, // 32 KiB
  0x0000d90303537000n, // 64 KiB
  0x0000d90703537000n, // 128 KiB
  0x0000d90707537000n, // 256 KiB
  0x0000d91707537000n, // 512 KiB
  0x0000d91747537000n, // 1 MiB
  0x0000d91767537000n, // 2 MiB
  0x0000d93767537000n, // 4 MiB
  0x0000d93777537000n, // 8 MiB
  0x0000d93777577000n, // 16 MiB
  0x0000db3777577000n, // 25 bits, used only by normalization level 3
];

/**
 * The judgement mask with `bits` effective bits (5-25), as in the reference's MASKS table.
 * @throws {RangeError} when `bits` is outside 5..25.
 * @example
 * fastcdcMask(13); // 0x0000d90303530000n, the 8 KiB mask
 */
export function fastcdcMask(bits: number): bigint {
  const m = MASKS[bits];
  if (m === undefined || m === 0n) throw new RangeError(`"bits" expected integer in 5..25, got ${bits}`);
  return m;
}

/** Caller options of every chunking entry point. */
export interface ChunkerOptions {
  /** Smallest chunk (except the last), 64 B-1 MiB; default avgSize/4. */
  minSize?: number;
  /** Target average chunk size, 256 B-4 MiB; default 16 KiB. */
  avgSize?: number;
  /** Largest chunk, 1 KiB-16 MiB; default avgSize*4. */
  maxSize?: number;
  /** Normalized chunking level 0-3 (higher = sizes closer to avgSize); default 1. */
  normalization?: NormalizationLevel;
  /** Gear table; default {@link standardGear}. Use {@link keyedGear} in repositories. */
  gear?: GearTable;
}

/** Options resolved and checked, with the masks split into 32-bit halves. */
export interface ChunkerParams {
  readonly minSize: number;
  readonly avgSize: number;
  readonly maxSize: number;
  readonly normalization: NormalizationLevel;
  readonly gear: GearTable;
  /** Stricter mask (bits + level), used before avgSize. */
  readonly maskS: bigint;
  /** Looser mask (bits - level), used after avgSize. */
  readonly maskL: bigint;
}

/**
 * round(log2(v)) as the reference's logarithm2() computes it.
 * @example
 * log2Round(65535); // 16
 */
export function log2Round(v: number): number {
  return Math.round(Math.log2(v));
}

/**
 * Checks `opts` and fills in the recommended values.
 * @throws {TypeError} when a size is not an integer or `gear` is not a GearTable.
 * @throws {RangeError} when a size is outside its range, min > avg, avg > max, or
 *   the normalization level is not 0-3.
 * @example
 * resolveParams({ avgSize: 8192 }); // min 2048, max 32768, level 1
 */
export function resolveParams(opts: ChunkerOptions = {}): ChunkerParams {
  if (typeof opts !== 'object' || opts === null) throw new TypeError(`"opts" expected object, got ${String(opts)}`);
  const avgSize = opts.avgSize ?? DEFAULT_AVG_SIZE;
  assertInt('avgSize', avgSize, AVG_SIZE_RANGE.min, AVG_SIZE_RANGE.max);
  const minSize = opts.minSize ?? Math.max(MIN_SIZE_RANGE.min, Math.floor(avgSize / 4));
  const maxSize = opts.maxSize ?? Math.min(MAX_SIZE_RANGE.max, Math.max(MAX_SIZE_RANGE.min, avgSize * 4));
  assertInt('minSize', minSize, MIN_SIZE_RANGE.min, Math.min(MIN_SIZE_RANGE.max, avgSize));
  assertInt('maxSize', maxSize, Math.max(MAX_SIZE_RANGE.min, avgSize), MAX_SIZE_RANGE.max);
  const normalization = opts.normalization ?? DEFAULT_NORMALIZATION;
  assertOneOf('normalization', normalization, [0, 1, 2, 3] as const);
  const gear = opts.gear ?? standardGear();
  if (!(gear instanceof GearTable)) throw new TypeError(`"gear" expected GearTable, got ${String(gear)}`);
  const bits = log2Round(avgSize);
  return {
    minSize,
    avgSize,
    maxSize,
    normalization,
    gear,
    maskS: fastcdcMask(bits + normalization),
    maskL: fastcdcMask(bits - normalization),
  };
}
