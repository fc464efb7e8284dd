// .npz: a ZIP archive of .npy members, keys as np.load gives them ("a" for member a.npy). Members np.savez
// writes are stored: mapped in place (their .npy header read from the archive). Members of np.savez_compressed
// are deflated: listed from their inflated .npy header, opened through a temporary decompressed copy (`via`).
import { NPY_PREAMBLE, NpyError, isNpy, npyHeaderLength, parseNpyHeader } from '../npy'
import { parseDType } from '../structured'
import {
  ContainerError,
  bytesRemedy,
  elementCount,
  readExact,
  type Container,
  type ContainerEntry,
  defineFormat,
  type ParseContext
} from './model'
import { readZipDirectory, type ZipMember } from './zip'

/** numpy refuses .npy headers over 10000 bytes by default; structured dtypes may need more, so allow 1 MiB. */
const MAX_NPY_HEADER = 1 << 20

const METHODS: Record<number, string> = { 12: 'bzip2', 14: 'lzma', 9: 'deflate64', 93: 'zstandard' }

/** The array a member's .npy header describes; throws NpyError / DTypeError for what cannot be mapped. */
function npyArray(
  prefix: Uint8Array,
  memberSize: number
): { dtype: string; shape: number[]; order: 'C' | 'F'; headerLength: number; nbytes: number } {
  if (!isNpy(prefix)) throw new NpyError('the member is not an .npy file (no \\x93NUMPY magic)')
  const headerLength = npyHeaderLength(prefix)
  if (headerLength > memberSize)
    throw new NpyError(`its .npy header claims ${headerLength} bytes, the member has ${memberSize}`)
  if (headerLength > prefix.length) throw new NpyError(`its .npy header is longer than ${MAX_NPY_HEADER} bytes`)
  const h = parseNpyHeader(prefix.subarray(0, headerLength))
  const dtype = typeof h.descr === 'string' ? h.descr : JSON.stringify(h.descr)
  const dt = parseDType(dtype)
  const nbytes = elementCount(h.shape, 'the array') * dt.itemsize
  if (headerLength + nbytes > memberSize) {
    throw new NpyError(
      `shape (${h.shape.join(', ')}) of ${dtype} needs ${nbytes} bytes, the member has ${memberSize - headerLength}`
    )
  }
  return { dtype: dt.str, shape: h.shape, order: h.fortranOrder ? 'F' : 'C', headerLength, nbytes }
}

function why(e: unknown): string {
  const m = (e as Error).message
  return /'[|<>=]?O'|object/.test(m)
    ? 'it holds Python objects (pickled), not numbers: np.load(allow_pickle=True) reads it'
    : m
}

export const npz = defineFormat({
  format: 'npz',
  formats: {
    npz: {
      label: '.npz',
      description: 'a numpy .npz archive',
      singleArray: false,
      extensions: ['.npz'],
      reader: 'numpy',
      recipe: (r) => `import numpy as np\na = np.load(${r.file})[${r.name}]`
    }
  },
  detect(head) {
    // a local file header, or the end record of an empty archive
    return (
      head.length >= 4 &&
      head[0] === 0x50 &&
      head[1] === 0x4b &&
      ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))
    )
  },
  parse(ctx): Container<'npz'> {
    const members = readZipDirectory(ctx)
    const entries: ContainerEntry[] = []
    for (const m of members) entries.push(memberEntry(ctx, m))
    return {
      format: 'npz',
      separator: '/',
      metadata: {
        members: members.map((m) => ({
          name: m.name,
          method: m.method === 0 ? 'stored' : m.method === 8 ? 'deflate' : (METHODS[m.method] ?? `method ${m.method}`),
          size: m.uncompressedSize,
          compressedSize: m.compressedSize
        }))
      },
      entries
    }
  }
})

function memberEntry(ctx: ParseContext, m: ZipMember): ContainerEntry {
  const key = m.name.endsWith('.npy') ? m.name.slice(0, -4) : m.name
  const base: ContainerEntry = {
    name: key,
    dtype: '|u1',
    shape: [m.uncompressedSize],
    order: 'C',
    offset: m.dataOffset,
    nbytes: m.compressedSize,
    storedType: m.method === 0 ? 'stored' : m.method === 8 ? 'deflate' : (METHODS[m.method] ?? `method ${m.method}`)
  }
  const unmappable = (reason: string, remedy: string): ContainerEntry => ({ ...base, unmappable: { reason, remedy } })
  if (m.flags & 1) return unmappable('the member is encrypted', 'decrypt the archive (unzip) and open the .npy file')
  if (!m.name.endsWith('.npy')) {
    return unmappable(
      'not an .npy member (np.load gives its bytes)',
      m.method === 0 ? bytesRemedy(m.dataOffset, m.compressedSize) : 'extract it (unzip) to read its bytes'
    )
  }
  if (m.method === 0) {
    if (m.compressedSize !== m.uncompressedSize) {
      throw new ContainerError(
        `stored member '${m.name}' has sizes that disagree (${m.compressedSize} and ${m.uncompressedSize})`
      )
    }
    try {
      const prefix = readExact(ctx, m.dataOffset, Math.min(m.compressedSize, MAX_NPY_HEADER), `member '${m.name}'`)
      if (prefix.length < NPY_PREAMBLE)
        throw new NpyError(`the member is ${m.compressedSize} bytes, too short for .npy`)
      const a = npyArray(prefix, m.compressedSize)
      return {
        ...base,
        dtype: a.dtype,
        shape: a.shape,
        order: a.order,
        offset: m.dataOffset + a.headerLength,
        nbytes: a.nbytes,
        storedType: a.dtype
      }
    } catch (e) {
      if (e instanceof ContainerError) throw e
      return unmappable(why(e), bytesRemedy(m.dataOffset, m.compressedSize))
    }
  }
  if (m.method === 8) {
    const remedy = 'np.load can read it into memory; or save it with np.savez (uncompressed) to map it'
    if (!ctx.inflatePrefix) return unmappable('the member is deflate-compressed', remedy)
    try {
      const prefix = ctx.inflatePrefix(m.dataOffset, m.compressedSize, Math.min(m.uncompressedSize, MAX_NPY_HEADER))
      if (prefix.length < NPY_PREAMBLE) throw new NpyError('the member is too short for .npy')
      const a = npyArray(prefix, m.uncompressedSize)
      return {
        ...base,
        dtype: a.dtype,
        shape: a.shape,
        order: a.order,
        offset: a.headerLength,
        nbytes: a.nbytes,
        storedType: a.dtype,
        via: {
          kind: 'inflate',
          stream: 'raw',
          dataOffset: m.dataOffset,
          compressedSize: m.compressedSize,
          uncompressedSize: m.uncompressedSize,
          crc32: m.crc32
        }
      }
    } catch (e) {
      return unmappable(`deflate-compressed member: ${why(e)}`, remedy)
    }
  }
  const method = METHODS[m.method] ?? `method ${m.method}`
  return unmappable(
    `the member is compressed with ${method}, which ArrayScope does not decompress`,
    'extract it (unzip) and open the .npy file'
  )
}
