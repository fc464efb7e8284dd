// `arrayscope diff A B`: two arrays compared element by element with numpy.testing.assert_allclose's rule and
// figures (exit 0: all close, 1: some are not, 2: bad input), or two files without a layout compared byte by
// byte as `cmp -l` lists them.
import type { LayoutSpecMsg } from '../../shared/contract'
import { jsonNumber, jsonText, toJsonValue, type JsonValue } from '../../shared/json-value'
import { compileFormat } from '../../shared/printf'
import type { ArrayView } from '../../shared/slice'
import { sliced, type ArrayService, type Session } from '../service/array-service'
import fs from 'node:fs'
import path from 'node:path'
import { detectContainer } from '../service/containers'
import { isRemote } from '../service/remote-url'
import { streamedSides } from '../service/streamed-sides'
import { runByteDiff, runDiff, type ByteDiffReport, type DiffReport } from '../service/diff'
import {
  LAYOUT_FLAGS,
  UsageError,
  flagInt,
  flagString,
  layoutFromArgs,
  rejectUnknownFlags,
  type ParsedArgs
} from './args'
import { io } from './output'
import { allcloseText, NUMPY_LISTED } from './allclose-text'

const FLAGS = [
  ...LAYOUT_FLAGS,
  'b-dtype',
  'b-offset',
  'b-order',
  'array-b',
  'slice',
  'rtol',
  'atol',
  'equal-nan',
  'no-equal-nan',
  'max',
  'json'
]

function tolerance(args: ParsedArgs, name: string, fallback: number): number {
  const text = flagString(args, name)
  if (text === undefined) return fallback
  const x = Number(text)
  if (text.trim() === '' || !Number.isFinite(x) || x < 0) {
    throw new UsageError(`--${name} must be a number ≥ 0, got '${text}'`)
  }
  return x
}

/**
 * A's and B's layouts. A file with a header (.npy, an export sidecar) is read by its header; one without by the
 * layout flags, or else by the other file's layout at offset 0. B's own --b-* flags go over whatever B gets.
 * Neither with a layout: bytes.
 */
async function layouts(
  args: ParsedArgs,
  service: ArrayService,
  a: string,
  b: string,
  known: { a?: LayoutSpecMsg; b?: LayoutSpecMsg }
): Promise<{ a: LayoutSpecMsg | null; b: LayoutSpecMsg | null }> {
  const { layout } = layoutFromArgs(args)
  const bDtype = flagString(args, 'b-dtype')
  const bOffset = flagInt(args, 'b-offset')
  const bOrder = flagString(args, 'b-order')
  if (bOrder !== undefined && bOrder !== 'C' && bOrder !== 'F') {
    throw new UsageError(`--b-order must be C or F, got '${bOrder}'`)
  }
  const header = async (file: string): Promise<LayoutSpecMsg | null> => {
    const p = await service.handle('file:probe', { path: file })
    const h = p.npy ?? p.sidecar
    return h ? { dtype: h.dtype, shape: h.shape, offset: h.offset, order: h.order } : null
  }
  const headerA = known.a ?? (await header(a))
  const headerB = known.b ?? (await header(b))
  const forA = headerA ?? layout ?? (headerB ? { ...headerB, offset: 0 } : null)
  const forB = headerB ?? layout ?? (headerA ? { ...headerA, offset: 0 } : null)
  const bFlags = bDtype !== undefined || bOffset !== undefined || bOrder !== undefined
  if (bFlags && known.b)
    throw new UsageError('--b-dtype, --b-offset and --b-order do not apply to an array of a container')
  if (!forA || !forB) {
    if (bFlags) throw new UsageError('--b-dtype, --b-offset and --b-order need a layout (e.g. --dtype <f4)')
    return { a: null, b: null } // bytes
  }
  return {
    a: forA,
    b: {
      ...forB,
      dtype: bDtype ?? forB.dtype,
      offset: bOffset ?? forB.offset,
      order: (bOrder as 'C' | 'F' | undefined) ?? forB.order
    }
  }
}

/** Whether a file is a container ArrayScope reads (then --array applies to it). */
async function isContainer(file: string, service: ArrayService): Promise<boolean> {
  try {
    // a URL: what its first bytes announce (the service opens it and fetches them)
    if (isRemote(file)) return (await service.handle('file:probe', { path: file })).container !== null
    return detectContainer(path.resolve(file), fs.statSync(file).size) !== null
  } catch {
    return false
  }
}

