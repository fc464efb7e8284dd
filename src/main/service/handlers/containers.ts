// Channel handler for containers: a folder of a container's tree of arrays, its format and metadata.
import fs from 'node:fs'
import { listFolder, metadataItems, shortened } from '../../../shared/containers'
import type { Handlers, ServiceContext } from './context'
import { remoteStore } from '../remote-sources'
import { isRemote } from '../remote-url'

export function containerHandlers(ctx: ServiceContext): Handlers<'container:list' | 'container:metadata'> {
  return {
    'container:list': (r) => {
      const path = ctx.paths.resolve(r.path)
      const c = ctx.containers.require(path)
      return {
        ...listFolder(c, r.folder ?? [], r.filter ?? '', r.limit ?? 2000),
        path,
        format: c.format,
        fileSize: isRemote(path) ? remoteStore(path).size : fs.statSync(path).size,
        metadata: shortened(c.metadata) as Record<string, never>
      }
    },
    'container:metadata': (r) => metadataItems(ctx.containers.require(ctx.paths.resolve(r.path)), r)
  }
}
