// `arrayscope set`: one scripted in-place edit (mode r+), the value parsed per dtype (ranges checked). As with
// numpy's fp[i] = v, fewer indices than axes assign the value to the whole sub-array they name.
import { elementOffset } from '../../shared/layout'
import { decodeValue, encodeValue, formatValue } from '../../shared/structured'
import { ParseError } from '../../shared/dtypes'
import type { ArrayView } from '../../shared/slice'
import { viewSize } from '../../shared/slice'
import { sliced, type ArrayService } from '../service/array-service'
import type { Mapping } from '../service/native'
import { flagString, LAYOUT_FLAGS, rejectUnknownFlags, UsageError, type ParsedArgs } from './args'
import { openFromArgs } from './session'
import { io } from './output'

export async function set(args: ParsedArgs, service: ArrayService): Promise<void> {
  rejectUnknownFlags(args, [...LAYOUT_FLAGS, 'index', 'value'])
  const indexText = flagString(args, 'index')
  const valueText = flagString(args, 'value')
  if (indexText === undefined || valueText === undefined) throw new UsageError('set needs --index "3,4" and --value V')
  const mode = flagString(args, 'mode')
  if (mode !== undefined && mode !== 'r+')
    throw new UsageError(`set edits the file in place (mode r+), not mode ${mode}`)
  const parts = indexText
    .replace(/^[([]|[)\]]$/g, '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
  if (parts.length === 0) throw new UsageError('--index needs at least one index, e.g. "3,4", or "0" for a whole row')
  if (!parts.every((p) => /^-?\d+$/.test(p)))
    throw new UsageError(`--index must be integers like "3,4", got '${indexText}'`)
  const { session } = await openFromArgs(
    { ...args, flags: new Map([...args.flags].filter(([k]) => k !== 'mode')) },
    service,
    'r+'
  )
  const layout = session.layout
  if (session.info.array?.readOnly) throw new UsageError(`'${session.info.array.name}': ${session.info.array.readOnly}`)
  if (parts.length > layout.shape.length) {
    throw new UsageError(
      `--index has ${parts.length} entries, the array has ${layout.shape.length} axes ${JSON.stringify(layout.shape)}`
    )
  }
  const index = parts.map((p, k) => {
    const n = layout.shape[k]!
    const i = Number(p) < 0 ? Number(p) + n : Number(p)
    if (i < 0 || i >= n) throw new UsageError(`index ${p} is out of bounds for axis ${k} with size ${n}`)
    return i
  })
  const dt = layout.dtype
  if (dt.kind !== 'scalar') throw new UsageError(`set writes scalar elements; ${dt.str} is not a scalar dtype`)
  let value
  try {
    value = dt.type.parse(valueText)
  } catch (e) {
    throw new UsageError(`--value: ${(e as ParseError).message}`)
  }
  const bytes = new Uint8Array(dt.itemsize)
  const view = new DataView(bytes.buffer)
  encodeValue(dt, view, 0, value)
  const after = formatValue(dt, decodeValue(dt, view, 0))
  if (index.length === layout.shape.length) {
    const offset = elementOffset(layout, index)
    const old = new Uint8Array(dt.itemsize)
    session.mapping.read(offset, old)
    const before = formatValue(dt, decodeValue(dt, new DataView(old.buffer), 0))
    session.mapping.write(offset, bytes)
    session.mapping.flush(offset, dt.itemsize)
    io.out(`set (${index.join(', ')}) at byte ${offset}: ${before} -> ${after}\n`)
    return
  }
  // Fewer indices than axes: numpy's fp[0] = 5 assigns every element of that sub-array.
  const sub = sliced(layout, index.join(', ') + ',')
  const count = fillView(session.mapping, sub, bytes)
  session.mapping.flush()
  const rest = ', :'.repeat(layout.shape.length - index.length)
  io.out(`set (${index.join(', ')}${rest}): ${count} elements -> ${after}\n`)
}

/** Writes one element's bytes over every element of a strided view, a row of them at a time. */
function fillView(mapping: Mapping, view: ArrayView, element: Uint8Array): number {
  const total = viewSize(view)
  if (total === 0) return 0
  const nd = view.shape.length
  const last = view.shape[nd - 1]!
  const lastStride = view.strides[nd - 1]!
  const itemsize = element.length
  const contiguous = lastStride === itemsize
  // one row's worth of the value (at most 4 MiB), written in as few calls as the layout allows
  const runLength = contiguous ? Math.min(last, Math.max(1, Math.floor((4 << 20) / itemsize))) : 1
  const run = new Uint8Array(runLength * itemsize)
  for (let k = 0; k < runLength; k++) run.set(element, k * itemsize)
  const index = new Array<number>(nd - 1).fill(0)
  for (;;) {
    let base = view.offset
    for (let k = 0; k < nd - 1; k++) base += index[k]! * view.strides[k]!
    for (let j = 0; j < last; j += runLength) {
      const n = Math.min(runLength, last - j)
      mapping.write(base + j * lastStride, run.subarray(0, n * itemsize))
    }
    let k = nd - 2
    while (k >= 0) {
      index[k]!++
      if (index[k]! < view.shape[k]!) break
      index[k] = 0
      k--
    }
    if (k < 0) return total
  }
}
