// The `arrayscope` command: headless access to the same service the app uses.
// Bad input exits with status 2 and one line on stderr.
import { formatList } from '../../shared/containers'
import { ArrayService, VERSION } from '../service/array-service'
import { toApiError } from '../service/errors'
import { io, PipeClosed } from './output'
import { UsageError, parseArgs } from './args'
import { onTerminate, signalStatus } from '../signals'
import { cancelAllJobs } from '../service/scan'

// the output's sinks, for a program that runs main() in its own process (the CLI fuzzer's child captures them)
export { io }

/** A usage line: the command, then its text from column 42, wrapped there (the formats' list is the registry's). */
function usageLine(head: string, text: string, width = 110): string {
  const lines: string[] = []
  let line = head.padEnd(42)
  let fresh = true
  for (const word of text.split(' ')) {
    if (!fresh && line.length + 1 + word.length > width) {
      lines.push(line)
      line = ' '.repeat(42)
      fresh = true
    }
    line += (fresh ? '' : ' ') + word
    fresh = false
  }
  return [...lines, line].join('\n')
}

const USAGE = `usage: arrayscope COMMAND FILE [layout] [options]
layout flags: --dtype D --shape 3,4,5 --offset N --order C|F --mode r|r+|c|w+   (.npy files need none)
  info FILE [layout]                      JSON {path,fileSize,format,dtype,shape,order,offset,itemsize,nbytes}
${usageLine('  ls FILE [--json]', `the arrays of a container (${formatList()})`)}
FILE may be a URL: http://…, https://… or s3://BUCKET/KEY (read-only; read a block at a time as needed)
every command taking FILE also takes --array NAME: an array of a container (no layout flags then), and
--stored or --scaled for an array with scaled values (FITS BSCALE, NIfTI scl_slope, NetCDF scale_factor)
  show FILE [layout] [--slice S] [--json] values; S is numpy basic indexing: "2:10:2, 3, ..., -1"
            [--follow [--interval MS] [--follow-rate N]]   print again whenever the file changes
  stats FILE [layout] [--slice S] [--bins N] [--range LO,HI] [--json] [--watch SECONDS]
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
  serve [FILE] [layout] [--port N] [--root DIR] [--remote PREFIX]... [--force] [--follow|--no-follow] [--follow-rate N]
                                          browser mode on 127.0.0.1 (prints the URL with its token); --root
                                          confines the files it reaches to DIR; --remote allows URLs under PREFIX
                                          (none without it); w+ replaces FILE only with --force;
                                          FILE in mode r follows other programs' writes unless --no-follow;
                                          --follow-rate: at most N checks a second for other programs' writes (20)
  [open] [FILE] [layout] [--follow-rate N] the desktop app (falls back to serve mode without Electron)`

export async function main(argv: readonly string[]): Promise<number> {
  const service = new ArrayService({ watchIntervalMs: 0 })
  // a command killed half-way (Ctrl+C, a closed terminal) closes its sessions and removes its temporary copies
  // (the exit handler) before it ends; serve installs its own stop
  const stopListening = onTerminate((signal) => {
    cancelAllJobs()
    service.closeAll()
    process.exit(signalStatus(signal))
  })
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
        await (await import('./info')).info(args, service)
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
        await (await import('./hex')).hex(args)
        return 0
      case 'ls':
        await (await import('./ls')).ls(args)
        return 0
      case 'find':
        return await (await import('./find')).find(args, service)
      case 'diff':
        return await (await import('./diff')).diff(args, service)
      case 'export':
        await (await import('./export')).exportCommand(args, service)
        return 0
      case 'serve':
        stopListening()
        await (await import('./serve')).serve(args)
        return -1 // keeps running
      case 'open': {
        stopListening()
        const { launchDesktop } = await import('./launch')
        return await launchDesktop(args)
      }
      default:
        if (args.positionals.length === 1 && !/^[a-z]+$/.test(command)) {
          stopListening()
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
    stopListening()
    service.closeAll()
  }
}
