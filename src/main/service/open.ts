// Opening a session: a raw or .npy file with its layout (np.memmap's meanings), or one array of a container mapped
// where its bytes lie — dequantized, scaled, decompressed into a temporary copy or read chunk by chunk. A request
// is checked before a byte is mapped; a failure half-way undoes what it did. The service registers the session.
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import pathModule from 'node:path'
import { holdsOneArray, shortened } from '../../shared/containers'
import { ApiError, type Request, type SessionInfo } from '../../shared/contract'
import type { JsonValue } from '../../shared/json-value'
import { resolveLayout, type Layout } from '../../shared/layout'
import { ContainerCache, detectContainer, enviHeaderFor } from './containers'
import { DequantSource, type ByteSource } from './dequant-source'
import { entryLayout, scaledLayout } from './entry-layout'
import { identityOf } from './file-identity'
import { npyRefusal, probeFile } from './file-probe'
import { ChunkedDataset } from './hdf5-chunked'
import { inflateMember } from './inflate'
import { acquireGzipCopy, GZIP_READ_ONLY, isGzipFits } from './gzip-copies'
import { recodeToCopy } from './recode'
import { inferredAxisOf, layoutInfo } from './layout-info'
import { native, type Mapping } from './native'
import { realPathOf, type PathPolicy } from './path-policy'
import type { RecentFiles } from './recent'
import { ScaleSource } from './scale-source'
import { ArraySource, type ByteStore } from './array-source'
import { entryCodecs, readOnlyReason } from './source-codecs'
import { Pyramid } from './pyramid'
import { ScanJob } from './scan'
import { zarrMarker } from './zarr-store'
import { isZarrUrl } from './zarr-remote'
import { openChunkGrid } from './open-chunked'
import { removeTemp } from './temp-files'
import { newSession, type Session } from './session'
import { openText } from './text-source'
import { fetchForRecode, holdRemoteObject, mapRemote, refuseRemoteMode, remoteParts } from './remote-open'
import { REMOTE_READ_ONLY, type RemoteMapped } from './remote-open'
import { remoteStore } from './remote-sources'
import type { RemoteStore } from './remote-store'
import { isRemote, remoteSibling } from './remote-url'

/** What opening needs of the service. */
export interface OpenContext {
  paths: PathPolicy
  containers: ContainerCache
  recent: RecentFiles | null
  /** Runs a job in the service's registry under id (progress reported, cancel by id). */
  run<T>(id: string, start: (progress: (done: number, total: number) => void) => ScanJob<T>): Promise<T>
}

/** Opens what session:open asks: an array of a container (--array), a file holding one array, or a raw file. */
export async function openSession(r: Request<'session:open'>, ctx: OpenContext): Promise<Session> {
  if (r.layout?.text) {
    if (r.array !== undefined)
      throw new ApiError('bad-request', 'an array of a container is not text: give no separator with --array')
    return openText(r, ctx)
  }
  if (r.array === undefined && !r.layout && r.mode !== 'w+') {
    // a file that holds one array (NIfTI, NRRD, ENVI) opens it without --array
    const only = onlyArray(ctx.paths.resolve(r.path), ctx)
    if (only !== undefined) return openArray({ ...r, array: only }, ctx)
  }
  return r.array !== undefined ? openArray(r, ctx) : openFile(r, ctx)
}

