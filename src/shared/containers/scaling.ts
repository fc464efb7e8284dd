// Scaled values (FITS BSCALE/BZERO and its unsigned convention, NIfTI scl_slope/scl_inter, NetCDF
// scale_factor/add_offset/_FillValue) computed from stored numbers exactly as the reference readers round:
// astropy in float32 for 8/16-bit integers and float32 data (two roundings) and in float64 for 32/64-bit
// integers; nibabel always in float64; NetCDF in the type numpy promotes the stored type and the attributes to.
//
// A scaled array is seen as a virtual array of the values' dtype whose byte offsets are the stored ones times
// ratio = values' itemsize / stored itemsize (always 1, 2, 4 or 8 here): windows, slices and scans compute their
// geometry as for any array, and divide by the ratio to find the stored numbers.
import { parseDType, type DType } from '../structured'
import type { ScalarDType } from '../dtypes'
import { ContainerError, type Scaling } from './model'

export function storedScalar(s: Scaling): ScalarDType {
  const dt = parseDType(s.stored)
  if (dt.kind !== 'scalar') throw new ContainerError(`scaled values need a scalar stored type, not ${s.stored}`)
  return dt
}

/** Values' itemsize / stored itemsize. */
export function scalingRatio(s: Scaling): number {
  const r = parseDType(s.dtype).itemsize / parseDType(s.stored).itemsize
  if (![1, 2, 4, 8].includes(r)) throw new ContainerError(`scaling ${s.stored} to ${s.dtype} is not supported`)
  return r
}

/** A short description for people: 'BSCALE = 0.5, BZERO = 10 → float32'. */
export function describeScaling(s: Scaling): string {
  return `${s.source} → ${parseDType(s.dtype).str}`
}

function readStored(dt: ScalarDType, view: DataView, at: number): number | bigint {
  const le = dt.littleEndian
  switch (dt.type.name) {
    case 'int8':
      return view.getInt8(at)
    case 'uint8':
      return view.getUint8(at)
    case 'int16':
      return view.getInt16(at, le)
    case 'uint16':
      return view.getUint16(at, le)
    case 'int32':
      return view.getInt32(at, le)
    case 'uint32':
      return view.getUint32(at, le)
    case 'int64':
      return view.getBigInt64(at, le)
    case 'uint64':
      return view.getBigUint64(at, le)
    case 'float32':
      return view.getFloat32(at, le)
    case 'float64':
      return view.getFloat64(at, le)
    default:
      throw new ContainerError(`scaled values of stored type ${dt.str} are not supported`)
  }
}

/**
 * Computes count values from the stored numbers in src (packed, stored dtype) into out (packed, values' dtype,
 * native byte order as the dtype says).
 */
export function scaleValues(s: Scaling, stored: ScalarDType, values: DType, src: Uint8Array, out: Uint8Array): void {
  const n = src.length / stored.itemsize
  const sv = new DataView(src.buffer, src.byteOffset, src.byteLength)
  const ov = new DataView(out.buffer, out.byteOffset, out.byteLength)
  const osz = values.itemsize
  const le = values.kind === 'scalar' ? values.littleEndian : true
  const ssz = stored.itemsize
  if (s.rule === 'signflip') {
    // the stored two's complement with its sign bit flipped is the unsigned value (int8 for 8 bits)
    const vtop = le ? osz - 1 : 0
    const same = stored.littleEndian === le || ssz === 1
    for (let i = 0; i < n; i++) {
      for (let b = 0; b < ssz; b++) out[i * osz + b] = src[i * ssz + (same ? b : ssz - 1 - b)]!
      out[i * osz + vtop]! ^= 0x80
    }
    return
  }
  const useSlope = s.slope !== 1
  const useInter = s.inter !== 0
  const blank = s.blank
  const hasBlank = blank !== undefined
  const blankNaN = hasBlank && Number.isNaN(blank)
  if (s.rule === 'f32') {
    const slope = Math.fround(s.slope)
    const inter = Math.fround(s.inter)
    for (let i = 0; i < n; i++) {
      const raw = readStored(stored, sv, i * ssz) as number
      let x: number
      if (hasBlank && (blankNaN ? Number.isNaN(raw) : raw === blank)) x = NaN
      else {
        x = Math.fround(raw)
        if (useSlope) x = Math.fround(x * slope)
        if (useInter) x = Math.fround(x + inter)
      }
      ov.setFloat32(i * osz, x, le)
    }
    return
  }
  const big = typeof blank === 'number' && Number.isSafeInteger(blank) ? BigInt(blank) : undefined
  for (let i = 0; i < n; i++) {
    const raw = readStored(stored, sv, i * ssz)
    let x: number
    const isBlank =
      hasBlank &&
      (typeof raw === 'bigint' ? big !== undefined && raw === big : blankNaN ? Number.isNaN(raw) : raw === blank)
    if (isBlank) x = NaN
    else {
      x = Number(raw)
      if (useSlope) x = x * s.slope
      if (useInter) x = x + s.inter
    }
    ov.setFloat64(i * osz, x, le)
  }
}

/** Checks a scaling a format module made: its rule, types and ratio. */
export function checkScaling(s: Scaling): void {
  const stored = storedScalar(s)
  const values = parseDType(s.dtype)
  scalingRatio(s)
  if (s.rule === 'f32' && values.str !== '<f4') throw new ContainerError('f32 scaling makes <f4 values')
  if (s.rule === 'f64' && values.str !== '<f8') throw new ContainerError('f64 scaling makes <f8 values')
  if (s.rule === 'signflip' && (values.itemsize !== stored.itemsize || values.kind !== 'scalar')) {
    throw new ContainerError('the unsigned convention keeps the itemsize')
  }
}
