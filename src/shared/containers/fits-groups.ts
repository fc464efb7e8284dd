// FITS random groups (GROUPS = T in the primary header, NAXIS1 = 0; the format of radio interferometry's UVFITS):
// GCOUNT groups, each PCOUNT parameters then an array of NAXIS2…NAXISn values, all of BITPIX's type. That is a
// record a group, so the HDU maps as a structured array as astropy's GroupsHDU holds it: one field a parameter
// (PTYPEn; a repeated name gets a leading '_', as astropy names it) and DATA, the group's array in numpy's axis
// order. The stored numbers are shown: PSCALn/PZEROn and BSCALE/BZERO are noted, not applied (as for TSCALn).
import type { ContainerEntry } from './model'

type CardValue = string | number | boolean | null

export function groupsEntry(
  get: (k: string) => CardValue | undefined,
  base: ContainerEntry,
  dtype: string,
  itemsize: number,
  axes: number[],
  pcount: number,
  gcount: number
): ContainerEntry {
  const names = new Set<string>()
  const descr: unknown[] = []
  const notes: string[] = []
  for (let k = 1; k <= pcount; k++) {
    let name = String(get(`PTYPE${k}`) ?? '').trim() || `PAR${k}`
    while (names.has(name) || name === 'DATA') name = `_${name}`
    names.add(name)
    descr.push([name, dtype])
    const scale = get(`PSCAL${k}`)
    const zero = get(`PZERO${k}`)
    if ((typeof scale === 'number' && scale !== 1) || (typeof zero === 'number' && zero !== 0))
      notes.push(`${name}: PSCAL${k} = ${String(scale ?? 1)}, PZERO${k} = ${String(zero ?? 0)} not applied`)
  }
  const shape = axes.slice(1).reverse()
  descr.push(['DATA', dtype, shape])
  const scale = get('BSCALE')
  const zero = get('BZERO')
  if ((typeof scale === 'number' && scale !== 1) || (typeof zero === 'number' && zero !== 0))
    notes.push(`DATA: BSCALE = ${String(scale ?? 1)}, BZERO = ${String(zero ?? 0)} not applied`)
  const count = shape.reduce((a, b) => a * b, 1)
  return {
    ...base,
    dtype: JSON.stringify(descr),
    shape: [gcount],
    nbytes: (pcount + count) * gcount * itemsize,
    storedType: `random groups (${pcount} parameters, ${gcount} groups)`,
    ...(notes.length ? { metadata: { ...base.metadata, scaling: notes } } : {})
  }
}