export async function diff(args: ParsedArgs, service: ArrayService): Promise<number> {
  rejectUnknownFlags(args, FLAGS)
  const [, fileA, fileB, extra] = args.positionals
  if (!fileA || !fileB) throw new UsageError('diff needs two files: arrayscope diff A B [layout] [options]')
  if (extra !== undefined) throw new UsageError(`diff compares two files; '${extra}' is a third`)
  if (args.flags.has('equal-nan') && args.flags.has('no-equal-nan')) {
    throw new UsageError('give --equal-nan or --no-equal-nan, not both')
  }
  const { mode, array } = layoutFromArgs(args)
  if (mode !== 'r') throw new UsageError('diff only reads: leave out --mode')
  const rtol = tolerance(args, 'rtol', 1e-7)
  const atol = tolerance(args, 'atol', 0)
  const equalNan = !args.flags.has('no-equal-nan')
  const json = args.flags.has('json')
  const maxFlag = flagInt(args, 'max', 0)
  // --array names A's array (and B's too when B is a container, unless --array-b names another)
  const arrayB =
    flagString(args, 'array-b') ?? (array !== undefined && (await isContainer(fileB, service)) ? array : undefined)
  if (arrayB === '') throw new UsageError('--array-b needs a name (`arrayscope ls FILE` lists them)')
  const member = async (file: string, name: string | undefined): Promise<Session | undefined> =>
    name === undefined
      ? undefined
      : service.session(
          (await service.handle('session:open', { path: file, layout: null, mode: 'r', array: name })).session
        )
  const memberA = await member(fileA, array)
  const memberB = await member(fileB, arrayB)
  const spec = (s: Session | undefined): LayoutSpecMsg | undefined =>
    s && { dtype: s.layout.dtype.str, shape: s.layout.shape, offset: 0, order: s.layout.order }
  const l = await layouts(args, service, fileA, fileB, { a: spec(memberA), b: spec(memberB) })
  const open = async (file: string, layout: LayoutSpecMsg | null): Promise<Session> => {
    if (!layout) {
      const info = await service.handle('session:open', {
        path: file,
        mode: 'r',
        layout: { dtype: 'u1', shape: null, offset: 0, order: 'C' }
      })
      return service.session(info.session)
    }
    return service.session((await service.handle('session:open', { path: file, layout, mode: 'r' })).session)
  }
  const a = memberA ?? (await open(fileA, l.a))
  const b = memberB ?? (await open(fileB, l.b))
  if (!l.a || !l.b) {
    if (flagString(args, 'slice') !== undefined) throw new UsageError('--slice needs a layout (e.g. --dtype <f4)')
    const r = await runByteDiff(a.mapping, b.mapping, maxFlag ?? 10).promise
    printBytes(r, fileA, fileB, json)
    return r.differing > 0 || r.sizeA !== r.sizeB ? 1 : 0
  }
  const sliceText = flagString(args, 'slice')
  const view = (s: Session): ArrayView => (sliceText === undefined ? s.layout : sliced(s.layout, sliceText))
  // chunk grids and remote objects: each side read as its copy is filled (streamed-sides.ts)
  const sides = [a, b].map((s) => ({ source: s.source, view: view(s) }))
  const r = await streamedSides(sides, undefined, ([ta, tb]) =>
    runDiff(
      { ...service.scannable(a.id), ...ta, view: view(a), source: a.source },
      { ...service.scannable(b.id), ...tb, view: view(b), source: b.source },
      {
        rtol,
        atol,
        equalNan,
        // numpy's message lists 5 mismatches; the JSON report 10
        max: maxFlag ?? (json ? 10 : NUMPY_LISTED)
      }
    )
  ).promise
  if (json) io.out(jsonText(reportJson(r, view(a), view(b))) + '\n')
  else io.out(reportText(r, view(a), view(b), rtol, atol))
  return r.mismatched > 0 ? 1 : 0
}

const num = (x: number | null): JsonValue => (x === null ? null : jsonNumber(x))

/** The diff JSON (docs/cli.md#diff): {total, mismatched, maxAbsDiff, maxRelDiff, mismatches: [{index, a, b}], …}. */
export function reportJson(r: DiffReport, a: ArrayView, b: ArrayView): JsonValue {
  return {
    total: r.total,
    mismatched: r.mismatched,
    maxAbsDiff: num(r.maxAbsDiff),
    maxRelDiff: num(r.maxRelDiff),
    mismatches: r.mismatches.map((m) => ({
      index: m.index,
      a: toJsonValue(a.dtype, m.a),
      b: toJsonValue(b.dtype, m.b)
    })),
    nanMismatched: r.nanMismatched,
    infMismatched: r.infMismatched,
    maxAbsIndex: r.maxAbsIndex,
    maxRelIndex: r.maxRelIndex
  }
}

const g = compileFormat('%g')

/** What numpy.testing.assert_allclose says, in its words (allclose-text.ts). */
export function reportText(r: DiffReport, a: ArrayView, b: ArrayView, rtol: number, atol: number): string {
  const tol = `rtol=${g(rtol, () => String(rtol))}, atol=${g(atol, () => String(atol))}`
  if (r.mismatched === 0) return `All ${r.total} elements are close (${tol}).\n`
  return allcloseText(r, a.dtype, b.dtype, tol)
}

function printBytes(r: ByteDiffReport, fileA: string, fileB: string, json: boolean): void {
  if (json) {
    io.out(
      jsonText({
        bytes: true,
        sizeA: r.sizeA,
        sizeB: r.sizeB,
        compared: r.compared,
        differing: r.differing,
        first: r.first
      }) + '\n'
    )
    return
  }
  // cmp -l: the 1-based offset in decimal and both bytes in octal
  const width = String(r.compared).length
  for (const d of r.first) {
    io.out(`${String(d.offset + 1).padStart(width)} ${d.a.toString(8).padStart(3)} ${d.b.toString(8).padStart(3)}\n`)
  }
  if (r.differing > r.first.length) io.out(`… ${r.differing - r.first.length} more (--max shows more)\n`)
  io.out(`${r.differing} of ${r.compared} bytes differ\n`)
  if (r.sizeA !== r.sizeB) {
    const shorter = r.sizeA < r.sizeB ? fileA : fileB
    io.out(`EOF on ${shorter} after byte ${r.compared} (${fileA}: ${r.sizeA} bytes, ${fileB}: ${r.sizeB} bytes)\n`)
  }
}
