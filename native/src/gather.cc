#include "gather.h"

#include <algorithm>
#include <cstring>

#include "guard.h"

namespace arrayscope {

void WindowExtent(const Window2D& w, int64_t* first, int64_t* end) {
  if (w.rows <= 0 || w.cols <= 0 || w.itemsize <= 0) {
    *first = 0;
    *end = 0;
    return;
  }
  int64_t lo = w.base, hi = w.base;
  const int64_t r = (w.rows - 1) * w.rowStride, c = (w.cols - 1) * w.colStride;
  lo += std::min<int64_t>(r, 0) + std::min<int64_t>(c, 0);
  hi += std::max<int64_t>(r, 0) + std::max<int64_t>(c, 0);
  *first = lo;
  *end = hi + w.itemsize;
}

namespace {
struct GatherArgs {
  const uint8_t* src;
  const Window2D* w;
  uint8_t* dst;
};

template <int64_t N>
void GatherFixed(const uint8_t* src, const Window2D& w, uint8_t* dst) {
  for (int64_t i = 0; i < w.rows; ++i) {
    const uint8_t* p = src + w.base + i * w.rowStride;
    if (w.colStride == N) {
      std::memcpy(dst, p, static_cast<size_t>(N * w.cols));
      dst += N * w.cols;
      continue;
    }
    for (int64_t j = 0; j < w.cols; ++j) {
      std::memcpy(dst, p, N);
      p += w.colStride;
      dst += N;
    }
  }
}

void DoGather(void* ctx) {
  auto* a = static_cast<GatherArgs*>(ctx);
  const Window2D& w = *a->w;
  switch (w.itemsize) {
    case 1:
      return GatherFixed<1>(a->src, w, a->dst);
    case 2:
      return GatherFixed<2>(a->src, w, a->dst);
    case 4:
      return GatherFixed<4>(a->src, w, a->dst);
    case 8:
      return GatherFixed<8>(a->src, w, a->dst);
    case 16:
      return GatherFixed<16>(a->src, w, a->dst);
    default:
      break;
  }
  uint8_t* dst = a->dst;
  const size_t n = static_cast<size_t>(w.itemsize);
  for (int64_t i = 0; i < w.rows; ++i) {
    const uint8_t* p = a->src + w.base + i * w.rowStride;
    for (int64_t j = 0; j < w.cols; ++j) {
      std::memcpy(dst, p, n);
      p += w.colStride;
      dst += n;
    }
  }
}
}  // namespace

bool GatherWindow(const uint8_t* src, const Window2D& w, uint8_t* dst) {
  if (w.rows <= 0 || w.cols <= 0) return true;
  GatherArgs args{src, &w, dst};
  return GuardedRun(DoGather, &args);
}

}  // namespace arrayscope
