// A FITS ASCII table (XTENSION = 'TABLE'): rows of NAXIS1 characters, field n at column TBCOLn (1-based) of
// TFORMn's width — text (Aw) or numbers written out (Iw, Fw.d, Ew.d, Dw.d). Shown as astropy's FITS_rec gives it:
// a structured array, one record a row, the numbers parsed (src/main/service/recode-ascii.ts) into numpy's types as
// astropy picks them (Iw: int16 for w ≤ 4, int64 for w > 9, else int32; F, E, D: float64; A: bytes), an empty field
// or one equal to TNULLn as NaN (floats) or 0 (integers). TSCALn/TZEROn are noted, not applied.
import { ContainerError, type ContainerEntry } from './model'
import type { AsciiField } from './fits-tile-layout'

export type { AsciiField } from './fits-tile-layout'

type CardValue = string | number | boolean | null

export function asciiEntry(
  get: (k: string) => CardValue | undefined,
  hdu: number,
  base: ContainerEntry,
  offset: number,
  rowBytes: number,
  rows: number
): ContainerEntry {
  const n = get('TFIELDS')
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > 999)
    throw new ContainerError(`HDU ${hdu}: TFIELDS is ${JSON.stringify(n ?? 'missing')} (0 to 999)`)
  const fields: AsciiField[] = []
  const descr: [string, string][] = []
  const notes: string[] = []
  const names = new Set<string>()
  for (let k = 1; k <= n; k++) {
    const form = get(`TFORM${k}`)
    const m = typeof form === 'string' ? /^\s*([AIJFED])(\d+)(?:\.(\d+))?\s*$/i.exec(form) : null
    if (!m)
      throw new ContainerError(`HDU ${hdu}: TFORM${k} = ${JSON.stringify(form ?? null)} is not an ASCII table format`)
    const code = m[1]!.toUpperCase()
    const width = Number(m[2])
    const col = get(`TBCOL${k}`)
    if (typeof col !== 'number' || !Number.isSafeInteger(col) || col < 1 || col - 1 + width > rowBytes)
      throw new ContainerError(
        `HDU ${hdu}: TBCOL${k} = ${JSON.stringify(col ?? null)} puts a field of ${width} characters outside rows of ${rowBytes}`
      )
    const dtype =
      code === 'A'
        ? `|S${width}`
        : code === 'J'
          ? '<i8'
          : code === 'I'
            ? width <= 4
              ? '<i2'
              : width > 9
                ? '<i8'
                : '<i4'
            : '<f8'
    let name = String(get(`TTYPE${k}`) ?? '').trim() || `col${k - 1}`
    while (names.has(name)) name += '_'
    names.add(name)
    const tnull = get(`TNULL${k}`)
    fields.push({
      at: col - 1,
      width,
      code,
      dtype,
      null: tnull === undefined || tnull === null ? '' : String(tnull).trim().slice(0, width)
    })
    descr.push([name, dtype])
    if (get(`TSCAL${k}`) !== undefined || get(`TZERO${k}`) !== undefined)
      notes.push(`${name}: TSCAL${k}/TZERO${k} are not applied (the numbers as written shown)`)
  }
  const size = fields.reduce((a, f) => a + Number(/\d+$/.exec(f.dtype)![0]), 0)
  return {
    ...base,
    dtype: JSON.stringify(descr.length ? descr : [['', '|V1']]),
    shape: [rows],
    offset: 0,
    nbytes: rows * Math.max(1, size),
    storedType: 'ASCII TABLE',
    recode: { kind: 'ascii-table', offset, rowBytes, rows, fields },
    ...(notes.length ? { metadata: { ...base.metadata, columns: notes } } : {})
  }
}
