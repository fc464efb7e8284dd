// One field of a record array as an array of its own (numpy's a['x'], h5py's ds['x']): the same strides, the
// offset moved to the field, the field's dtype, and a sub-array field's shape appended (C order inside the
// record). Scans and plots of a compound dataset go through this; a field that is not a number is refused.
import { BadRequestError } from './errors'
import type { ArrayView } from './slice'
import type { DType, StructField } from './structured'

/** Whether scans can read a field's values: a real number (int, uint, float), not text, bytes, complex or a record. */
export function isNumericField(f: StructField): boolean {
  return f.dtype.kind === 'scalar' && ['int', 'uint', 'float'].includes(f.dtype.type.kind)
}

/** The fields of a record dtype that scans and plots can read, in record order ([] for other dtypes). */
export function numericFields(dtype: DType): StructField[] {
  return dtype.kind === 'struct' ? dtype.fields.filter(isNumericField) : []
}

/** The view of field `name` of a record view; a clear error for a missing, non-record or non-numeric field. */
export function fieldView(view: ArrayView, name: string): ArrayView {
  const dt = view.dtype
  if (dt.kind !== 'struct') throw new BadRequestError(`field '${name}': ${dt.str} is not a record dtype (no fields)`)
  const f = dt.fields.find((x) => x.name === name || x.title === name)
  const usable = numericFields(dt).map((x) => `'${x.name}'`)
  const choose = usable.length
    ? `choose one of ${usable.join(', ')}`
    : 'this record has no numeric field; scans and plots cannot read it'
  if (!f) throw new BadRequestError(`no field '${name}' in ${dt.str}: ${choose}`)
  if (!isNumericField(f)) {
    throw new BadRequestError(
      `field '${f.name}' is ${f.dtype.str}, not a real number: scans and plots need one; ${choose}`
    )
  }
  // a sub-array field's axes come last, C-contiguous inside the record
  const sub: number[] = []
  let stride = f.dtype.itemsize
  for (let k = f.shape.length - 1; k >= 0; k--) {
    sub.unshift(stride)
    stride *= f.shape[k]!
  }
  return {
    dtype: f.dtype,
    offset: view.offset + f.offset,
    shape: [...view.shape, ...f.shape],
    strides: [...view.strides, ...sub]
  }
}
