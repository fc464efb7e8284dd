// The network under a remote object: one range read at a time (callers issue several in parallel), its body into
// one buffer (readRange) or into the caller's (readRangeInto, for streamed scans: over a raw socket for plain
// http, remote-raw.ts, that reads the body in place). HTTP(S) through Node's http/https modules with keep-alive agents (remote-http.ts),
// with redirects followed by hand so each hop is checked against serve mode's --remote prefixes; S3 through the
// AWS SDK's client (its credential chain, its signing, its retries). Every read after the first carries the
// object's validator (If-Match on a strong ETag, else If-Unmodified-Since on Last-Modified), so an object
// replaced under an open session fails with 'changed' instead of mixing versions.
// HTTP reads are retried with backoff on 5xx, timeouts and dropped connections. Suffix ranges (bytes=-N) are
// never sent: some S3-compatible servers (s3rver) answer them wrongly; the size comes from the first answer's
// Content-Range.
import { ApiError } from '../../shared/contract'
import { get, type Answer } from './remote-http'
import { rawRange } from './remote-raw'
import { parseRemote, type RemoteUrl } from './remote-url'

/** Requests sent and bytes received in this thread (tests and the bench count them). */
export const remoteStats = { requests: 0, bytes: 0 }

/** What the first read of an object tells: its size, its validator and its first bytes. */
export interface ObjectHead {
  size: number
  validator: string | null
  head: Uint8Array
}

export interface FetchOptions {
  signal?: AbortSignal
  /** Serve mode's --remote: where a redirect may lead. */
  allows?: (url: string) => boolean
  /**
   * readHead: only the size and validator are wanted (a change check): a server that ignores ranges and sends
   * the whole object has its answer dropped after the headers, not read.
   */
  headersOnly?: boolean
}

const RETRIES = 4
const MAX_REDIRECTS = 5

/** Reads the first `length` bytes of an object, learning its size and validator. */
export async function readHead(url: string, length: number, opts: FetchOptions = {}): Promise<ObjectHead> {
  const u = parseRemote(url)
  return u.kind === 's3' ? s3Head(u, length, opts) : httpHead(u.href, length, opts)
}

/** Reads [offset, offset + length) of an object that must still have this validator. */
export async function readRange(
  url: string,
  validator: string | null,
  offset: number,
  length: number,
  opts: FetchOptions = {}
): Promise<Uint8Array> {
  const u = parseRemote(url)
  return u.kind === 's3'
    ? s3Range(u, validator, offset, length, opts)
    : httpRange(u.href, validator, offset, length, opts)
}

function changed(url: string): ApiError {
  return new ApiError(
    'changed',
    `${url} changed on the server since it was opened: open it again to see the new version`
  )
}

function statusError(url: string, status: number, statusText: string): ApiError {
  if (status === 404 || status === 410) return new ApiError('not-found', `no such object: ${url} (HTTP ${status})`)
  if (status === 401 || status === 403) {
    return new ApiError('permission', `${url}: the server refuses access (HTTP ${status} ${statusText})`)
  }
  return new ApiError('io', `${url}: the server answered HTTP ${status} ${statusText}`)
}

/** Whether an error is worth another try: the network, a timeout, a 5xx. */
function transient(e: unknown): boolean {
  if (e instanceof ApiError) return e.code === 'unavailable'
  return true
}

async function withRetries<T>(url: string, signal: AbortSignal | undefined, once: () => Promise<T>): Promise<T> {
  let last: unknown
  for (let attempt = 0; attempt <= RETRIES; attempt++) {
    if (signal?.aborted) throw new ApiError('cancelled', `reading ${url} was cancelled`)
    try {
      return await once()
    } catch (e) {
      if (signal?.aborted) throw new ApiError('cancelled', `reading ${url} was cancelled`)
      if (!transient(e)) throw e
      last = e
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt + Math.random() * 50))
    }
  }
  const why = last instanceof Error ? last.message : String(last)
  throw new ApiError('io', `${url}: the server did not answer after ${RETRIES + 1} tries (${why})`)
}

