// scan:tile: one tile of the image of a 2-D view, from the tile cache when it is there.
import { ApiError, type Request, type Response } from '../../../shared/contract'
import { formatShape } from '../../../shared/layout'
import { runTile, tileRegion } from '../tiles'
import type { ServiceContext } from './context'

/** A tile of the image of a 2-D view (see scan:tile), from the cache when it is there. */
export async function tileOf(ctx: ServiceContext, r: Request<'scan:tile'>): Promise<Response<'scan:tile'>> {
  let view = ctx.scanTarget({ session: r.session, slice: r.slice, fixed: r.fixed, field: r.field })
  if (view.shape.length !== 2)
    throw new ApiError('bad-request', `an image needs a 2-D view; this one is ${view.shape.length}-D`)
  if (r.transpose)
    view = { ...view, shape: [view.shape[1]!, view.shape[0]!], strides: [view.strides[1]!, view.strides[0]!] }
  const region = tileRegion(view.shape[0]!, view.shape[1]!, r.level, r.ty, r.tx)
  if (!region)
    throw new ApiError(
      'bad-request',
      `tile (${r.ty}, ${r.tx}) at level ${r.level} is outside the ${formatShape(view.shape)} view`
    )
  const key = ctx.tiles.key(
    r.session,
    JSON.stringify([r.slice, r.fixed, r.transpose, r.field]),
    r.level,
    r.ty,
    r.tx,
    r.sample ?? false
  )
  let t = ctx.tiles.get(key)
  // an overview from the file's own reduced image (TIFF SubIFDs), when it has one for this level
  const s = ctx.session(r.session)
  const pick = !t && !r.field && !r.transpose ? await s.source.pyramid?.pick(s.layout, view, r.level) : null
  const there = pick && tileRegion(pick.view.shape[0]!, pick.view.shape[1]!, pick.level, r.ty, r.tx)
  if (pick && there && there.outRows === region.outRows && there.outCols === region.outCols) {
    await pick.source.fill({
      ...pick.view,
      offset: pick.view.offset + there.r0 * pick.view.strides[0]! + there.c0 * pick.view.strides[1]!,
      shape: [there.r1 - there.r0, there.c1 - there.c0]
    })?.promise
    const from = pick.source.scanSource()
    const got = await ctx.tileQueue.run(() => runTile(from, pick.view, there, r.sample).promise, r.sample)
    t = { ...got, stored: 2 ** (r.level - pick.level) }
    ctx.tiles.set(key, t)
  }
  if (!t) {
    // a chunk grid's chunks under the tile decoded, a remote object's blocks fetched, as the pass reaches them
    // (stream-fill.ts); a remote region larger than its copy may hold streams through a private one
    const under = {
      ...view,
      offset: view.offset + region.r0 * view.strides[0]! + region.c0 * view.strides[1]!,
      shape: [region.r1 - region.r0, region.c1 - region.c0]
    }
    const source = ctx.scannable(r.session)
    t = await ctx.tileQueue.run(
      () =>
        ctx.streamFill(
          r.session,
          under,
          undefined,
          (through) => runTile({ ...source, ...through }, view, region, r.sample),
          // a transposed tile's parts are columns of the stored rows: each reads across the whole region
          { onePass: !r.transpose }
        ).promise,
      r.sample
    )
    ctx.tiles.set(key, t)
  }
  const bytes = new Uint8Array(t.pixels.buffer, t.pixels.byteOffset, t.pixels.byteLength)
  return {
    level: r.level,
    ty: r.ty,
    tx: r.tx,
    rows: t.rows,
    cols: t.cols,
    pixels: bytes,
    ...(t.stored ? { stored: t.stored } : {})
  }
}
