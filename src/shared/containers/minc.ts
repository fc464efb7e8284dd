// MINC images (MINC 1 is NetCDF-3, MINC 2 is HDF5): the stored integers of the `image` variable are not the
// image's values — nibabel normalises them, per slice of the leading dims, from the valid range onto
// [image-min, image-max] (Minc1File/Minc2File._normalize). Beside the stored variable (as scipy's netcdf_file or
// h5py gives it), an integer MINC image gets an entry `image (normalised)` with nibabel's values, recoded into a
// temporary float64 copy (recode-minc.ts). A float image is not normalised (nibabel returns it as stored).
import type { JsonValue } from '../json-value'
import type { ContainerEntry } from './model'

/** nibabel's MINC 1 dtypes from the NetCDF type and the signtype attribute. */
const SIGNED: Record<string, [string, string]> = {
  i1: ['u1', 'i1'],
  i2: ['u2', 'i2'],
  i4: ['u4', 'i4']
}

const RANGE: Record<string, [number, number]> = {
  i1: [-128, 127],
  u1: [0, 255],
  i2: [-32768, 32767],
  u2: [0, 65535],
  i4: [-2147483648, 2147483647],
  u4: [0, 4294967295]
}

const SUFFIX = ' (normalised)'

/** Copy as code for the normalised image (its storedType says MINC); undefined for any other array. */
export function mincRecipe(r: { file: string; storedType: string }): string | undefined {
  return r.storedType.startsWith('MINC ')
    ? `import numpy as np\nimport nibabel as nib\na = np.asanyarray(nib.load(${r.file}).dataobj)  # normalised as nibabel reads MINC`
    : undefined
}

/** The dimension names of a variable: MINC 1's NetCDF dimensions, MINC 2's dimorder attribute. */
function dimNames(e: ContainerEntry, version: 1 | 2): string[] {
  const m = e.metadata ?? {}
  if (version === 1) return Array.isArray(m.dimensions) ? m.dimensions.map(String) : []
  return typeof m.dimorder === 'string' ? m.dimorder.split(',').slice(0, e.shape.length) : []
}

function numberPair(v: JsonValue | undefined): [number, number] | undefined {
  return Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')
    ? [v[0] as number, v[1] as number]
    : undefined
}

/** The normalised image of a MINC file's entries (undefined when it is no integer MINC image). */
export function mincNormalised(entries: ContainerEntry[], version: 1 | 2): ContainerEntry | undefined {
  const dir = version === 1 ? '' : '/minc-2.0/image/0/'
  const by = (n: string): ContainerEntry | undefined => entries.find((e) => e.name === `${dir}${n}`)
  const image = by('image')
  const imax = by('image-max')
  const imin = by('image-min')
  if (!image || !imax || !imin || image.unmappable) return undefined
  const code = image.dtype.slice(1)
  const meta = image.metadata ?? {}
  // MINC 1 keeps the sign apart: bytes with signtype "unsigned" are uint8 (nibabel views the data so)
  let view = code
  if (version === 1 && SIGNED[code]) {
    const sign = meta.signtype
    view = sign === 'unsigned' ? SIGNED[code][0] : SIGNED[code][1]
  }
  const dtypeRange = RANGE[view]
  if (!dtypeRange) return undefined // floats are not normalised
  const name = `${image.name}${SUFFIX}`
  if (entries.some((e) => e.name === name)) return undefined
  const base: ContainerEntry = {
    name,
    dtype: '<f8',
    shape: image.shape,
    order: 'C',
    offset: 0,
    nbytes: image.shape.reduce((a, b) => a * b, 1) * 8,
    storedType: `MINC ${image.storedType}, normalised as nibabel reads it`,
    ...(image.path ? { path: [...image.path.slice(0, -1), `image${SUFFIX}`] } : {}),
    metadata: meta
  }
  const listed = (reason: string): ContainerEntry => ({
    ...base,
    unmappable: { reason, remedy: `${image.name} holds the stored values; nibabel.load gives the normalised ones` }
  })
  const range =
    numberPair(meta.valid_range) ??
    (typeof meta.valid_min === 'number' && typeof meta.valid_max === 'number'
      ? [meta.valid_min, meta.valid_max]
      : dtypeRange)
  if (range[0] < dtypeRange[0] || range[1] > dtypeRange[1]) {
    return listed(`its valid range [${range.join(', ')}] lies outside its type's (nibabel refuses it too)`)
  }
  const dims = dimNames(image, version)
  const mx = dimNames(imax, version)
  const n = mx.length
  if (mx.join() !== dimNames(imin, version).join() || n > 2 || mx.join() !== dims.slice(0, n).join()) {
    return listed('its image-max and image-min do not match the leading dims of the image (nibabel refuses it too)')
  }
  const slices = image.shape.slice(0, n).reduce((a, b) => a * b, 1)
  const plain = (e: ContainerEntry): boolean => !e.hdf5 && !e.via && !e.recode && !e.strides && !e.file
  if (!plain(image) || !plain(imax) || !plain(imin)) {
    return listed(
      'its image (or image-min/-max) is chunked or compressed: ArrayScope normalises contiguous MINC images only so far'
    )
  }
  const count = base.nbytes / 8
  const isize = Number(imax.dtype.slice(2))
  if (imax.nbytes !== slices * isize || imin.nbytes !== slices * Number(imin.dtype.slice(2))) {
    return listed(`its image-max/image-min hold ${imax.nbytes / isize} values for ${slices} slices`)
  }
  const order = image.dtype[0] === '|' ? '|' : image.dtype[0]
  return {
    ...base,
    recode: {
      kind: 'minc',
      offset: image.offset,
      dtype: `${order}${view}`,
      count,
      slices,
      imax: { offset: imax.offset, dtype: imax.dtype },
      imin: { offset: imin.offset, dtype: imin.dtype },
      dmin: range[0],
      dmax: range[1]
    }
  }
}
