// TIFF's own codecs, written from the TIFF 6.0 specification and Adobe's Technical Note 3: LZW (section 13: codes
// of 9 to 12 bits, most significant bit first, Clear 256, EndOfInformation 257, the code width growing one code
// early as libtiff writes it), PackBits (section 9), and undoing the predictors — horizontal differencing (14),
// per sample, modulo the sample's width, and the floating-point predictor (Technical Note 3: bytes differenced
// across the row, then stored most significant byte plane first). Deflate is Node's zlib (tiff-fill.ts).
// Every decoder writes into a buffer of the chunk's size and never past it: a stream that claims more is cut.

/** Decodes TIFF LZW into out; returns the bytes written (a stream that ends early leaves the rest as it was). */
export function lzwDecode(src: Uint8Array, out: Uint8Array): number {
  if (src.length >= 2 && src[0] === 0 && src[1]! & 0x01) {
    throw new Error('it is old-style (LSB-first) LZW, which libtiff also refuses to write')
  }
  const prefix = new Int16Array(4096)
  const suffix = new Uint8Array(4096)
  const first = new Uint8Array(4096)
  const length = new Uint16Array(4096)
  for (let i = 0; i < 256; i++) {
    prefix[i] = -1
    suffix[i] = i
    first[i] = i
    length[i] = 1
  }
  let next = 258
  let width = 9
  let old = -1
  let o = 0
  let bit = 0
  const total = src.length * 8
  const cap = out.length
  while (bit + width <= total && o < cap) {
    // the next code, most significant bit first
    let code = 0
    for (let k = 0; k < width; ) {
      const byte = src[bit >> 3]!
      const inByte = 8 - (bit & 7)
      const take = Math.min(inByte, width - k)
      code = (code << take) | ((byte >> (inByte - take)) & ((1 << take) - 1))
      k += take
      bit += take
    }
    if (code === 257) break
    if (code === 256) {
      next = 258
      width = 9
      old = -1
      continue
    }
    if (old === -1) {
      if (code > 255) throw new Error(`LZW code ${code} follows a Clear code`)
      out[o++] = code
      old = code
      continue
    }
    let c: number
    if (code < next) c = code
    else if (code === next && next < 4096) {
      // KwKwK: the string of old followed by its own first byte
      prefix[next] = old
      suffix[next] = first[old]!
      first[next] = first[old]!
      length[next] = length[old]! + 1
      c = next++
      old = -2
    } else throw new Error(`LZW code ${code} is not in the table (${next} codes)`)
    // write the string of c backwards from its last byte (cut at the buffer's end)
    const len = length[c]!
    let at = o + len - 1
    for (let x = c; x !== -1; x = prefix[x]!) {
      if (at < cap) out[at] = suffix[x]!
      at--
    }
    o = Math.min(cap, o + len)
    if (old !== -2 && next < 4096) {
      prefix[next] = old
      suffix[next] = first[c]!
      first[next] = first[old]!
      length[next] = length[old]! + 1
      next++
    }
    old = code
    if (next + 1 >= 1 << width && width < 12) width++
  }
  return o
}

/** Decodes PackBits into out; returns the bytes written. */
export function packbitsDecode(src: Uint8Array, out: Uint8Array): number {
  let i = 0
  let o = 0
  const cap = out.length
  while (i < src.length && o < cap) {
    const n = (src[i++]! << 24) >> 24
    if (n >= 0) {
      const run = Math.min(n + 1, src.length - i, cap - o)
      out.set(src.subarray(i, i + run), o)
      i += n + 1
      o += run
    } else if (n !== -128) {
      if (i >= src.length) break
      const run = Math.min(1 - n, cap - o)
      out.fill(src[i++]!, o, o + run)
      o += run
    }
  }
  return o
}

export interface PredictorSpec {
  predictor: number
  itemsize: number
  /** Samples interleaved in a row (the differencing distance). */
  samples: number
  /** Pixels per row. */
  width: number
  littleEndian: boolean
}

/** Undoes the predictor over the first `rows` rows of a chunk, in place (values in the file's byte order). */
export function undoPredictor(buf: Uint8Array, rows: number, p: PredictorSpec): void {
  const values = p.width * p.samples
  const rowBytes = values * p.itemsize
  if (p.predictor === 2) {
    for (let r = 0; r < rows; r++) horizontal(buf, r * rowBytes, values, p)
  } else if (p.predictor === 3) {
    const tmp = new Uint8Array(rowBytes)
    for (let r = 0; r < rows; r++) floatingPoint(buf.subarray(r * rowBytes, (r + 1) * rowBytes), tmp, values, p)
  }
}

function horizontal(buf: Uint8Array, at: number, values: number, p: PredictorSpec): void {
  const s = p.samples
  const l = p.littleEndian
  if (p.itemsize === 1) {
    for (let i = at + s; i < at + values; i++) buf[i] = (buf[i]! + buf[i - s]!) & 0xff
    return
  }
  const v = new DataView(buf.buffer, buf.byteOffset + at, values * p.itemsize)
  if (p.itemsize === 2) {
    for (let i = s; i < values; i++) v.setUint16(i * 2, v.getUint16(i * 2, l) + v.getUint16((i - s) * 2, l), l)
  } else if (p.itemsize === 4) {
    for (let i = s; i < values; i++) v.setUint32(i * 4, v.getUint32(i * 4, l) + v.getUint32((i - s) * 4, l), l)
  } else {
    for (let i = s; i < values; i++) {
      v.setBigUint64(i * 8, BigInt.asUintN(64, v.getBigUint64(i * 8, l) + v.getBigUint64((i - s) * 8, l)), l)
    }
  }
}

/** One row: bytes summed across the row at the sample distance, then planes (most significant first) to values. */
function floatingPoint(row: Uint8Array, tmp: Uint8Array, values: number, p: PredictorSpec): void {
  const s = p.samples
  for (let i = s; i < row.length; i++) row[i] = (row[i]! + row[i - s]!) & 0xff
  tmp.set(row)
  const n = p.itemsize
  for (let j = 0; j < values; j++) {
    for (let b = 0; b < n; b++) row[j * n + (p.littleEndian ? n - 1 - b : b)] = tmp[b * values + j]!
  }
}
