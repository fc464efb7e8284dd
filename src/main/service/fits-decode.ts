// The decoders of FITS tile compression that no library on npm provides, written from the FITS tiled image
// compression convention (Pence, White, Seaman et al., "Tiled Image Convention for Storing Compressed Images in
// FITS Binary Tables", v2.3) and the algorithms it cites: Rice coding of pixel differences, IRAF's PLIO line lists,
// GZIP_2's byte shuffle, and the dequantization of floats with its subtractive dithering (the convention's
// pseudo-random sequence). Each throws a plain Error saying what is wrong; fits-fill.ts names the tile.

/**
 * Rice: the pixels of a tile from its coded bytes, as two's complement integers of bytepix bytes. The first pixel
 * is stored whole (big-endian); then blocks of `blocksize` differences, each block led by fsbits bits holding
 * fs + 1: 0 means a block of zero differences, fsmax + 1 differences stored whole (bytepix × 8 bits each), else
 * each difference is a unary count of zeros, a one, and fs low bits. Differences are folded to non-negative
 * numbers (n ≥ 0 ↦ 2n, n < 0 ↦ −2n − 1) and summed modulo 2^(8 × bytepix).
 */
export function riceDecode(src: Uint8Array, npix: number, blocksize: number, bytepix: number): Float64Array {
  const fsbits = bytepix === 1 ? 3 : bytepix === 2 ? 4 : 5
  const fsmax = bytepix === 1 ? 6 : bytepix === 2 ? 14 : 25
  const bbits = bytepix * 8
  const shift = 32 - bbits
  const out = new Float64Array(npix)
  const len = src.length
  if (len < bytepix) throw new Error(`its ${len} bytes are fewer than the first pixel's ${bytepix}`)
  let last = 0
  for (let k = 0; k < bytepix; k++) last = last * 256 + src[k]!
  last = (last << shift) >> shift
  // b holds the nbits bits of the bytes read not used yet (b < 2^nbits; nbits ≤ 7 between reads)
  let i = bytepix
  let b = 0
  let nbits = 0
  const ended = (done: number): Error => new Error(`its coded bits end (${len} bytes) before pixel ${done} of ${npix}`)
  /** n ≤ 25 bits: b stays below 2^32 while they are gathered, so >>> reads them. */
  const bits = (n: number, done: number): number => {
    nbits -= n
    while (nbits < 0) {
      if (i >= len) throw ended(done)
      b = b * 256 + src[i++]!
      nbits += 8
    }
    const v = b >>> nbits
    b &= (1 << nbits) - 1
    return v
  }
  let done = 0
  while (done < npix) {
    const end = Math.min(npix, done + blocksize)
    const fs = bits(fsbits, done) - 1
    if (fs < 0) {
      // a block of zero differences
      out.fill(last, done, end)
      done = end
      continue
    }
    if (fs > fsmax) throw new Error(`a block's code ${fs + 1} exceeds ${fsmax + 1} (pixel ${done})`)
    if (fs === fsmax) {
      for (; done < end; done++) {
        const diff = bbits > 16 ? bits(16, done) * 65536 + bits(bbits - 16, done) : bits(bbits, done)
        last = ((last + (diff % 2 === 1 ? -(diff + 1) / 2 : diff / 2)) << shift) >> shift
        out[done] = last
      }
      continue
    }
    // the common case, inlined (a call a pixel costs twice the time)
    const pow = 2 ** fs
    for (; done < end; done++) {
      let zeros = 0
      while (b === 0) {
        if (i >= len) throw ended(done)
        zeros += nbits
        b = src[i++]!
        nbits = 8
      }
      // the one that ends the zeros, then fs low bits (b stays below 2^31: fs ≤ 24 here)
      const top = 31 - Math.clz32(b)
      zeros += nbits - 1 - top
      b &= (1 << top) - 1
      nbits = top - fs
      while (nbits < 0) {
        if (i >= len) throw ended(done)
        b = b * 256 + src[i++]!
        nbits += 8
      }
      const low = b >>> nbits
      b &= (1 << nbits) - 1
      const diff = zeros * pow + (fs ? low : 0)
      const odd = fs ? low & 1 : zeros & 1
      last = ((last + (odd ? -(diff + 1) / 2 : diff / 2)) << shift) >> shift
      out[done] = last
    }
  }
  return out
}

/**
 * PLIO_1: IRAF's line list (16-bit words, big-endian in the heap) expanded to npix pixels. A word is an opcode (its
 * top 4 bits) and a 12-bit datum; the current value starts at 1. Opcodes: 0 a run of zeros, 1 set the value (datum
 * plus the next word × 4096), 2/3 add/subtract the datum, 4 a run of the value, 5 datum − 1 zeros then one pixel of
 * the value, 6/7 add/subtract and write one pixel. Pixels the list does not reach stay 0.
 */
