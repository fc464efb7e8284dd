// The dtype registry against numpy: decoding bytes numpy wrote, formatting as numpy's repr, parsing, and the
// small float formats against their bit-level definitions.
import { describe, expect, it } from 'vitest'
import { decodeWindow } from '../src/shared/decode'
import { encodeAt, parseScalarDType, type Scalar } from '../src/shared/dtypes'
import {
  E4M3FN,
  E5M2,
  bfloat16ToNumber,
  float8ToNumber,
  halfToNumber,
  numberToBfloat16,
  numberToFloat8,
  numberToHalf
} from '../src/shared/floats'
import { NUMPY_DTYPES_COMPLEX, py } from './helpers/numpy'

const NUMPY_TYPES = NUMPY_DTYPES_COMPLEX

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

describe('decoding numpy bytes', () => {
  it.each(NUMPY_TYPES)('%s: values and repr match numpy', (dt) => {
    const ref = py<{ hex: string; repr: string[]; str: string }>(`
rng = np.random.default_rng(7)
dt = np.dtype('${dt}')
raw = rng.integers(0, 256, size=40 * dt.itemsize, dtype=np.uint8)
a = raw.view(dt)
if dt.kind == 'b': a = (raw[:40] & 1).astype(dt)
if dt.kind in 'fc':
    a = a.copy(); a[0] = np.nan; a[1] = np.inf; a[2] = -np.inf; a[3] = -0.0; a[4] = 1.5
def rep(x):
    return str(x)
print(json.dumps({'hex': a.tobytes().hex(), 'repr': [rep(x) for x in a], 'str': dt.str}))
`)
    const bytes = Uint8Array.from(Buffer.from(ref.hex, 'hex'))
    const w = decodeWindow(bytes, dt, 1, ref.repr.length)
    expect(w.dtype.str).toBe(ref.str)
    const texts = ref.repr.map((_, k) => w.text(0, k))
    expect(texts).toEqual(ref.repr)
  })

  it('int64 and uint64 decode exactly as BigInt', () => {
    const ref = py<{ hex: string; vals: string[] }>(`
a = np.array([2**63-1, -2**63, 2**53+1, -1], dtype='>i8')
print(json.dumps({'hex': a.tobytes().hex(), 'vals': [str(v) for v in a]}))`)
    const w = decodeWindow(Uint8Array.from(Buffer.from(ref.hex, 'hex')), '>i8', 1, 4)
    expect([0, 1, 2, 3].map((k) => w.value(0, k))).toEqual(ref.vals.map(BigInt))
    const u = decodeWindow(Uint8Array.from(Buffer.from('ffffffffffffffff', 'hex')), '<u8', 1, 1)
    expect(u.text(0, 0)).toBe('18446744073709551615')
  })
})

describe('encoding and parsing', () => {
  it.each(NUMPY_TYPES)('%s: encode(parse(text)) writes the bytes numpy writes', (dt) => {
    const values: Record<string, string[]> = {
      b: ['True', 'False'],
      i: ['-5', '0', '17'],
      u: ['0', '5', '200'],
      f: ['1.5', '-0.25', 'nan', 'inf', '-inf', '3.140625'],
      c: ['1+2j', '-0.5-1.5j', '3']
    }
    const d = parseScalarDType(dt)
    const kind =
      d.type.kind === 'bool'
        ? 'b'
        : d.type.kind === 'int'
          ? 'i'
          : d.type.kind === 'uint'
            ? 'u'
            : d.type.kind === 'float'
              ? 'f'
              : 'c'
    const texts = values[kind]!
    const ref = py<string>(`
vals = ${JSON.stringify(texts)}
dt = np.dtype('${dt}')
conv = {'b': lambda s: s == 'True', 'i': int, 'u': int, 'f': float, 'c': lambda s: complex(s)}['${kind}']
print(json.dumps(np.array([conv(v) for v in vals], dtype=dt).tobytes().hex()))`)
    const out = new Uint8Array(texts.length * d.itemsize)
    const view = new DataView(out.buffer)
    texts.forEach((t, k) => encodeAt(d, view, k * d.itemsize, d.type.parse(t) as Scalar))
    expect(hex(out)).toBe(ref)
  })

  it('refuses out-of-range integers and text that is not a number', () => {
    const i1 = parseScalarDType('i1')
    expect(() => i1.type.parse('128')).toThrow(/128 is out of range for int8 \[-128, 127\]/)
    expect(() => parseScalarDType('<u8').type.parse('-1')).toThrow(/out of range for uint64/)
    expect(parseScalarDType('<u8').type.parse('18446744073709551615')).toBe(18446744073709551615n)
    expect(() => parseScalarDType('<f4').type.parse('abc')).toThrow(/'abc' is not a number/)
    expect(() => parseScalarDType('<c8').type.parse('1+2i')).toThrow(/not a complex number/)
  })

  it('parses numpy spellings of dtypes', () => {
    const cases: Record<string, string> = {
      float32: '<f4',
      '>i2': '>i2',
      '=u2': '<u2',
      '|u1': '|u1',
      f8: '<f8',
      complex64: '<c8',
      '?': '|b1',
      bool: '|b1',
      int64: '<i8',
      '>bfloat16': '>bfloat16',
      float8_e4m3fn: '|float8_e4m3fn'
    }
    for (const [spec, str] of Object.entries(cases)) expect(parseScalarDType(spec).str).toBe(str)
    expect(() => parseScalarDType('f5')).toThrow(/unknown dtype 'f5'/)
  })
})

