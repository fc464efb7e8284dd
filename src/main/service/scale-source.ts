// The bytes a scaled array's session reads: values computed from the stored numbers (FITS BSCALE/BZERO, NIfTI
// scl_slope/scl_inter, NetCDF scale_factor/add_offset), never the stored bytes. The session's layout is a
// virtual array of the values' dtype whose byte offsets are the stored ones times the ratio of the itemsizes,
// so windows and walks divide by it to find the stored numbers, then scale them (src/shared/containers/scaling).
import { scaleValues, scalingRatio, storedScalar, type Scaling } from '../../shared/containers'
import type { ScalarDType } from '../../shared/dtypes'
import { ApiError } from '../../shared/contract'
import { parseDType, type DType } from '../../shared/structured'
import type { ByteSource } from './dequant-source'
import type { Window2D } from './native'

export class ScaleSource implements ByteSource {
  readonly ratio: number
  private readonly stored: ScalarDType
  private readonly values: DType
  private scratch = new Uint8Array(0)

  constructor(
    private readonly mapping: ByteSource,
    private readonly scaling: Scaling
  ) {
    this.ratio = scalingRatio(scaling)
    this.stored = storedScalar(scaling)
    this.values = parseDType(scaling.dtype)
  }

  private storedOffset(virtual: number | bigint, what: string): number {
    const v = Number(virtual)
    if (v % this.ratio !== 0) throw new ApiError('internal', `${what} ${v} is not a multiple of ${this.ratio}`)
    return v / this.ratio
  }

  private buffer(n: number): Uint8Array {
    if (this.scratch.length < n) this.scratch = new Uint8Array(Math.max(n, this.scratch.length * 2))
    return this.scratch.subarray(0, n)
  }

  gather(w: Window2D, target: Uint8Array): void {
    if (w.itemsize !== this.values.itemsize) throw new ApiError('internal', 'a scaled array reads its values dtype')
    const n = w.rows * w.cols
    const raw = this.buffer(n * this.stored.itemsize)
    this.mapping.gather(
      {
        base: this.storedOffset(w.base, 'base'),
        rows: w.rows,
        cols: w.cols,
        rowStride: this.storedOffset(w.rowStride, 'row stride'),
        colStride: this.storedOffset(w.colStride, 'column stride'),
        itemsize: this.stored.itemsize
      },
      raw
    )
    scaleValues(this.scaling, this.stored, this.values, raw, target)
  }

  read(offset: number, target: Uint8Array): number {
    const n = target.length / this.values.itemsize
    if (!Number.isInteger(n)) throw new ApiError('internal', 'a scaled array reads whole elements')
    if (n === 0) return 0
    const raw = this.buffer(n * this.stored.itemsize)
    this.mapping.read(this.storedOffset(offset, 'offset'), raw)
    scaleValues(this.scaling, this.stored, this.values, raw, target)
    return target.length
  }
}
