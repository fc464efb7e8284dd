// Colormaps as 256-entry lookup tables (RGBA packed little-endian into Uint32, as ImageData's Uint32 view
// reads them). viridis, magma, inferno and plasma come from polynomial fits of matplotlib's tables (Matt
// Zucker's, max error under 1/255 per channel); the others are interpolated from their anchor colours.

export const COLORMAPS = [
  'viridis',
  'magma',
  'inferno',
  'plasma',
  'cividis',
  'greys',
  'hot',
  'RdBu',
  'coolwarm'
] as const
export type ColormapName = (typeof COLORMAPS)[number]

type Poly = [number, number, number][] // c0 … c6, each an RGB triple

const FITS: Partial<Record<ColormapName, Poly>> = {
  viridis: [
    [0.2777273272234177, 0.005407344544966578, 0.3340998053353061],
    [0.1050930431085774, 1.404613529898575, 1.384590162594685],
    [-0.3308618287255563, 0.214847559468213, 0.09509516302823659],
    [-4.634230498983486, -5.799100973351585, -19.33244095627987],
    [6.228269936347081, 14.17993336680509, 56.69055260068105],
    [4.776384997670288, -13.74514537774601, -65.35303263337234],
    [-5.435455855934631, 4.645852612178535, 26.3124352495832]
  ],
  magma: [
    [-0.002136485053939582, -0.000749655052795221, -0.005386127855323933],
    [0.2516605407371642, 0.6775232436837668, 2.494026599312351],
    [8.353717279216625, -3.577719514958484, 0.3144679030132573],
    [-27.66873308576866, 14.26473078096533, -13.64921318813922],
    [52.17613981234068, -27.94360607168351, 12.94416944238394],
    [-50.76852536473588, 29.04658282127291, 4.23415299384598],
    [18.65570506591883, -11.48977351997711, -5.601961508734096]
  ],
  inferno: [
    [0.0002189403691192265, 0.001651004631001012, -0.01948089843709184],
    [0.1065134194856116, 0.5639564367884091, 3.932712388889277],
    [11.60249308247187, -3.972853965665698, -15.9423941062914],
    [-41.70399613139459, 17.43639888205313, 44.35414519872813],
    [77.162935699427, -33.40235894210092, -81.80730925738993],
    [-71.31942824499214, 32.62606426397723, 73.20951985803202],
    [25.13112622477341, -12.24266895238567, -23.07032500287172]
  ],
  plasma: [
    [0.05873234392399702, 0.02333670892565664, 0.5433401826748754],
    [2.176514634195958, 0.2383834171260182, 0.7539604599784036],
    [-2.689460476458034, -7.455851135738909, 3.110799939717086],
    [6.130348345893603, 42.3461881477227, -28.51885465332158],
    [-11.10743619062271, -82.66631109428045, 60.13984767418263],
    [10.02306557647065, 71.41361770095349, -54.07218655560067],
    [-3.658713842777788, -22.93153465461149, 18.19190778539828]
  ]
}

const ANCHORS: Partial<Record<ColormapName, [number, number, number][]>> = {
  cividis: [
    [0, 34, 78],
    [61, 77, 110],
    [125, 124, 120],
    [190, 175, 111],
    [254, 232, 56]
  ],
  greys: [
    [0, 0, 0],
    [255, 255, 255]
  ],
  hot: [
    [10, 0, 0],
    [255, 0, 0],
    [255, 255, 0],
    [255, 255, 255]
  ],
  RdBu: [
    [103, 0, 31],
    [214, 96, 77],
    [247, 247, 247],
    [67, 147, 195],
    [5, 48, 97]
  ],
  coolwarm: [
    [59, 76, 192],
    [221, 221, 221],
    [180, 4, 38]
  ]
}

function pack(r: number, g: number, b: number, a = 255): number {
  const c = (x: number): number => Math.max(0, Math.min(255, Math.round(x)))
  return ((c(a) << 24) | (c(b) << 16) | (c(g) << 8) | c(r)) >>> 0
}

const cache = new Map<ColormapName, Uint32Array>()

/** The colormap's 256 colours, packed RGBA (little-endian: ImageData's Uint32 view). */
export function lut(name: ColormapName): Uint32Array {
  const hit = cache.get(name)
  if (hit) return hit
  const out = new Uint32Array(256)
  const poly = FITS[name]
  for (let k = 0; k < 256; k++) {
    const t = k / 255
    if (poly) {
      const rgb = [0, 1, 2].map((ch) => poly.reduceRight((acc, c) => acc * t + c[ch]!, 0) * 255)
      out[k] = pack(rgb[0]!, rgb[1]!, rgb[2]!)
    } else {
      const a = ANCHORS[name]!
      const x = t * (a.length - 1)
      const i = Math.min(a.length - 2, Math.floor(x))
      const f = x - i
      const lo = a[i]!
      const hi = a[i + 1]!
      out[k] = pack(lo[0] + (hi[0] - lo[0]) * f, lo[1] + (hi[1] - lo[1]) * f, lo[2] + (hi[2] - lo[2]) * f)
    }
  }
  cache.set(name, out)
  return out
}

/** A packed colour from CSS-style #rrggbb. */
export function packHex(hex: string): number {
  const v = Number.parseInt(hex.replace('#', ''), 16)
  return pack((v >> 16) & 255, (v >> 8) & 255, v & 255)
}

export function unpackCss(c: number): string {
  return `rgb(${c & 255}, ${(c >> 8) & 255}, ${(c >> 16) & 255})`
}