/** One GET, following redirects only where allowed. */
async function fetchFollowing(url: string, headers: Record<string, string>, opts: FetchOptions): Promise<Answer> {
  let at = url
  for (let hop = 0; ; hop++) {
    remoteStats.requests++
    const res = await get(at, headers, opts.signal)
    const location = res.header('location')
    if (res.status >= 300 && res.status < 400 && location) {
      res.drop()
      const next = new URL(location, at).href
      if (!/^https?:/.test(next)) throw new ApiError('permission', `${url} redirects to ${next}: not followed`)
      if (opts.allows && !opts.allows(next)) {
        throw new ApiError(
          'permission',
          `${url} redirects to ${next}, outside the prefixes this server may read (--remote)`
        )
      }
      if (hop >= MAX_REDIRECTS) throw new ApiError('io', `${url}: more than ${MAX_REDIRECTS} redirects`)
      at = next
      continue
    }
    if (res.status >= 500 || res.status === 429) {
      res.drop()
      throw new ApiError('unavailable', `HTTP ${res.status} ${res.statusText}`)
    }
    return res
  }
}

/** The validator of an answer: a strong ETag, else Last-Modified (prefixed so the two are told apart). */
function validatorOf(res: Pick<Answer, 'header'>): string | null {
  const etag = res.header('etag')
  if (etag && !etag.startsWith('W/')) return `etag:${etag}`
  const lm = res.header('last-modified')
  return lm ? `date:${lm}` : null
}

function conditional(validator: string | null): Record<string, string> {
  if (!validator) return {}
  return validator.startsWith('etag:')
    ? { 'if-match': validator.slice(5) }
    : { 'if-unmodified-since': validator.slice(5) }
}

/** The body, checked to be `length` bytes (a connection dropped mid-body is retried). */
async function body(res: Answer, length: number | null): Promise<Uint8Array> {
  const bytes = await res.bytes(length)
  if (length !== null && bytes.length !== length) {
    throw new ApiError('unavailable', `the answer ended after ${bytes.length} of ${length} bytes`)
  }
  remoteStats.bytes += bytes.length
  return bytes
}

/** The most of an object read whole from a server that ignores ranges (it would be held in memory). */
const WHOLE_MAX = 256 << 20

function tooLargeWithoutRanges(url: string, res: Answer): void {
  const n = Number(res.header('content-length') ?? NaN)
  if (!(n <= WHOLE_MAX)) {
    res.drop()
    throw new ApiError(
      'io',
      `${url}: the server does not answer range requests (it sends the whole object${n >= 0 ? `, ${n} bytes` : ''}): ArrayScope reads objects over ${WHOLE_MAX >> 20} MiB only from servers that do; download it first`
    )
  }
}

function totalOf(range: string | null): number | null {
  const m = range ? /\/(\d+)\s*$/.exec(range) : null
  return m ? Number(m[1]) : null
}

async function httpHead(url: string, length: number, opts: FetchOptions): Promise<ObjectHead> {
  return withRetries(url, opts.signal, async () => {
    const res = await fetchFollowing(url, { range: `bytes=0-${Math.max(0, length - 1)}` }, opts)
    if (res.status === 416) {
      // an empty object has no byte 0
      res.drop()
      const size = totalOf(res.header('content-range'))
      if (size === 0) return { size: 0, validator: validatorOf(res), head: new Uint8Array(0) }
      throw new ApiError('io', `${url}: the server refused the range of its first bytes (HTTP 416)`)
    }
    if (res.status === 200 && opts.headersOnly) {
      const n = Number(res.header('content-length') ?? NaN)
      res.drop()
      if (!(n >= 0)) throw new ApiError('io', `${url}: the server's answer names no object size (Content-Length)`)
      return { size: n, validator: validatorOf(res), head: new Uint8Array(0) }
    }
    if (res.status === 200) {
      // no range support: the whole object comes — read once into memory when small, refused when large
      tooLargeWithoutRanges(url, res)
      const all = await body(res, null)
      return { size: all.length, validator: validatorOf(res), head: all }
    }
    if (res.status !== 206) {
      res.drop()
      throw statusError(url, res.status, res.statusText)
    }
    const size = totalOf(res.header('content-range'))
    if (size === null) throw new ApiError('io', `${url}: the server's answer names no object size (Content-Range)`)
    const head = await body(res, Math.min(length, size))
    return { size, validator: validatorOf(res), head }
  })
}

