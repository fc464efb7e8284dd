// HCOMPRESS_1 tiles decoded, written from R. L. White's H-compress as the tiled image convention cites it (White
// 1992, "High-Performance Compression of Astronomical Images"; FITS standard 4.0 §10.4.4): a stream of a header
// (magic DD 99, the tile's nx and ny, the scale, the sum of all pixels, the bit planes of three quadrants), the
// H-transform's coefficients as quadtree-coded bit planes (four quadrants; 4-bit codes Huffman-coded), their signs,
// then undigitized (× scale) and the H-transform inverted level by level with the rounding of the encoder. Values
// can exceed 32 bits inside the transform: they are doubles here, and the encoder's masks and shifts are floor
// divisions by powers of two, exact below 2^53. Smoothing (ZVAL SMOOTH ≠ 0) is fits-hsmooth.ts.

import { hsmooth } from './fits-hsmooth'

/** MSB-first bits of the stream, from byte `at`. */
class Bits {
  private buf = 0
  private left = 0
  constructor(
    private readonly src: Uint8Array,
    public at: number
  ) {}

  private byte(): number {
    if (this.at >= this.src.length) throw new Error(`its stream ends at byte ${this.src.length} before its last code`)
    return this.src[this.at++]!
  }

  /** Starts again at a byte boundary (the signs follow the bit planes on a fresh byte). */
  restart(): void {
    this.left = 0
  }

  bit(): number {
    if (this.left === 0) {
      this.buf = this.byte()
      this.left = 8
    }
    this.left--
    return (this.buf >> this.left) & 1
  }

  /** n ≤ 8 bits. */
  bits(n: number): number {
    if (this.left < n) {
      this.buf = ((this.buf << 8) | this.byte()) & 0xffff
      this.left += 8
    }
    this.left -= n
    return (this.buf >> this.left) & ((1 << n) - 1)
  }

  /** A quadtree's 4-bit code: 3 to 6 bits, the shortest for the single-bit codes 1, 2, 4, 8. */
  huffman(): number {
    let c = this.bits(3)
    if (c < 4) return 1 << c
    c = (c << 1) | this.bit()
    if (c < 13) return [3, 5, 10, 12, 15][c - 8]!
    c = (c << 1) | this.bit()
    if (c < 31) return [6, 7, 9, 11, 13][c - 26]!
    c = (c << 1) | this.bit()
    return c === 62 ? 0 : 14
  }
}

/** ⌈log2 n⌉ (0 for n ≤ 1): the number of times a size halves (rounding up) to 1. */
function levels(n: number): number {
  let k = 0
  while (2 ** k < n) k++
  return k
}

/** Each 4-bit code of a (⌈nx/2⌉ × ⌈ny/2⌉) spread to its 2 × 2 pixels, bit 3 top-left, 2 top-right, 1 and 0 below. */
function expand(a: Uint8Array, nx: number, ny: number, out: Uint8Array): void {
  const ny2 = (ny + 1) >> 1
  const codes = a.slice(0, ((nx + 1) >> 1) * ny2)
  for (let i = 0; i < nx; i++)
    for (let j = 0; j < ny; j++) {
      const code = codes[(i >> 1) * ny2 + (j >> 1)]!
      out[i * ny + j] = (code >> (3 - 2 * (i & 1) - (j & 1))) & 1
    }
}

/** The same spread, as bit `bit` of the coefficients a[off + i·n + j] (codes of 0, most of them, set nothing). */
function insert(codes: Uint8Array, nx: number, ny: number, a: Float64Array, off: number, n: number, bit: number) {
  const ny2 = (ny + 1) >> 1
  const value = 2 ** bit
  for (let ci = 0; ci < (nx + 1) >> 1; ci++)
    for (let cj = 0; cj < ny2; cj++) {
      const code = codes[ci * ny2 + cj]!
      if (code === 0) continue
      const at = off + 2 * ci * n + 2 * cj
      const right = 2 * cj + 1 < ny
      const below = 2 * ci + 1 < nx
      if (code & 8) a[at]! += value
      if (code & 4 && right) a[at + 1]! += value
      if (code & 2 && below) a[at + n]! += value
      if (code & 1 && right && below) a[at + n + 1]! += value
    }
}

