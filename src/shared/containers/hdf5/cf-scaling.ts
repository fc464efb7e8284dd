// NetCDF/CF packing of HDF5 datasets (scale_factor, add_offset, _FillValue attributes) as the scaling toggle.
import type { JsonValue } from '../../json-value'
import type { Scaling } from '../model'
import type { H5Type } from './datatype'
import { float32Words } from '../metadata'

/**
 * NetCDF/CF packing: scale_factor and add_offset (and _FillValue), a toggle away: off at first in a plain HDF5
 * file (as h5py reads it), on in a NetCDF-4 file (as netCDF4-python does; set where the format is known).
 */
export function cfScaling(
  meta: Record<string, JsonValue>,
  types: Record<string, H5Type>,
  dtype: string
): Scaling | undefined {
  const num = (v: JsonValue | undefined): number | undefined => {
    const x = Array.isArray(v) ? v[0] : v
    return typeof x === 'number' ? x : x === 'nan' ? NaN : undefined
  }
  const sf = num(meta.scale_factor)
  const ao = num(meta.add_offset)
  if (sf === undefined && ao === undefined) return undefined
  if (!/^[<>|][iuf][1248]$/.test(dtype)) return undefined
  const fill = num(meta._FillValue)
  const rule = cfRule(dtype, [types.scale_factor?.float, types.add_offset?.float])
  return {
    rule,
    stored: dtype,
    dtype: rule === 'f32' ? '<f4' : '<f8',
    slope: sf ?? 1,
    inter: ao ?? 0,
    ...(fill !== undefined ? { blank: fill } : {}),
    initial: 'stored',
    source: [
      sf !== undefined ? `scale_factor = ${types.scale_factor?.float === 'f4' ? float32Words(sf) : sf}` : '',
      ao !== undefined ? `add_offset = ${types.add_offset?.float === 'f4' ? float32Words(ao) : ao}` : '',
      fill !== undefined ? `_FillValue = ${fill}` : ''
    ]
      .filter(Boolean)
      .join(', ')
  }
}

/**
 * The float type numpy gives stored numbers times CF attributes (netCDF4-python computes data * scale_factor +
 * add_offset with numpy's promotion): float32 for int8/uint8/int16/uint16 and float32 data with float32
 * attributes, else float64.
 */
export function cfRule(dtype: string, attributeFloats: (string | undefined)[]): 'f32' | 'f64' {
  const small = /^[<>|]([iu][12]|f4)$/.test(dtype)
  return small && attributeFloats.every((k) => k === undefined || k === 'f4') ? 'f32' : 'f64'
}
