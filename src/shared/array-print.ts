// numpy's str() of an array — np.array2string with its defaults (precision 8, floatmode 'maxprec', line width
// 75, threshold 1000, edgeitems 3) — ported from numpy/_core/arrayprint.py: each dtype's formatter is fitted
// to all the values printed (widths, positional or scientific notation), rows wrap at 75 columns, arrays over
// 1000 elements print their first and last 3 along each long axis with '...' between.
import type { ScalarDType } from './dtypes'
import { positional, printedDigits, scientific, type Digits } from './float-print'
import { formatValue, type DType, type StructField, type Value } from './structured'

const THRESHOLD = 1000
const EDGE = 3
const LINE_WIDTH = 75
const PRECISION = 8

type Format = (v: Value) => string

/** The largest f(x) over xs (a loop: a spread of many values would overflow the call stack). */
function maxOf<T>(xs: readonly T[], f: (x: T) => number): number {
  let m = -Infinity
  for (const x of xs) m = Math.max(m, f(x))
  return m
}

export interface PrintSource {
  dtype: DType
  shape: readonly number[]
  /** The element at a full index. */
  read(index: readonly number[]): Value
}

/** numpy's str(a). */
export function arrayStr(src: PrintSource): string {
  const { dtype, shape } = src
  if (shape.length === 0) return scalarStr(dtype, src.read([]))
  if (shape.some((n) => n === 0)) return '[]'
  const size = shape.reduce((a, b) => a * b, 1)
  const summarize = size > THRESHOLD
  // the elements printed: along an axis longer than 6 of a summarized array, its first and last 3
  const kept = shape.map((n) =>
    summarize && n > 2 * EDGE ? [0, 1, 2, n - 3, n - 2, n - 1] : Array.from({ length: n }, (_, k) => k)
  )
  const values = new Map<string, Value>()
  const walk = (index: number[]): void => {
    if (index.length === shape.length) {
      values.set(index.join(','), src.read(index))
      return
    }
    for (const i of kept[index.length]!) walk([...index, i])
  }
  walk([])
  const format = formatterFor(dtype, [...values.values()])
  return formatArray(shape, (index) => format(values.get(index.join(','))!), summarize)
}

/** str() of a 0-d array: the scalar's own str (full precision, no padding). */
function scalarStr(dtype: DType, v: Value): string {
  if (dtype.kind === 'scalar') {
    if (dtype.type.kind === 'str') return v as string
    if (dtype.type.kind === 'bytes') return `np.bytes_(${formatValue(dtype, v)})`
  }
  return formatValue(dtype, v)
}

/** The formatter numpy fits to a dtype and the values it will print (_get_format_function). */
function formatterFor(dtype: DType, values: Value[]): Format {
  switch (dtype.kind) {
    case 'void':
      return (v) => formatValue(dtype, v)
    case 'struct':
      return structFormat(dtype.fields, values)
    case 'scalar':
      return scalarFormat(dtype, values)
  }
}

function scalarFormat(dt: ScalarDType, values: Value[]): Format {
  const t = dt.type
  switch (t.kind) {
    case 'bool':
      return (v) => (v ? ' True' : 'False')
    case 'int':
    case 'uint': {
      const width = maxOf(values, (v) => String(v).length)
      return (v) => String(v).padStart(width)
    }
    case 'float': {
      const f = floatFormat(values as number[], t.float!, false)
      return (v) => f(v as number)
    }
    case 'complex': {
      const parts = values as unknown as (readonly [number, number])[]
      const re = floatFormat(
        parts.map((p) => p[0]),
        t.float!,
        false
      )
      const im = floatFormat(
        parts.map((p) => p[1]),
        t.float!,
        true
      )
      return (v) => {
        const [a, b] = v as readonly [number, number]
        const i = im(b)
        // the 'j' goes before the imaginary part's padding
        const end = i.trimEnd().length
        return `${re(a)}${i.slice(0, end)}j${i.slice(end)}`
      }
    }
    case 'bytes':
    case 'str':
      return (v) => t.format(v as string)
  }
}

/** numpy's FloatingFormat (floatmode 'maxprec', precision 8, suppress_small False); plus: sign '+'. */
function floatFormat(
  data: number[],
  info: { shortest(x: number): Digits; precision: number; round(x: number): number },
  plus: boolean
): (x: number) => string {
  const finite = data.filter(Number.isFinite)
  const magnitudes = finite.filter((x) => x !== 0).map(Math.abs)
  let exp = false
  if (magnitudes.length) {
    const max = maxOf(magnitudes, (x) => x)
    const min = -maxOf(magnitudes, (x) => -x)
    // numpy switches to scientific from 10^min(8, finfo.precision): 1e3 for float16, 1e6 for float32; it
    // compares and divides in the array's own type (0.0001 as float32 is a little less than 0.0001)
    const r = info.round
    exp = max >= r(10 ** Math.min(8, info.precision)) || min < r(0.0001) || r(max / min) > r(1000)
  }
  let padLeft = 0
  let padRight = 0
  let precision = PRECISION
  let expSize = -1
  if (finite.length && exp) {
    const strs = finite.map((x) =>
      scientific(x, printedDigits(x, info.shortest, { significant: PRECISION + 1 }), { plus })
    )
    const [mantissas, exps] = [strs.map((s) => s.split('e')[0]!), strs.map((s) => s.split('e')[1]!)]
    expSize = maxOf(exps, (s) => s.length) - 1
    precision = maxOf(mantissas, (s) => s.split('.')[1]!.length)
    padLeft = maxOf(mantissas, (s) => s.split('.')[0]!.length)
    padRight = expSize + 2 + precision
  } else if (finite.length) {
    const strs = finite.map((x) => positional(x, printedDigits(x, info.shortest, { fractional: PRECISION }), { plus }))
    padLeft = maxOf(strs, (s) => s.split('.')[0]!.length)
    padRight = maxOf(strs, (s) => s.split('.')[1]!.length)
  }
  if (finite.length !== data.length) {
    // room for 'nan' and '-inf' (or '+inf' with plus) at the same width
    const neginf = plus || data.some((x) => x === -Infinity)
    const offset = padRight + 1
    padLeft = Math.max(padLeft, 3 - offset, 3 + (neginf ? 1 : 0) - offset)
  }
  return (x) => {
    if (!Number.isFinite(x)) {
      const ret = Number.isNaN(x) ? `${plus ? '+' : ''}nan` : `${x < 0 ? '-' : plus ? '+' : ''}inf`
      return ret.padStart(padLeft + padRight + 1)
    }
    if (exp) {
      const digits = printedDigits(x, info.shortest, { significant: precision + 1 }, precision)
      return scientific(x, digits, { plus, minDigits: precision, padLeft, expDigits: expSize })
    }
    return positional(x, printedDigits(x, info.shortest, { fractional: PRECISION }), { plus, padLeft, padRight })
  }
}

