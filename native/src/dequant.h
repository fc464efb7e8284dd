// Dequantization of GGML's block formats (GGUF quantized tensors) to float32, bit for bit as gguf-py's
// gguf.quants.dequantize computes it (numpy float32 arithmetic: every product and sum rounded on its own, no
// fused multiply-add). A plain C++ unit: the window path (Mapping.dequantize) and the scan kernels call it
// per chunk; it allocates nothing and throws nothing, so it may run under the SIGBUS guard.
#pragma once
#include <cstdint>

namespace arrayscope {

// GGML type ids (gguf-py GGMLQuantizationType) of the block formats DequantizeRange decodes.
enum class QuantType : int {
  kQ4_0 = 2,
  kQ4_1 = 3,
  kQ5_0 = 6,
  kQ5_1 = 7,
  kQ8_0 = 8,
  kQ2_K = 10,
  kQ3_K = 11,
  kQ4_K = 12,
  kQ5_K = 13,
  kQ6_K = 14,
  kQ8_K = 15,
};

// Elements per block and bytes per block.
struct QuantBlock {
  int64_t elems;
  int64_t bytes;
};

// The block geometry of a GGML type id; false when DequantizeRange does not decode that type.
bool QuantBlockOf(int ggmlType, QuantBlock* out);

// Decodes elements [firstElem, firstElem + count) of a tensor whose first block starts at `blocks` (elements
// numbered in the tensor's C order, as GGUF stores them) into out[0 .. count). Touches only the blocks that
// cover the range: blocks + (firstElem / elems) * bytes up to the block holding the last element.
void DequantizeRange(QuantType t, const uint8_t* blocks, int64_t firstElem, int64_t count, float* out);

// One whole block into out[0 .. elems).
void DequantizeBlock(QuantType t, const uint8_t* block, float* out);

}  // namespace arrayscope