describe('small float formats', () => {
  it('float16 matches numpy for every bit pattern, and encoding rounds like numpy', () => {
    const ref = py<{ vals: (number | string)[]; enc: number[]; xs: number[] }>(`
h = np.arange(65536, dtype=np.uint16).view('<f2').astype(np.float64)
xs = np.random.default_rng(1).standard_normal(2000) * 1000
xs = np.concatenate([xs, [65504, 65519, 65520, 1e-8, 2**-24, 2**-25, 3*2**-26]])
print(json.dumps({'vals': [v if np.isfinite(v) else str(v) for v in h.tolist()], 'xs': xs.tolist(), 'enc': xs.astype('<f2').view(np.uint16).tolist()}))`)
    for (let b = 0; b < 65536; b++) {
      const v = ref.vals[b]!
      const mine = halfToNumber(b)
      if (typeof v === 'string')
        expect(String(mine).toLowerCase().replace('infinity', 'inf')).toBe(v.replace('nan', 'nan'))
      else expect(mine).toBe(v)
    }
    ref.xs.forEach((x, k) => expect(numberToHalf(x)).toBe(ref.enc[k]))
  })

  it('bfloat16 is the top half of a float32, rounded to nearest even', () => {
    expect(bfloat16ToNumber(0x3f80)).toBe(1)
    expect(bfloat16ToNumber(0xc000)).toBe(-2)
    expect(bfloat16ToNumber(0x7f80)).toBe(Infinity)
    expect(Number.isNaN(bfloat16ToNumber(0x7fc0))).toBe(true)
    expect(numberToBfloat16(1)).toBe(0x3f80)
    // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even (1)
    expect(numberToBfloat16(1 + 2 ** -8)).toBe(0x3f80)
    expect(numberToBfloat16(1 + 3 * 2 ** -8)).toBe(0x3f82)
    for (let b = 0; b < 65536; b++) {
      const v = bfloat16ToNumber(b)
      if (!Number.isNaN(v)) expect(numberToBfloat16(v)).toBe(b)
    }
  })

  it('float8_e4m3fn: no infinities, one NaN pattern per sign, max 448', () => {
    expect(float8ToNumber(0x7e, E4M3FN)).toBe(448)
    expect(Number.isNaN(float8ToNumber(0x7f, E4M3FN))).toBe(true)
    expect(Number.isNaN(float8ToNumber(0xff, E4M3FN))).toBe(true)
    expect(float8ToNumber(0x78, E4M3FN)).toBe(256) // exponent 15 is finite in e4m3fn
    expect(float8ToNumber(0x01, E4M3FN)).toBe(2 ** -9) // smallest subnormal
    for (let b = 0; b < 256; b++) {
      const v = float8ToNumber(b, E4M3FN)
      if (!Number.isNaN(v)) expect(numberToFloat8(v, E4M3FN)).toBe(b)
    }
    expect(numberToFloat8(1000, E4M3FN)).toBe(0x7f) // overflow: NaN (no inf)
  })

  it('float8_e5m2: IEEE-like with infinities, max 57344', () => {
    expect(float8ToNumber(0x7b, E5M2)).toBe(57344)
    expect(float8ToNumber(0x7c, E5M2)).toBe(Infinity)
    expect(float8ToNumber(0xfc, E5M2)).toBe(-Infinity)
    expect(Number.isNaN(float8ToNumber(0x7d, E5M2))).toBe(true)
    expect(float8ToNumber(0x01, E5M2)).toBe(2 ** -16)
    for (let b = 0; b < 256; b++) {
      const v = float8ToNumber(b, E5M2)
      if (!Number.isNaN(v)) expect(numberToFloat8(v, E5M2)).toBe(b)
    }
    expect(numberToFloat8(1e6, E5M2)).toBe(0x7c)
  })
})

describe('shortest float text (str/repr)', () => {
  it('equals numpy for every float16, float32 powers of two and random patterns, float64 powers of two', () => {
    const ref = py<{ f2: [number, string][]; f4: [number, string][]; f8: [number, string][] }>(`
rng = np.random.default_rng(4)
f2 = np.arange(0, 2**16, dtype=np.uint16).view(np.float16)
f4 = np.concatenate([np.float32(2.0) ** np.arange(-149, 128, dtype=np.float32),
                     rng.integers(0, 2**32, 30000, dtype=np.uint64).astype(np.uint32).view(np.float32)])
f8 = np.concatenate([2.0 ** np.arange(-1074, 1024), rng.standard_normal(3000) * 10.0 ** rng.integers(-300, 300, 3000)])
pick = lambda a: [[float(x), str(x)] for x in a[np.isfinite(a)]]
print(json.dumps({'f2': pick(f2), 'f4': pick(f4), 'f8': [[float(x), repr(float(x))] for x in f8]}))`)
    const cases: [string, [number, string][]][] = [
      ['<f2', ref.f2],
      ['<f4', ref.f4],
      ['<f8', ref.f8]
    ]
    for (const [dt, pairs] of cases) {
      const type = parseScalarDType(dt).type
      const bad = pairs.filter(([x, s]) => type.format(x) !== s).slice(0, 3)
      expect([dt, bad]).toEqual([dt, []])
    }
  })
})
