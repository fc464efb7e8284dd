// The AVX-512 kernels (kernels_avx512.cc); called only where the CPU has AVX-512F/DQ.
#pragma once
#include <cstdint>

#include "kernels.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define ARRAYSCOPE_HAVE_AVX512 1

namespace arrayscope {

void StatsF4Avx512(const float* p, int64_t n, double shift, Moments& m);
void MinMaxF4Avx512(const float* p, int64_t n, double& mn, double& mx);
// Image tile blocks of a float32 region: block j is columns [colStart[j], colStart[j + 1]) of `rows` rows
// (rowStride elements apart) starting at p; its finite count, min, max, sum (no squares) and NaN/±Inf counts
// are added to out[j]. Each block is walked down its rows with the accumulators in registers, reduced once.
void BlocksF4Avx512(const float* p, int64_t rowStride, int64_t rows, const int64_t* colStart, int64_t blocks,
                    Moments* out);
void HistF4Avx512(const float* p, int64_t n, const HistParams& h);

}  // namespace arrayscope
#endif
