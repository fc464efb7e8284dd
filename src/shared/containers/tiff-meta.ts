// What a TIFF page says about itself, as an entry's metadata: its storage (compression, predictor, strips or
// tiles), the usual descriptive tags, and GeoTIFF's georeferencing (ModelPixelScale, ModelTiepoint,
// ModelTransformation and the GeoKeyDirectory with its keys named and their values resolved).
import type { JsonValue } from '../json-value'
import type { Ifd, TagReader } from './tiff-ifd'
import { compressionName, TAG, type TiffPage } from './tiff-page'

const GEO = { pixelScale: 33550, tiepoint: 33922, transformation: 34264, keys: 34735, doubles: 34736, ascii: 34737 }

const GEO_KEYS: Record<number, string> = {
  1024: 'GTModelTypeGeoKey',
  1025: 'GTRasterTypeGeoKey',
  1026: 'GTCitationGeoKey',
  2048: 'GeographicTypeGeoKey',
  2049: 'GeogCitationGeoKey',
  2050: 'GeogGeodeticDatumGeoKey',
  2052: 'GeogLinearUnitsGeoKey',
  2054: 'GeogAngularUnitsGeoKey',
  2056: 'GeogEllipsoidGeoKey',
  2057: 'GeogSemiMajorAxisGeoKey',
  2059: 'GeogInvFlatteningGeoKey',
  3072: 'ProjectedCSTypeGeoKey',
  3073: 'PCSCitationGeoKey',
  3074: 'ProjectionGeoKey',
  3075: 'ProjCoordTransGeoKey',
  3076: 'ProjLinearUnitsGeoKey',
  4096: 'VerticalCSTypeGeoKey',
  4097: 'VerticalCitationGeoKey',
  4098: 'VerticalDatumGeoKey',
  4099: 'VerticalUnitsGeoKey'
}

const PHOTOMETRIC: Record<number, string> = {
  0: 'miniswhite',
  1: 'minisblack',
  2: 'rgb',
  3: 'palette',
  5: 'separated',
  6: 'ycbcr'
}

/** GeoTIFF tags of a page, or undefined when it has none. */
export function geoMetadata(ifd: Ifd, tags: TagReader, what: string): Record<string, JsonValue> | undefined {
  const nums = (tag: number): number[] | undefined => {
    const e = ifd.tags.get(tag)
    return e ? tags.numbers(e, what) : undefined
  }
  const out: Record<string, JsonValue> = {}
  const scale = nums(GEO.pixelScale)
  if (scale) out.ModelPixelScale = scale
  const tie = nums(GEO.tiepoint)
  if (tie) out.ModelTiepoint = tie
  const tr = nums(GEO.transformation)
  if (tr) out.ModelTransformation = tr
  const dir = nums(GEO.keys)
  if (dir && dir.length >= 4) {
    const doubles = nums(GEO.doubles) ?? []
    const asciiTag = ifd.tags.get(GEO.ascii)
    const ascii = asciiTag ? tags.text(asciiTag, what) : ''
    const keys: Record<string, JsonValue> = {}
    const n = Math.min(dir[3]!, Math.floor((dir.length - 4) / 4))
    for (let k = 0; k < n; k++) {
      const [id, loc, count, value] = dir.slice(4 + 4 * k, 8 + 4 * k) as [number, number, number, number]
      const name = GEO_KEYS[id] ?? String(id)
      if (loc === 0) keys[name] = value
      else if (loc === GEO.doubles)
        keys[name] = count === 1 ? (doubles[value] ?? null) : doubles.slice(value, value + count)
      else if (loc === GEO.ascii) keys[name] = ascii.slice(value, value + count).replace(/\|$/, '')
      else keys[name] = `(in tag ${loc})`
    }
    out.GeoKeyDirectory = keys
  }
  return Object.keys(out).length ? out : undefined
}

/** A page's storage and descriptive tags. */
export function pageMetadata(p: TiffPage, ifd: Ifd, tags: TagReader): Record<string, JsonValue> {
  const text = (tag: number): string | undefined => {
    const e = ifd.tags.get(tag)
    return e ? tags.text(e, p.what) : undefined
  }
  const out: Record<string, JsonValue> = {
    compression: compressionName(p.compression),
    photometric: PHOTOMETRIC[p.photometric] ?? p.photometric,
    planarconfig: p.planar === 1 ? 'contig' : 'separate',
    ...(p.predictor !== 1
      ? { predictor: p.predictor === 2 ? 'horizontal' : p.predictor === 3 ? 'floatingpoint' : p.predictor }
      : {}),
    [p.tiled ? 'tile' : 'rowsperstrip']: p.tiled ? [p.chunkRows, p.chunkCols] : p.chunkRows,
    [p.tiled ? 'tiles' : 'strips']: p.offsets.length
  }
  const software = text(TAG.Software)
  if (software) out.Software = software
  const date = text(TAG.DateTime)
  if (date) out.DateTime = date
  const geo = geoMetadata(ifd, tags, p.what)
  if (geo) Object.assign(out, geo)
  return out
}
