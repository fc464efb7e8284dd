// numpy's fixed-length strings. S (bytes_): n bytes; U (str_): n UTF-32 code points in the dtype's byte order.
// As numpy reads them, trailing NULs are dropped. Shown as numpy's repr (b'abc', 'abc'); typed values are
// checked against the length instead of being cut short as numpy would silently do; S takes ASCII text (numpy
// encodes str with ASCII) or a bytes literal b'\x00\xff', U any text or a str literal 'x' (what the table shows).
import { parsePyLiteral, pyStrRepr } from './py-literal'
import { ParseError, type Scalar, type TypeEntry } from './type-entry'

/** Python's repr of bytes given one character per byte: b'ab\x00'. */
export function bytesRepr(v: string): string {
  const quote = v.includes("'") && !v.includes('"') ? '"' : "'"
  let out = ''
  for (const ch of v) {
    const c = ch.charCodeAt(0)
    if (ch === '\\') out += '\\\\'
    else if (ch === quote) out += `\\${ch}`
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (c < 0x20 || c >= 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`
    else out += ch
  }
  return `b${quote}${out}${quote}`
}

function parseBytes(text: string, n: number, name: string): string {
  let value: string
  const literal = /^b(['"])[\s\S]*\1$/.exec(text.trim())
  if (literal) {
    const parsed = parsePyLiteral(text.trim().slice(1))
    if (typeof parsed !== 'string' || [...parsed].some((ch) => ch.charCodeAt(0) > 0xff)) {
      throw new ParseError(`${text} is not a bytes literal`)
    }
    value = parsed
  } else {
    const bad = [...text].find((ch) => ch.charCodeAt(0) > 0x7f)
    if (bad !== undefined) {
      throw new ParseError(`'${bad}' is not ASCII: ${name} holds bytes; write other bytes as a literal like b'\\xe9'`)
    }
    value = text
  }
  if (value.length > n) {
    throw new ParseError(`${value.length} bytes do not fit in ${name}, which holds ${n} (numpy would cut them short)`)
  }
  return value
}

function parseText(raw: string, n: number, name: string): string {
  // the table shows 'abc' (numpy's repr): text in quotes is a Python str literal, anything else is the text
  let text = raw
  if (/^(['"])[\s\S]*\1$/.test(raw.trim()) && raw.trim().length >= 2) {
    const parsed = parsePyLiteral(raw.trim())
    if (typeof parsed === 'string') text = parsed
  }
  const points = [...text].length
  if (points > n) {
    throw new ParseError(`${points} characters do not fit in ${name}, which holds ${n} (numpy would cut them short)`)
  }
  return text
}

export function stringEntry(char: 'S' | 'U', n: number): TypeEntry {
  const bytes = char === 'S'
  const size = bytes ? n : 4 * n
  const name = `${char}${n}`
  const decode = (view: DataView, o: number, little: boolean): Scalar => {
    let s = ''
    if (bytes) {
      for (let k = 0; k < n; k++) s += String.fromCharCode(view.getUint8(o + k))
    } else {
      for (let k = 0; k < n; k++) {
        const c = view.getUint32(o + 4 * k, little)
        // a code point no string can hold (a surrogate, beyond U+10FFFF) shows as U+FFFD
        s += c > 0x10ffff || (c >= 0xd800 && c < 0xe000) ? '\ufffd' : String.fromCodePoint(c)
      }
    }
    return s.replace(/\0+$/, '')
  }
  const encode = (view: DataView, o: number, value: Scalar, little: boolean): void => {
    if (typeof value !== 'string') throw new ParseError(`a ${name} element takes text, not ${String(value)}`)
    const points = bytes ? Array.from(value, (ch) => ch.charCodeAt(0)) : Array.from(value, (ch) => ch.codePointAt(0)!)
    if (points.length > n) throw new ParseError(`${points.length} characters do not fit in ${name}, which holds ${n}`)
    for (let k = 0; k < n; k++) {
      const c = points[k] ?? 0
      if (bytes) view.setUint8(o + k, c & 0xff)
      else view.setUint32(o + 4 * k, c, little)
    }
  }
  return {
    name,
    code: name,
    kind: bytes ? 'bytes' : 'str',
    size,
    decode,
    encode,
    format: (v) => (bytes ? bytesRepr(v as string) : pyStrRepr(v as string)),
    parse: (text) => (bytes ? parseBytes(text, n, `|S${n}`) : parseText(text, n, `U${n}`))
  }
}
