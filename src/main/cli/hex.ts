// `arrayscope hex`: an xxd-style dump of any region of the file (headers included).
import { flagInt, rejectUnknownFlags, UsageError, type ParsedArgs } from './args'
import { native } from '../service/native'
import { isGzipFits } from '../service/gzip-copies'
import { ContainerCache } from '../service/containers'
import path from 'node:path'
import { Output } from './output'
import { prepareRemote, remoteStore } from '../service/remote-sources'
import { isRemote, parseRemote, remoteSibling } from '../service/remote-url'

export function hexLines(bytes: Uint8Array, start: number): string[] {
  const lines: string[] = []
  for (let o = 0; o < bytes.length; o += 16) {
    const row = bytes.subarray(o, o + 16)
    const hexes = Array.from(row, (b) => b.toString(16).padStart(2, '0'))
    const left = hexes.slice(0, 8).join(' ')
    const right = hexes.slice(8).join(' ')
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('')
    lines.push(`${(start + o).toString(16).padStart(8, '0')}  ${left.padEnd(23)}  ${right.padEnd(23)}  |${ascii}|`)
  }
  return lines
}

export async function hex(args: ParsedArgs): Promise<void> {
  rejectUnknownFlags(args, ['offset', 'length', 'array'])
  let file = args.positionals[1]
  if (!file) throw new UsageError('hex needs a FILE')
  const cache = new ContainerCache(1)
  const remote = isRemote(file)
  if (remote) {
    // a URL: opened, its container's header fetched; the bytes dumped are fetched where they lie
    file = parseRemote(file).href
    await prepareRemote(file, null, (u) => cache.get(u))
  }
  let offset = flagInt(args, 'offset') ?? 0
  const name = args.flags.get('array')
  if (name !== undefined) {
    if (name === true || name === '') throw new UsageError('--array needs a name (`arrayscope ls FILE` lists them)')
    if (!remote && isGzipFits(path.resolve(file))) {
      throw new UsageError(
        `${file} is a gzip-compressed FITS file: its arrays' stored bytes are inside the deflate stream (open the array to see the values, or hex the gunzipped file)`
      )
    }
    // the array's stored bytes: in its shard for a sharded checkpoint; --offset counts from its first byte
    const { entry } = cache.entry(remote ? file : path.resolve(file), name)
    if (entry.via)
      throw new UsageError(`'${name}' is compressed: its stored bytes are a deflate stream (open it to see the values)`)
    if (entry.recode?.kind === 'ascii-table') {
      throw new UsageError(
        `'${name}' is a FITS ASCII table whose numbers are parsed from its text (at byte ${entry.recode.offset}): hex the file with --offset ${entry.recode.offset}, or open the array to see the values`
      )
    }
    if (entry.recode) {
      throw new UsageError(
        `'${name}' is recoded (MATLAB's ${entry.recode.kind === 'planes' ? 'complex parts' : 'chars'}): its stored bytes are not its values (open it to see them)`
      )
    }
    if (entry.zarr) {
      throw new UsageError(
        `'${name}' is an array of a Zarr store: its stored bytes are chunk files (${entry.zarr.folder || 'the store'}/…; hex a chunk file, or open the array to see the values)`
      )
    }
    if (entry.tiff) {
      const first = entry.tiff.offsets.find((_, i) => entry.tiff!.counts[i]! > 0) ?? 0
      throw new UsageError(
        `'${name}' is read from ${entry.tiff.codec === 'none' ? 'uncompressed' : `${entry.tiff.codec}-compressed`} strips or tiles (the first at byte ${first}): hex the file with --offset ${first}, or open the array to see the values`
      )
    }
    if (entry.fitsTiles) {
      const first = entry.fitsTiles.offsets[0] ?? 0
      throw new UsageError(
        `'${name}' is read from ${entry.fitsTiles.codec}-compressed tiles in the HDU's heap (the first at byte ${first}): hex the file with --offset ${first}, or open the array to see the values`
      )
    }
    if (entry.hdf5) {
      throw new UsageError(
        `'${name}' is chunked: its stored bytes are scattered over compressed chunks (open it to see the values)`
      )
    }
    if (entry.unmappable) throw new UsageError(`'${name}' is not mapped: ${entry.unmappable.reason}`)
    if (entry.file) {
      file = remote ? remoteSibling(file, entry.file) : path.resolve(path.dirname(path.resolve(file)), entry.file)
      if (remote) await prepareRemote(file, null, () => undefined)
    }
    offset += entry.offset
  }
  const length = flagInt(args, 'length') ?? 256
  const store = remote ? remoteStore(file) : null
  const m = new (native().Mapping)(store ? store.file : file, 'r')
  try {
    if (offset > m.size) throw new UsageError(`--offset ${offset} is beyond the end of the file (${m.size} bytes)`)
    const out = new Output()
    const total = Math.min(length, m.size - offset)
    const chunk = 1 << 16
    for (let o = 0; o < total; o += chunk) {
      const bytes = new Uint8Array(Math.min(chunk, total - o))
      store?.ensureRange(offset + o, offset + o + bytes.length)
      m.read(offset + o, bytes)
      out.write(hexLines(bytes, offset + o).join('\n') + '\n')
    }
    out.flush()
  } finally {
    m.close()
  }
}