/** The leaves of a nested sub-array value, in C order. */
function leaves(v: Value, depth: number): Value[] {
  return depth === 0 ? [v] : (v as Value[]).flatMap((x) => leaves(x, depth - 1))
}

/** numpy's StructuredVoidFormat: each field formatted across its whole column; sub-arrays as [a, b, c]. */
function structFormat(fields: StructField[], values: Value[]): Format {
  const formats = fields.map((f) => {
    const column = values.map((r) => (r as { [k: string]: Value })[f.name]!)
    const leaf = formatterFor(
      f.dtype,
      column.flatMap((v) => leaves(v, f.shape.length))
    )
    if (!f.shape.length) return leaf
    const size = f.shape.reduce((a, b) => a * b, 1)
    const summarize = size > THRESHOLD
    const sub = (v: Value, depth: number): string => {
      if (depth === 0) return leaf(v)
      const items = v as Value[]
      const parts =
        summarize && items.length > 2 * EDGE
          ? [
              ...items.slice(0, EDGE).map((x) => sub(x, depth - 1)),
              '...',
              ...items.slice(-EDGE).map((x) => sub(x, depth - 1))
            ]
          : items.map((x) => sub(x, depth - 1))
      return `[${parts.join(', ')}]`
    }
    return (v: Value) => sub(v, f.shape.length)
  })
  return (v) => {
    const rec = v as { [k: string]: Value }
    const parts = fields.map((f, k) => formats[k]!(rec[f.name]!))
    return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`
  }
}

/** _extendLine: wraps when the word would pass the width (never on a line that holds only the prefix). */
function extendLine(s: string, line: string, word: string, width: number, prefix: string): [string, string] {
  if (line.length + word.length > width && line.length > prefix.length) {
    s += line.trimEnd() + '\n'
    line = prefix
  }
  return [s, line + word]
}

/** _extendLine_pretty: a word of several lines is placed as a block. */
function extendPretty(s: string, line: string, word: string, width: number, prefix: string): [string, string] {
  const words = word.split('\n')
  if (words.length === 1) return extendLine(s, line, word, width, prefix)
  const longest = maxOf(words, (w) => w.length)
  let indent: string
  if (line.length + longest > width && line.length > prefix.length) {
    s += line.trimEnd() + '\n'
    line = prefix + words[0]
    indent = prefix
  } else {
    indent = ' '.repeat(line.length)
    line += words[0]
  }
  for (const w of words.slice(1)) {
    s += line.trimEnd() + '\n'
    line = indent + w
  }
  return [s, line + ' '.repeat(longest - words[words.length - 1]!.length)]
}

/** numpy's _formatArray with separator ' ' and no prefix (what str() uses). */
function formatArray(shape: readonly number[], element: (index: number[]) => string, summarize: boolean): string {
  const nd = shape.length
  const recurse = (index: number[], hanging: string, width: number): string => {
    const axesLeft = nd - index.length
    if (axesLeft === 0) return element(index)
    const nextHanging = hanging + ' '
    const nextWidth = width - 1
    const n = shape[index.length]!
    const summary = summarize && n > 2 * EDGE
    const leading = summary ? EDGE : 0
    const trailing = summary ? EDGE : n
    let s = ''
    if (axesLeft === 1) {
      const elemWidth = width - 1
      let line = hanging
      for (let i = 0; i < leading; i++) {
        ;[s, line] = extendPretty(s, line, recurse([...index, i], nextHanging, nextWidth), elemWidth, hanging)
        line += ' '
      }
      if (summary) {
        ;[s, line] = extendLine(s, line, '...', elemWidth, hanging)
        line += ' '
      }
      for (let i = trailing; i > 1; i--) {
        ;[s, line] = extendPretty(s, line, recurse([...index, n - i], nextHanging, nextWidth), elemWidth, hanging)
        line += ' '
      }
      ;[s, line] = extendPretty(s, line, recurse([...index, n - 1], nextHanging, nextWidth), elemWidth, hanging)
      s += line
    } else {
      const lineSep = '\n'.repeat(axesLeft - 1)
      for (let i = 0; i < leading; i++) s += hanging + recurse([...index, i], nextHanging, nextWidth) + lineSep
      if (summary) s += hanging + '...' + lineSep
      for (let i = trailing; i > 1; i--) s += hanging + recurse([...index, n - i], nextHanging, nextWidth) + lineSep
      s += hanging + recurse([...index, n - 1], nextHanging, nextWidth)
    }
    return '[' + s.slice(hanging.length) + ']'
  }
  return recurse([], ' ', LINE_WIDTH)
}
