// A FITS ASCII table's rows written as records (fits-ascii.ts says which fields): numbers parsed from their text
// as astropy parses them — a 'D' exponent read as 'E', an empty field or one equal to TNULLn as NaN (floats) or 0
// (integers), otherwise the text must be a number as numpy reads it (spaces around it) or the copy is refused,
// naming the row and the field, as astropy refuses the column. Text fields are copied less their trailing spaces. Read a few
// thousand rows at a time, with progress and cancel.
import fs from 'node:fs'
import type { Recode } from '../../shared/containers'
import { ApiError } from '../../shared/contract'

const ROWS = 4096
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/
const SPECIAL: Record<string, number> = { nan: NaN, inf: Infinity, infinity: Infinity }
const INT = /^[+-]?\d+$/
const LIMITS: Record<string, [bigint, bigint]> = {
  '<i2': [-(1n << 15n), (1n << 15n) - 1n],
  '<i4': [-(1n << 31n), (1n << 31n) - 1n],
  '<i8': [-(1n << 63n), (1n << 63n) - 1n]
}

type Ascii = Extract<Recode, { kind: 'ascii-table' }>

export async function writeAscii(
  inFd: number,
  outFd: number,
  r: Ascii,
  name: string,
  control: { cancelled: () => boolean; onProgress?: (done: number, total: number) => void }
): Promise<void> {
  const sizes = r.fields.map((f) => Number(/\d+$/.exec(f.dtype)![0]))
  const record = Math.max(
    1,
    sizes.reduce((a, b) => a + b, 0)
  )
  const latin1 = new TextDecoder('latin1')
  for (let row = 0; row < r.rows; row += ROWS) {
    if (control.cancelled()) throw new ApiError('cancelled', `parsing the ASCII table '${name}' was cancelled`)
    const n = Math.min(ROWS, r.rows - row)
    const text = Buffer.alloc(n * r.rowBytes)
    const got = fs.readSync(inFd, text, 0, text.length, r.offset + row * r.rowBytes)
    if (got < text.length) throw new ApiError('layout', `'${name}': the file ends inside row ${row + got / r.rowBytes}`)
    const out = new Uint8Array(n * record)
    const v = new DataView(out.buffer)
    for (let j = 0; j < n; j++) {
      let at = j * record
      r.fields.forEach((f, k) => {
        const raw = text.subarray(j * r.rowBytes + f.at, j * r.rowBytes + f.at + f.width)
        if (f.code === 'A') {
          // trailing spaces are not part of FITS text (astropy strips them): NULs, which numpy's bytes drop
          let end = raw.length
          while (end > 0 && raw[end - 1] === 0x20) end--
          out.set(raw.subarray(0, end), at)
        } else
          put(
            v,
            at,
            f.dtype,
            parse(latin1.decode(raw), f, () => `row ${row + j}, field ${k + 1} (${f.code}${f.width})`)
          )
        at += sizes[k]!
      })
    }
    fs.writeSync(outFd, out)
    control.onProgress?.(row + n, r.rows)
    await new Promise((resolve) => setImmediate(resolve))
  }
}

function parse(s: string, f: Ascii['fields'][number], where: () => string): number | bigint {
  const t = s.replace(/D/g, 'E').trim()
  const float = f.dtype === '<f8'
  if (t === '' || t === f.null) return float ? NaN : 0n
  if (float) {
    const special = SPECIAL[t.replace(/^[+-]/, '').toLowerCase()]
    if (special !== undefined) return t.startsWith('-') ? -special : special
    if (FLOAT.test(t)) return Number(t)
  } else if (INT.test(t)) {
    const x = BigInt(t)
    const [lo, hi] = LIMITS[f.dtype]!
    if (x >= lo && x <= hi) return x
  }
  throw new ApiError(
    'layout',
    `${where()}: ${JSON.stringify(s)} is not ${float ? 'a number' : `an integer of ${f.dtype.slice(1)}`} (astropy refuses the column too; its TNULL may be missing)`
  )
}

function put(v: DataView, at: number, dtype: string, x: number | bigint): void {
  if (dtype === '<f8') v.setFloat64(at, Number(x), true)
  else if (dtype === '<i2') v.setInt16(at, Number(x), true)
  else if (dtype === '<i4') v.setInt32(at, Number(x), true)
  else v.setBigInt64(at, BigInt(x), true)
}