/** A raw file read with its layout, a .npy file with its header, or a new file (w+). */
function openFile(r: Request<'session:open'>, ctx: OpenContext): Session {
  const path = ctx.paths.resolve(r.path)
  if (isRemote(path)) refuseRemoteMode(path, r.mode)
  let remote: RemoteMapped | undefined
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
    mapping = createFile(path, layout.offset + layout.nbytes, r.overwrite === true)
  } else {
    // a missing file or a folder is reported first; the probe also reads the .npy header and any sidecar
    const { npy, npyError, sidecar, container } = probeFile(path, (f) => ctx.paths.allows(f))
    // a Zarr store is a folder: only its arrays open
    if (container === 'zarr') {
      const c = ctx.containers.require(path)
      throw new ApiError(
        'layout',
        `${path} is a Zarr store holding ${c.entries.length} arrays: choose one (--array NAME; \`arrayscope ls\` lists them)`
      )
    }
    // Map before any layout check: a file that cannot be opened in this mode (permissions) says so first.
    if (isRemote(path)) {
      remote = mapRemote(path)
      mapping = remote.mapping
    } else {
      mapping = new (native().Mapping)(path, r.mode)
      // Browsing reads small scattered windows: readahead around every fault would only cost.
      mapping.advise('random')
    }
    try {
      const spec = r.layout ?? npy ?? sidecar
      // a header np.load refuses is an error, unless a layout says to read the bytes raw
      if (!spec && npyError) throw npyRefusal(path, npyError)
      if (!spec && container) {
        const c = ctx.containers.get(path)
        throw new ApiError(
          'layout',
          `${path} is a ${container} container holding ${c?.entries.length === 1 ? `1 array: choose it (--array ${c.entries[0]!.name}` : `${c?.entries.length ?? 'several'} arrays: choose one (--array NAME`}; \`arrayscope ls\` lists them), or give a layout to read its bytes raw`
        )
      }
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
      remote?.release()
      throw e
    }
  }
  const id = randomUUID()
  const info: SessionInfo = {
    session: id,
    path,
    fileSize: mapping.size,
    mode: r.mode,
    format,
    layout: layoutInfo(layout),
    ...inferredAxisOf(format === 'raw' && r.mode !== 'w+' ? r.layout : null)
  }
  const source = remote
    ? new ArraySource({
        ...remoteParts(remote),
        codecs: [],
        mapping,
        stored: layout,
        layout,
        reader: remote.reader,
        readOnly: REMOTE_READ_ONLY
      })
    : ArraySource.ofFile(mapping, layout)
  const session = newSession(source, info)
  ctx.recent?.record({
    path,
    size: session.stat.size,
    mtimeMs: session.stat.mtimeMs,
    layout: { dtype: layout.dtype.str, shape: layout.shape, offset: layout.offset, order: layout.order },
    mode: r.mode === 'w+' ? 'r+' : r.mode,
    openedAt: Date.now()
  })
  return session
}

/**
 * Creates (or, when asked, replaces) a file for w+ and maps it. The file is made at its real path (a link on the
 * way resolved, a dangling one followed, as the path policy checked it); a new file is created exclusively and the
 * final component is never followed (O_NOFOLLOW in the addon), so a link planted after the check cannot redirect
 * the write.
 */
function createFile(path: string, size: number, overwrite: boolean): Mapping {
  const real = realPathOf(path)
  if (!overwrite) {
    let fd: number
    try {
      fd = fs.openSync(real, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o644)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'EEXIST') {
        throw new ApiError(
          'exists',
          `${path} exists (or is a symbolic link): mode w+ creates a new file; confirm the replacement (overwrite), or choose another name`
        )
      }
      throw new ApiError(code === 'EACCES' ? 'permission' : 'io', `cannot create ${path}: ${(e as Error).message}`)
    }
    fs.closeSync(fd)
  }
  return new (native().Mapping)(real, 'w+', size)
}

/** The one array of a single-array file (NIfTI, NRRD, ENVI), or undefined. */
function onlyArray(path: string, { containers, paths }: OpenContext): string | undefined {
  // a remote Zarr store whose root is an array opens it without --array
  if (isZarrUrl(path)) return containers.get(path)?.entries.find((e) => e.name === '/') ? '/' : undefined
  if (isRemote(path)) {
    const size = remoteStore(path).size
    const format = size ? detectContainer(path, size) : null
    if (format === 'zarr') return zarrRoot(containers.get(path))
    if (!format || !holdsOneArray(format)) return undefined
    const c = containers.get(path)
    return c && c.entries.length === 1 ? c.entries[0]!.name : undefined
  }
  let st: fs.Stats
  try {
    st = fs.statSync(path)
  } catch {
    return undefined
  }
  // a Zarr store whose root is an array opens it without --array
  if (st.isDirectory()) return zarrMarker(path) ? zarrRoot(containers.get(path)) : undefined
  if (!st.isFile() || st.size === 0) return undefined
  const format = detectContainer(path, st.size)
  // a .zarr.zip whose root is an array, as its folder
  if (format === 'zarr') return zarrRoot(containers.get(path))
  if (format ? !holdsOneArray(format) : !enviHeaderFor(path, (f) => paths.allows(f))) return undefined
  const c = containers.get(path)
  return c && c.entries.length === 1 ? c.entries[0]!.name : undefined
}

/** '/' for a Zarr store whose root is an array (its one entry), else undefined. */
function zarrRoot(c: { entries: { name: string }[] } | null | undefined): string | undefined {
  return c?.entries.length === 1 && c.entries[0]!.name === '/' ? '/' : undefined
}

