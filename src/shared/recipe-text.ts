// "Copy as code" for a text array (issue 33): the numpy call that reads the same values — np.loadtxt for rows,
// numpy.fromfile(sep=…) for a stream — and the arrayscope command line with its --sep flags.
import type { SessionInfo, TextInfo } from './contract'
import { formatShape, textRows } from './layout'

function pyString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\r/g, '\\r')}'`
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`
}

/** The recipe's Python reading the text into `a` (then viewed as the app views it). */
export function textPython(session: SessionInfo & { text: TextInfo }): string {
  const t = session.text
  const l = session.layout
  const { rows, comments } = textRows(t)
  const swapped = l.dtype.startsWith('>')
  // numpy 2 parses text into a non-native byte order with its bytes swapped: read native, then convert
  const dtype = pyString(swapped ? `<${l.dtype.slice(1)}` : l.dtype)
  const convert = swapped ? `.astype(${pyString(l.dtype)})` : ''
  // the first axis inferred, as the text may grow (a followed log)
  const shape = formatShape([-1, ...l.shape.slice(1)])
  const open = t.offset || (!rows && t.skip) ? `f = open(${pyString(t.path)})\n` : ''
  const seek = t.offset ? `f.seek(${t.offset})\n` : ''
  const source = open ? 'f' : pyString(t.path)
  if (rows) {
    const delimiter = t.sep.trim() ? pyString(t.sep.trim()) : 'None'
    return (
      `import numpy as np\n${open}${seek}a = np.loadtxt(${source}, dtype=${dtype}, delimiter=${delimiter}, ` +
      `skiprows=${t.skip ?? 0}, comments=${comments ? pyString(comments) : 'None'})${convert}.reshape(${shape})`
    )
  }
  const skip = !rows && t.skip ? `for _ in range(${t.skip}): f.readline()\n` : ''
  return `import numpy as np\n${open}${seek}${skip}a = np.fromfile(${source}, dtype=${dtype}, sep=${pyString(t.sep)})${convert}.reshape(${shape})`
}

/** The command line's layout flags for the text. */
export function textFlags(session: SessionInfo & { text: TextInfo }): string[] {
  const t = session.text
  const { rows } = textRows(t)
  const args = ['--sep', shellQuote(t.sep), '--dtype', shellQuote(session.layout.dtype)]
  const shape = session.layout.shape
  if (shape.length !== 1) args.push('--shape', [-1, ...shape.slice(1)].join(','))
  if (t.rows !== undefined) args.push(rows ? '--rows' : '--no-rows')
  if (t.skip) args.push('--skip-rows', String(t.skip))
  if (t.comments !== undefined) args.push('--comments', shellQuote(t.comments))
  if (t.offset) args.push('--offset', String(t.offset))
  return args
}
