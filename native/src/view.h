// A strided N-D view of a mapping (numpy's shape and byte strides from a base offset) and the one index walk
// every kernel uses: the runs along the last axis that make up a range of flat C-order elements.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "elem.h"

namespace arrayscope {

// numpy's limit on dimensions; the walk keeps its index on the stack (a SIGBUS abandons it mid-way, so it
// must own no heap memory).
constexpr size_t kMaxDims = 64;

struct ViewSpec {
  int64_t base = 0;
  std::vector<int64_t> shape, strides;
  int64_t size() const {
    int64_t n = 1;
    for (auto s : shape) n *= s;
    return n;
  }
  // First and one-past-last byte the (non-empty) view touches with elements of itemsize bytes.
  void Extent(int64_t itemsize, int64_t* first, int64_t* end) const {
    int64_t lo = base, hi = base;
    for (size_t k = 0; k < shape.size(); ++k) {
      if (shape[k] > 0) (strides[k] < 0 ? lo : hi) += (shape[k] - 1) * strides[k];
    }
    *first = lo;
    *end = hi + itemsize;
  }
};

// Calls run(offset, n, stride) for the runs along the last axis that make up flat C-order elements [i0, i1):
// n elements, the first at byte offset `offset` (from the mapping's start), `stride` bytes apart.
template <typename F>
void ForEachRunAt(const ViewSpec& v, int64_t i0, int64_t i1, F&& run) {
  const size_t nd = v.shape.size();
  if (i0 >= i1) return;
  if (nd == 0) return run(v.base, int64_t{1}, int64_t{0});
  std::array<int64_t, kMaxDims> idx{};
  int64_t rest = i0;
  for (size_t k = nd; k-- > 0;) {
    idx[k] = rest % v.shape[k];
    rest /= v.shape[k];
  }
  const int64_t last = v.shape[nd - 1], ls = v.strides[nd - 1];
  for (int64_t i = i0; i < i1;) {
    int64_t off = v.base;
    for (size_t k = 0; k + 1 < nd; ++k) off += idx[k] * v.strides[k];
    const int64_t j0 = idx[nd - 1];
    const int64_t n = std::min(last - j0, i1 - i);
    run(off + j0 * ls, n, ls);
    i += n;
    idx[nd - 1] = 0;
    for (size_t k = nd - 1; k-- > 0;) {
      if (++idx[k] < v.shape[k]) break;
      idx[k] = 0;
    }
  }
}

// The same runs as pointers into the mapping: run(p, n, stride).
template <typename F>
void ForEachRun(const uint8_t* data, const ViewSpec& v, int64_t i0, int64_t i1, F&& run) {
  ForEachRunAt(v, i0, i1, [&](int64_t off, int64_t n, int64_t stride) { run(data + off, n, stride); });
}

// Calls f(value, pointer) for the flat C-order elements [i0, i1) of the view, with element type E.
template <Elem E, typename F>
void Walk(const uint8_t* data, const ViewSpec& v, int64_t i0, int64_t i1, bool swap, F&& f) {
  ForEachRun(data, v, i0, i1, [&](const uint8_t* p, int64_t n, int64_t stride) {
    for (int64_t j = 0; j < n; ++j, p += stride) f(Decode<E>(p, swap), p);
  });
}

// The same elements in file order, for passes whose result does not depend on the order of the elements
// (statistics, histograms): negative strides flipped, axes sorted by stride (largest outermost), length-1
// axes dropped and contiguous neighbours merged. A column of a C-order array or an F-order slice then walks
// through the file from its start to its end instead of jumping back and forth.
inline ViewSpec FileOrder(const ViewSpec& v) {
  ViewSpec out;
  out.base = v.base;
  std::vector<std::pair<int64_t, int64_t>> axes;  // (stride, length)
  for (size_t k = 0; k < v.shape.size(); ++k) {
    if (v.shape[k] == 0) return v;  // empty: nothing to walk
    if (v.shape[k] == 1) continue;
    int64_t s = v.strides[k];
    if (s < 0) {
      out.base += (v.shape[k] - 1) * s;
      s = -s;
    }
    axes.emplace_back(s, v.shape[k]);
  }
  std::stable_sort(axes.begin(), axes.end(), [](auto& a, auto& b) { return a.first > b.first; });
  for (auto [s, n] : axes) {
    if (!out.shape.empty() && out.strides.back() == n * s) {  // the outer axis steps over exactly this one
      out.shape.back() *= n;
      out.strides.back() = s;
      continue;
    }
    out.shape.push_back(n);
    out.strides.push_back(s);
  }
  if (out.shape.empty()) out.shape = {1}, out.strides = {0};
  return out;
}

struct ByteRange {
  int64_t first, end;
};

// Runs whose elements are at most this far apart are read whole; sparser ones page by page.
constexpr int64_t kDenseStride = 64 << 10;
// Neighbouring ranges closer than this are read as one (one request beats two small ones and a seek).
constexpr int64_t kMergeGap = 1 << 20;

// The byte ranges, in walk order, that flat elements [i0, i1) of the view touch, merged across small gaps:
// what a pass asks the kernel to read ahead for those elements.
inline void ChunkRanges(const ViewSpec& v, int64_t itemsize, int64_t i0, int64_t i1,
                        std::vector<ByteRange>& out) {
  out.clear();
  auto add = [&](int64_t a, int64_t b) {
    if (!out.empty() && a >= out.back().first && a <= out.back().end + kMergeGap) {
      out.back().end = std::max(out.back().end, b);
    } else if (!out.empty() && b <= out.back().first && b + kMergeGap >= out.back().first) {
      out.back().first = std::min(out.back().first, a);  // descending (a negative-stride view)
    } else {
      out.push_back({a, b});
    }
  };
  ForEachRunAt(v, i0, i1, [&](int64_t a, int64_t n, int64_t stride) {
    if (std::llabs(stride) <= kDenseStride) {
      const int64_t b = a + (n - 1) * stride;
      add(std::min(a, b), std::max(a, b) + itemsize);
    } else {
      for (int64_t j = 0; j < n; ++j) add(a + j * stride, a + j * stride + itemsize);
    }
  });
}

}  // namespace arrayscope
