// `arrayscope ls FILE [--json]`: the arrays of a container, one a line (or JSON), in the container's order.
import path from 'node:path'
import { formatList, type ContainerEntry } from '../../shared/containers'
import { formatShape } from '../../shared/layout'
import { ContainerCache } from '../service/containers'
import { prepareUrl } from '../service/remote-service'
import { makeGzipCopy } from '../service/gzip-copies'
import { isRemote, parseRemote } from '../service/remote-url'
import { rejectUnknownFlags, UsageError, type ParsedArgs } from './args'
import { Output } from './output'

/** One array as `ls --json` lists it. */
export function entryJson(e: ContainerEntry): Record<string, unknown> {
  return {
    name: e.name,
    // the values' dtype as commands show them first (scaled values: the scaled dtype; the stored one beside it)
    dtype: e.scaling?.initial === 'scaled' ? e.scaling.dtype : e.dtype,
    shape: e.shape,
    order: e.order,
    offset: e.offset,
    nbytes: e.nbytes,
    storedType: e.storedType,
    ...(e.aliases?.length ? { aliases: e.aliases } : {}),
    ...(e.file ? { file: e.file } : {}),
    ...(e.strides ? { strides: e.strides } : {}),
    ...(e.scaling
      ? {
          scaling: e.scaling.source,
          storedDtype: e.dtype,
          scaledDtype: e.scaling.dtype,
          values: e.scaling.initial
        }
      : {}),
    ...(e.hdf5 ? { chunks: e.hdf5.chunks, filters: e.hdf5.filters } : {}),
    ...(e.tiff ? { chunks: e.tiff.chunks, filters: [e.tiff.codec] } : {}),
    ...(e.fitsTiles ? { chunks: e.fitsTiles.chunks, filters: [e.fitsTiles.codec] } : {}),
    ...(e.zarr ? { chunks: e.zarr.chunks, codecs: e.zarr.codecs } : {}),
    ...(e.metadata?.multiscale ? { multiscale: e.metadata.multiscale } : {}),
    ...(e.decoding ? { decoding: `dequantize ${e.decoding.quant}` } : {}),
    ...(e.via
      ? {
          compressed: `${e.via.stream === 'raw' ? 'deflate' : e.via.stream} (read through a temporary decompressed copy)`
        }
      : {}),
    ...(e.unmappable ? { unmappable: e.unmappable.reason, remedy: e.unmappable.remedy } : {})
  }
}

export async function ls(args: ParsedArgs): Promise<void> {
  rejectUnknownFlags(args, ['json'])
  const file = args.positionals[1]
  if (!file) throw new UsageError(`ls needs a FILE (a container: ${formatList()})`)
  const cache = new ContainerCache(1)
  let where = path.resolve(file)
  if (isRemote(file)) {
    // a URL: opened, and its header fetched, before the (synchronous) parse
    where = parseRemote(file).href
    await prepareUrl(where, null, (u) => cache.get(u))
  }
  // a .fits.gz (a file or a URL): decompressed by streaming before the synchronous parse
  await makeGzipCopy(where)
  const c = cache.require(where)
  const out = new Output()
  if (args.flags.has('json')) {
    out.write('[')
    c.entries.forEach((e, k) => out.write((k ? ',\n ' : '') + JSON.stringify(entryJson(e))))
    out.write(']\n')
  } else {
    for (const e of c.entries) {
      const type = e.decoding
        ? `${e.storedType}->float32`
        : e.scaling?.initial === 'scaled'
          ? `${e.dtype}->${e.scaling.dtype}`
          : e.dtype
      const note = e.unmappable
        ? `  (not mapped: ${e.unmappable.reason})`
        : e.via
          ? `  (${e.via.stream === 'raw' ? 'deflated' : `${e.via.stream}-compressed`})`
          : e.hdf5
            ? `  (chunked${e.hdf5.filters.length ? `, ${e.hdf5.filters.join('+')}` : ''}: read through the HDF5 library)`
            : e.tiff
              ? `  (${e.tiff.codec === 'none' ? 'uncompressed' : e.tiff.codec} strips or tiles: read into a temporary copy)`
              : e.fitsTiles
                ? `  (${e.fitsTiles.codec} tiles of ${e.fitsTiles.chunks.join(' × ')}: read into a temporary copy)`
                : e.scaling
                  ? `  (${e.scaling.source}${e.scaling.initial === 'stored' ? ': --scaled applies it' : ': --stored for the stored numbers'})`
                  : multiscaleNote(e)
      out.write(`${e.name}\t${type}\t${formatShape(e.shape)}\t${e.nbytes} bytes${e.file ? `\t${e.file}` : ''}${note}\n`)
    }
  }
  out.flush()
}

/** An OME-Zarr pyramid level's place ('multiscale level 1 of 3 of image'), from zarr-ome.ts's tag. */
function multiscaleNote(e: ContainerEntry): string {
  const m = e.metadata?.multiscale as { image?: string; level?: number; levels?: number } | undefined
  return m ? `  (multiscale level ${m.level} of ${m.levels} of ${m.image})` : ''
}
