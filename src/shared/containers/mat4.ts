// MATLAB level 4 MAT-files (save -v4, scipy's savemat(format='4')): no file header, one 20-byte header per
// variable — MOPT (decimal digits M O P T: byte order, 0, precision, text/sparse), rows, columns, imagf, the name's
// length — then the name and the column-major data (the imaginary part after the real part). The byte order is
// scipy's guess (MOPT read little-endian: 0, or within 0..5000, means little-endian), and M must agree with it.
// Numeric matrices map in place (rows × columns, order F); text matrices (T = 1: numbers that are character codes)
// and complex ones are recoded into a temporary copy as loadmat returns them; sparse ones written dense.
import { charsEntry } from './mat5-matrix'
import {
  ContainerError,
  elementCount,
  readExact,
  type Container,
  type ContainerEntry,
  type ParseContext
} from './model'

/** MOPT's precision digit P → numpy type, size. */
const PRECISION: [string, number][] = [
  ['f8', 8],
  ['f4', 4],
  ['i4', 4],
  ['i2', 2],
  ['u2', 2],
  ['u1', 1]
]

interface Header {
  mopt: number
  rows: number
  cols: number
  imagf: number
  namlen: number
}

function header(b: Uint8Array, little: boolean): Header {
  const v = new DataView(b.buffer, b.byteOffset, 20)
  return {
    mopt: v.getInt32(0, little),
    rows: v.getInt32(4, little),
    cols: v.getInt32(8, little),
    imagf: v.getInt32(12, little),
    namlen: v.getInt32(16, little)
  }
}

/** scipy's guess of the byte order from the first MOPT. */
function littleEndian(b: Uint8Array): boolean {
  const mopt = new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true)
  return mopt === 0 || (mopt > 0 && mopt <= 5000)
}

/** Why a header is no level 4 variable header, or null when it is one. */
function invalid(h: Header, little: boolean): string | null {
  if (h.mopt < 0 || h.mopt > 4999) return `MOPT ${h.mopt} is not a level 4 type`
  const m = Math.floor(h.mopt / 1000)
  const o = Math.floor(h.mopt / 100) % 10
  const p = Math.floor(h.mopt / 10) % 10
  const t = h.mopt % 10
  if (m > 1) return `MOPT ${h.mopt}: the number format ${m} (VAX or Cray) is not IEEE`
  if ((m === 0) !== little)
    return `MOPT ${h.mopt} says ${m ? 'big' : 'little'}-endian, unlike the file's first variable`
  if (o !== 0 || p > 5 || t > 2) return `MOPT ${h.mopt} is not a level 4 type`
  if (h.rows < 0 || h.cols < 0 || (h.imagf !== 0 && h.imagf !== 1)) return 'rows, columns or imagf are invalid'
  if (h.namlen < 1 || h.namlen > 65536) return `a name of ${h.namlen} bytes`
  return null
}

/**
 * A level 4 file has no magic: its name ends with .mat, its first 4 bytes hold a zero byte (scipy's test), and
 * the first variable's header is valid, its name NUL-terminated text and its data inside the file.
 */
export function isMat4(head: Uint8Array, size: number, name: string): boolean {
  if (!/\.mat$/i.test(name) || head.length < 21 || !head.subarray(0, 4).includes(0)) return false
  const little = littleEndian(head)
  const h = header(head, little)
  if (invalid(h, little) || 20 + h.namlen > head.length) return false
  const nameBytes = head.subarray(20, 20 + h.namlen)
  if (nameBytes[h.namlen - 1] !== 0 || nameBytes.subarray(0, -1).some((c) => c < 32 || c > 126)) return false
  const size1 = PRECISION[Math.floor(h.mopt / 10) % 10]![1]
  return 20 + h.namlen + h.rows * h.cols * size1 * (1 + h.imagf) <= size
}

