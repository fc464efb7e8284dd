// Channel handlers for files and the app: app:info, the open form's probes, recent files, bookmarks, the dialog.
import { ApiError } from '../../../shared/contract'
import { VERSION } from '../version'
import { listDir } from '../dir-list'
import { probeFile } from '../file-probe'
import { previewOf, proposeFor } from '../file-preview'
import type { Handlers, ServiceContext } from './context'

type FileChannel =
  | 'app:info'
  | 'file:probe'
  | 'file:propose'
  | 'file:preview'
  | 'recent:list'
  | 'dialog:openFile'
  | 'dir:list'
  | 'bookmarks:get'
  | 'bookmarks:set'

export function fileHandlers(ctx: ServiceContext): Handlers<FileChannel> {
  return {
    'app:info': () => ({ version: VERSION, transport: 'serve', initial: null, ...ctx.appInfo() }),
    'file:probe': (r) => {
      const p = probeFile(ctx.paths.resolve(r.path), (f) => ctx.paths.allows(f))
      return { ...p, recent: ctx.recent?.match(p.path, p.size, p.mtimeMs) ?? null }
    },
    'file:propose': (r) => proposeFor(ctx.paths.resolve(r.path)),
    'file:preview': (r) => previewOf(ctx.paths.resolve(r.path), r.layout),
    'recent:list': () => ({
      // the list is a file on disk: an entry without a path (edited by hand) is dropped, not trusted
      files: (ctx.recent?.list() ?? []).filter((f) => typeof f?.path === 'string' && ctx.paths.allows(f.path))
    }),
    'dialog:openFile': () => {
      throw new ApiError('unavailable', 'the open-file dialog exists only in the desktop app: type a path instead')
    },
    'dir:list': (r) => listDir(ctx.paths, r.path),
    'bookmarks:get': (r) => ({ bookmarks: ctx.bookmarks?.get(ctx.paths.resolve(r.path)) ?? [] }),
    'bookmarks:set': (r) => {
      if (!ctx.bookmarks) throw new ApiError('unavailable', 'bookmarks are not kept in this mode')
      ctx.bookmarks.set(ctx.paths.resolve(r.path), r.bookmarks)
      return { bookmarks: r.bookmarks }
    }
  }
}
