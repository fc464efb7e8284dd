// Strided gathers and scatters between a mapping and a contiguous buffer.
#pragma once
#include <cstddef>
#include <cstdint>

namespace arrayscope {

// A 2-D window of elements: element (i, j) starts at base + i*rowStride + j*colStride (byte strides, may be
// negative) and is itemsize bytes long. Gathered in row-major order into a dense buffer.
struct Window2D {
  int64_t base;
  int64_t rows;
  int64_t cols;
  int64_t rowStride;
  int64_t colStride;
  int64_t itemsize;
};

// First and one-past-last byte the window touches (relative to the mapping's start). Empty windows give 0, 0.
void WindowExtent(const Window2D& w, int64_t* first, int64_t* end);

// Copies the window from src (mapping start) to dst (rows*cols*itemsize bytes), under the SIGBUS guard.
bool GatherWindow(const uint8_t* src, const Window2D& w, uint8_t* dst);

}  // namespace arrayscope
