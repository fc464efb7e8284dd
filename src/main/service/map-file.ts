// Mapping the file of a new session, with numpy.memmap's modes: the checks that come before any byte is read.
import fs from 'node:fs'
import { ApiError, type Request, type SessionInfo } from '../../shared/contract'
import { resolveLayout, type Layout } from '../../shared/layout'
import { probeFile } from './file-probe'
import { native, type Mapping } from './native'

/**
 * Maps the file a session:open names: w+ creates it (an existing file only with overwrite), other modes map
 * it and resolve the layout given, or the one its .npy header or export sidecar gives. allowed: serve mode's
 * --root check for the sidecar.
 */
export function mapFile(
  path: string,
  r: Request<'session:open'>,
  allowed: (file: string) => boolean
): { mapping: Mapping; layout: Layout; format: SessionInfo['format'] } {
  let mapping: Mapping
  let layout: Layout
  let format: SessionInfo['format'] = 'raw'
  if (r.mode === 'w+') {
    const spec = r.layout
    if (!spec) throw new ApiError('layout', 'mode w+ creates a file: give its dtype and shape')
    if (spec.shape === null) throw new ApiError('layout', 'mode w+ needs a shape for the new file')
    layout = resolveLayout(spec, 0, 'w+')
    // w+ truncates: an existing file is replaced only when the request says so (the UI asks first)
    if (!r.overwrite && fs.existsSync(path)) {
      throw new ApiError(
        'exists',
        `${path} exists: mode w+ would replace it with a new zero-filled file; confirm the replacement ` +
          `(overwrite), open it with r+ to edit it, or choose another name`
      )
    }
    mapping = new (native().Mapping)(path, 'w+', layout.offset + layout.nbytes)
  } else {
    // a missing file or a folder is reported as such, before anything else; the probe also reads the
    // .npy header and any export sidecar
    const { npy, sidecar } = probeFile(path, allowed)
    // Map before any layout check: a file that cannot be opened in this mode (permissions) says so first.
    mapping = new (native().Mapping)(path, r.mode)
    // Browsing reads small scattered windows: readahead around every fault would only cost.
    mapping.advise('random')
    try {
      const spec = r.layout ?? npy ?? sidecar
      if (!spec) {
        throw new ApiError(
          'layout',
          `${path} has no header ArrayScope can read: give its layout (dtype, shape, offset, order)`
        )
      }
      if (npy) format = 'npy'
      layout = resolveLayout(spec, mapping.size, r.mode)
    } catch (e) {
      mapping.close()
      throw e
    }
  }
  return { mapping, layout, format }
}
