// `arrayscope serve`: the app in a browser, served on 127.0.0.1 with a token (also `open`'s fallback where
// Electron cannot start). The file and layout named are checked here, so that a typo fails with status 2.
import fs from 'node:fs'
import path from 'node:path'
import { rendererDir } from '../app-root'
import { ArrayService } from '../service/array-service'
import { PathPolicy } from '../service/path-policy'
import { defaultConfigDir } from '../service/recent'
import { startServer } from '../serve/server'
import { onTerminate } from '../signals'
import { cancelAllJobs } from '../service/scan'
import {
  LAYOUT_FLAGS,
  UsageError,
  flagInt,
  flagList,
  flagString,
  layoutFromArgs,
  rejectUnknownFlags,
  type ParsedArgs
} from './args'
import { io } from './output'
import { followRateOf } from './follow'
import { isRemote, parseRemote } from '../service/remote-url'

/**
 * serve's --remote prefixes (repeatable): the URLs a token holder may make the server read. Without any, the
 * server reads no remote object: it must not become a way to reach the network for whoever holds the token.
 */
function remotePrefixes(args: ParsedArgs): string[] {
  return flagList(args, 'remote').map((p) => {
    if (/^s3:\/\/[^/?#]+(\/.*)?$/i.test(p)) return /^s3:\/\/[^/]+$/i.test(p) ? `${p}/` : p
    if (!/^https?:\/\//i.test(p)) {
      throw new UsageError(`--remote ${p}: give a URL prefix (http://HOST/PATH/, https://…, s3://BUCKET/PREFIX)`)
    }
    // as requests' URLs are normalized (http://h:80/ → http://h/), so is the prefix
    return parseRemote(p).href
  })
}

export async function serve(args: ParsedArgs): Promise<void> {
  rejectUnknownFlags(args, [...LAYOUT_FLAGS, 'port', 'root', 'force', 'remote', 'follow-rate', 'follow', 'no-follow'])
  if (args.flags.has('follow') && args.flags.has('no-follow'))
    throw new UsageError('--follow and --no-follow: give one')
  // the file opened at start follows another program's writes in mode r (the app's default); --no-follow opens it
  // unfollowed (the view bar's switch turns it on later)
  const follow = !args.flags.has('no-follow')
  const followRate = followRateOf(args)
  const file = args.positionals[1]
  const { layout, mode, array } = layoutFromArgs(args)
  const port = flagInt(args, 'port') ?? 0
  const root = flagString(args, 'root')
  const remote = remotePrefixes(args)
  // the policy of every request, checked before anything else (a --root that does not exist fails here)
  const paths = new PathPolicy(root ?? null, remote)
  let initial = null
  if (file) {
    const resolved = isRemote(file) ? parseRemote(file).href : path.resolve(file)
    if (isRemote(resolved) && !paths.allows(resolved)) {
      throw new UsageError(`${resolved} is not under a --remote prefix: allow it with --remote PREFIX`)
    }
    if (!paths.allows(resolved))
      throw new UsageError(`${resolved} is outside --root ${paths.root}: serve a file under it`)
    // Check the file and layout now, so a typo fails here with status 2 rather than in the browser.
    const probeService = new ArrayService({ watchIntervalMs: 0, remote })
    try {
      if (mode === 'w+') {
        // Create the file here, once: the page then opens it r+, so reloading it never truncates it again.
        if (array !== undefined) throw new UsageError('mode w+ creates a raw file, not an array of a container')
        if (!args.flags.has('force') && fs.existsSync(resolved)) {
          throw new UsageError(`${resolved} exists: mode w+ would replace it with a zero-filled file; add --force`)
        }
        await probeService.handle('session:open', { path: resolved, layout, mode, overwrite: true })
        initial = { path: resolved, layout, mode: 'r+' as const }
      } else {
        const probe = await probeService.handle('file:probe', { path: resolved })
        if (array !== undefined || layout || !probe.container || probe.sidecar) {
          const s = await probeService.handle('session:open', {
            path: resolved,
            layout,
            mode,
            ...(array !== undefined ? { array } : {})
          })
          initial = {
            path: resolved,
            layout: s.format === 'npy' && !layout ? null : (layout ?? null),
            mode,
            ...(array !== undefined ? { array } : {}),
            ...(follow ? {} : { follow: false as const })
          }
        } else {
          // a container without --array: the app shows its tree
          await probeService.handle('container:list', { path: resolved, limit: 1 })
          initial = { path: resolved, layout: null, mode, ...(follow ? {} : { follow: false as const }) }
        }
      }
    } finally {
      probeService.closeAll()
    }
  }
  let broadcast: (event: string, payload: unknown) => void = () => {}
  const service = new ArrayService({
    appInfo: { transport: 'serve', initial },
    recentFile: path.join(defaultConfigDir(), 'recent.json'),
    emit: (event, payload) => broadcast(event, payload),
    root: paths.root,
    followRate,
    remote
  })
  const server = await startServer({ service, rendererDir: rendererDir(), port })
  broadcast = server.broadcast
  io.out(`ArrayScope is serving ${file ? initial!.path : '(no file)'} at\n  ${server.url}\n`)
  io.out(`${paths.describe()}\n${paths.remote.describe()}\n`)
  io.out(
    `Open that URL in a browser. Over SSH: ssh -L ${server.port}:127.0.0.1:${server.port} HOST, then open it locally.\n`
  )
  const stop = (): void => {
    // the pages lose their connection: their unflushed edits are discarded, as on a disconnect
    service.closeClients()
    // a pass waiting at a gate (a remote object's bytes) would keep the process from exiting (scan.ts)
    cancelAllJobs()
    service.closeAll()
    void server.close().then(() => process.exit(0))
  }
  // SIGHUP too: over SSH the server dies with the connection, and must clean up like Ctrl+C
  onTerminate(stop)
}
