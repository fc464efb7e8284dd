// TIFF's header and image file directories (IFDs), classic and BigTIFF, both byte orders, read through the parse
// context's header reads only. Every count is bounded before anything is read: entries per IFD, values per tag
// (never more than the file could hold), IFDs in a chain; a chain that comes back to an IFD already read is a
// loop and is refused by name, as is an IFD or a tag value that lies past the end of the file.
import { ContainerError, readExact, type ParseContext } from './model'

/** Entries one IFD may have (real files have 10–40; a count beyond this is garbage). */
const MAX_ENTRIES = 4096
/** Values one tag may hold (strip/tile tables of the largest real images stay far below). */
export const MAX_VALUES = 1 << 24
/** IFDs followed in one chain (pages of a file, SubIFDs of a page). */
export const MAX_IFDS = 1_000_000

/** Bytes of one value of each TIFF field type (0: unknown type). */
const TYPE_SIZE = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4, 0, 0, 8, 8, 8]

export interface TiffHeader {
  littleEndian: boolean
  bigTiff: boolean
  /** Where the first IFD lies. */
  first: number
}

export interface TagEntry {
  tag: number
  type: number
  count: number
  /** Where the values lie: inside the IFD entry when they fit there, else where its offset field points. */
  at: number
  /** The values' bytes when they lie inside the entry (read with the IFD: most tags of a page need no read). */
  inline?: Uint8Array
}

export interface Ifd {
  /** Where the IFD lies. */
  offset: number
  tags: Map<number, TagEntry>
  /** Where the next IFD lies (0: none). */
  next: number
}

/** The byte order mark, the version (42 classic, 43 BigTIFF) and the first IFD's offset. */
export function readHeader(ctx: ParseContext): TiffHeader {
  const h = readExact(ctx, 0, Math.min(16, ctx.size), 'the TIFF header')
  if (h.length < 8) throw new ContainerError(`the file has ${ctx.size} bytes: a TIFF header needs 8`)
  const little = h[0] === 0x49
  const v = new DataView(h.buffer, h.byteOffset, h.byteLength)
  const version = v.getUint16(2, little)
  if (version === 42) return { littleEndian: little, bigTiff: false, first: v.getUint32(4, little) }
  if (h.length < 16) throw new ContainerError('the BigTIFF header is cut short (it needs 16 bytes)')
  const size = v.getUint16(4, little)
  if (size !== 8 || v.getUint16(6, little) !== 0) {
    throw new ContainerError(`the BigTIFF header gives offsets of ${size} bytes: only 8 is defined`)
  }
  return { littleEndian: little, bigTiff: true, first: u64(v, 8, little, 'the first IFD offset') }
}

/** TIFF's magic: II*\0, MM\0*, II+\0, MM\0+. */
export function isTiff(head: Uint8Array): boolean {
  if (head.length < 8) return false
  if (head[0] === 0x49 && head[1] === 0x49) return (head[2] === 42 || head[2] === 43) && head[3] === 0
  if (head[0] === 0x4d && head[1] === 0x4d) return head[2] === 0 && (head[3] === 42 || head[3] === 43)
  return false
}

function u64(v: DataView, at: number, little: boolean, what: string): number {
  const x = v.getBigUint64(at, little)
  if (x > BigInt(Number.MAX_SAFE_INTEGER)) throw new ContainerError(`${what} is ${x}: more than any file can hold`)
  return Number(x)
}

/** Reads one IFD (what: 'page 3', 'SubIFD 1 of page 0' for messages). */
export function readIfd(ctx: ParseContext, h: TiffHeader, offset: number, what: string): Ifd {
  const countSize = h.bigTiff ? 8 : 2
  const entrySize = h.bigTiff ? 20 : 12
  const offSize = h.bigTiff ? 8 : 4
  if (offset < 8 || offset + countSize > ctx.size) {
    throw new ContainerError(
      `the IFD of ${what} is said to lie at byte ${offset}, outside the file (${ctx.size} bytes): the file is truncated or corrupt`
    )
  }
  const cb = readExact(ctx, offset, countSize, `the IFD of ${what}`)
  const cv = new DataView(cb.buffer, cb.byteOffset, cb.byteLength)
  const n = h.bigTiff ? u64(cv, 0, h.littleEndian, `the entry count of ${what}'s IFD`) : cv.getUint16(0, h.littleEndian)
  if (n > MAX_ENTRIES) {
    throw new ContainerError(
      `the IFD of ${what} at byte ${offset} claims ${n} entries (at most ${MAX_ENTRIES}): it is corrupt`
    )
  }
  const body = readExact(ctx, offset + countSize, n * entrySize + offSize, `the IFD of ${what} (${n} entries)`)
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength)
  const little = h.littleEndian
  const tags = new Map<number, TagEntry>()
  for (let i = 0; i < n; i++) {
    const e = i * entrySize
    const tag = v.getUint16(e, little)
    const type = v.getUint16(e + 2, little)
    const count = h.bigTiff ? u64(v, e + 4, little, `the count of tag ${tag} of ${what}`) : v.getUint32(e + 4, little)
    const size = TYPE_SIZE[type] ?? 0
    // an unknown type is skipped (the TIFF spec says readers ignore it); the first of a repeated tag is kept
    if (size === 0 || tags.has(tag)) continue
    const field = e + (h.bigTiff ? 12 : 8)
    if (size * count <= offSize) {
      tags.set(tag, {
        tag,
        type,
        count,
        at: offset + countSize + field,
        inline: body.subarray(field, field + size * count)
      })
    } else {
      const at = h.bigTiff
        ? u64(v, field, little, `the value offset of tag ${tag} of ${what}`)
        : v.getUint32(field, little)
      tags.set(tag, { tag, type, count, at })
    }
  }
  const next = h.bigTiff
    ? u64(v, n * entrySize, little, `the next IFD offset of ${what}`)
    : v.getUint32(n * entrySize, little)
  return { offset, tags, next }
}

