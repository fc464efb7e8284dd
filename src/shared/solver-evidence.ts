// Evidence for the layout solver (solver.ts): how plausible values are under a dtype, and the signs that a
// dtype is wrong (a narrower or wider type, the other byte order, floats read as integers, a header read as
// data). Each returns a number or a flag that proposeLayouts scores and explains.
import { parseScalarDType, type ScalarDType, decodeAt } from './dtypes'
import type { ReadAt } from './solver-shapes'

/** Plausibility of n values read with dt: 1 for clean smooth data, near 0 for noise. */
export function plausibility(dt: ScalarDType, bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const n = Math.floor(bytes.length / dt.itemsize)
  if (n < 4) return 0
  const xs: number[] = []
  const kind = dt.type.kind
  for (let k = 0; k < n; k++) {
    const v = decodeAt(dt, view, k * dt.itemsize)
    const x = Array.isArray(v) ? (v as readonly [number, number])[0] : Number(v)
    if (kind === 'float' || kind === 'complex') {
      const a = Math.abs(x)
      if (!Number.isFinite(x) || (a !== 0 && (a < 1e-30 || a > 1e15))) continue
    }
    xs.push(x)
  }
  const valid = xs.length / n
  if (xs.length < 4) return 0
  // Smoothness: typical neighbour step against the spread of values. Noise gives ~1, smooth data << 1.
  const sorted = [...xs].sort((a, b) => a - b)
  const spread = sorted[Math.floor(sorted.length * 0.95)]! - sorted[Math.floor(sorted.length * 0.05)]!
  if (spread === 0) return valid * (kind === 'float' ? 0.9 : 0.7)
  const rough = roughness(xs)
  return valid * (1 - 0.6 * rough)
}

/** Priors: what raw scientific dumps usually hold, used to break near-ties. */
export function prior(dt: ScalarDType): number {
  const name = dt.type.name
  if (name === 'float32' || name === 'float64') return 0.3
  if (name === 'uint8') return 0.2
  if (name === 'int16' || name === 'uint16') return 0.1
  if (dt.type.kind === 'complex') return -1.5
  if (name === 'float16' || name === 'bfloat16') return -0.3
  return 0
}

function roughness(xs: number[]): number {
  if (xs.length < 4) return 1
  const sorted = [...xs].sort((a, b) => a - b)
  const spread = sorted[Math.floor(sorted.length * 0.95)]! - sorted[Math.floor(sorted.length * 0.05)]!
  if (spread === 0) return 0
  const steps = xs
    .slice(1)
    .map((x, k) => Math.abs(x - xs[k]!))
    .sort((a, b) => a - b)
  return Math.min(1, steps[Math.floor(steps.length / 2)]! / spread)
}

/**
 * Multi-byte integers whose low bytes are as smooth as their high bytes are probably narrower elements
 * read in pairs (bytes of an 8-bit image read as int16): real wide integers have noisy low bytes.
 */
export function lowBytePenalty(dt: ScalarDType, bytes: Uint8Array): number {
  if ((dt.type.kind !== 'int' && dt.type.kind !== 'uint') || dt.itemsize < 2) return 0
  const n = Math.floor(bytes.length / dt.itemsize)
  const lsb = dt.littleEndian ? 0 : dt.itemsize - 1
  const low = Array.from({ length: n }, (_, k) => bytes[k * dt.itemsize + lsb]!)
  return roughness(low) < 0.2 ? 1.5 : 0
}

/** Share of the first elements that are outliers against the body (a header read as data). */
function outlierShare(dt: ScalarDType, first: Uint8Array, body: Uint8Array): number {
  const values = (b: Uint8Array): number[] => {
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength)
    return Array.from({ length: Math.floor(b.length / dt.itemsize) }, (_, k) => {
      const v = decodeAt(dt, view, k * dt.itemsize)
      return Array.isArray(v) ? (v as readonly [number, number])[0] : Number(v)
    })
  }
  const bodyValues = values(body)
    .filter(Number.isFinite)
    .sort((a, b) => a - b)
  if (bodyValues.length < 8) return 0
  const lo = bodyValues[Math.floor(bodyValues.length * 0.01)]!
  const hi = bodyValues[Math.floor(bodyValues.length * 0.99)]!
  const margin = (hi - lo) * 2 + 1e-12
  const head = values(first)
  const float = dt.type.kind === 'float' || dt.type.kind === 'complex'
  const odd = (x: number): boolean =>
    !(x >= lo - margin && x <= hi + margin) || (float && x !== 0 && Math.abs(x) < 1e-30)
  return head.filter(odd).length / Math.max(1, head.length)
}

