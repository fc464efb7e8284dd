// Zarr stores over HTTP(S) and S3, read-only. A store is a folder of objects, not one object: a URL naming a
// store (a path part ending in .zarr: http://host/data/store.zarr, …/store.zarr/group/array, s3://bucket/x.zarr)
// is not read a block at a time like other remote objects; its metadata documents are fetched by key before a
// request runs (the container parse is synchronous), and each chunk is fetched as a whole object when a window
// or a scan needs it. Listing: consolidated metadata when the store has it (v3 zarr.json's
// consolidated_metadata, v2 .zmetadata); otherwise S3 lists each group's folder with ListObjectsV2 (a delimiter
// listing: metadata documents and sub-folders, never chunks), and plain HTTP, which has no listing, opens a store
// whose root is an array and says how to name an array of a group that is not consolidated.
import { ApiError } from '../../shared/contract'
import { ContainerError, parseContainer, type Container } from '../../shared/containers'
import { ZARR_MARKERS } from '../../shared/containers/zarr'
import { readHead, readRange, type FetchOptions, type ObjectHead } from './remote-fetch'
import { listS3Folder, type FolderListing } from './remote-list'
import { parseRemote, underPrefix } from './remote-url'
import { headSync, rangeSync } from './remote-worker-client'
import type { PathPolicy } from './path-policy'
import type { ZarrArray } from '../../shared/containers/zarr-meta'
import type { RemoteBytes } from './chunk-filler'
import { localKeys, ZipKeys, type ObjectRanges, type ZarrKeys } from './zarr-keys'
import { onlyShard, ShardReader } from './zarr-shard-read'

/** Metadata documents larger than this are refused (as for a local store). */
const MAX_DOC = 256 << 20
/** A chunk (a shard) larger than this is refused: it would be held in memory whole. */
const MAX_CHUNK = 1 << 30
/** Metadata documents fetched at once. */
const PARALLEL = 8
/** Rounds of fetching what the parse found missing (one round per level of groups walked). */
const MAX_ROUNDS = 64
/** Stores whose metadata is kept (the last prepared). */
const KEPT = 32
/** How long a store's metadata is reused before a request fetches it again. */
const FRESH_MS = 10_000

/** Whether a URL names a Zarr store (or an array or group in one): a part of its path ends in .zarr. */
export function isZarrUrl(url: string): boolean {
  let path: string
  try {
    const u = parseRemote(url)
    path = u.kind === 's3' ? u.key : decodeURIComponent(new URL(u.href).pathname)
  } catch {
    return false
  }
  return path.split('/').some((p) => /\.zarr$/i.test(p))
}

/** The store's URL without a trailing slash (the same store however it is spelled). */
function rootOf(url: string): string {
  return parseRemote(url).href.replace(/\/+$/, '')
}

/** The URL of a key of the store (each part escaped: an array's name may hold spaces). */
export function keyUrl(root: string, key: string): string {
  return `${root}/${key.split('/').map(encodeURIComponent).join('/')}`
}

interface Prepared {
  root: string
  s3: { bucket: string; key: string } | null
  /** Metadata documents fetched: text, or null for none. */
  docs: Map<string, string | null>
  /** The validators (ETag, Last-Modified) of the documents fetched, which a session's change check asks again. */
  validators: Map<string, string | null>
  /** S3 folders listed (keys relative to the root). */
  listed: Map<string, FolderListing>
  at: number
  generation: number
}

const stores = new Map<string, Prepared>()
let generations = 0

function fetchOptions(prefixes: readonly string[] | null): FetchOptions {
  return prefixes ? { allows: (u) => underPrefix(u, prefixes) } : {}
}

/** An object's first bytes, size and validator, or null when there is none (HTTP 404/410, S3 NoSuchKey). */
async function headOrNull(url: string, length: number, opts: FetchOptions): Promise<ObjectHead | null> {
  try {
    return await readHead(url, length, opts)
  } catch (e) {
    if (e instanceof ApiError && e.code === 'not-found') return null
    throw e
  }
}

/** The whole object of a head read of MAX_CHUNK bytes (a larger one is refused), or null. */
function whole(url: string, h: ObjectHead | null): Uint8Array | null {
  if (h && h.size > h.head.length) {
    throw new ApiError('layout', `${url} is ${h.size} bytes: more than ArrayScope reads of one Zarr object`)
  }
  return h?.head ?? null
}

function folderOf(key: string): { folder: string; name: string } {
  const i = key.lastIndexOf('/')
  return i < 0 ? { folder: '', name: key } : { folder: key.slice(0, i), name: key.slice(i + 1) }
}

function noListing(root: string): ApiError {
  return new ApiError(
    'layout',
    `${root} is a Zarr group without consolidated metadata (.zmetadata, or consolidated_metadata in zarr.json): plain HTTP has no listing, so its arrays cannot be found. Open an array by its URL (e.g. ${root}/path/to/array), or consolidate the store (zarr.consolidate_metadata)`
  )
}

