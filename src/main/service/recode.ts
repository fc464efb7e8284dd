// Values recoded once into a temporary copy (read-only), from a file (the container, or a copy inflate.ts made):
// MATLAB's complex arrays, whose parts are stored apart (each converted to the output's float type and
// interleaved as numpy's complex), and MATLAB's char arrays (code units or UTF-8, written as numpy's UTF-32 text,
// a string along the last dim), MATLAB's sparse matrices written out dense — what scipy.io.loadmat returns (for a
// sparse matrix, its .toarray()). Read in pieces, with progress and cancel.
import fs from 'node:fs'
import pathModule from 'node:path'
import type { Recode } from '../../shared/containers'
import { ApiError } from '../../shared/contract'
import { writeAscii } from './recode-ascii'
import { writeMinc } from './recode-minc'
import { getter, readAt } from './recode-read'
import { writeVarints } from './recode-varints'
import { removeTemp, tempFolder } from './temp-files'

/** Elements per piece (a complex128 piece is 1 MiB). */
const PIECE = 1 << 16
/** Char arrays are read whole: text larger than this is refused. */
const MAX_TEXT = 256 << 20

export async function recodeToCopy(
  source: string,
  recode: Recode,
  outDtype: string,
  name: string,
  control: { cancelled: () => boolean; onProgress?: (done: number, total: number) => void }
): Promise<string> {
  const dir = tempFolder('arrayscope-recode-')
  const file = pathModule.join(dir, `${name.replace(/[^\w.-]+/g, '_').slice(0, 100) || 'array'}.bin`)
  const inFd = fs.openSync(source, 'r')
  let outFd: number | undefined
  try {
    outFd = fs.openSync(file, 'wx')
    if (recode.kind === 'planes') await planes(inFd, outFd, recode, outDtype, name, control)
    else if (recode.kind === 'sparse') writeDense(inFd, outFd, recode, outDtype, name)
    else if (recode.kind === 'triplets') writeTriplets(inFd, outFd, recode, outDtype, name)
    else if (recode.kind === 'varints') writeVarints(inFd, outFd, recode, outDtype, name)
    else if (recode.kind === 'minc') writeMinc(inFd, outFd, recode, name, control)
    else if (recode.kind === 'ascii-table') await writeAscii(inFd, outFd, recode, name, control)
    else writeText(inFd, outFd, recode, name)
    // an empty array still maps: the copy holds at least one byte
    if (fs.fstatSync(outFd).size === 0) fs.writeSync(outFd, new Uint8Array(8))
    return file
  } catch (e) {
    if (outFd !== undefined) fs.closeSync(outFd)
    outFd = undefined
    removeTemp(file)
    throw e
  } finally {
    if (outFd !== undefined) fs.closeSync(outFd)
    fs.closeSync(inFd)
  }
}

async function planes(
  inFd: number,
  outFd: number,
  r: Extract<Recode, { kind: 'planes' }>,
  outDtype: string,
  name: string,
  control: { cancelled: () => boolean; onProgress?: (done: number, total: number) => void }
): Promise<void> {
  const re = getter(r.real.dtype)
  const im = getter(r.imag.dtype)
  const single = outDtype === '<c8'
  const out = new DataView(new ArrayBuffer(PIECE * (single ? 8 : 16)))
  for (let k = 0; k < r.count; k += PIECE) {
    if (control.cancelled()) throw new ApiError('cancelled', `combining the parts of '${name}' was cancelled`)
    const n = Math.min(PIECE, r.count - k)
    const a = readAt(inFd, r.real.offset + k * re.size, n * re.size, `'${name}' real part`)
    const b = readAt(inFd, r.imag.offset + k * im.size, n * im.size, `'${name}' imaginary part`)
    const av = new DataView(a.buffer)
    const bv = new DataView(b.buffer)
    for (let j = 0; j < n; j++) {
      if (single) {
        out.setFloat32(8 * j, re.get(av, j * re.size), true)
        out.setFloat32(8 * j + 4, im.get(bv, j * im.size), true)
      } else {
        out.setFloat64(16 * j, re.get(av, j * re.size), true)
        out.setFloat64(16 * j + 8, im.get(bv, j * im.size), true)
      }
    }
    fs.writeSync(outFd, new Uint8Array(out.buffer, 0, n * (single ? 8 : 16)))
    control.onProgress?.(k + n, r.count)
    // let a cancel arrive between pieces
    await new Promise((resolve) => setImmediate(resolve))
  }
}

function writeText(inFd: number, outFd: number, r: Extract<Recode, { kind: 'chars' }>, name: string): void {
  if (r.nbytes > MAX_TEXT) throw new ApiError('layout', `'${name}' holds ${r.nbytes} bytes of text, over 256 MiB`)
  const bytes = readAt(inFd, r.offset, r.nbytes, `'${name}' characters`)
  let codes: number[]
  if (r.stored === 'utf8') {
    // invalid bytes become U+FFFD, as loadmat's decoding does
    codes = [...new TextDecoder('utf-8').decode(bytes)].map((c) => c.codePointAt(0)!)
  } else {
    const g = getter(r.stored)
    const v = new DataView(bytes.buffer)
    codes = Array.from({ length: r.nbytes / g.size }, (_, k) => g.get(v, k * g.size))
  }
  // no stored characters at all (MATLAB's array of blanks): spaces, as loadmat reads it
  const missing = r.nbytes === 0 ? 0x20 : 0
  // MATLAB stores the chars column-major: character j of string s (s in order F over the leading dims) is at
  // s + j · strings
  const out = new DataView(new ArrayBuffer(r.strings * r.width * 4))
  for (let s = 0; s < r.strings; s++) {
    for (let j = 0; j < r.width; j++) {
      const c = codes[s + j * r.strings] ?? missing
      out.setUint32(4 * (s * r.width + j), Number.isFinite(c) && c >= 0 ? c : 0xfffd, true)
    }
  }
  fs.writeSync(outFd, new Uint8Array(out.buffer))
}