async function httpRange(
  url: string,
  validator: string | null,
  offset: number,
  length: number,
  opts: FetchOptions,
  into?: Uint8Array
): Promise<Uint8Array> {
  if (length === 0) return new Uint8Array(0)
  const headers = { range: `bytes=${offset}-${offset + length - 1}`, ...conditional(validator) }
  return withRetries(url, opts.signal, async () => {
    if (rawAllowed(url)) {
      // plain http: a raw socket, unless the answer is more than a plain 206 (remote-raw.ts); the body read
      // straight into a streamed scan's slot, or into one buffer
      remoteStats.requests++
      const target = into ?? new Uint8Array(length)
      const current = (header: (name: string) => string | null): boolean =>
        !validator || validatorOf({ header }) === validator
      const raw = await rawRange({
        url: new URL(url),
        headers,
        offset,
        length,
        current,
        target,
        signal: opts.signal
      })
      if (raw === 'done') {
        remoteStats.bytes += length
        return into ? new Uint8Array(0) : target
      }
    }
    const res = await fetchFollowing(url, headers, opts)
    if (res.status === 412) {
      res.drop()
      throw changed(url)
    }
    // a server that ignores If-Match still tells its current validator
    const now = validatorOf(res)
    if (validator && now && now !== validator) {
      res.drop()
      throw changed(url)
    }
    if (res.status === 200) {
      tooLargeWithoutRanges(url, res)
      const all = await body(res, null)
      const part = all.slice(offset, offset + length)
      into?.set(part, 0)
      return part
    }
    if (res.status !== 206) {
      res.drop()
      throw statusError(url, res.status, res.statusText)
    }
    const range = res.header('content-range') ?? ''
    if (!range.startsWith(`bytes ${offset}-`)) {
      res.drop()
      throw new ApiError('io', `${url}: asked for bytes ${offset}-…, the server sent ${range || 'no range'}`)
    }
    if (!into) return body(res, length)
    // streamed: each piece goes where it belongs (a retry starts the range again from its start)
    const n = await res.stream((piece, at) => {
      if (at + piece.length > length) throw new ApiError('unavailable', `the answer is longer than ${length} bytes`)
      into.set(piece, at)
    })
    if (n !== length) throw new ApiError('unavailable', `the answer ended after ${n} of ${length} bytes`)
    remoteStats.bytes += n
    return new Uint8Array(0)
  })
}

/** Whether a range may go over a raw socket: plain http, no credentials in the URL, not turned off. */
function rawAllowed(url: string): boolean {
  if (!url.startsWith('http:') || process.env.ARRAYSCOPE_REMOTE_RAW === '0') return false
  const u = new URL(url)
  return !u.username && !u.password
}

/**
 * Reads [offset, offset + length) of an object as readRange does, into `target` (length bytes) instead of a new
 * buffer: over a raw socket the body is read straight into it; a retry after a dropped connection writes the
 * range again from its start. S3 answers are copied in whole.
 */
export async function readRangeInto(
  url: string,
  validator: string | null,
  offset: number,
  length: number,
  target: Uint8Array,
  opts: FetchOptions = {}
): Promise<void> {
  if (target.length !== length) throw new ApiError('io', `a range of ${length} bytes needs a target as long`)
  const u = parseRemote(url)
  if (u.kind === 's3') target.set(await s3Range(u, validator, offset, length, opts), 0)
  else await httpRange(u.href, validator, offset, length, opts, target)
}

// ---- S3 ----

type S3Module = typeof import('@aws-sdk/client-s3')
let s3mod: Promise<S3Module> | undefined
const clients = new Map<string, import('@aws-sdk/client-s3').S3Client>()

/**
 * The S3 client (one signed with the standard credential chain, one anonymous for public buckets when no
 * credentials are configured): AWS_REGION (else us-east-1), AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL for an
 * S3-compatible store (MinIO, Ceph, s3rver), addressed path-style there.
 */
export async function s3client(anonymous: boolean): Promise<{ m: S3Module; c: import('@aws-sdk/client-s3').S3Client }> {
  // the pinned SDK runs on Node 20 (this project's floor) but warns on stderr that later versions will not: a
  // CLI's output is no place for it (the pin is deliberate, docs/architecture.md)
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  s3mod ??= import('@aws-sdk/client-s3')
  const m = await s3mod
  const key = anonymous ? 'anon' : 'signed'
  let c = clients.get(key)
  if (!c) {
    const endpoint = process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL
    c = new m.S3Client({
      region: process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1',
      maxAttempts: RETRIES + 1,
      ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
      ...(anonymous ? { signer: { sign: async (r) => r }, credentials: { accessKeyId: '', secretAccessKey: '' } } : {})
    })
    clients.set(key, c)
  }
  return { m, c }
}

export function noCredentials(e: unknown): boolean {
  const name = (e as { name?: string }).name ?? ''
  return name === 'CredentialsProviderError' || /could not load credentials/i.test((e as Error).message ?? '')
}

