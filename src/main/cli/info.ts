// `arrayscope info`: what a file (or an array of a container) is, as one line of JSON.
import fs from 'node:fs'
import { holdsOneArray } from '../../shared/containers'
import type { ArrayService } from '../service/array-service'
import { LAYOUT_FLAGS, UsageError, layoutFromArgs, rejectUnknownFlags, type ParsedArgs } from './args'
import { io } from './output'
import { metadataJson } from '../../shared/metadata-json'
import { descrRepr } from '../../shared/npy'
import type { PyValue } from '../../shared/py-literal'
import { probeNpy } from '../service/file-probe'

/** numpy's dtype.descr of a .npy file's records (its header's descr), or nothing for a plain dtype. */
function npyDescr(path: string, size: number): { descr?: string } {
  const dtype = probeNpy(path, size).npy?.dtype
  return dtype?.startsWith('[') ? { descr: descrRepr(JSON.parse(dtype) as PyValue) } : {}
}

export async function info(args: ParsedArgs, service: ArrayService): Promise<void> {
  rejectUnknownFlags(args, LAYOUT_FLAGS)
  const file = args.positionals[1]
  if (!file) throw new UsageError('info needs a FILE')
  const { layout, mode, array, values } = layoutFromArgs(args)
  if (!layout && array === undefined) {
    const probe = await service.handle('file:probe', { path: file })
    if (probe.container && !probe.sidecar && !holdsOneArray(probe.container)) {
      const c = await service.handle('container:list', { path: file, limit: 1 })
      io.out(
        metadataJson({
          path: c.path,
          fileSize: c.fileSize,
          format: c.format,
          arrays: c.total,
          metadata: c.metadata
        }) + '\n'
      )
      return
    }
  }
  const s = await service.handle('session:open', {
    path: file,
    layout,
    mode: mode === 'w+' ? 'r' : mode,
    ...(array !== undefined ? { array } : {}),
    ...(values ? { values } : {})
  })
  const l = s.layout
  const a = s.array
  // An array read through a temporary decompressed copy (a deflated .npz member, a chunked HDF5 dataset) is
  // reported as the container the user named: the copy is gone when the command ends, and its bytes lie at no
  // one offset of the container.
  const copy = a?.decompressed === true
  // a text array likewise: the text named, how it was read and what it holds
  const t = s.text
  const text = t
    ? { text: { sep: t.sep, rows: l.shape.length > 1 || t.rows === true, skip: t.skip ?? 0, values: t.found.values } }
    : {}
  io.out(
    metadataJson({
      path: copy ? a.container : (t?.path ?? s.path),
      fileSize: copy ? fs.statSync(a.container).size : t ? fs.statSync(t.path).size : s.fileSize,
      format: s.format,
      dtype: l.dtype,
      // a record's descr as numpy prints dtype.descr (nested sub-array types kept, as the .npy header has them)
      ...(s.format === 'npy' && !layout ? npyDescr(s.path, s.fileSize) : {}),
      shape: l.shape,
      order: l.order,
      ...(copy ? {} : { offset: a ? a.stored.offset : (t?.offset ?? l.offset) }),
      ...text,
      itemsize: l.itemsize,
      nbytes: l.nbytes,
      ...(a
        ? {
            array: a.name,
            container: a.container,
            storedType: a.storedType,
            storedBytes: a.stored.nbytes,
            ...(a.blocks ? { decoding: `dequantize ${a.blocks.quant}` } : {}),
            ...(a.decompressed ? { decompressed: true } : {}),
            ...(a.chunks ? { chunks: a.chunks, filters: a.filters } : {}),
            ...(a.scaling
              ? {
                  scaling: a.scaling.source,
                  values: a.scaling.applied ? 'scaled' : 'stored',
                  storedDtype: a.scaling.stored
                }
              : {}),
            // the array's own attributes (units, long_name, scale_factor…), as h5py's .attrs shows them
            ...(a.metadata ? { metadata: a.metadata } : {})
          }
        : {})
    }) + '\n'
  )
}
