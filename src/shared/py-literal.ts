// A small parser for the Python literals that .npy headers hold: dicts, tuples, lists, strings, ints,
// True/False/None. Tuples and lists both come out as arrays; isPyTuple tells them apart (np.load does: a shape
// given as a list is refused), and pyRepr writes a value back as Python would.
import { BadRequestError } from './errors'
export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue }

export class PyLiteralError extends BadRequestError {}

const TUPLES = new WeakSet<readonly PyValue[]>()

/** Whether an array came from a Python tuple ("(3, 4)"), not a list ("[3, 4]"). */
export function isPyTuple(value: PyValue): boolean {
  return Array.isArray(value) && TUPLES.has(value)
}

/** An array that pyRepr writes as a tuple. */
export function pyTuple(items: PyValue[]): PyValue[] {
  TUPLES.add(items)
  return items
}

/** Python's repr of a str: single quotes unless the text holds one and no double quote. */
export function pyStrRepr(v: string): string {
  const quote = v.includes("'") && !v.includes('"') ? '"' : "'"
  let out = ''
  for (const ch of v) {
    const c = ch.codePointAt(0)!
    if (ch === '\\') out += '\\\\'
    else if (ch === quote) out += '\\' + ch
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0')
    else out += ch
  }
  return quote + out + quote
}

/** Python's repr of a parsed value (tuples as tuples, dicts in their order). */
export function pyRepr(v: PyValue): string {
  if (typeof v === 'string') return pyStrRepr(v)
  if (typeof v === 'boolean') return v ? 'True' : 'False'
  if (v === null) return 'None'
  if (typeof v === 'number') return String(v)
  if (Array.isArray(v)) {
    const items = v.map(pyRepr)
    if (!isPyTuple(v)) return `[${items.join(', ')}]`
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`
  }
  return `{${Object.entries(v)
    .map(([k, x]) => `${pyStrRepr(k)}: ${pyRepr(x)}`)
    .join(', ')}}`
}

export function parsePyLiteral(text: string): PyValue {
  let i = 0
  const fail = (what: string): never => {
    throw new PyLiteralError(`${what} at character ${i} of ${JSON.stringify(text.slice(0, 120))}`)
  }
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++
  }
  let depth = 0
  const value = (): PyValue => {
    ws()
    const c = text[i]
    if (c === '{' || c === '(' || c === '[') {
      // deeper than any header needs: refused, not recursed into until the stack runs out
      if (++depth > 100) fail('nested more than 100 levels')
      try {
        if (c === '{') return dict()
        if (c === '[') return seq(']').items
        // (x) is x in parentheses; (x,) and (x, y) are tuples
        const { items, comma } = seq(')')
        return items.length === 1 && !comma ? items[0]! : pyTuple(items)
      } finally {
        depth--
      }
    }
    if (c === "'" || c === '"') return str()
    if ((c === 'u' || c === 'U') && (text[i + 1] === "'" || text[i + 1] === '"')) {
      i++
      return str()
    }
    if (c !== undefined && /[-+\d]/.test(c)) {
      const m = /^[-+]?\d+L?/.exec(text.slice(i))
      if (!m) return fail('expected a number')
      i += m[0].length
      return Number(m[0].replace('L', ''))
    }
    for (const [word, v] of [
      ['True', true],
      ['False', false],
      ['None', null]
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length
        return v
      }
    }
    return fail('unexpected text')
  }
  const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"' }
  const str = (): string => {
    const q = text[i++]
    let out = ''
    while (i < text.length && text[i] !== q) {
      if (text[i] === '\\') {
        i++
        const e = text[i++] ?? ''
        const hex = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0
        if (hex) {
          const digits = text.slice(i, i + hex)
          if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== hex) fail(`bad \\${e} escape`)
          out += String.fromCodePoint(Number.parseInt(digits, 16))
          i += hex
        } else out += ESCAPES[e] ?? `\\${e}`
      } else out += text[i++]
    }
    if (text[i] !== q) fail('unterminated string')
    i++
    return out
  }
  const seq = (close: string): { items: PyValue[]; comma: boolean } => {
    i++
    const items: PyValue[] = []
    let comma = false
    for (;;) {
      ws()
      if (text[i] === close) {
        i++
        return { items, comma }
      }
      items.push(value())
      ws()
      if (text[i] === ',') {
        i++
        comma = true
      } else if (text[i] !== close) fail(`expected , or ${close}`)
    }
  }
  const dict = (): { [key: string]: PyValue } => {
    i++
    const out: { [key: string]: PyValue } = {}
    for (;;) {
      ws()
      if (text[i] === '}') {
        i++
        return out
      }
      const k = value()
      if (typeof k !== 'string') fail('dict keys must be strings')
      ws()
      if (text[i++] !== ':') fail('expected :')
      // defineProperty: a key named "__proto__" is a key, not the object's prototype
      Object.defineProperty(out, k as string, { value: value(), enumerable: true, writable: true, configurable: true })
      ws()
      if (text[i] === ',') i++
      else if (text[i] !== '}') fail('expected , or }')
    }
  }
  const v = value()
  ws()
  if (i !== text.length) fail('trailing text')
  return v
}
