// A small parser for the Python literals that .npy headers hold: dicts, tuples, lists, strings, ints,
// True/False/None. Tuples and lists both come out as arrays.
export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue }

export class PyLiteralError extends Error {}

export function parsePyLiteral(text: string): PyValue {
  let i = 0
  const fail = (what: string): never => {
    throw new PyLiteralError(`${what} at character ${i} of ${JSON.stringify(text.slice(0, 120))}`)
  }
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++
  }
  const value = (): PyValue => {
    ws()
    const c = text[i]
    if (c === '{') return dict()
    if (c === '(' || c === '[') return seq(c === '(' ? ')' : ']')
    if (c === "'" || c === '"') return str()
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
  const str = (): string => {
    const q = text[i++]
    let out = ''
    while (i < text.length && text[i] !== q) {
      if (text[i] === '\\') {
        i++
        const e = text[i++]
        out += e === 'n' ? '\n' : e === 't' ? '\t' : (e ?? '')
      } else out += text[i++]
    }
    if (text[i] !== q) fail('unterminated string')
    i++
    return out
  }
  const seq = (close: string): PyValue[] => {
    i++
    const out: PyValue[] = []
    for (;;) {
      ws()
      if (text[i] === close) {
        i++
        return out
      }
      out.push(value())
      ws()
      if (text[i] === ',') i++
      else if (text[i] !== close) fail(`expected , or ${close}`)
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
      out[k as string] = value()
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