/**
 * Share of the first elements at `offset` that look like a header. A header stands out from the data right
 * after it too; the first row of a wide array with a trend (a gradient, a ramp) stands out only from the middle
 * of the file, which is no header.
 */
export function headerShare(dt: ScalarDType, read: ReadAt, offset: number, n: number, body: Uint8Array): number {
  const isz = dt.itemsize
  const first = read(offset, Math.min(n, 16) * isz)
  const next = n > 64 ? read(offset + 16 * isz, Math.min(n - 16, 4096) * isz) : body
  return Math.min(outlierShare(dt, first, body), outlierShare(dt, first, next))
}

/** Shannon entropy (bits) of the byte at position k of each item of `size` bytes. */
function byteEntropy(bytes: Uint8Array, size: number, k: number): number {
  const counts = new Uint32Array(256)
  const n = Math.floor(bytes.length / size)
  for (let i = 0; i < n; i++) counts[bytes[i * size + k]!]!++
  let h = 0
  for (const c of counts) if (c) h -= (c / n) * Math.log2(c / n)
  return h
}

/**
 * Byte order from the bytes: in real numbers the most significant byte (sign and exponent of a float, the high
 * byte of an integer) varies far less than the least significant one (low mantissa or integer bits); read in
 * the wrong order the two swap. +1 when the order fits, -1 when the other one does, 0 when it cannot tell.
 */
export function byteOrderEvidence(dt: ScalarDType, bytes: Uint8Array): number {
  const part = dt.type.kind === 'complex' ? dt.itemsize / 2 : dt.itemsize
  if (part < 2 || dt.str.startsWith('|')) return 0
  const msb = dt.littleEndian ? part - 1 : 0
  const lsb = dt.littleEndian ? 0 : part - 1
  const hi = byteEntropy(bytes, part, msb)
  const lo = byteEntropy(bytes, part, lsb)
  if (hi + 1 < lo) return 1
  if (lo + 1 < hi) return -1
  return 0
}

/**
 * float32 data read as float64: both 4-byte halves of each element decode as ordinary float32 values, their
 * sign and exponent bits clustered, where a real float64's low half is mantissa bits that look uniform (or
 * zeros, for round values).
 */
export function float32Pairs(dt: ScalarDType, bytes: Uint8Array): boolean {
  if (dt.type.name !== 'float64') return false
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const n = Math.floor(bytes.length / 8)
  if (n < 64) return false
  let plausible = 0
  let zero = 0
  for (let i = 0; i < n; i++) {
    for (const h of [0, 4]) {
      const x = view.getFloat32(i * 8 + h, dt.littleEndian)
      const a = Math.abs(x)
      if (x === 0) zero++
      else if (Number.isFinite(x) && a > 1e-30 && a < 1e15) plausible++
    }
  }
  return zero < n && plausible > 0.95 * (2 * n - zero)
}

/**
 * Elements that alternate in character (the sign/exponent byte of one, uniform mantissa bits of the next) are
 * halves of a type twice as wide: float32 noise read as float16, float64 as int32.
 */
export function alternatingHalves(dt: ScalarDType, bytes: Uint8Array): boolean {
  if (dt.type.kind === 'complex' || dt.itemsize > 4) return false
  const pair = bytes.subarray(0, bytes.length - (bytes.length % (2 * dt.itemsize)))
  if (pair.length < 256 * dt.itemsize) return false
  const msb = dt.littleEndian || dt.itemsize === 1 ? dt.itemsize - 1 : 0
  const even = byteEntropy(pair, 2 * dt.itemsize, msb)
  const odd = byteEntropy(pair, 2 * dt.itemsize, dt.itemsize + msb)
  return Math.abs(even - odd) > 2
}

/**
 * Integers whose bits read as ordinary floats of the same width (nearly all normal, exponents near the
 * middle of the range): float data read as integers. Real integers are small (tiny denormals as floats) or
 * spread over every exponent.
 */
export function floatBits(dt: ScalarDType, bytes: Uint8Array): boolean {
  if ((dt.type.kind !== 'int' && dt.type.kind !== 'uint') || dt.itemsize < 2) return false
  const float = parseScalarDType(`${dt.littleEndian ? '<' : '>'}f${dt.itemsize}`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const n = Math.floor(bytes.length / dt.itemsize)
  const e = { 2: 8, 4: 64, 8: 512 }[dt.itemsize] ?? 64
  let moderate = 0
  for (let i = 0; i < n; i++) {
    const a = Math.abs(Number(decodeAt(float, view, i * dt.itemsize)))
    if (a >= 2 ** -e && a <= 2 ** e) moderate++
  }
  return n >= 64 && moderate > 0.95 * n
}