/** One quadrant's bit planes, top first: each written directly (code 0) or quadtree-coded (code 15). */
function quadrant(b: Bits, a: Float64Array, off: number, n: number, nqx: number, nqy: number, planes: number) {
  if (nqx <= 0 || nqy <= 0) return
  const log2n = levels(Math.max(nqx, nqy))
  const scratch = new Uint8Array(((nqx + 1) >> 1) * ((nqy + 1) >> 1))
  const work = new Uint8Array(scratch.length)
  for (let bit = planes - 1; bit >= 0; bit--) {
    const how = b.bits(4)
    if (how === 0) {
      for (let k = 0; k < scratch.length; k++) scratch[k] = b.bits(4)
    } else if (how !== 0xf) throw new Error(`bit plane ${bit} has the format code ${how} (0 or 15)`)
    else {
      scratch[0] = b.huffman()
      // an empty plane: no codes follow (and a hostile stream of many cannot cost a pass over the tile each)
      if (scratch[0] === 0) continue
      // log2n − 1 expansions, the sizes ⌈n/2^k⌉ on the way up to ⌈nq/2⌉
      let nx = 1
      let ny = 1
      let nfx = nqx
      let nfy = nqy
      let c = 2 ** log2n
      for (let k = 1; k < log2n; k++) {
        c /= 2
        nx *= 2
        ny *= 2
        if (nfx <= c) nx--
        else nfx -= c
        if (nfy <= c) ny--
        else nfy -= c
        expand(scratch, nx, ny, work)
        for (let q = nx * ny - 1; q >= 0; q--) scratch[q] = work[q] ? b.huffman() : 0
      }
    }
    insert(scratch, nqx, nqy, a, off, n, bit)
  }
}

/**
 * x rounded to a multiple of m (a power of two) as the encoder rounds: + m/2 for x ≥ 0, + m/2 − 1 below (`neg`
 * overrides that: 0 for hc on the last level, where m is 1), then the low bits cleared (a floor).
 */
function round(x: number, m: number, neg = Math.floor(m / 2) - 1): number {
  return Math.floor((x + (x >= 0 ? Math.floor(m / 2) : neg)) / m) * m
}

function bitOf(x: number, m: number): number {
  // the low bit of an integer below 2^53 survives ToInt32
  return Math.floor(x / m) & 1 ? m : 0
}

/** Interleaves a run of n values (stride s): its first half to the even places, the second to the odd ones. */
function unshuffle(a: Float64Array, at: number, n: number, s: number, tmp: Float64Array): void {
  const half = (n + 1) >> 1
  for (let k = half; k < n; k++) tmp[k - half] = a[at + k * s]!
  // evens from the end: each target lies past every source still to move
  for (let k = half - 1; k > 0; k--) a[at + 2 * k * s] = a[at + k * s]!
  for (let k = 0; k < n - half; k++) a[at + (2 * k + 1) * s] = tmp[k]!
}

