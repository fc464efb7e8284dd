// Remote sources named where a path is accepted: http://, https:// and s3://bucket/key. What is a URL, how it is
// shown, how a sibling (a safetensors shard) resolves against it, and serve mode's --remote policy: the server
// must not become a way to reach the network for whoever holds its token, so it reaches only the prefixes it
// was started with.
import { ApiError } from '../../shared/contract'

/** Whether a path a request names is a remote object (http, https or s3), not a local path. */
export function isRemote(p: string): boolean {
  return /^(https?|s3):\/\//i.test(p)
}

export type RemoteUrl = { kind: 'http'; href: string } | { kind: 's3'; href: string; bucket: string; key: string }

/** Parses a remote URL, or says what is wrong with it and what a good one looks like. */
export function parseRemote(text: string): RemoteUrl {
  if (/^s3:\/\//i.test(text)) {
    const m = /^s3:\/\/([^/?#]+)\/([^?#]+)$/i.exec(text)
    if (!m) throw new ApiError('bad-request', `${text}: an S3 object is named s3://BUCKET/KEY`)
    return { kind: 's3', href: `s3://${m[1]}/${m[2]}`, bucket: m[1]!, key: decodeURIComponent(m[2]!) }
  }
  let u: URL
  try {
    u = new URL(text)
  } catch {
    throw new ApiError('bad-request', `${text} is not a URL ArrayScope can read (http://HOST/PATH, https://…)`)
  }
  if (u.username || u.password) {
    // credentials in a URL end up in logs, recent files and messages: refused rather than kept
    throw new ApiError(
      'bad-request',
      `${u.host}: give no user or password in the URL (they would be stored in plain text)`
    )
  }
  u.hash = ''
  return { kind: 'http', href: u.href }
}

/** A file named relative to a remote object (a shard beside a safetensors index): the same scheme and folder. */
export function remoteSibling(base: string, relative: string): string {
  if (/^s3:\/\//i.test(base)) {
    const folder = base.slice(0, base.lastIndexOf('/') + 1)
    const parts: string[] = []
    for (const p of relative.split('/')) {
      if (p === '..') {
        throw new ApiError('permission', `${relative}: a shard outside the index's folder is not read`)
      }
      if (p && p !== '.') parts.push(p)
    }
    return folder + parts.join('/')
  }
  return new URL(relative, base).href
}

/** The last part of a URL's path (for formats named by their file name, like *.index.json). */
export function remoteName(url: string): string {
  const path = url.replace(/[?#].*$/, '')
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1))
}

/**
 * Whether a URL lies under one of the prefixes: a prefix ending in '/' is a folder (anything under it), another
 * is an object or a folder named without its slash (http://h/data allows http://h/data/x, not http://h/database).
 */
export function underPrefix(url: string, prefixes: readonly string[]): boolean {
  return prefixes.some(
    (p) => url === p || (url.startsWith(p) && (p.endsWith('/') || url[p.length] === '/' || url[p.length] === '?'))
  )
}

/** Serve mode's --remote: the prefixes of URLs a request may name (none: no remote source at all). */
export class RemotePolicy {
  constructor(readonly prefixes: readonly string[] | null) {}

  /** Whether a URL may be read: any URL without a policy (the CLI, the desktop app); else under a prefix. */
  allows(url: string): boolean {
    return this.prefixes === null || underPrefix(url, this.prefixes)
  }

  /** The URL a request names, refused unless the policy allows it. */
  check(url: string): void {
    if (this.allows(url)) return
    throw new ApiError(
      'permission',
      this.prefixes && this.prefixes.length
        ? `${url} is not under a prefix this server may read (--remote ${this.prefixes.join(', --remote ')})`
        : `${url}: this server reads no remote objects; start it with --remote PREFIX (e.g. --remote https://host/data/) to allow some`
    )
  }

  /** One line for the start-up message. */
  describe(): string {
    if (this.prefixes === null) return 'Remote objects: any http(s):// or s3:// URL.'
    return this.prefixes.length
      ? `Remote objects: only under ${this.prefixes.join(', ')} (--remote; redirects are followed only inside them).`
      : 'Remote objects: none (allow a URL prefix with --remote PREFIX).'
  }
}
