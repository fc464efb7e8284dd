// A text array opened before its pass ended (session:open with early) grows as the pass goes: every check of
// the service (250 ms) gives the session the rows written so far, and once the pass ended its final shape or
// the pass's error; its views are told by session:edited with the new info. A whole-view pass asked meanwhile
// waits for the end, then reads the final shape.
import type { Channel, EditState, SessionInfo } from '../../shared/contract'
import { resolveLayout, type LayoutSpec, type TextLayout } from '../../shared/layout'
import { layoutInfo } from './layout-info'
import type { Session } from './session'
import { TextPass } from './text-pass'
import { provisionalShape, textInfo, textShape } from './text-source'

/** The channels that read a whole view: over a text array still being parsed they wait for its end. */
const WAITS_FOR_TEXT: ReadonlySet<Channel> = new Set<Channel>([
  'scan:stats',
  'scan:line',
  'scan:image',
  'scan:tile',
  'scan:profile',
  'find:run',
  'find:condition',
  'export:run',
  'diff:run',
  'session:derive'
])

/**
 * Waits, before a whole-view request, for the text passes of the sessions it reads (session, a, b), then grows
 * them to their final shape (the request's view is computed from it).
 */
export async function untilParsed(
  channel: Channel,
  request: unknown,
  sessions: ReadonlyMap<string, Session>,
  grow: (s: Session) => void
): Promise<void> {
  if (!WAITS_FOR_TEXT.has(channel)) return
  const r = request as { session?: unknown; a?: unknown; b?: unknown }
  for (const id of [r.session, r.a, r.b]) {
    const s = typeof id === 'string' ? sessions.get(id) : undefined
    const pass = s?.source.growing
    if (!s || !pass || pass.finished) continue
    await pass.done.catch(() => undefined)
    if (sessions.get(s.id) === s) grow(s)
  }
}

/**
 * The session's next step, applied to it: its layout grown to the rows written so far, or, once the pass
 * ended, its final shape (or the pass's error in its info). undefined: nothing changed since the last step.
 */
export function growSession(s: Session): { state: EditState & { info: SessionInfo }; grown: boolean } | undefined {
  const pass = s.source.growing
  const text = s.info.text
  const request = s.request
  if (!(pass instanceof TextPass) || !text || !request?.layout?.text) return undefined
  if (pass.finished && !text.loading) return undefined
  const spec = request.layout as LayoutSpec & { text: TextLayout }
  let shape = s.layout.shape
  let error = pass.error?.message
  try {
    shape = pass.result ? textShape(spec, pass.result, text.path) : provisionalShape(spec, pass.status())
  } catch (e) {
    error = (e as Error).message
  }
  const info: SessionInfo = { ...s.info, text: { ...textInfo(text.path, spec, pass), ...(error ? { error } : {}) } }
  const same = shape.length === s.layout.shape.length && shape.every((n, k) => n === s.layout.shape[k])
  const old = s.layout.nbytes
  if (!same) {
    const layout = resolveLayout({ dtype: spec.dtype, shape, offset: 0, order: spec.order }, s.mapping.size)
    s.source = s.source.withLayout(layout)
    s.layout = layout
    info.layout = layoutInfo(layout)
    info.fileSize = layout.nbytes
  }
  s.info = info
  // what changed: the bytes of the rows added (or removed, when the final shape is smaller)
  const now = s.layout.nbytes
  const changed = same ? [] : [{ offset: Math.min(old, now), length: Math.abs(now - old) }]
  return { state: { ...s.edits.stateWith(changed), info }, grown: !same }
}
