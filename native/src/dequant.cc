#include "dequant.h"

#include <cstring>

// numpy rounds every float32 product and sum separately: a contracted a*b+c (FMA) would differ in the last
// bit.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace arrayscope {

namespace {

constexpr int kQK = 256;  // QK_K: elements of a K-quant super-block

// float16 bits -> float32, exact (subnormals, infinities and NaN payloads kept), from a 64 Ki-entry table.
float HalfToFloatSlow(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {
      int e = 0;
      while ((mant & 0x400u) == 0) {
        mant <<= 1;
        ++e;
      }
      mant &= 0x3ffu;
      bits = sign | (static_cast<uint32_t>(113 - e) << 23) | (mant << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 112u) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

struct HalfTable {
  float v[65536];
  HalfTable() {
    for (uint32_t h = 0; h < 65536; ++h) v[h] = HalfToFloatSlow(static_cast<uint16_t>(h));
  }
};

const float* Halves() {
  static const HalfTable table;
  return table.v;
}

inline float F16(const uint8_t* p, const float* halves) {
  return halves[static_cast<uint16_t>(p[0] | (p[1] << 8))];
}

inline uint32_t U32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

// d f16, qs[16]: element j < 16 is the low nibble of qs[j], j >= 16 the high nibble of qs[j - 16]; minus 8.
void Q4_0(const uint8_t* b, float* y, const float* h) {
  const float d = F16(b, h);
  const uint8_t* qs = b + 2;
  for (int j = 0; j < 16; ++j) {
    y[j] = d * static_cast<float>(static_cast<int8_t>((qs[j] & 0x0f) - 8));
    y[j + 16] = d * static_cast<float>(static_cast<int8_t>((qs[j] >> 4) - 8));
  }
}

// d f16, m f16, qs[16]: d * q + m.
void Q4_1(const uint8_t* b, float* y, const float* h) {
  const float d = F16(b, h), m = F16(b + 2, h);
  const uint8_t* qs = b + 4;
  for (int j = 0; j < 16; ++j) {
    const float lo = d * static_cast<float>(qs[j] & 0x0f);
    const float hi = d * static_cast<float>(qs[j] >> 4);
    y[j] = lo + m;
    y[j + 16] = hi + m;
  }
}

// d f16, qh u32 (bit j: the fifth bit of element j), qs[16]; minus 16.
void Q5_0(const uint8_t* b, float* y, const float* h) {
  const float d = F16(b, h);
  const uint32_t qh = U32(b + 2);
  const uint8_t* qs = b + 6;
  for (int j = 0; j < 16; ++j) {
    const int lo = (qs[j] & 0x0f) | static_cast<int>(((qh >> j) & 1u) << 4);
    const int hi = (qs[j] >> 4) | static_cast<int>(((qh >> (j + 16)) & 1u) << 4);
    y[j] = d * static_cast<float>(lo - 16);
    y[j + 16] = d * static_cast<float>(hi - 16);
  }
}

// d f16, m f16, qh u32, qs[16]: d * q + m.
void Q5_1(const uint8_t* b, float* y, const float* h) {
  const float d = F16(b, h), m = F16(b + 2, h);
  const uint32_t qh = U32(b + 4);
  const uint8_t* qs = b + 8;
  for (int j = 0; j < 16; ++j) {
    const int lo = (qs[j] & 0x0f) | static_cast<int>(((qh >> j) & 1u) << 4);
    const int hi = (qs[j] >> 4) | static_cast<int>(((qh >> (j + 16)) & 1u) << 4);
    const float a = d * static_cast<float>(lo);
    const float c = d * static_cast<float>(hi);
    y[j] = a + m;
    y[j + 16] = c + m;
  }
}

// d f16, qs int8[32].
void Q8_0(const uint8_t* b, float* y, const float* h) {
  const float d = F16(b, h);
  for (int j = 0; j < 32; ++j) y[j] = static_cast<float>(static_cast<int8_t>(b[2 + j])) * d;
}

// scales[16] (low nibble: scale, high: min), qs[64] (2 bits each), d f16, dmin f16.
void Q2_K(const uint8_t* b, float* y, const float* h) {
  const uint8_t* scales = b;
  const uint8_t* qs = b + 16;
  const float d = F16(b + 80, h), dmin = F16(b + 82, h);
  float dl[16], ml[16];
  for (int i = 0; i < 16; ++i) {
    dl[i] = d * static_cast<float>(scales[i] & 0x0f);
    ml[i] = dmin * static_cast<float>(scales[i] >> 4);
  }
  for (int g = 0; g < 2; ++g)
    for (int s = 0; s < 4; ++s)
      for (int j = 0; j < 32; ++j) {
        const int e = g * 128 + s * 32 + j;
        const float q = static_cast<float>((qs[g * 32 + j] >> (2 * s)) & 3);
        const float p = dl[e / 16] * q;
        y[e] = p - ml[e / 16];
      }
}

// hmask[32], qs[64], scales[12] (6-bit, packed), d f16.
void Q3_K(const uint8_t* b, float* y, const float* h) {
  const uint8_t* hmask = b;
  const uint8_t* qs = b + 32;
  const uint8_t* sc = b + 96;
  const float d = F16(b + 108, h);
  float dl[16];
  for (int i = 0; i < 16; ++i) {
    const int lo = (sc[i % 8] >> (4 * (i / 8))) & 0x0f;
    const int hi = (sc[8 + i % 4] >> (2 * (i / 4))) & 0x03;
    dl[i] = d * static_cast<float>(static_cast<int8_t>(lo | (hi << 4)) - 32);
  }
  for (int g = 0; g < 2; ++g)
    for (int s = 0; s < 4; ++s)
      for (int j = 0; j < 32; ++j) {
        const int e = g * 128 + s * 32 + j;
        const int ql = (qs[g * 32 + j] >> (2 * s)) & 3;
        const int qh = ((hmask[j] >> (e / 32)) & 1) ^ 1;
        y[e] = dl[e / 16] * static_cast<float>(ql - (qh << 2));
      }
}

// The 6-bit scales and mins of Q4_K / Q5_K (gguf-py Q4_K.get_scale_min).
void ScaleMin(const uint8_t* s, uint8_t* sc, uint8_t* mn) {
  for (int j = 0; j < 4; ++j) {
    sc[j] = s[j] & 0x3f;
    mn[j] = s[4 + j] & 0x3f;
    sc[4 + j] = (s[8 + j] & 0x0f) | ((s[j] >> 2) & 0x30);
    mn[4 + j] = (s[8 + j] >> 4) | ((s[4 + j] >> 2) & 0x30);
  }
}

// d f16, dmin f16, scales[12], qs[128] (4 bits): d*sc * q - dmin*m per 32 elements.
void Q4_K(const uint8_t* b, float* y, const float* h) {
  const float d = F16(b, h), dmin = F16(b + 2, h);
  uint8_t sc[8], mn[8];
  ScaleMin(b + 4, sc, mn);
  const uint8_t* qs = b + 16;
  for (int i = 0; i < 8; ++i) {
    const float ds = d * static_cast<float>(sc[i]);
    const float dm = dmin * static_cast<float>(mn[i]);
    const int g = i / 2, s = i % 2;
    for (int j = 0; j < 32; ++j) {
      const float p = ds * static_cast<float>((qs[g * 32 + j] >> (4 * s)) & 0x0f);
      y[i * 32 + j] = p - dm;
    }
  }
}

// d f16, dmin f16, scales[12], qh[32] (fifth bits), qs[128].
void Q5_K(const uint8_t* b, float* y, const float* h) {
  const float d = F16(b, h), dmin = F16(b + 2, h);
  uint8_t sc[8], mn[8];
  ScaleMin(b + 4, sc, mn);
  const uint8_t* qh = b + 16;
  const uint8_t* qs = b + 48;
  for (int i = 0; i < 8; ++i) {
    const float ds = d * static_cast<float>(sc[i]);
    const float dm = dmin * static_cast<float>(mn[i]);
    const int g = i / 2, s = i % 2;
    for (int j = 0; j < 32; ++j) {
      const int q = ((qs[g * 32 + j] >> (4 * s)) & 0x0f) | (((qh[j] >> i) & 1) << 4);
      const float p = ds * static_cast<float>(q);
      y[i * 32 + j] = p - dm;
    }
  }
}

// ql[128] (low 4 bits), qh[64] (high 2 bits), scales int8[16], d f16; minus 32.
void Q6_K(const uint8_t* b, float* y, const float* h) {
  const uint8_t* ql = b;
  const uint8_t* qh = b + 128;
  const int8_t* scales = reinterpret_cast<const int8_t*>(b + 192);
  const float d = F16(b + 208, h);
  float ds[16];
  for (int i = 0; i < 16; ++i) ds[i] = d * static_cast<float>(scales[i]);
  for (int g = 0; g < 2; ++g) {
    for (int j = 0; j < 128; ++j) {
      const int e = g * 128 + j;
      const int lo = (ql[g * 64 + j % 64] >> (4 * (j / 64))) & 0x0f;
      const int hi = (qh[g * 32 + j % 32] >> (2 * (j / 32))) & 0x03;
      y[e] = ds[e / 16] * static_cast<float>(static_cast<int8_t>(lo | (hi << 4)) - 32);
    }
  }
}

// d f32, qs int8[256], bsums int16[16] (unused here): ggml's dequantize_row_q8_K, d * q.
void Q8_K(const uint8_t* b, float* y, const float*) {
  float d;
  std::memcpy(&d, b, 4);
  for (int j = 0; j < kQK; ++j) y[j] = d * static_cast<float>(static_cast<int8_t>(b[4 + j]));
}

}  // namespace

bool QuantBlockOf(int ggmlType, QuantBlock* out) {
  switch (static_cast<QuantType>(ggmlType)) {
    case QuantType::kQ4_0:
      *out = {32, 18};
      return true;
    case QuantType::kQ4_1:
      *out = {32, 20};
      return true;
    case QuantType::kQ5_0:
      *out = {32, 22};
      return true;
    case QuantType::kQ5_1:
      *out = {32, 24};
      return true;
    case QuantType::kQ8_0:
      *out = {32, 34};
      return true;
    case QuantType::kQ2_K:
      *out = {kQK, 84};
      return true;
    case QuantType::kQ3_K:
      *out = {kQK, 110};
      return true;
    case QuantType::kQ4_K:
      *out = {kQK, 144};
      return true;
    case QuantType::kQ5_K:
      *out = {kQK, 176};
      return true;
    case QuantType::kQ6_K:
      *out = {kQK, 210};
      return true;
    case QuantType::kQ8_K:
      *out = {kQK, 292};
      return true;
  }
  return false;
}

void DequantizeBlock(QuantType t, const uint8_t* block, float* out) {
  const float* h = Halves();
  switch (t) {
    case QuantType::kQ4_0:
      return Q4_0(block, out, h);
    case QuantType::kQ4_1:
      return Q4_1(block, out, h);
    case QuantType::kQ5_0:
      return Q5_0(block, out, h);
    case QuantType::kQ5_1:
      return Q5_1(block, out, h);
    case QuantType::kQ8_0:
      return Q8_0(block, out, h);
    case QuantType::kQ2_K:
      return Q2_K(block, out, h);
    case QuantType::kQ3_K:
      return Q3_K(block, out, h);
    case QuantType::kQ4_K:
      return Q4_K(block, out, h);
    case QuantType::kQ5_K:
      return Q5_K(block, out, h);
    case QuantType::kQ6_K:
      return Q6_K(block, out, h);
    case QuantType::kQ8_K:
      return Q8_K(block, out, h);
  }
}

void DequantizeRange(QuantType t, const uint8_t* blocks, int64_t firstElem, int64_t count, float* out) {
  QuantBlock qb{0, 0};
  if (count <= 0 || !QuantBlockOf(static_cast<int>(t), &qb)) return;
  float tmp[kQK];
  int64_t e = firstElem;
  const int64_t end = firstElem + count;
  while (e < end) {
    const int64_t block = e / qb.elems;
    const int64_t inBlock = e - block * qb.elems;
    const int64_t take = end - e < qb.elems - inBlock ? end - e : qb.elems - inBlock;
    const uint8_t* p = blocks + block * qb.bytes;
    if (inBlock == 0 && take == qb.elems) {
      DequantizeBlock(t, p, out);
    } else {
      DequantizeBlock(t, p, tmp);
      std::memcpy(out, tmp + inBlock, static_cast<size_t>(take) * sizeof(float));
    }
    out += take;
    e += take;
  }
}

}  // namespace arrayscope
