// What the Compare dialog was last given for each array A (B, tolerances), so the next run starts from there;
// and which open tab to offer as B first: one of A's shape.
import type { SessionInfo } from '../../../../shared/contract'

export interface CompareForm {
  source: 'tab' | 'file'
  tab: string
  path: string
  array: string
  offset: string
  rtol: string
  atol: string
  equalNan: boolean
}

const remembered = new Map<string, CompareForm>()
/** The last tolerances used with any A: a new A starts with them too. */
let lastTolerances: Pick<CompareForm, 'rtol' | 'atol' | 'equalNan'> = { rtol: '1e-7', atol: '0', equalNan: true }

export function rememberCompare(a: SessionInfo, form: CompareForm): void {
  remembered.set(a.session, form)
  lastTolerances = { rtol: form.rtol, atol: form.atol, equalNan: form.equalNan }
}

const sameShape = (x: readonly number[], y: readonly number[]): boolean =>
  x.length === y.length && x.every((n, k) => n === y[k])

/** The form to start with: the last one for A (its tab, if still open), else a tab of A's shape, else a file. */
export function initialCompare(a: SessionInfo, tabs: readonly { session: SessionInfo }[]): CompareForm {
  const last = remembered.get(a.session)
  const open = (id: string): boolean => tabs.some((t) => t.session.session === id)
  if (last && (last.source === 'file' || open(last.tab))) return last
  const match = tabs.find((t) => sameShape(t.session.layout.shape, a.layout.shape))
  return {
    source: match ? 'tab' : 'file',
    tab: match?.session.session ?? tabs[0]?.session.session ?? '',
    path: last?.path ?? '',
    array: last?.array ?? a.array?.name ?? '',
    offset: last?.offset ?? '0',
    ...lastTolerances
  }
}
