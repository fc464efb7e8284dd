// Opening the file named on the command line with its layout flags, and applying --slice.
import fs from 'node:fs'
import path from 'node:path'
import type { ApiError, LayoutSpecMsg, SessionInfo } from '../../shared/contract'
import type { ArrayView } from '../../shared/slice'
import { sliced, type ArrayService, type Session } from '../service/array-service'
import { completeRowsLayout } from '../service/follow'
import { flagString, layoutFromArgs, UsageError, type ParsedArgs } from './args'

/** np.memmap's defaults for a raw file: uint8, 1-D over the whole file from offset 0. */
export const MEMMAP_DEFAULT: LayoutSpecMsg = { dtype: '|u1', shape: null, offset: 0, order: 'C' }

export async function openFromArgs(
  args: ParsedArgs,
  service: ArrayService,
  forceMode?: 'r' | 'r+',
  /**
   * The layout of a file without a header when no layout flags are given (else that is an error). With
   * MEMMAP_DEFAULT, layout flags without --dtype also read uint8, as np.memmap(file, shape=…) does.
   */
  headerless?: LayoutSpecMsg,
  /** show --follow: a file that ends inside a row of its inferred axis shows its complete rows (the app's follow). */
  completeRows = false
): Promise<{ session: Session; view: ArrayView }> {
  const file = args.positionals[1]
  if (!file) throw new UsageError(`${args.positionals[0]} needs a FILE`)
  const given = layoutFromArgs(args, headerless === MEMMAP_DEFAULT ? MEMMAP_DEFAULT.dtype : undefined)
  const { mode, array, values } = given
  let { layout } = given
  if (!layout && headerless && array === undefined) {
    const probe = await service.handle('file:probe', { path: file })
    // a container says which arrays it holds rather than being read as bytes
    if (!probe.npy && !probe.npyError && !probe.sidecar && !probe.container) layout = headerless
  }
  if (mode === 'w+' && !forceMode)
    throw new UsageError(`mode w+ would create ${file}: ${args.positionals[0]} reads an existing file`)
  const request = {
    path: file,
    layout,
    mode: forceMode ?? mode,
    ...(array !== undefined ? { array } : {}),
    ...(values ? { values } : {})
  }
  let info: SessionInfo
  try {
    info = await service.handle('session:open', request)
  } catch (e) {
    const whole = completeRows && layout ? completeRowsLayout(layout, sizeOf(file)) : null
    if (!whole) throw e
    info = await service.handle('session:open', { ...request, layout: whole })
  }
  const session = service.session(info.session)
  const sliceText = flagString(args, 'slice')
  let view: ArrayView = session.layout
  if (sliceText !== undefined) {
    try {
      view = sliced(session.layout, sliceText)
    } catch (e) {
      throw new UsageError(`--slice: ${(e as ApiError).message}`)
    }
  }
  return { session, view }
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(path.resolve(file)).size
  } catch {
    return -1
  }
}