async function openArray(r: Request<'session:open'>, ctx: OpenContext): Promise<Session> {
  const name = r.array!
  if (r.layout) {
    throw new ApiError(
      'bad-request',
      'an array of a container has its layout in the container: give no layout with --array'
    )
  }
  if (r.mode === 'w+')
    throw new ApiError('bad-request', 'mode w+ creates a raw file; it cannot create an array in a container')
  const path = ctx.paths.resolve(r.path)
  const remoteUrl = isRemote(path)
  if (remoteUrl) refuseRemoteMode(path, r.mode)
  const { container, entry } = ctx.containers.entry(path, name)
  if (entry.unmappable) {
    throw new ApiError('layout', `'${name}' cannot be opened: ${entry.unmappable.reason}; ${entry.unmappable.remedy}`)
  }
  const scaling = entry.scaling && (r.values ?? entry.scaling.initial) === 'scaled' ? entry.scaling : undefined
  // an array without a scaling: its stored values are its values, whichever are asked for
  const codecs = entryCodecs(entry, scaling)
  // a .fits.gz: its arrays lie in the service's own decompressed copy, never a path a request names
  const gz = isGzipFits(path)
  const readOnly = readOnlyReason(codecs) ?? (gz ? GZIP_READ_ONLY : undefined)
  if (readOnly && r.mode !== 'r') throw new ApiError('readonly', `'${name}' opens read-only (mode r): ${readOnly}`)
  if (container.format === 'npz' && r.mode === 'r+') {
    throw new ApiError(
      'readonly',
      `'${name}' is a member of a ZIP archive: editing it in place (r+) would break the archive's CRC-32 check, which np.load enforces; open it with mode c (a private copy) and export`
    )
  }
  if (entry.refuseInPlace && r.mode === 'r+') {
    throw new ApiError('readonly', `'${name}' cannot be edited in place (r+): ${entry.refuseInPlace}`)
  }
  const copy = gz && !entry.file ? acquireGzipCopy(path) : undefined
  let file = entry.file
    ? remoteUrl
      ? remoteSibling(path, entry.file)
      : pathModule.resolve(pathModule.dirname(path), entry.file)
    : (copy?.file ?? path)
  // a data file named by the header (NRRD, ENVI, HDF5 external storage) is a path like any other a request names
  if (entry.file && !ctx.paths.allows(file)) {
    throw new ApiError(
      'permission',
      `'${name}' keeps its data in ${file}, outside the folder this server may read (--root): it cannot be opened here`
    )
  }
  // what to undo when opening fails half-way
  const undo: (() => void)[] = []
  const cleanup = (): void => {
    for (const f of undo.reverse()) f()
  }
  if (copy) undo.push(copy.release)
  let temp: string | undefined
  /** The file a temporary copy was inflated or recoded from: the one whose changes matter, not the copy. */
  let decodedFrom: string | undefined
  let chunked: ChunkedDataset | undefined
  let remote: RemoteMapped | undefined
  /** A remote container a chunk grid decodes from. */
  let held: { store: RemoteStore; release: () => void } | undefined
  let mapping: Mapping
  let stored: Layout
  try {
    if (entry.via || entry.recode) {
      const { via, recode } = entry
      // the stored bytes lie in the container, or in the data file its header names (an .img.gz)
      const stored = file
      // a compressed member or variable is decompressed into a temporary copy, MATLAB's complex parts and chars
      // recoded into one (after decompressing): one job of the registry when it has an id
      const decode = (onProgress?: (done: number, total: number) => void): ScanJob<string> =>
        new ScanJob(async (_, cancelled) => {
          const inflated = via ? await inflateMember(stored, via, name, { cancelled, onProgress }) : stored
          if (!recode) return inflated
          try {
            // a remote object's bytes are recoded from its copy, fetched first (remote-open.ts)
            const from = inflated === stored && remoteUrl ? await fetchForRecode(stored, recode, cancelled) : inflated
            return await recodeToCopy(from, recode, entry.dtype, name, { cancelled, onProgress })
          } finally {
            if (inflated !== stored) removeTemp(inflated)
          }
        })
      temp = await (r.scanId ? ctx.run(r.scanId, decode) : decode().promise)
      const t = temp
      undo.push(() => removeTemp(t))
      file = temp
      decodedFrom = stored
      // a remote object inflated: held while the session is open, for its change checks
      if (remoteUrl) undo.push((held = holdRemoteObject(stored)).release)
    }
    // a remote .fits.gz: its copy is local, the object held for its change checks
    if (remoteUrl && copy) undo.push((held = holdRemoteObject(path)).release)
    const grid = await openChunkGrid(entry, copy?.file ?? path, name, remoteUrl && !copy, ctx.paths)
    if (grid) {
      const { chunked: c, held: h } = grid
      chunked = c
      held = h ?? held
      undo.push(() => {
        c.close()
        h?.release()
      })
      mapping = c.mapping
      file = c.file
    } else if (remoteUrl && !temp && !copy) {
      const m = (remote = mapRemote(file))
      undo.push(() => {
        m.mapping.close()
        m.release()
      })
      mapping = m.mapping
      // a quantized tensor is dequantized natively from its mapping: its blocks are fetched when it opens
      if (entry.decoding) await m.store.fillRange(entry.offset, entry.offset + entry.nbytes)
    } else {
      mapping = new (native().Mapping)(file, r.mode)
      const m = mapping
      undo.push(() => m.close())
      mapping.advise('random')
    }
    stored = entryLayout(entry, mapping.size, chunked ? 'r' : r.mode)
  } catch (e) {
    cleanup()
    throw e
  }
  const scale = codecs.find((c) => c.kind === 'scale')
  const layout = scale ? scaledLayout(stored, scale.scaling, scale.ratio) : stored
  const store: ByteStore = remote
    ? remoteParts(remote).store
    : chunked
      ? {
          kind: 'chunk-grid',
          path: chunked.file,
          container: path,
          chunks: (entry.hdf5 ?? entry.zarr ?? entry.tiff ?? entry.fitsTiles)!.chunks
        }
      : temp
        ? { kind: 'decoded-copy', path: temp, container: path, codec: entry.recode ? 'recode' : 'inflate' }
        : { kind: 'file', path: file }
  const raw: ByteSource = chunked ? chunked.source() : remote ? remote.reader : mapping
  const reader = entry.decoding
    ? new DequantSource(mapping, entry.decoding, entry.offset, layout.size)
    : scaling
      ? new ScaleSource(raw, scaling)
      : raw
  // the file's own reduced images (TIFF SubIFDs, OME-Zarr levels): opened read-only when the image view first asks an overview
  const levels = (entry.levels ?? []).map((n) => container.entries.find((e) => e.name === n))
  const pyramid = levels.length
    ? new Pyramid(
        levels.filter((e) => e !== undefined).map((e) => ({ name: e.name, shape: e.shape })),
        async (n) => (await openArray({ path: r.path, layout: null, array: n, mode: 'r' }, ctx)).source
      )
    : undefined
  const source = new ArraySource({
    store,
    codecs,
    mapping,
    stored,
    layout,
    reader,
    ...(readOnly || remoteUrl ? { readOnly: remoteUrl ? REMOTE_READ_ONLY : readOnly } : {}),
    ...(chunked ? { chunked } : {}),
    ...(pyramid ? { pyramid } : {}),
    ...(remote ? { remote: remoteParts(remote).remote } : {}),
    ...(held ? { remoteContainer: held } : {}),
    // the .fits.gz is the file whose changes are told (and whose version statistics name), not its copy
    ...(copy ? { onClose: copy.release, watch: path } : decodedFrom ? { watch: decodedFrom } : {})
  })
  const id = randomUUID()
  const info: SessionInfo = {
    session: id,
    path: file,
    fileSize: mapping.size,
    mode: r.mode,
    format: container.format,
    layout: layoutInfo(layout),
    array: {
      container: path,
      format: container.format,
      name,
      storedType: entry.storedType,
      stored: { offset: entry.offset, nbytes: entry.nbytes },
      ...(entry.decoding
        ? {
            blocks: {
              quant: entry.decoding.quant,
              elems: entry.decoding.blockElems,
              bytes: entry.decoding.blockBytes
            }
          }
        : {}),
      ...(entry.via || entry.recode || entry.hdf5 || entry.zarr || entry.tiff || entry.fitsTiles || copy
        ? { decompressed: true }
        : {}),
      ...(entry.hdf5 ? { chunks: entry.hdf5.chunks, filters: entry.hdf5.filters } : {}),
      ...(entry.zarr ? { chunks: entry.zarr.chunks, filters: entry.zarr.codecs } : {}),
      ...(entry.tiff ? { chunks: entry.tiff.chunks, filters: [entry.tiff.codec] } : {}),
      ...(entry.fitsTiles ? { chunks: entry.fitsTiles.chunks, filters: [entry.fitsTiles.codec] } : {}),
      ...(entry.scaling
        ? {
            scaling: {
              source: entry.scaling.source,
              stored: entry.scaling.stored,
              dtype: entry.scaling.dtype,
              applied: Boolean(scaling),
              ratio: scale?.ratio ?? 1
            }
          }
        : {}),
      ...(entry.metadata ? { metadata: shortened(entry.metadata) as Record<string, JsonValue> } : {}),
      ...(readOnly || remoteUrl ? { readOnly: remoteUrl ? REMOTE_READ_ONLY : readOnly } : {})
    }
  }
  try {
    // a chunked dataset's copy changes as it fills, an inflated copy never: the container is the file watched
    let watched: Pick<Session, 'stat' | 'identity'> | undefined
    if ((chunked || copy || decodedFrom) && !held && !remoteUrl) {
      const st = fs.statSync(source.watch)
      watched = {
        stat: { size: st.size, mtimeMs: st.mtimeMs },
        identity: identityOf(source.watch) ?? { ino: BigInt(st.ino), dev: BigInt(st.dev) }
      }
    }
    return newSession(source, info, watched)
  } catch (e) {
    cleanup()
    throw e
  }
}
