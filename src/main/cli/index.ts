// The `arrayscope` command: headless access to the same service the app uses.
// Bad input exits with status 2 and one line on stderr.
import fs from 'node:fs'
import path from 'node:path'
import { SINGLE_ARRAY_FORMATS } from '../../shared/containers'
import { ArrayService, VERSION } from '../service/array-service'
import { toApiError } from '../service/errors'
import { PathPolicy } from '../service/path-policy'
import { defaultConfigDir } from '../service/recent'
import { startServer } from '../serve/server'
import { io, PipeClosed } from './output'
import {
  LAYOUT_FLAGS,
  UsageError,
  flagInt,
  flagString,
  layoutFromArgs,
  parseArgs,
  rejectUnknownFlags,
  type ParsedArgs
} from './args'

const USAGE = `usage: arrayscope COMMAND FILE [layout] [options]
layout flags: --dtype D --shape 3,4,5 --offset N --order C|F --mode r|r+|c|w+   (.npy files need none)
  info FILE [layout]                      JSON {path,fileSize,format,dtype,shape,order,offset,itemsize,nbytes}
  ls FILE [--json]                        the arrays of a container (safetensors, index.json, .npz, GGUF,
                                          HDF5, NetCDF, FITS, NIfTI, NRRD, ENVI, MATLAB)
every command taking FILE also takes --array NAME: an array of a container (no layout flags then), and
--stored or --scaled for an array with scaled values (FITS BSCALE, NIfTI scl_slope, NetCDF scale_factor)
  show FILE [layout] [--slice S] [--json] values; S is numpy basic indexing: "2:10:2, 3, ..., -1"
  stats FILE [layout] [--slice S] [--bins N] [--range LO,HI] [--json]
                                          count,min,max,mean,std,nan,posinf,neginf[,histogram]
  set FILE [layout] --index "3,4" --value 1.5      in-place edit (r+)
  hex FILE [--offset N] [--length N] [--array NAME]   (--array: from the array's first stored byte)
  find FILE [layout] --hex "DE AD ?? EF" | --text T | --value "3.5 as <f4" [--tolerance X]
            [--from N] [--backwards] [--aligned] [--max N]   match offsets, one per line (exit 1: none)
  diff A B [layout] [--b-dtype D] [--b-offset N] [--b-order C|F] [--array-b NAME] [--slice S] [--rtol R]
            [--atol A] [--equal-nan|--no-equal-nan] [--max N] [--json]   numpy assert_allclose semantics
                                          exit 0 all close, 1 some differ; no layout: bytes, as cmp -l
  export FILE [layout] --out PATH [--slice S] [--as raw|text|npy|csv] [--sep S] [--fmt %.6g] [--to-dtype D] [--sidecar]
            [--casting no|equiv|safe|same_kind|unsafe|checked]   checked (default): refuse values that do not fit
            [--force]                     replaces an existing PATH only with --force (never the source itself)
  serve [FILE] [layout] [--port N] [--root DIR] [--force]
                                          browser mode on 127.0.0.1 (prints the URL with its token); --root
                                          confines the files it reaches to DIR; w+ replaces FILE only with --force
  [open] [FILE] [layout]                  the desktop app (falls back to serve mode without Electron)`

function rendererDir(): string {
  return path.join(__dirname, '..', 'renderer')
}

