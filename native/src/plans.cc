// Pass plans for element-wise passes: chunk k is the flat elements [k*chunkElems, (k+1)*chunkElems) of the
// view.
#include <algorithm>

#include "scan_ops.h"

namespace arrayscope {

PassPlan ElementPlan(const TypedView& v, int64_t chunkElems, int threads) {
  PassPlan plan;
  const int64_t n = v.view.size();
  const int64_t itemsize = ReadSize(v);
  plan.threads = threads;
  plan.chunks = n == 0 ? 0 : (n + chunkElems - 1) / chunkElems;
  const ViewSpec view = v.view;
  if (v.quantized) {
    // the blocks, not the virtual offsets, are what is read
    const QuantView q = v.q;
    plan.needEnd = n == 0 ? 0 : q.offset + (q.count + q.block.elems - 1) / q.block.elems * q.block.bytes;
    plan.ranges = [q, view, chunkElems, n](int64_t k, std::vector<ByteRange>& out) {
      QuantChunkRanges(q, view, k * chunkElems, std::min(n, (k + 1) * chunkElems), out);
    };
    return plan;
  }
  if (n > 0) {
    int64_t first = 0;
    v.view.Extent(itemsize, &first, &plan.needEnd);
  }
  plan.ranges = [view, itemsize, chunkElems, n](int64_t k, std::vector<ByteRange>& out) {
    ChunkRanges(view, itemsize, k * chunkElems, std::min(n, (k + 1) * chunkElems), out);
  };
  return plan;
}

}  // namespace arrayscope