/** Values of a sparse matrix set into a dense copy in order F (the copy is sparse on disk where they are 0). */
function writeDense(
  inFd: number,
  outFd: number,
  r: Extract<Recode, { kind: 'sparse' }>,
  outDtype: string,
  name: string
): void {
  const itemsize = Number(outDtype.slice(2)) || 1
  // a zero-filled file of the dense size (holes on disk), then each stored value written at its place
  fs.ftruncateSync(outFd, r.rows * r.cols * itemsize)
  const numbers = (dtype: string, offset: number, count: number, what: string): number[] => {
    const g = getter(dtype)
    const v = new DataView(readAt(inFd, offset, count * g.size, `'${name}' ${what}`).buffer)
    return Array.from({ length: count }, (_, k) => g.get(v, k * g.size))
  }
  const jc = numbers(r.jc.dtype, r.jc.offset, r.cols + 1, 'column starts')
  const nnz = jc[r.cols]!
  if (
    nnz > Math.min(r.ir.count, r.pr.count, r.pi?.count ?? Infinity) ||
    jc.some((x, k) => x < 0 || (k > 0 && x < jc[k - 1]!))
  ) {
    throw new ApiError(
      'layout',
      `sparse '${name}': its column starts are not increasing within its ${r.ir.count} values`
    )
  }
  const ir = numbers(r.ir.dtype, r.ir.offset, nnz, 'row indices')
  const re = numbers(r.pr.dtype, r.pr.offset, nnz, 'values')
  const im = r.pi ? numbers(r.pi.dtype, r.pi.offset, nnz, 'imaginary values') : undefined
  const little = outDtype[0] !== '>'
  const code = outDtype.slice(1)
  const cell = new DataView(new ArrayBuffer(itemsize))
  for (let j = 0; j < r.cols; j++) {
    for (let k = jc[j]!; k < jc[j + 1]!; k++) {
      const i = ir[k]!
      if (i < 0 || i >= r.rows) {
        throw new ApiError('layout', `sparse '${name}': a row index ${i} outside its ${r.rows} rows`)
      }
      if (code === 'c16') {
        cell.setFloat64(0, re[k]!, true)
        cell.setFloat64(8, im![k]!, true)
      } else if (code === 'c8') {
        cell.setFloat32(0, re[k]!, true)
        cell.setFloat32(4, im![k]!, true)
      } else if (code === 'b1') cell.setUint8(0, re[k] !== 0 ? 1 : 0)
      else setNumber(cell, code, re[k]!, little)
      fs.writeSync(outFd, new Uint8Array(cell.buffer), 0, itemsize, (i + j * r.rows) * itemsize)
    }
  }
}

function setNumber(v: DataView, code: string, x: number, little: boolean): void {
  switch (code) {
    case 'f8':
      return v.setFloat64(0, x, little)
    case 'f4':
      return v.setFloat32(0, x, little)
    case 'i8':
      return v.setBigInt64(0, BigInt(x), little)
    case 'u8':
      return v.setBigUint64(0, BigInt(x), little)
    case 'i4':
      return v.setInt32(0, x, little)
    case 'u4':
      return v.setUint32(0, x, little)
    case 'i2':
      return v.setInt16(0, x, little)
    case 'u2':
      return v.setUint16(0, x, little)
    case 'i1':
      return v.setInt8(0, x)
    default:
      return v.setUint8(0, x)
  }
}

/** A level 4 sparse matrix's triplets (1-based, the last row its dims) summed into a dense copy in order F. */
function writeTriplets(
  inFd: number,
  outFd: number,
  r: Extract<Recode, { kind: 'triplets' }>,
  outDtype: string,
  name: string
): void {
  const g = getter(r.dtype)
  const ncols = r.complex ? 4 : 3
  const v = new DataView(readAt(inFd, r.offset, r.n * ncols * g.size, `'${name}' triplets`).buffer)
  const at = (row: number, col: number): number => g.get(v, (row + col * r.n) * g.size)
  const rows = at(r.n - 1, 0)
  const cols = at(r.n - 1, 1)
  // duplicates add up, as scipy's coo → csc conversion adds them
  const sums = new Map<number, [number, number]>()
  for (let k = 0; k < r.n - 1; k++) {
    const i = at(k, 0) - 1
    const j = at(k, 1) - 1
    if (!Number.isInteger(i) || !Number.isInteger(j) || i < 0 || j < 0 || i >= rows || j >= cols) {
      throw new ApiError(
        'layout',
        `sparse '${name}': triplet ${k} indexes (${i + 1}, ${j + 1}) outside ${rows} × ${cols}`
      )
    }
    const s = sums.get(i + j * rows) ?? [0, 0]
    s[0] += at(k, 2)
    if (r.complex) s[1] += at(k, 3)
    sums.set(i + j * rows, s)
  }
  const itemsize = outDtype === '<c16' ? 16 : 8
  fs.ftruncateSync(outFd, rows * cols * itemsize)
  const cell = new DataView(new ArrayBuffer(itemsize))
  for (const [index, [re, im]] of sums) {
    cell.setFloat64(0, re, true)
    if (itemsize === 16) cell.setFloat64(8, im, true)
    fs.writeSync(outFd, new Uint8Array(cell.buffer), 0, itemsize, index * itemsize)
  }
}
