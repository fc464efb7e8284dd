// `arrayscope set`: one scripted in-place edit (mode r+), the value parsed per dtype (ranges checked).
import { elementOffset } from '../../shared/layout'
import { decodeValue, encodeValue, formatValue } from '../../shared/structured'
import { ParseError } from '../../shared/dtypes'
import type { ArrayService } from '../service/array-service'
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
  if (!parts.every((p) => /^-?\d+$/.test(p)))
    throw new UsageError(`--index must be integers like "3,4", got '${indexText}'`)
  const { session } = await openFromArgs(
    { ...args, flags: new Map([...args.flags].filter(([k]) => k !== 'mode')) },
    service,
    'r+'
  )
  const layout = session.layout
  if (session.info.array?.readOnly) throw new UsageError(`'${session.info.array.name}': ${session.info.array.readOnly}`)
  if (parts.length !== layout.shape.length) {
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
  const offset = elementOffset(layout, index)
  const bytes = new Uint8Array(dt.itemsize)
  const view = new DataView(bytes.buffer)
  session.mapping.read(offset, bytes)
  const before = formatValue(dt, decodeValue(dt, view, 0))
  encodeValue(dt, view, 0, value)
  session.mapping.write(offset, bytes)
  session.mapping.flush(offset, dt.itemsize)
  io.out(`set (${index.join(', ')}) at byte ${offset}: ${before} -> ${formatValue(dt, decodeValue(dt, view, 0))}\n`)
}