async function info(args: ParsedArgs, service: ArrayService): Promise<void> {
  rejectUnknownFlags(args, LAYOUT_FLAGS)
  const file = args.positionals[1]
  if (!file) throw new UsageError('info needs a FILE')
  const { layout, mode, array, values } = layoutFromArgs(args)
  if (!layout && array === undefined) {
    const probe = await service.handle('file:probe', { path: file })
    if (probe.container && !probe.sidecar && !SINGLE_ARRAY_FORMATS.includes(probe.container)) {
      const c = await service.handle('container:list', { path: file, limit: 1 })
      io.out(
        JSON.stringify({
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
  io.out(
    JSON.stringify({
      path: s.path,
      fileSize: s.fileSize,
      format: s.format,
      dtype: l.dtype,
      shape: l.shape,
      order: l.order,
      offset: a ? a.stored.offset : l.offset,
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
              : {})
          }
        : {})
    }) + '\n'
  )
}

export async function serve(args: ParsedArgs): Promise<void> {
  rejectUnknownFlags(args, [...LAYOUT_FLAGS, 'port', 'root', 'force'])
  const file = args.positionals[1]
  const { layout, mode, array } = layoutFromArgs(args)
  const port = flagInt(args, 'port') ?? 0
  const root = flagString(args, 'root')
  // the policy of every request, checked before anything else (a --root that does not exist fails here)
  const paths = new PathPolicy(root ?? null)
  let initial = null
  if (file) {
    const resolved = path.resolve(file)
    if (!paths.allows(resolved))
      throw new UsageError(`${resolved} is outside --root ${paths.root}: serve a file under it`)
    // Check the file and layout now, so a typo fails here with status 2 rather than in the browser.
    const probeService = new ArrayService({ watchIntervalMs: 0 })
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
            ...(array !== undefined ? { array } : {})
          }
        } else {
          // a container without --array: the app shows its tree
          await probeService.handle('container:list', { path: resolved, limit: 1 })
          initial = { path: resolved, layout: null, mode }
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
    root: paths.root
  })
  const server = await startServer({ service, rendererDir: rendererDir(), port })
  broadcast = server.broadcast
  io.out(`ArrayScope is serving ${file ? initial!.path : '(no file)'} at\n  ${server.url}\n`)
  io.out(`${paths.describe()}\n`)
  io.out(
    `Open that URL in a browser. Over SSH: ssh -L ${server.port}:127.0.0.1:${server.port} HOST, then open it locally.\n`
  )
  const stop = (): void => {
    // the pages lose their connection: their unflushed edits are discarded, as on a disconnect
    service.closeClients()
    service.closeAll()
    void server.close().then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

export async function main(argv: readonly string[]): Promise<number> {
  const service = new ArrayService({ watchIntervalMs: 0 })
  try {
    const args = parseArgs(argv)
    if (args.flags.has('help')) {
      io.out(USAGE + '\n')
      return 0
    }
    if (args.flags.has('version')) {
      io.out(VERSION + '\n')
      return 0
    }
    const command = args.positionals[0] ?? 'open'
    switch (command) {
      case 'info':
        await info(args, service)
        return 0
      case 'show':
        await (await import('./show')).show(args, service)
        return 0
      case 'stats':
        await (await import('./stats')).stats(args, service)
        return 0
      case 'set':
        await (await import('./set')).set(args, service)
        return 0
      case 'hex':
        ;(await import('./hex')).hex(args)
        return 0
      case 'ls':
        ;(await import('./ls')).ls(args)
        return 0
      case 'find':
        return await (await import('./find')).find(args, service)
      case 'diff':
        return await (await import('./diff')).diff(args, service)
      case 'export':
        await (await import('./export')).exportCommand(args, service)
        return 0
      case 'serve':
        await serve(args)
        return -1 // keeps running
      case 'open': {
        const { launchDesktop } = await import('./launch')
        return await launchDesktop(args)
      }
      default:
        if (args.positionals.length === 1 && !/^[a-z]+$/.test(command)) {
          const { launchDesktop } = await import('./launch')
          return await launchDesktop({ ...args, positionals: ['open', ...args.positionals] })
        }
        throw new UsageError(
          `unknown command '${command}': use info, ls, show, stats, set, hex, find, diff, export, serve or open (see --help)`
        )
    }
  } catch (error) {
    if (error instanceof PipeClosed) return 0
    const message = error instanceof UsageError ? error.message : toApiError(error).message
    io.err(`arrayscope: ${message.split('\n')[0]}\n`)
    if (error instanceof UsageError && message.includes('\n')) io.err(message.slice(message.indexOf('\n') + 1) + '\n')
    // Bad input is status 2; an internal error (a bug) is 1.
    return !(error instanceof UsageError) && toApiError(error).code === 'internal' ? 1 : 2
  } finally {
    service.closeAll()
  }
}
