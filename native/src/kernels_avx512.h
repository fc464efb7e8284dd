// The AVX-512 kernels (kernels_avx512.cc); called only where the CPU has AVX-512F/DQ.
#pragma once
#include <cstdint>

#include "kernels.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define ARRAYSCOPE_HAVE_AVX512 1

namespace arrayscope {

void StatsF4Avx512(const float* p, int64_t n, double shift, Moments& m);
void MinMaxF4Avx512(const float* p, int64_t n, double& mn, double& mx);
void HistF4Avx512(const float* p, int64_t n, const HistParams& h);

}  // namespace arrayscope
#endif
