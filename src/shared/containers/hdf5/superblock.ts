// The superblock (versions 0–3): where it is (at 0 or after a user block), the sizes of offsets and lengths, the
// base address and the root group's object header.
import { ContainerError, type ParseContext } from '../model'
import { H5File } from './reader'

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]

export function hasSignature(b: Uint8Array, at = 0): boolean {
  return SIGNATURE.every((x, k) => b[at + k] === x)
}

/**
 * A MATLAB v7.3 file: HDF5 behind MATLAB's 128-byte header in a 512-byte user block. MATLAB writes "MATLAB 7.3"
 * into the text, but what says v7.3 is the header's version 0x0200 at byte 124 (byte order by the "IM"/"MI" at
 * 126), as scipy.io reads it: scipy's own v7.3 test file says "MATLAB 7.0" in its text.
 */
export function isMat73(head: Uint8Array): boolean {
  if (String.fromCharCode(...head.subarray(0, 10)) === 'MATLAB 7.3') return true
  if (head.length < 128 || String.fromCharCode(...head.subarray(0, 6)) !== 'MATLAB') return false
  const endian = String.fromCharCode(head[126]!, head[127]!)
  const version =
    endian === 'IM' ? head[124]! | (head[125]! << 8) : endian === 'MI' ? (head[124]! << 8) | head[125]! : 0
  return version === 0x0200
}

function superblockAt(ctx: ParseContext): number {
  // at 0, or after a user block of 512, 1024, 2048 … bytes (MATLAB v7.3 files have 512)
  for (let at = 0; at + 8 <= ctx.size; at = at ? at * 2 : 512) {
    if (hasSignature(ctx.read(at, 8))) return at
  }
  throw new ContainerError('no HDF5 superblock (signature \\x89HDF) at byte 0, 512, 1024, …: the file is not HDF5')
}

function checkSizes(soo: number, sol: number): void {
  if (![2, 4, 8].includes(soo) || ![2, 4, 8].includes(sol)) {
    throw new ContainerError(
      `the HDF5 superblock gives sizes of offsets ${soo} and lengths ${sol} (2, 4 or 8 expected)`
    )
  }
}

export interface Superblock {
  version: number
  /** The file as HDF5 addresses see it (relative to the base address). */
  f: H5File
  /** The root group's object header address. */
  root: number
}

export function readSuperblock(ctx: ParseContext): Superblock {
  const sbAt = superblockAt(ctx)
  const head = ctx.read(sbAt, 8 + 8)
  if (head.length < 16) throw new ContainerError('the HDF5 superblock is truncated')
  const version = head[8]!
  let f: H5File
  let root: number
  if (version === 0 || version === 1) {
    const soo = head[13]!
    const sol = head[14]!
    checkSizes(soo, sol)
    const fixed = 24 + (version === 1 ? 4 : 0)
    const probe = new H5File(ctx.read, ctx.size, soo, sol, sbAt)
    const c = probe.at(0, fixed + 4 * soo + 2 * soo + 8 + 16, 'the HDF5 superblock')
    c.pos = fixed
    const base = c.addr()
    c.addr()
    c.addr()
    c.addr()
    // the root group's symbol table entry: link name offset, object header address
    c.addr()
    root = c.addr()
    f = new H5File(ctx.read, ctx.size, soo, sol, Number.isFinite(base) ? base : sbAt)
  } else if (version === 2 || version === 3) {
    const soo = head[9]!
    const sol = head[10]!
    checkSizes(soo, sol)
    const probe = new H5File(ctx.read, ctx.size, soo, sol, sbAt)
    const c = probe.at(0, 12 + 4 * soo + 4, 'the HDF5 superblock')
    c.pos = 12
    const base = c.addr()
    c.addr()
    c.addr()
    root = c.addr()
    f = new H5File(ctx.read, ctx.size, soo, sol, Number.isFinite(base) ? base : sbAt)
  } else {
    throw new ContainerError(`HDF5 superblock version ${version} is unknown (0–3 are read)`)
  }
  if (f.base > ctx.size) throw new ContainerError(`the HDF5 base address ${f.base} lies past the end of the file`)
  return { version, f, root }
}
