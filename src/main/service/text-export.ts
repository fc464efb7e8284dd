// A whole text array converted to .npy or raw in one pass (issue 33: `export data.csv --sep , --out data.npy`):
// the native pass (text_parse.cc) writes the values straight into the export's temporary file beside the
// target, after room for the .npy header; the header is written into that room once the pass has counted the
// rows, and the file is renamed into place. Opening the text as a session instead would write every value
// twice — into a copy in the temp folder, then from the copy into the export. The export's rules hold: the
// target checked first, progress and cancel (the pass's), nothing left behind on an error or a cancel.
import fs from 'node:fs'
import path from 'node:path'
import { ApiError } from '../../shared/contract'
import { resolveLayout, type LayoutSpec, type TextLayout } from '../../shared/layout'
import { writeNpyHeader } from '../../shared/npy'
import { isCContiguous, isFContiguous } from '../../shared/slice'
import { dtypeDescr, parseDType } from '../../shared/structured'
import { AtomicFile } from './atomic-file'
import type { ExportOptions, ExportTarget } from './export'
import { checkExportTarget } from './export-target'
import { identityOf } from './file-identity'
import { ScanJob } from './scan'
import { TextPass } from './text-pass'
import { statText, textShape, textSpec } from './text-source'

/** Whether an export of a text is this one pass: the whole array, unchanged, to .npy or raw. */
export function exportsInOnePass(options: ExportOptions, sliced: boolean): boolean {
  return (options.as === 'npy' || options.as === 'raw') && !options.toDtype && !options.sidecar && !sliced
}

/** The .npy header's room: the longest header any shape of up to dims axes (at least 2) can need. */
function headerRoom(descr: ReturnType<typeof dtypeDescr>, dims: number): number {
  const widest = Array.from({ length: Math.max(dims, 2) }, () => Number.MAX_SAFE_INTEGER)
  return writeNpyHeader(descr as never, false, widest).length
}

/** The job converting the text at file (a resolved path) with its layout to options.out. */
export function textExportJob(
  file: string,
  spec: LayoutSpec & { text: TextLayout },
  options: ExportOptions,
  target: Omit<ExportTarget, 'sources'>,
  onProgress?: (done: number, total: number) => void
): ScanJob<{ out: string; bytes: number }> {
  const out = path.resolve(options.out)
  return new ScanJob(async (track) => {
    const st = statText(file, spec)
    const parse = textSpec(file, spec)
    const dt = parseDType(spec.dtype)
    const identity = identityOf(file) ?? { ino: BigInt(st.ino), dev: BigInt(st.dev) }
    checkExportTarget(out, [{ path: file, identity }], target.overwrite, target.howToReplace)
    const descr = dtypeDescr(dt)
    const room = options.as === 'npy' ? headerRoom(descr, spec.shape?.length ?? 2) : 0
    const tmp = new AtomicFile(out)
    try {
      const pass = new TextPass({ ...parse, out: tmp.tmp, outOffset: room }, file, st.size - spec.offset, onProgress)
      const r = await track(pass.asHandle())
      const shape = textShape(spec, r, file)
      if (options.as === 'npy') {
        // np.save's header for the array the session would show: Fortran order when it is F- and not C-contiguous
        const layout = resolveLayout({ dtype: spec.dtype, shape, offset: 0, order: spec.order }, r.count * dt.itemsize)
        const fortran = isFContiguous(layout) && !isCContiguous(layout)
        tmp.writeAt(writeNpyHeader(descr as never, fortran, shape, room), 0)
      }
      tmp.finish()
      tmp.rename()
    } catch (e) {
      tmp.abort()
      throw writeError(e, out)
    }
    return { out, bytes: fs.statSync(out).size }
  })
}

/** The pass's failure to write its output, said for the export (the copy it names is the temporary file). */
function writeError(e: unknown, out: string): unknown {
  if (!(e instanceof ApiError) || e.code !== 'io') return e
  if (/no space left|quota/i.test(e.message)) {
    return new ApiError(
      'io',
      `no space left on device: the export to ${out} did not fit and nothing was written; free some space or choose another folder`
    )
  }
  return new ApiError('io', `${e.message.replace(/ \(set TMPDIR.*\)$/, '')}; nothing was written to ${out}`)
}
