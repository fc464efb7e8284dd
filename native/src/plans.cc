// Pass plans for element-wise passes: chunk k reads a range of the view's flat elements.
#include <algorithm>

#include "scan_ops.h"

namespace arrayscope {

PassPlan RangePlan(const TypedView& v, int threads, int64_t chunks, ElementRange elems) {
  PassPlan plan;
  const int64_t n = v.view.size();
  plan.threads = threads;
  plan.chunks = n == 0 ? 0 : chunks;
  const ViewSpec view = v.view;
  if (v.quantized) {
    // the blocks, not the virtual offsets, are what is read
    const QuantView q = v.q;
    plan.needEnd = n == 0 ? 0 : q.offset + (q.count + q.block.elems - 1) / q.block.elems * q.block.bytes;
    plan.ranges = [q, view, elems](int64_t k, std::vector<ByteRange>& out) {
      const auto [i0, i1] = elems(k);
      QuantChunkRanges(q, view, i0, i1, out);
    };
    return plan;
  }
  const int64_t itemsize = ReadSize(v);  // the stored numbers' size for a scaled view
  if (n > 0) {
    int64_t first = 0;
    v.view.Extent(itemsize, &first, &plan.needEnd);
  }
  plan.ranges = [view, itemsize, elems](int64_t k, std::vector<ByteRange>& out) {
    const auto [i0, i1] = elems(k);
    ChunkRanges(view, itemsize, i0, i1, out);
  };
  return plan;
}

PassPlan ElementPlan(const TypedView& v, int64_t chunkElems, int threads) {
  const int64_t n = v.view.size();
  return RangePlan(v, threads, (n + chunkElems - 1) / chunkElems, [chunkElems, n](int64_t k) {
    return std::make_pair(k * chunkElems, std::min(n, (k + 1) * chunkElems));
  });
}

}  // namespace arrayscope
