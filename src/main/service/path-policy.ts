// Which paths the service may touch. The desktop app and the CLI reach any path the user names; serve mode
// with --root DIR confines every path a request names (files to open, probe or preview, export targets,
// bookmarks) to that folder tree. Paths are compared after resolving symbolic links, so a link inside the root
// that points outside it is refused too. Relative paths are taken from the root.
import fs from 'node:fs'
import path from 'node:path'
import { ApiError } from '../../shared/contract'
import { expandHome } from './home-path'
import { isRemote, parseRemote, RemotePolicy } from './remote-url'

/**
 * The real path of p, or — for a file not created yet — its nearest existing ancestor's real path + the rest.
 * A dangling symbolic link on the way is followed to where it points (a file created through it would be
 * created there), so a link inside the root naming a missing file outside it resolves outside.
 */
export function realPathOf(p: string, hops = 0): string {
  const rest: string[] = []
  let at = p
  for (;;) {
    try {
      return path.join(fs.realpathSync(at), ...rest.reverse())
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      const parent = path.dirname(at)
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === at) return path.join(at, ...rest.reverse())
      let target: string | null = null
      try {
        if (fs.lstatSync(at).isSymbolicLink()) target = fs.readlinkSync(at)
      } catch {
        /* not there at all: an ordinary missing component */
      }
      if (target !== null) {
        // the kernel gives up after 40 links (ELOOP); so do we, keeping the unresolved path (refused: it names
        // nothing a request could create or open)
        if (hops >= 40) return path.join(at, ...rest.reverse())
        return realPathOf(path.join(path.resolve(parent, target), ...rest.reverse()), hops + 1)
      }
      rest.push(path.basename(at))
      at = parent
    }
  }
}

export class PathPolicy {
  /** The real path of the root, or null: any path. */
  readonly root: string | null
  /** Which remote URLs requests may name (serve mode's --remote; null: any). */
  readonly remote: RemotePolicy

  constructor(root?: string | null, remotePrefixes: string[] | null = null) {
    this.remote = new RemotePolicy(remotePrefixes)
    if (!root) {
      this.root = null
      return
    }
    let st: fs.Stats
    try {
      st = fs.statSync(root)
    } catch {
      throw new ApiError('not-found', `--root ${root}: no such folder`)
    }
    if (!st.isDirectory()) throw new ApiError('bad-request', `--root ${root} is not a folder`)
    this.root = fs.realpathSync(root)
  }

  /** One line for the start-up message: what a token holder can reach. */
  describe(): string {
    return this.root
      ? `Files: only under ${this.root} (--root; symbolic links are followed before checking).`
      : 'Files: any path the token holder types, with your permissions (confine them with --root DIR).'
  }

  /** Whether an absolute path lies inside the root (always, without one). */
  allows(absolute: string): boolean {
    if (isRemote(absolute)) return this.remote.allows(absolute)
    if (!this.root) return true
    const real = realPathOf(absolute)
    return real === this.root || real.startsWith(this.root.endsWith(path.sep) ? this.root : this.root + path.sep)
  }

  /** The absolute path a request means; outside the root it is refused with a reason. */
  resolve(p: string): string {
    // a URL names a remote object: normalized, and refused unless the remote policy allows it
    if (isRemote(p)) {
      const url = parseRemote(p).href
      this.remote.check(url)
      return url
    }
    p = expandHome(p) // "~/x" as a shell would read it (home-path.ts)
    if (!this.root) return path.resolve(p)
    const absolute = path.resolve(this.root, p)
    if (!this.allows(absolute)) {
      throw new ApiError(
        'permission',
        `${absolute} is outside ${this.root}: this server was started with --root and reaches only files under it`
      )
    }
    return realPathOf(absolute)
  }
}
