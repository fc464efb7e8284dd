// ZIP archives as numpy writes them (.npz): the end-of-central-directory record (ZIP64 when the archive or a
// member passes 4 GiB), the central directory for every member's sizes, method and local-header offset, and the
// local header for where the member's data starts. np.savez writes ZIP64 placeholders (0xFFFFFFFF) in local
// headers (force_zip64), so sizes come from the central directory only, as CPython's zipfile reads them.
import { ContainerError, readExact, safeU64, type ReadFn } from './model'

export interface ZipMember {
  name: string
  /** 0 stored, 8 deflate, others (bzip2 12, lzma 14 …) as numbers. */
  method: number
  flags: number
  crc32: number
  compressedSize: number
  uncompressedSize: number
  localHeaderOffset: number
  /** First byte of the member's (compressed) data. */
  dataOffset: number
}

const UTF8 = new TextDecoder('utf-8')
const LATIN1 = new TextDecoder('latin1')

const EOCD = 0x06054b50
const ZIP64_LOCATOR = 0x07064b50
const ZIP64_EOCD = 0x06064b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50

function dv(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength)
}

/** Finds the end-of-central-directory record: at the very end, or before a comment in the last 64 KiB. */
function findEocd(ctx: { read: ReadFn; size: number }): number {
  if (ctx.size < 22) throw new ContainerError(`the file is ${ctx.size} bytes: too short for a ZIP archive`)
  const tailLength = Math.min(ctx.size, 22 + 0xffff)
  const tail = readExact(ctx, ctx.size - tailLength, tailLength, 'the end of the ZIP archive')
  const v = dv(tail)
  for (let k = tail.length - 22; k >= 0; k--) {
    if (v.getUint32(k, true) !== EOCD) continue
    const commentLength = v.getUint16(k + 20, true)
    if (k + 22 + commentLength === tail.length) return ctx.size - tailLength + k
  }
  throw new ContainerError('no end-of-central-directory record: the ZIP archive is truncated or not a ZIP archive')
}

export function readZipDirectory(ctx: { read: ReadFn; size: number }): ZipMember[] {
  const eocdAt = findEocd(ctx)
  const e = dv(readExact(ctx, eocdAt, 22, 'the end-of-central-directory record'))
  let count = e.getUint16(10, true)
  let cdSize = e.getUint32(12, true)
  let cdOffset = e.getUint32(16, true)
  if ((count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) && eocdAt >= 20) {
    const loc = dv(readExact(ctx, eocdAt - 20, 20, 'the ZIP64 locator'))
    if (loc.getUint32(0, true) === ZIP64_LOCATOR) {
      const at = safeU64(loc.getBigUint64(8, true), 'the ZIP64 end record offset')
      const z = dv(readExact(ctx, at, 56, 'the ZIP64 end-of-central-directory record'))
      if (z.getUint32(0, true) !== ZIP64_EOCD) throw new ContainerError('the ZIP64 end record has a bad signature')
      count = safeU64(z.getBigUint64(32, true), 'the ZIP64 member count')
      cdSize = safeU64(z.getBigUint64(40, true), 'the ZIP64 central directory size')
      cdOffset = safeU64(z.getBigUint64(48, true), 'the ZIP64 central directory offset')
    }
  }
  if (cdOffset + cdSize > ctx.size) {
    throw new ContainerError(
      `the central directory [${cdOffset}, ${cdOffset + cdSize}) runs past the end of the file (${ctx.size} bytes)`
    )
  }
  if (count * 46 > cdSize) {
    throw new ContainerError(
      `the archive claims ${count} members, its ${cdSize}-byte directory can hold ${Math.floor(cdSize / 46)}`
    )
  }
  const cd = readExact(ctx, cdOffset, cdSize, 'the central directory')
  const c = dv(cd)
  const members: ZipMember[] = []
  let p = 0
  for (let k = 0; k < count; k++) {
    if (p + 46 > cd.length || c.getUint32(p, true) !== CENTRAL) {
      throw new ContainerError(`central directory entry ${k} is malformed (at byte ${cdOffset + p})`)
    }
    const flags = c.getUint16(p + 8, true)
    const method = c.getUint16(p + 10, true)
    const crc32 = c.getUint32(p + 16, true)
    let compressedSize = c.getUint32(p + 20, true)
    let uncompressedSize = c.getUint32(p + 24, true)
    const nameLength = c.getUint16(p + 28, true)
    const extraLength = c.getUint16(p + 30, true)
    const commentLength = c.getUint16(p + 32, true)
    let localHeaderOffset = c.getUint32(p + 42, true)
    const end = p + 46 + nameLength + extraLength + commentLength
    if (end > cd.length) throw new ContainerError(`central directory entry ${k} runs past the directory's end`)
    const nameBytes = cd.subarray(p + 46, p + 46 + nameLength)
    // bit 11: UTF-8 names; otherwise cp437 (ASCII in practice)
    const name = (flags & 0x800 ? UTF8 : LATIN1).decode(nameBytes)
    // ZIP64 extra field: the 64-bit values of the fields that hold 0xFFFFFFFF, in this order
    let x = p + 46 + nameLength
    const extraEnd = x + extraLength
    while (x + 4 <= extraEnd) {
      const id = c.getUint16(x, true)
      const len = c.getUint16(x + 2, true)
      if (x + 4 + len > extraEnd) throw new ContainerError(`member '${name}': an extra field runs past its end`)
      if (id === 0x0001) {
        let q = x + 4
        const take = (what: string): number => {
          if (q + 8 > x + 4 + len) throw new ContainerError(`member '${name}': the ZIP64 extra field is too short`)
          const v = safeU64(c.getBigUint64(q, true), `member '${name}': ${what}`)
          q += 8
          return v
        }
        if (uncompressedSize === 0xffffffff) uncompressedSize = take('its size')
        if (compressedSize === 0xffffffff) compressedSize = take('its compressed size')
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take('its offset')
      }
      x += 4 + len
    }
    members.push({
      name,
      method,
      flags,
      crc32,
      compressedSize,
      uncompressedSize,
      localHeaderOffset,
      dataOffset: -1
    })
    p = end
  }
  // where each member's data starts: after its local header's name and extra field
  for (const m of members) {
    if (m.localHeaderOffset + 30 > cdOffset) {
      throw new ContainerError(
        `member '${m.name}' has its local header at ${m.localHeaderOffset}, inside the directory`
      )
    }
    const h = dv(readExact(ctx, m.localHeaderOffset, 30, `the local header of '${m.name}'`))
    if (h.getUint32(0, true) !== LOCAL) {
      throw new ContainerError(`member '${m.name}': no local header at byte ${m.localHeaderOffset}`)
    }
    m.dataOffset = m.localHeaderOffset + 30 + h.getUint16(26, true) + h.getUint16(28, true)
    if (m.dataOffset + m.compressedSize > cdOffset) {
      throw new ContainerError(
        `member '${m.name}' claims ${m.compressedSize} bytes at ${m.dataOffset}, past the central directory (${cdOffset}): the archive is corrupt`
      )
    }
  }
  // members may not share bytes (overlapping members are how zip bombs are built)
  const sorted = [...members].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset)
  for (let k = 1; k < sorted.length; k++) {
    const prev = sorted[k - 1]!
    if (sorted[k]!.localHeaderOffset < prev.dataOffset + prev.compressedSize) {
      throw new ContainerError(`members '${prev.name}' and '${sorted[k]!.name}' overlap: the archive is corrupt`)
    }
  }
  return members
}