export function plioDecode(src: Uint8Array, npix: number): Float64Array {
  const words = src.length >> 1
  const w = (i: number): number => {
    if (i >= words) throw new Error(`its line list ends at word ${words}, word ${i} is needed`)
    return (src[2 * i]! << 8) | src[2 * i + 1]!
  }
  const sw = (i: number): number => {
    const v = w(i)
    return v >= 0x8000 ? v - 0x10000 : v
  }
  // the header: an old 3-word one (its length in word 2) or the 7-word one (length in words 3–4, first op in word 1)
  let len: number
  let first: number
  if (sw(2) > 0) {
    len = sw(2)
    first = 3
  } else {
    len = w(4) * 32768 + w(3)
    first = sw(1)
  }
  if (len > words) throw new Error(`its line list claims ${len} words, ${words} are stored`)
  if (first < 3) throw new Error(`its line list starts at word ${first}, inside its header`)
  const out = new Float64Array(npix)
  let x = 0
  let pv = 1
  const put = (n: number, v: number): void => {
    const end = x + n
    if (v !== 0) out.fill(v, Math.min(x, npix), Math.min(end, npix))
    x = end
  }
  for (let i = first; i < len; i++) {
    const word = w(i)
    const data = word & 4095
    switch (word >> 12) {
      case 0:
        put(data, 0)
        break
      case 1:
        pv = w(++i) * 4096 + data
        break
      case 2:
        pv += data
        break
      case 3:
        pv -= data
        break
      case 4:
        put(data, pv)
        break
      case 5:
        if (data > 0) {
          put(data - 1, 0)
          put(1, pv)
        }
        break
      case 6:
        pv += data
        put(1, pv)
        break
      case 7:
        pv -= data
        put(1, pv)
        break
      default:
        throw new Error(`word ${i} has opcode ${word >> 12}, which line lists do not define`)
    }
  }
  return out
}

/** GZIP_2 stores each pixel's most significant bytes first, then the next … : put the bytes back in place. */
export function unshuffle(src: Uint8Array, width: number): Uint8Array {
  const n = src.length / width
  const out = new Uint8Array(src.length)
  for (let b = 0; b < width; b++) for (let i = 0; i < n; i++) out[i * width + b] = src[b * n + i]!
  return out
}

const N_RANDOM = 10000

/**
 * The convention's 10,000 pseudo-random dithers in [0, 1): Park and Miller's generator (a = 16807, m = 2^31 - 1,
 * seed 1), each value kept as a float32. The 10,000th seed is 1043618065, which the convention gives as the check.
 */
export const DITHERS: Float32Array = (() => {
  const a = 16807
  const m = 2147483647
  let seed = 1
  const out = new Float32Array(N_RANDOM)
  for (let i = 0; i < N_RANDOM; i++) {
    const t = a * seed
    seed = t - m * Math.floor(t / m)
    out[i] = seed / m
  }
  if (seed !== 1043618065) throw new Error('the dither sequence does not end as the FITS convention says')
  return out
})()

/** The integer SUBTRACTIVE_DITHER_2 stores for an exact 0.0. */
const ZERO_VALUE = -2147483646

/**
 * A quantized tile's floats: v × ZSCALE + ZZERO (dithered: v − r + 0.5, r the tile's next dither), ZBLANK as NaN,
 * computed in float64 and rounded once to the image's type, as the convention's readers do.
 */
export function dequantize(
  ints: Float64Array,
  tile: number,
  q: { method: string; dither0: number; scale: number; zero: number; blank: number | null },
  out: Float64Array
): void {
  const { scale, zero, blank } = q
  if (q.method === 'NO_DITHER') {
    for (let i = 0; i < ints.length; i++) out[i] = ints[i] === blank ? NaN : ints[i]! * scale + zero
    return
  }
  // the tile's first dither: its row (0-based) plus ZDITHER0, less one, picks a seed, the seed a start in the
  // sequence (the start is the float32 product value × 500, truncated, as the convention's C computes it)
  let seed = (((tile + q.dither0 - 1) % N_RANDOM) + N_RANDOM) % N_RANDOM | 0
  const start = (s: number): number => Math.trunc(Math.fround(DITHERS[s]! * 500))
  let next = start(seed)
  const zeros = q.method === 'SUBTRACTIVE_DITHER_2'
  for (let i = 0; i < ints.length; i++) {
    const v = ints[i]!
    if (v === blank) out[i] = NaN
    else if (zeros && v === ZERO_VALUE) out[i] = 0
    else out[i] = (v - DITHERS[next]! + 0.5) * scale + zero
    if (++next === N_RANDOM) {
      seed = (seed + 1) % N_RANDOM
      next = start(seed)
    }
  }
}