/** The IFDs of a chain from `first`, in order: a loop, an IFD outside the file or too many are refused. */
export function readChain(
  ctx: ParseContext,
  h: TiffHeader,
  first: number,
  name: (i: number) => string,
  seen: Set<number>
): Ifd[] {
  const out: Ifd[] = []
  for (let at = first; at !== 0; ) {
    if (seen.has(at)) {
      throw new ContainerError(
        `the IFD chain comes back to byte ${at} after ${out.length} IFDs (${name(out.length)} would be read twice): the file is corrupt (an IFD loop)`
      )
    }
    if (out.length >= MAX_IFDS) throw new ContainerError(`the file has more than ${MAX_IFDS} IFDs in one chain`)
    seen.add(at)
    const ifd = readIfd(ctx, h, at, name(out.length))
    out.push(ifd)
    at = ifd.next
  }
  return out
}

/** Tag values read from the file. */
export class TagReader {
  constructor(
    private readonly ctx: ParseContext,
    private readonly h: TiffHeader
  ) {}

  private bytes(e: TagEntry, what: string): { v: DataView; size: number } {
    const size = TYPE_SIZE[e.type]!
    if (e.count > MAX_VALUES || e.count * size > this.ctx.size) {
      throw new ContainerError(
        `tag ${e.tag} of ${what} claims ${e.count} values: more than the file (${this.ctx.size} bytes) could hold`
      )
    }
    const b = e.inline ?? readExact(this.ctx, e.at, e.count * size, `tag ${e.tag} of ${what}`)
    return { v: new DataView(b.buffer, b.byteOffset, b.byteLength), size }
  }

  /** A numeric tag's values (rationals as num/den). */
  numbers(e: TagEntry, what: string): number[] {
    const { v } = this.bytes(e, what)
    const l = this.h.littleEndian
    const out = new Array<number>(e.count)
    for (let i = 0; i < e.count; i++) {
      switch (e.type) {
        case 1:
        case 7:
          out[i] = v.getUint8(i)
          break
        case 6:
          out[i] = v.getInt8(i)
          break
        case 3:
          out[i] = v.getUint16(i * 2, l)
          break
        case 8:
          out[i] = v.getInt16(i * 2, l)
          break
        case 4:
        case 13:
          out[i] = v.getUint32(i * 4, l)
          break
        case 9:
          out[i] = v.getInt32(i * 4, l)
          break
        case 5:
          out[i] = v.getUint32(i * 8, l) / v.getUint32(i * 8 + 4, l)
          break
        case 10:
          out[i] = v.getInt32(i * 8, l) / v.getInt32(i * 8 + 4, l)
          break
        case 11:
          out[i] = v.getFloat32(i * 4, l)
          break
        case 12:
          out[i] = v.getFloat64(i * 8, l)
          break
        case 16:
        case 18:
          out[i] = u64(v, i * 8, l, `a value of tag ${e.tag} of ${what}`)
          break
        case 17:
          out[i] = Number(v.getBigInt64(i * 8, l))
          break
        default:
          out[i] = v.getUint8(i)
      }
    }
    return out
  }

  /** An ASCII tag's text, as UTF-8 (OME-XML, tifffile's JSON), NUL-separated strings joined by newlines. */
  text(e: TagEntry, what: string): string {
    const { v } = this.bytes(e, what)
    const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
    return UTF8.decode(b)
      .split('\0')
      .filter((p) => p.length)
      .join('\n')
  }
}

const UTF8 = new TextDecoder('utf-8')