/**
 * The store context of the parse: documents fetched; in a preparation, a document or folder not fetched yet is
 * recorded (and taken as absent for this round), after it an error.
 */
function storeContext(p: Prepared, want: { docs: Set<string>; folders: Set<string> } | null) {
  return {
    text(key: string): string | null {
      const have = p.docs.get(key)
      if (have !== undefined) return have
      // a folder S3 listed says which documents it holds: the others are not fetched
      const { folder, name } = folderOf(key)
      const l = p.listed.get(folder)
      if (l && !l.names.includes(name)) return null
      if (want) {
        want.docs.add(key)
        return null
      }
      throw new ContainerError(`${key} was not fetched: open the store again`)
    },
    folders(folder: string): string[] {
      if (!p.s3) throw noListing(p.root)
      const l = p.listed.get(folder)
      if (l) return l.folders.filter((n) => !n.startsWith('.'))
      if (want) {
        want.folders.add(folder)
        return []
      }
      throw new ContainerError(`the folder ${folder || '/'} was not listed: open the store again`)
    }
  }
}

function markerOf(p: Prepared): string {
  const marker = ZARR_MARKERS.find((m) => typeof p.docs.get(m) === 'string')
  if (!marker) {
    throw new ApiError(
      'not-found',
      `${p.root}: no Zarr metadata there (zarr.json, .zmetadata, .zgroup or .zarray): check that the URL names a Zarr store, or a group or an array in one`
    )
  }
  return marker
}

function parse(p: Prepared, want: { docs: Set<string>; folders: Set<string> } | null): Container {
  const marker = markerOf(p)
  const head = Buffer.from(p.docs.get(marker)!.slice(0, 512))
  try {
    const c = parseContainer({
      read: (offset, length) => head.subarray(offset, offset + length),
      size: head.length,
      fileName: marker,
      store: storeContext(p, want)
    })
    if (!c) throw new ApiError('layout', `${keyUrl(p.root, marker)} is not a Zarr metadata document (a JSON object)`)
    return c
  } catch (e) {
    if (e instanceof ContainerError) throw new ApiError('layout', `${p.root}: ${e.message}`)
    throw e
  }
}

/** Runs fn over items, at most n at once. */
async function bounded<T>(items: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, lane))
}

/**
 * Fetches the metadata documents of the store a URL names (and, on S3, lists its groups' folders) so the
 * synchronous parse finds them: rounds of a parse that records what it misses, each round's needs fetched
 * together (a consolidated store: one round after the markers).
 */
export async function prepareZarr(url: string, prefixes: readonly string[] | null): Promise<void> {
  const root = rootOf(url)
  const had = stores.get(root)
  if (had && Date.now() - had.at < FRESH_MS) return
  const u = parseRemote(root)
  const p: Prepared = {
    root,
    s3: u.kind === 's3' ? { bucket: u.bucket, key: u.key } : null,
    docs: new Map(),
    validators: new Map(),
    listed: new Map(),
    at: Date.now(),
    generation: ++generations
  }
  const opts = fetchOptions(prefixes)
  const fetchDoc = async (key: string): Promise<void> => {
    const h = await headOrNull(keyUrl(root, key), MAX_DOC, opts)
    const bytes = whole(keyUrl(root, key), h)
    p.docs.set(key, bytes === null ? null : new TextDecoder().decode(bytes))
    if (h) p.validators.set(key, h.validator)
  }
  const listFolder = async (folder: string): Promise<void> => {
    const prefix = folder ? `${p.s3!.key}/${folder}` : p.s3!.key
    p.listed.set(folder, await listS3Folder(p.s3!.bucket, prefix))
  }
  // S3: the root folder's listing says which documents there are; HTTP: each is asked for
  if (p.s3) await listFolder('')
  // a server that hides which keys exist (S3 over HTTPS without list permission) answers 403 for a missing one:
  // taken as absent when another metadata document is there, else it is the answer
  const refused: ApiError[] = []
  await bounded([...ZARR_MARKERS, '.zattrs'], PARALLEL, async (k) => {
    const l = p.listed.get('')
    if (l && !l.names.includes(k)) return void p.docs.set(k, null)
    try {
      await fetchDoc(k)
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 'permission')) throw e
      refused.push(e)
      p.docs.set(k, null)
    }
  })
  if (refused.length && !ZARR_MARKERS.some((m) => typeof p.docs.get(m) === 'string')) throw refused[0]!
  markerOf(p)
  for (let round = 0; ; round++) {
    const want = { docs: new Set<string>(), folders: new Set<string>() }
    try {
      parse(p, want)
    } catch {
      // the parse's own errors are the synchronous path's to report (the same parse runs there)
    }
    if (!want.docs.size && !want.folders.size) break
    if (round === MAX_ROUNDS) {
      throw new ApiError('layout', `${root}: its groups nest more than ${MAX_ROUNDS} levels deep: it is not listed`)
    }
    await bounded([...want.folders], PARALLEL, listFolder)
    await bounded([...want.docs], PARALLEL, fetchDoc)
  }
  stores.delete(root)
  stores.set(root, p)
  // the stores prepared last are kept (a store's metadata is a few documents; a request prepares it again)
  for (const key of stores.keys()) if (stores.size > KEPT) stores.delete(key)
}