/** The inverse H-transform of a (nx × ny, row stride ny), in place. */
function hinv(a: Float64Array, nx: number, ny: number, smooth: boolean, scale: number): void {
  const log2n = levels(Math.max(nx, ny))
  let bit0 = 2 ** (log2n - 1)
  let bit1 = bit0 * 2
  const bit2 = bit0 * 4
  let shift = 2
  a[0] = round(a[0]!, bit2)
  let nxtop = 1
  let nytop = 1
  let nxf = nx
  let nyf = ny
  let c = 2 ** log2n
  const tmp = new Float64Array((Math.max(nx, ny) + 1) >> 1)
  for (let k = log2n - 1; k >= 0; k--) {
    c /= 2
    nxtop *= 2
    nytop *= 2
    if (nxf <= c) nxtop--
    else nxf -= c
    if (nyf <= c) nytop--
    else nyf -= c
    const last = k === 0
    if (last) shift = 4
    for (let i = 0; i < nxtop; i++) unshuffle(a, ny * i, nytop, 1, tmp)
    for (let j = 0; j < nytop; j++) unshuffle(a, j, nxtop, ny, tmp)
    if (smooth) hsmooth(a, nxtop, nytop, ny, scale)
    const oddx = nxtop % 2
    const oddy = nytop % 2
    let i = 0
    for (; i < nxtop - oddx; i += 2) {
      let s00 = ny * i
      let s10 = s00 + ny
      let j = 0
      for (; j < nytop - oddy; j += 2, s00 += 2, s10 += 2) {
        let h0 = a[s00]!
        let hx = round(a[s10]!, bit1)
        let hy = round(a[s00 + 1]!, bit1)
        const hc = last ? round(a[s10 + 1]!, bit0, 0) : round(a[s10 + 1]!, bit0)
        // bit 0 of hc goes to hx and hy; bits 0 and 1 of hc, hx, hy to h0 (lossless for negative pixels too)
        const low0 = bitOf(hc, bit0)
        hx = hx >= 0 ? hx - low0 : hx + low0
        hy = hy >= 0 ? hy - low0 : hy + low0
        const ones = (bitOf(hc, bit1) ? 1 : 0) + (bitOf(hx, bit1) ? 1 : 0) + (bitOf(hy, bit1) ? 1 : 0)
        const parity = ones % 2 ? bit1 : 0
        h0 = h0 >= 0 ? h0 + low0 - parity : h0 + (low0 === 0 ? parity : low0 - parity)
        a[s10 + 1] = Math.floor((h0 + hx + hy + hc) / shift)
        a[s10] = Math.floor((h0 + hx - hy - hc) / shift)
        a[s00 + 1] = Math.floor((h0 - hx + hy - hc) / shift)
        a[s00] = Math.floor((h0 - hx - hy + hc) / shift)
      }
      if (oddy) {
        let h0 = a[s00]!
        const hx = round(a[s10]!, bit1)
        const low1 = bitOf(hx, bit1)
        h0 = h0 >= 0 ? h0 - low1 : h0 + low1
        a[s10] = Math.floor((h0 + hx) / shift)
        a[s00] = Math.floor((h0 - hx) / shift)
      }
    }
    if (oddx) {
      let s00 = ny * i
      let j = 0
      for (; j < nytop - oddy; j += 2, s00 += 2) {
        let h0 = a[s00]!
        const hy = round(a[s00 + 1]!, bit1)
        const low1 = bitOf(hy, bit1)
        h0 = h0 >= 0 ? h0 - low1 : h0 + low1
        a[s00 + 1] = Math.floor((h0 + hy) / shift)
        a[s00] = Math.floor((h0 - hy) / shift)
      }
      if (oddy) a[s00] = Math.floor(a[s00]! / shift)
    }
    bit1 = bit0
    bit0 /= 2
  }
}

/** A tile's pixels (C order, nx rows of ny) from its HCOMPRESS_1 stream, as the 32-bit integers astropy returns. */
export function hdecompress(src: Uint8Array, npix: number, smooth = false): Float64Array {
  if (src.length < 25 || src[0] !== 0xdd || src[1] !== 0x99)
    throw new Error('it does not start with the HCOMPRESS magic bytes DD 99')
  const v = new DataView(src.buffer, src.byteOffset, src.byteLength)
  const nx = v.getInt32(2)
  const ny = v.getInt32(6)
  const scale = v.getInt32(10)
  const sum = Number(v.getBigInt64(14))
  if (nx < 1 || ny < 1 || nx * ny !== npix) throw new Error(`its stream is of ${nx} × ${ny} pixels, not ${npix}`)
  const planes = [src[22]!, src[23]!, src[24]!]
  if (planes.some((p) => p > 64)) throw new Error(`its header claims ${Math.max(...planes)} bit planes (at most 64)`)
  const a = new Float64Array(npix)
  const b = new Bits(src, 25)
  const nx2 = (nx + 1) >> 1
  const ny2 = (ny + 1) >> 1
  quadrant(b, a, 0, ny, nx2, ny2, planes[0]!)
  quadrant(b, a, ny2, ny, nx2, ny >> 1, planes[1]!)
  quadrant(b, a, ny * nx2, ny, nx >> 1, ny2, planes[1]!)
  quadrant(b, a, ny * nx2 + ny2, ny, nx >> 1, ny >> 1, planes[2]!)
  if (b.bits(4) !== 0) throw new Error('its bit planes do not end with the end code')
  b.restart()
  for (let k = 0; k < npix; k++) if (a[k] && b.bit()) a[k] = -a[k]!
  a[0] = sum
  if (scale > 1) for (let k = 0; k < npix; k++) a[k] = a[k]! * scale
  hinv(a, nx, ny, smooth, scale)
  for (let k = 0; k < npix; k++) a[k] = a[k]! | 0
  return a
}
