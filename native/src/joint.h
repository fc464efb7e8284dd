// Two views of the same shape walked together (a diff): element k of A, element k of B and k's flat C-order
// index, all stepped by one odometer. The walk can follow A's file order while still knowing each element's C
// index (the index is a third "view" with C-contiguous strides).
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "view.h"

namespace arrayscope {

struct JointView {
  std::vector<int64_t> shape;
  std::array<int64_t, 3> base{0, 0, 0};         // A's byte offset, B's byte offset, the C index
  std::array<std::vector<int64_t>, 3> strides;  // A's and B's byte strides, C-order index strides
  int64_t size() const {
    int64_t n = 1;
    for (auto s : shape) n *= s;
    return n;
  }
  // The view of part p (0: A, 1: B) alone, for readahead ranges.
  ViewSpec Part(int p) const {
    ViewSpec v;
    v.base = base[p];
    v.shape = shape;
    v.strides = strides[p];
    return v;
  }
};

// A and B as given, and the C index of each element.
inline JointView MakeJoint(const ViewSpec& a, const ViewSpec& b) {
  JointView j;
  j.shape = a.shape;
  j.base = {a.base, b.base, 0};
  j.strides[0] = a.strides;
  j.strides[1] = b.strides;
  j.strides[2].assign(a.shape.size(), 1);
  for (size_t k = a.shape.size(); k-- > 1;) j.strides[2][k - 1] = j.strides[2][k] * a.shape[k];
  return j;
}

// The same pairs in A's file order: A's negative strides flipped (with B's and the index's along), axes
// sorted by A's stride, length-1 axes dropped, neighbours merged where all three parts step evenly over them.
inline JointView JointFileOrder(const JointView& j) {
  JointView out;
  out.base = j.base;
  struct Axis {
    int64_t n;
    std::array<int64_t, 3> s;
  };
  std::vector<Axis> axes;
  for (size_t k = 0; k < j.shape.size(); ++k) {
    if (j.shape[k] == 0) return j;
    if (j.shape[k] == 1) continue;
    Axis ax{j.shape[k], {j.strides[0][k], j.strides[1][k], j.strides[2][k]}};
    if (ax.s[0] < 0) {
      for (int p = 0; p < 3; ++p) {
        out.base[p] += (ax.n - 1) * ax.s[p];
        ax.s[p] = -ax.s[p];
      }
    }
    axes.push_back(ax);
  }
  std::stable_sort(axes.begin(), axes.end(), [](const Axis& a, const Axis& b) { return a.s[0] > b.s[0]; });
  for (const Axis& ax : axes) {
    if (!out.shape.empty()) {
      bool merge = true;
      for (int p = 0; p < 3; ++p) merge = merge && out.strides[p].back() == ax.n * ax.s[p];
      if (merge) {
        out.shape.back() *= ax.n;
        for (int p = 0; p < 3; ++p) out.strides[p].back() = ax.s[p];
        continue;
      }
    }
    out.shape.push_back(ax.n);
    for (int p = 0; p < 3; ++p) out.strides[p].push_back(ax.s[p]);
  }
  if (out.shape.empty()) {
    out.shape = {1};
    for (int p = 0; p < 3; ++p) out.strides[p] = {0};
  }
  return out;
}

// Calls run(offA, offB, index, n, strideA, strideB, strideIndex) for the runs along the last axis that make
// up flat elements [i0, i1) of the joint walk.
template <typename F>
void ForEachJointRun(const JointView& j, int64_t i0, int64_t i1, F&& run) {
  const size_t nd = j.shape.size();
  if (i0 >= i1) return;
  if (nd == 0) return run(j.base[0], j.base[1], j.base[2], int64_t{1}, int64_t{0}, int64_t{0}, int64_t{0});
  std::array<int64_t, kMaxDims> idx{};
  int64_t rest = i0;
  for (size_t k = nd; k-- > 0;) {
    idx[k] = rest % j.shape[k];
    rest /= j.shape[k];
  }
  const int64_t last = j.shape[nd - 1];
  for (int64_t i = i0; i < i1;) {
    std::array<int64_t, 3> off = j.base;
    for (size_t k = 0; k + 1 < nd; ++k)
      for (int p = 0; p < 3; ++p) off[p] += idx[k] * j.strides[p][k];
    const int64_t c0 = idx[nd - 1];
    const int64_t n = std::min(last - c0, i1 - i);
    run(off[0] + c0 * j.strides[0][nd - 1], off[1] + c0 * j.strides[1][nd - 1],
        off[2] + c0 * j.strides[2][nd - 1], n, j.strides[0][nd - 1], j.strides[1][nd - 1],
        j.strides[2][nd - 1]);
    i += n;
    idx[nd - 1] = 0;
    for (size_t k = nd - 1; k-- > 0;) {
      if (++idx[k] < j.shape[k]) break;
      idx[k] = 0;
    }
  }
}

}  // namespace arrayscope
