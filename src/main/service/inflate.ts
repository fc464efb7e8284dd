// A compressed array opened through a temporary decompressed copy (read-only): a deflated .npz member (raw
// deflate), a MATLAB -v7 compressed variable (zlib), a .nii.gz or .img.gz (gzip) — streamed from the file through
// zlib into a file under the system's temporary folder, with progress and cancel, its size (and a ZIP member's
// CRC-32) checked; removed when the session closes (and, failing that, when the process exits). The archive may be
// a remote object: its range is fetched while it inflates (byte-stream.ts).
import fs from 'node:fs'
import os from 'node:os'
import pathModule from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'
import type { Via } from '../../shared/containers'
import { ApiError } from '../../shared/contract'
import { rangeStream } from './byte-stream'
import { removeTemp, tempFolder } from './temp-files'

export async function inflateMember(
  archive: string,
  via: Via,
  name: string,
  control: { cancelled: () => boolean; onProgress?: (done: number, total: number) => void }
): Promise<string> {
  const tmpRoot = os.tmpdir()
  try {
    const free = fs.statfsSync(tmpRoot)
    const available = free.bavail * free.bsize
    if (available < via.uncompressedSize) {
      throw new ApiError(
        'io',
        `decompressing '${name}' needs ${via.uncompressedSize} bytes in ${tmpRoot}, which has ${available} free: set TMPDIR to a larger disk`
      )
    }
  } catch (e) {
    if (e instanceof ApiError) throw e
  }
  const dir = tempFolder(`arrayscope-${via.stream === 'raw' ? 'npz' : via.stream}-`)
  const file = pathModule.join(
    dir,
    `${name.replace(/[^\w.-]+/g, '_').slice(0, 100) || 'member'}${via.stream === 'raw' ? '.npy' : '.bin'}`
  )
  const what = via.what ?? 'member'
  // a ZIP member inflates to exactly its size; a zlib or gzip stream to at least what the array needs
  const exact = via.stream === 'raw'
  let done = 0
  let crc = 0
  let last = 0
  const counter = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      if (control.cancelled()) return callback(new ApiError('cancelled', `decompressing '${name}' was cancelled`))
      if (!exact && done + chunk.length > via.uncompressedSize) chunk = chunk.subarray(0, via.uncompressedSize - done)
      done += chunk.length
      if (exact) crc = zlib.crc32(chunk, crc)
      if (done > via.uncompressedSize) {
        return callback(
          new ApiError('layout', `${what} '${name}' inflates to more than its ${via.uncompressedSize} bytes`)
        )
      }
      const now = Date.now()
      if (now - last > 50) {
        last = now
        control.onProgress?.(done, via.uncompressedSize)
      }
      callback(null, chunk)
    }
  })
  try {
    await pipeline(
      // a local file or a remote object's range (fetched ahead in parallel pieces: byte-stream.ts)
      via.compressedSize > 0
        ? rangeStream(archive, via.dataOffset, via.dataOffset + via.compressedSize)
        : via.stream === 'raw'
          ? rangeStream(archive, 0, 0)
          : // a gzip file: its stream runs to the end of the file
            rangeStream(archive, via.dataOffset),
      via.stream === 'gzip'
        ? zlib.createGunzip()
        : via.stream === 'zlib'
          ? zlib.createInflate()
          : zlib.createInflateRaw(),
      counter,
      fs.createWriteStream(file, { flags: 'wx' })
    )
    if (done !== via.uncompressedSize) {
      throw new ApiError(
        'layout',
        exact
          ? `${what} '${name}' inflated to ${done} bytes, the archive says ${via.uncompressedSize}`
          : `${what} '${name}' inflated to ${done} bytes, its header needs ${via.uncompressedSize}: the file is truncated`
      )
    }
    if (via.crc32 !== undefined && crc >>> 0 !== via.crc32 >>> 0) {
      throw new ApiError('layout', `member '${name}' fails its CRC-32 check: the archive is corrupt`)
    }
    control.onProgress?.(done, via.uncompressedSize)
    return file
  } catch (e) {
    removeTemp(file)
    if (e instanceof ApiError) throw e
    throw new ApiError('layout', `cannot decompress ${what} '${name}': ${(e as Error).message}`)
  }
}