export function parseMat4(ctx: ParseContext): Container<'mat5'> {
  const little = littleEndian(readExact(ctx, 0, 4, 'the first variable header'))
  const e = little ? '<' : '>'
  const entries: ContainerEntry[] = []
  let at = 0
  while (at < ctx.size) {
    if (at + 20 > ctx.size) {
      throw new ContainerError(`the level 4 MAT-file ends inside a variable header at byte ${at}`)
    }
    const h = header(readExact(ctx, at, 20, 'a variable header'), little)
    const why = invalid(h, little)
    if (why) throw new ContainerError(`the variable header at byte ${at}: ${why}`)
    const nameBytes = readExact(ctx, at + 20, h.namlen, 'a variable name')
    const name = new TextDecoder('latin1').decode(nameBytes.subarray(0, nameBytes.indexOf(0) >>> 0))
    const p = Math.floor(h.mopt / 10) % 10
    const t = h.mopt % 10
    const [code, size] = PRECISION[p]!
    const dims = [h.rows, h.cols]
    const count = elementCount(dims, `variable '${name}'`)
    const data = at + 20 + h.namlen
    const next = data + count * size * (1 + h.imagf)
    if (next > ctx.size) {
      throw new ContainerError(
        `variable '${name}' needs bytes up to ${next}, the file has ${ctx.size}: it is truncated`
      )
    }
    const dtype = `${size === 1 ? '|' : e}${code}`
    const base: ContainerEntry = {
      name,
      dtype,
      shape: dims,
      order: 'F',
      offset: data,
      nbytes: count * size,
      storedType: `level 4 ${['full', 'text', 'sparse'][t]} (MOPT ${String(h.mopt).padStart(4, '0')})`
    }
    if (t === 2) {
      entries.push(sparse4(ctx, base, data, dtype, h))
    } else if (t === 1) {
      entries.push(charsEntry(base, dims, { offset: data, nbytes: count * size, stored: dtype }))
    } else if (h.imagf) {
      const out = code === 'f4' ? '<c8' : '<c16'
      entries.push({
        ...base,
        dtype: out,
        offset: 0,
        nbytes: count * (out === '<c8' ? 8 : 16),
        recode: {
          kind: 'planes',
          count,
          real: { offset: data, dtype },
          imag: { offset: data + count * size, dtype }
        }
      })
    } else {
      entries.push(base)
    }
    at = next
  }
  return {
    format: 'mat5',
    metadata: { header: 'MATLAB level 4', byteOrder: little ? 'little-endian' : 'big-endian' },
    entries
  }
}

/** A level 4 sparse matrix: its dims from the triplets' last row, written dense as loadmat's .toarray() gives it. */
function sparse4(ctx: ParseContext, base: ContainerEntry, data: number, dtype: string, h: Header): ContainerEntry {
  const n = h.rows
  const complex = h.cols === 4
  const listed = (reason: string): ContainerEntry => ({
    ...base,
    nbytes: 0,
    unmappable: { reason, remedy: 'read it with scipy.io.loadmat' }
  })
  if ((h.cols !== 3 && h.cols !== 4) || n < 1) {
    return listed(`a MATLAB level 4 sparse matrix of ${n} × ${h.cols} triplets (n × 3 or n × 4 expected)`)
  }
  const size = Number(dtype.slice(2))
  const at = (k: number): number => {
    const b = readExact(ctx, data + k * size, size, 'a sparse matrix dims')
    const v = new DataView(b.buffer, b.byteOffset, size)
    const little = dtype[0] !== '>'
    const code = dtype.slice(1)
    return code === 'f8'
      ? v.getFloat64(0, little)
      : code === 'f4'
        ? v.getFloat32(0, little)
        : code === 'i4'
          ? v.getInt32(0, little)
          : code === 'i2'
            ? v.getInt16(0, little)
            : code === 'u2'
              ? v.getUint16(0, little)
              : v.getUint8(0)
  }
  // the last row: (rows, columns, 0)
  const rows = at(n - 1)
  const cols = at(2 * n - 1)
  if (![rows, cols].every((x) => Number.isSafeInteger(x) && x >= 0)) {
    return listed(`a MATLAB level 4 sparse matrix whose last row gives dims (${rows}, ${cols})`)
  }
  const shape = [rows, cols]
  const out = complex ? '<c16' : '<f8'
  const nbytes = elementCount(shape, `variable '${base.name}'`) * (complex ? 16 : 8)
  if (nbytes > 1 << 30)
    return listed(`a MATLAB sparse matrix of ${rows} × ${cols}: its dense form would take ${nbytes} bytes`)
  return {
    ...base,
    dtype: out,
    shape,
    offset: 0,
    nbytes,
    recode: { kind: 'triplets', offset: data, dtype, n, complex }
  }
}