function prepared(url: string): Prepared {
  const p = stores.get(rootOf(url))
  if (!p) throw new ApiError('io', `${url}: the store's metadata was not fetched: open it again`)
  return p
}

/** The container of a prepared remote store (its arrays and groups). */
export function readRemoteZarr(url: string): Container {
  return parse(prepared(url), null)
}

/** Which preparation of the store a parsed container belongs to (the container cache's key). */
export function zarrGeneration(url: string): number {
  return prepared(url).generation
}

/**
 * The metadata documents an array of a prepared store is defined by (its own, and the consolidated metadata of
 * the root), with the validators they were fetched with: what a session's change check asks again.
 */
export function arrayDocs(url: string, name: string): { url: string; validator: string }[] {
  const p = prepared(url)
  const base = name.replace(/^\/+|\/+$/g, '')
  const keys = ['.zmetadata', 'zarr.json', ...(base ? [`${base}/zarr.json`, `${base}/.zarray`] : ['.zarray'])]
  return keys.flatMap((k) => {
    const v = p.validators.get(k)
    return v ? [{ url: keyUrl(p.root, k), validator: v }] : []
  })
}

/** Told each object a store's reader fetched: its validator ('' when it has none), or null: none there. */
export type SeenObject = (url: string, validator: string | null) => void

/** The objects of a remote store, by key: fetched whole, or by ranges (a shard); none there is the fill value. */
export function remoteZarrKeys(url: string, prefixes: readonly string[] | null, seen?: SeenObject): ZarrKeys {
  const root = rootOf(url)
  const opts = fetchOptions(prefixes)
  const list = prefixes ? [...prefixes] : null
  const saw = (u: string, h: ObjectHead | null): ObjectHead | null => {
    seen?.(u, h ? (h.validator ?? '') : null)
    return h
  }
  // ranges inside the first bytes fetched are served from them (a small shard is read once)
  const ranged = (u: string, h: ObjectHead | null): ObjectRanges | null => {
    saw(u, h)
    if (!h) return null
    const held = (offset: number, length: number): Uint8Array | null =>
      offset + length <= h.head.length ? h.head.slice(offset, offset + length) : null
    return {
      size: h.size,
      head: h.head,
      read: async (offset, length) => held(offset, length) ?? readRange(u, h.validator, offset, length, opts),
      readSync: (offset, length) => held(offset, length) ?? rangeSync(u, h.validator, offset, length, list)
    }
  }
  return {
    list: () => null,
    read: async (key) =>
      whole(keyUrl(root, key), saw(keyUrl(root, key), await headOrNull(keyUrl(root, key), MAX_CHUNK, opts))),
    readSync: (key) => whole(keyUrl(root, key), saw(keyUrl(root, key), headSync(keyUrl(root, key), MAX_CHUNK, list))),
    ranges: async (key, first) => ranged(keyUrl(root, key), await headOrNull(keyUrl(root, key), first, opts)),
    rangesSync: (key, first) => ranged(keyUrl(root, key), headSync(keyUrl(root, key), first, list)),
    close: () => undefined
  }
}

/**
 * The keys of the store a path or URL names (a remote store, a folder or a .zarr.zip, checked by the policy), and
 * for a remote array whose chain is a shard alone, the reader of its inner chunks by range.
 */
export function storeKeys(
  path: string,
  paths: PathPolicy,
  array: ZarrArray,
  seen?: SeenObject,
  zip?: { file: string; remote: RemoteBytes }
): { keys: ZarrKeys; shard?: ShardReader } {
  // a remote .zarr.zip: the archive's copy, its members fetched by range as they are read
  if (zip) return { keys: new ZipKeys(zip.file, zip.remote) }
  if (!isZarrUrl(path)) return { keys: localKeys(path, (p) => paths.allows(p)) }
  const keys = remoteZarrKeys(path, paths.remote.prefixes, seen)
  const step = onlyShard(array)
  return step ? { keys, shard: new ShardReader(keys, array, step) } : { keys }
}

/** The chunk grid's chunks of an array: a remote sharded array's inner chunks (read by range), else its chunks. */
export function gridChunks(path: string, array: ZarrArray): number[] {
  return (isZarrUrl(path) && onlyShard(array)?.chunks) || array.chunks
}
