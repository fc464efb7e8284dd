// An Analyze 7.5 image's scaling as nibabel applies it: nibabel.load reads any Analyze .hdr as an Spm2AnalyzeImage,
// whose header takes SPM2's rule (spm_vol_ana.m) — the scale factor in funused1 (scl_slope) when it is finite and
// not 0, with funused2 (scl_inter) as intercept (0 when not finite); otherwise, when both ranges are non-zero, the
// slope (cal_max − cal_min) / (glmax − glmin) and intercept cal_min − slope·glmin; otherwise none. The array proxy
// then applies float64(raw)·slope + inter unless (slope, inter) is (1, 0), as for NIfTI.
import type { Scaling } from './model'

export function analyzeScaling(dtype: string, h: Uint8Array, little: boolean): Scaling | undefined {
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength)
  const f32 = (o: number): number => dv.getFloat32(o, little)
  let slope = f32(112)
  let inter: number
  let source: string
  if (Number.isFinite(slope) && slope !== 0) {
    inter = f32(116)
    if (!Number.isFinite(inter)) inter = 0
    source = `funused1 (SPM scale factor) = ${slope}${inter ? `, funused2 (intercept) = ${inter}` : ''}`
  } else {
    const glmax = dv.getInt32(140, little)
    const glmin = dv.getInt32(144, little)
    const calMax = f32(124)
    const calMin = f32(128)
    // numpy's int32 and float32 arithmetic: the differences wrap and round as theirs do
    const unscaled = (glmax - glmin) | 0
    const scaled = Math.fround(calMax - calMin)
    if (!unscaled || !scaled) return undefined
    slope = scaled / unscaled
    inter = calMin - slope * glmin
    source = `cal_min/cal_max = ${calMin}/${calMax} over glmin/glmax = ${glmin}/${glmax}`
  }
  if (slope === 1 && inter === 0) return undefined
  if (!/^[<>|][iuf][1248]$/.test(dtype)) return undefined
  return { rule: 'f64', stored: dtype, dtype: '<f8', slope, inter, initial: 'scaled', source }
}
