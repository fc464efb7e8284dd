// The layout solver's text evidence (issue 33): a file whose first bytes are printable lines of numbers is a
// text array. Its separator is the one that splits every data line into the same number of fields (',', ';',
// '|' or whitespace); a first line with words is a header row (skipped); '#' lines are comments (np.loadtxt's);
// integers everywhere propose int64, 'j' complex128, else float64. The shape is left to the parse: -1 rows.
import type { TextLayout } from './layout'

export interface TextCandidate {
  dtype: string
  shape: number[]
  offset: number
  order: 'C'
  score: number
  reasons: string[]
  text: TextLayout
}

const NUMBER = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|nan|inf|infinity)$/i
const INTEGER = /^[+-]?\d+$/
const COMPLEX = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?:[+-](?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)?j$/
const SEPARATORS = [',', ';', '|', '\t', ' ']

/** Whether a field reads as a number of the kinds numpy's text parser knows. */
function numeric(f: string): boolean {
  return NUMBER.test(f) || COMPLEX.test(f)
}

function split(line: string, sep: string): string[] {
  const t = line.trim()
  return sep === ' ' || sep === '\t' ? t.split(/\s+/) : t.split(sep).map((f) => f.trim())
}

/**
 * A text layout for a file starting with head (truncated: the file goes on past it), or null when the bytes are
 * not text of numbers.
 */
export function proposeText(head: Uint8Array, fileName: string, truncated: boolean): TextCandidate | null {
  if (head.length === 0) return null
  let printable = 0
  for (const b of head) {
    if (b === 0) return null
    if ((b >= 32 && b < 127) || b === 9 || b === 10 || b === 13) printable++
  }
  if (printable < head.length * 0.99) return null
  let text = new TextDecoder('latin1').decode(head)
  // the last line of a truncated read may be cut in the middle of a value
  if (truncated) text = text.slice(0, text.lastIndexOf('\n') + 1)
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''))
  const isComment = (l: string): boolean => l.trimStart().startsWith('#')
  const data: { at: number; line: string }[] = []
  lines.forEach((line, at) => {
    if (line.trim() !== '' && !isComment(line)) data.push({ at, line })
  })
  if (data.length === 0) return null
  // the separator that splits the lines after the first into the same number of numeric fields
  for (const sep of SEPARATORS) {
    const body = data.length > 1 ? data.slice(1) : data
    const counts = body.map((d) => split(d.line, sep))
    const cols = counts[0]!.length
    if (!counts.every((f) => f.length === cols && f.every(numeric))) continue
    const first = split(data[0]!.line, sep)
    const header = data.length > 1 && !first.every(numeric)
    if (header && first.length !== cols) continue
    const fields = counts.flat()
    const dtype = fields.some((f) => COMPLEX.test(f) && !NUMBER.test(f))
      ? '<c16'
      : fields.every((f) => INTEGER.test(f)) && (header || first.every((f) => INTEGER.test(f)))
        ? '<i8'
        : '<f8'
    const whitespace = sep === ' ' || sep === '\t'
    const rows = data.length > 1
    const skip = header ? data[0]!.at + 1 : 0
    const named = /\.(csv|tsv|txt|dat|asc)$/i.test(fileName)
    const reasons = [
      `text: ${rows ? `lines of ${cols} values` : `${cols} values on one line`} separated by ${whitespace ? 'whitespace' : `'${sep}'`}`
    ]
    if (header) reasons.push(`a header row (line ${skip}) skipped`)
    if (lines.some(isComment)) reasons.push("'#' comments skipped")
    if (named) reasons.push('the file name says text')
    return {
      dtype,
      shape: rows && cols > 1 ? [-1, cols] : [-1],
      offset: 0,
      order: 'C',
      score: named ? 60 : 50,
      reasons,
      text: {
        sep: whitespace ? ' ' : sep,
        ...(rows ? { rows: true } : {}),
        ...(skip ? { skip } : {}),
        ...(rows && lines.some(isComment) ? { comments: '#' } : {})
      }
    }
  }
  return null
}