export function s3Error(u: RemoteUrl, e: unknown): ApiError {
  if (e instanceof ApiError) return e
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } }
  const status = err.$metadata?.httpStatusCode
  if (err.name === 'AbortError') return new ApiError('cancelled', `reading ${u.href} was cancelled`)
  if (err.name === 'NoSuchKey' || err.name === 'NotFound' || status === 404) {
    return new ApiError('not-found', `no such object: ${u.href}`)
  }
  if (err.name === 'NoSuchBucket') return new ApiError('not-found', `${u.href}: no such bucket`)
  if (err.name === 'PreconditionFailed' || status === 412) return changed(u.href)
  if (err.name === 'AccessDenied' || status === 403) {
    return new ApiError('permission', `${u.href}: access denied (check AWS_PROFILE / AWS_ACCESS_KEY_ID)`)
  }
  return new ApiError('io', `${u.href}: ${err.name ?? 'error'}: ${err.message ?? String(e)}`)
}

async function s3Get(
  u: Extract<RemoteUrl, { kind: 's3' }>,
  range: string,
  validator: string | null,
  signal: AbortSignal | undefined
): Promise<{ bytes: Uint8Array; contentRange?: string; etag?: string; status?: number }> {
  const send = async (anonymous: boolean) => {
    const { m, c } = await s3client(anonymous)
    remoteStats.requests++
    const out = await c.send(
      new m.GetObjectCommand({
        Bucket: u.bucket,
        Key: u.key,
        Range: range,
        ...(validator?.startsWith('etag:') ? { IfMatch: validator.slice(5) } : {})
      }),
      signal ? { abortSignal: signal } : {}
    )
    const bytes = out.Body ? await out.Body.transformToByteArray() : new Uint8Array(0)
    remoteStats.bytes += bytes.length
    return {
      bytes,
      ...(out.ContentRange ? { contentRange: out.ContentRange } : {}),
      ...(out.ETag ? { etag: out.ETag } : {}),
      ...(out.$metadata.httpStatusCode ? { status: out.$metadata.httpStatusCode } : {})
    }
  }
  try {
    return await send(false)
  } catch (e) {
    // no credentials configured: a public bucket is read anonymously
    if (noCredentials(e)) return await send(true)
    throw e
  }
}

async function s3Head(u: Extract<RemoteUrl, { kind: 's3' }>, length: number, opts: FetchOptions): Promise<ObjectHead> {
  try {
    const r = await s3Get(u, `bytes=0-${Math.max(0, length - 1)}`, null, opts.signal)
    const size = totalOf(r.contentRange ?? null) ?? r.bytes.length
    return { size, validator: r.etag ? `etag:${r.etag}` : null, head: r.bytes.subarray(0, Math.min(length, size)) }
  } catch (e) {
    const err = e as { name?: string; $metadata?: { httpStatusCode?: number } }
    if (err.name === 'InvalidRange' || err.$metadata?.httpStatusCode === 416) {
      // an empty object: its size and validator from a HEAD
      try {
        const { m, c } = await s3client(false)
        remoteStats.requests++
        const h = await c.send(new m.HeadObjectCommand({ Bucket: u.bucket, Key: u.key }))
        return { size: h.ContentLength ?? 0, validator: h.ETag ? `etag:${h.ETag}` : null, head: new Uint8Array(0) }
      } catch (e2) {
        throw s3Error(u, e2)
      }
    }
    throw s3Error(u, e)
  }
}

async function s3Range(
  u: Extract<RemoteUrl, { kind: 's3' }>,
  validator: string | null,
  offset: number,
  length: number,
  opts: FetchOptions
): Promise<Uint8Array> {
  if (length === 0) return new Uint8Array(0)
  // the SDK retries what fails before the body; a body cut off on the way is retried here
  const r = await withRetries(u.href, opts.signal, async () => {
    try {
      return await s3Get(u, `bytes=${offset}-${offset + length - 1}`, validator, opts.signal)
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
      const api = s3Error(u, e)
      if (api.code === 'io' && (status === undefined || status >= 500)) throw new ApiError('unavailable', api.message)
      throw api
    }
  })
  if (validator && r.etag && `etag:${r.etag}` !== validator) throw changed(u.href)
  if (r.bytes.length !== length) {
    throw new ApiError('io', `${u.href}: asked for ${length} bytes at ${offset}, the server sent ${r.bytes.length}`)
  }
  return r.bytes
}
