// A quantized tensor (GGUF blocks) seen as a virtual float32 array: the view's byte offsets are 4 × the
// element index, and the values come from dequantizing the blocks that hold them. Passes decode a chunk's
// elements in pieces into a per-thread buffer and run the float32 kernels over it.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "dequant.h"
#include "view.h"

namespace arrayscope {

struct QuantView {
  QuantType type = QuantType::kQ8_0;
  QuantBlock block{0, 0};
  int64_t offset = 0;  // where the first block lies in the mapping
  int64_t count = 0;   // elements in the tensor
};

// Per-thread buffers: decoded values, and the last whole block decoded (strided walks hit it again and
// again).
struct QuantScratch {
  std::vector<float> values;
  std::vector<float> block;
  int64_t cached = -1;
  QuantScratch() : values(1 << 16), block(256) {}
};

// The value of element e, through the one-block cache.
inline float QuantElement(const uint8_t* data, const QuantView& q, int64_t e, QuantScratch& s) {
  const int64_t b = e / q.block.elems;
  if (b != s.cached) {
    DequantizeBlock(q.type, data + q.offset + b * q.block.bytes, s.block.data());
    s.cached = b;
  }
  return s.block[static_cast<size_t>(e - b * q.block.elems)];
}

// Decodes n elements from element e stepping by step into out.
inline void DecodeQuantRun(const uint8_t* data, const QuantView& q, int64_t e, int64_t n, int64_t step,
                           QuantScratch& s, float* out) {
  if (step == 1) return DequantizeRange(q.type, data + q.offset, e, n, out);
  for (int64_t j = 0; j < n; ++j) out[j] = QuantElement(data, q, e + j * step, s);
}

// Calls f(values, n) for the flat elements [i0, i1) of a virtual float32 view of q, dequantized in order, in
// pieces of at most s.values.size() elements.
template <typename F>
void ForEachDecoded(const uint8_t* data, const QuantView& q, const ViewSpec& v, int64_t i0, int64_t i1,
                    QuantScratch& s, F&& f) {
  const int64_t cap = static_cast<int64_t>(s.values.size());
  int64_t filled = 0;
  ForEachRunAt(v, i0, i1, [&](int64_t off, int64_t n, int64_t stride) {
    int64_t e = off / 4;
    const int64_t step = stride / 4;
    while (n > 0) {
      const int64_t m = std::min(n, cap - filled);
      DecodeQuantRun(data, q, e, m, step, s, s.values.data() + filled);
      filled += m;
      e += m * step;
      n -= m;
      if (filled == cap) {
        f(static_cast<const float*>(s.values.data()), filled);
        filled = 0;
      }
    }
  });
  if (filled > 0) f(static_cast<const float*>(s.values.data()), filled);
}

// The file's byte ranges holding the blocks of flat elements [i0, i1) of a virtual view of q (readahead).
inline void QuantChunkRanges(const QuantView& q, const ViewSpec& v, int64_t i0, int64_t i1,
                             std::vector<ByteRange>& out) {
  ChunkRanges(v, 4, i0, i1, out);
  for (ByteRange& r : out) {
    const int64_t b0 = (r.first / 4) / q.block.elems, b1 = (r.end / 4 - 1) / q.block.elems + 1;
    r = {q.offset + b0 * q.block.bytes, q.offset + b1 * q.block.bytes};
  }
}

}  // namespace arrayscope
