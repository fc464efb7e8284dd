// Find: byte patterns under a mask (wildcards) or typed values in a range, forwards or backwards from any
// position, optionally only at element boundaries. The range is cut into chunks in search order that all
// threads take in turn; the match is the one in the earliest chunk (in search order) that has any, so the
// answer is the same as a single thread's. In mode r the file's holes are skipped when zeros cannot match.
#include <algorithm>
#include <cstring>

#include "scan_ops.h"

#ifndef _WIN32
#include <unistd.h>
#endif

namespace arrayscope {
namespace {

// Ranges of match positions worth searching in [from, last): all of it, or, when zeros cannot match and the
// file has holes, only positions whose bytes [p, p + len) touch a data extent.
std::vector<std::pair<int64_t, int64_t>> FindSegments(const FindSpec& job, int holeFd, int64_t last,
                                                      int64_t len, bool zerosMatch) {
  std::vector<std::pair<int64_t, int64_t>> segs;
  if (job.from >= last) return segs;
#if defined(SEEK_DATA) && defined(SEEK_HOLE)
  if (holeFd >= 0 && !zerosMatch) {
    int64_t pos = std::max<int64_t>(0, job.from - len + 1);
    const int64_t end = last + len - 1;  // the bytes any position in range can touch
    while (pos < end) {
      const off_t d = lseek(holeFd, pos, SEEK_DATA);
      if (d < 0) break;  // ENXIO: no data after pos
      off_t h = lseek(holeFd, d, SEEK_HOLE);
      if (h < 0) h = end;
      const int64_t s = std::max<int64_t>(job.from, d - len + 1), e = std::min<int64_t>(last, h);
      if (s < e) {
        if (!segs.empty() && s <= segs.back().second)
          segs.back().second = std::max(segs.back().second, e);
        else
          segs.emplace_back(s, e);
      }
      pos = h;
    }
    return segs;
  }
#else
  (void)holeFd;
  (void)len;
  (void)zerosMatch;
#endif
  segs.emplace_back(job.from, last);
  return segs;
}

inline bool AlignedAt(const FindSpec& job, int64_t p) {
  if (job.alignStep <= 1) return true;
  const int64_t r = (p - job.alignBase) % job.alignStep;
  return r == 0;
}

// First aligned position >= p (or, down, last aligned position <= p).
inline int64_t AlignUp(const FindSpec& job, int64_t p) {
  if (job.alignStep <= 1) return p;
  int64_t r = (p - job.alignBase) % job.alignStep;
  if (r < 0) r += job.alignStep;
  return r == 0 ? p : p + (job.alignStep - r);
}
inline int64_t AlignDown(const FindSpec& job, int64_t p) {
  if (job.alignStep <= 1) return p;
  int64_t r = (p - job.alignBase) % job.alignStep;
  if (r < 0) r += job.alignStep;
  return p - r;
}

inline const uint8_t* LastByte(const uint8_t* p, int c, size_t n) {
#ifdef __GLIBC__
  return static_cast<const uint8_t*>(memrchr(p, c, n));
#else
  while (n-- > 0)
    if (p[n] == c) return p + n;
  return nullptr;
#endif
}

// Byte pattern with a mask: an anchor byte (fully masked, preferably not 0x00/0xFF) is found with memchr /
// memrchr, the rest compared at each hit. Returns the match in positions [c0, c1) nearest the search's start.
struct BytesMatcher {
  const uint8_t* data;
  const FindSpec& job;
  int64_t anchor = -1;
  BytesMatcher(const uint8_t* d, const FindSpec& j) : data(d), job(j) {
    for (size_t i = 0; i < j.pattern.size(); ++i) {
      if (j.mask[i] != 0xff) continue;
      if (anchor < 0 || ((j.pattern[anchor] == 0 || j.pattern[anchor] == 0xff) && j.pattern[i] != 0 &&
                         j.pattern[i] != 0xff))
        anchor = static_cast<int64_t>(i);
    }
  }
  bool At(int64_t p) const {
    const uint8_t* q = data + p;
    for (size_t i = 0; i < job.pattern.size(); ++i)
      if ((q[i] & job.mask[i]) != job.pattern[i]) return false;
    return AlignedAt(job, p);
  }
  int64_t Search(int64_t c0, int64_t c1) const {
    if (anchor < 0) {  // no whole byte to look for (nibble masks only): try every aligned position
      const int64_t step = std::max<int64_t>(1, job.alignStep);
      if (!job.backwards) {
        for (int64_t p = AlignUp(job, c0); p < c1; p += step)
          if (At(p)) return p;
      } else {
        for (int64_t p = AlignDown(job, c1 - 1); p >= c0; p -= step)
          if (At(p)) return p;
      }
      return -1;
    }
    const int a = job.pattern[anchor];
    const uint8_t* lo = data + c0 + anchor;
    size_t n = static_cast<size_t>(c1 - c0);
    if (!job.backwards) {
      while (n > 0) {
        const uint8_t* hit = static_cast<const uint8_t*>(std::memchr(lo, a, n));
        if (hit == nullptr) return -1;
        const int64_t p = (hit - data) - anchor;
        if (At(p)) return p;
        n -= static_cast<size_t>(hit + 1 - lo);
        lo = hit + 1;
      }
    } else {
      while (n > 0) {
        const uint8_t* hit = LastByte(lo, a, n);
        if (hit == nullptr) return -1;
        const int64_t p = (hit - data) - anchor;
        if (At(p)) return p;
        n = static_cast<size_t>(hit - lo);
      }
    }
    return -1;
  }
};

// A value of type E within [lo, hi] at aligned positions in [c0, c1).
template <Elem E>
int64_t SearchValue(const uint8_t* data, const FindSpec& job, int64_t c0, int64_t c1) {
  const int64_t step = std::max<int64_t>(1, job.alignStep);
  if (!job.backwards) {
    for (int64_t p = AlignUp(job, c0); p < c1; p += step) {
      const double x = Decode<E>(data + p, job.swap);
      if (x >= job.lo && x <= job.hi) return p;
    }
  } else {
    for (int64_t p = AlignDown(job, c1 - 1); p >= c0; p -= step) {
      const double x = Decode<E>(data + p, job.swap);
      if (x >= job.lo && x <= job.hi) return p;
    }
  }
  return -1;
}

// A chunk of positions [c0, c1) and the progress it stands for (its positions and the hole skipped before
// it).
struct FindChunk {
  int64_t c0, c1, weight;
};

// Runs search(c0, c1) over the segments in chunks in search order on every thread, under the guard, with
// progress and cancellation between chunks. Returns the match of the earliest chunk that has one.
template <typename S>
int64_t SearchChunks(const MapInfo& map, ScanState& state, const FindSpec& job, int64_t len, bool zerosMatch,
                     int threads, S&& search) {
  const int64_t last = std::max<int64_t>(job.from, std::min<int64_t>(job.to, map.size - len + 1));
  // a gated find (a copy being filled beside it): its holes are parts not written yet, not zeros to skip
  const int holeFd = map.readOnly && state.ready == nullptr ? map.fd : -1;
  const auto segs = FindSegments(job, holeFd, last, len, zerosMatch);
  int64_t total = 0;
  for (auto [s, e] : segs) total += e - s;
  const int64_t step = std::max<int64_t>(int64_t{1} << 20, (total + (1 << 18) - 1) >> 18);
  std::vector<FindChunk> chunks;
  int64_t reached = job.backwards ? last : job.from;  // for progress: how far the search has come
  const size_t ns = segs.size();
  for (size_t k = 0; k < ns; ++k) {
    const auto [s, e] = segs[job.backwards ? ns - 1 - k : k];
    for (int64_t i = 0; i < e - s; i += step) {
      const int64_t c0 = job.backwards ? std::max(s, e - i - step) : s + i;
      const int64_t c1 = job.backwards ? e - i : std::min(e, s + i + step);
      const int64_t to = job.backwards ? c0 : c1;
      chunks.push_back({c0, c1, job.backwards ? reached - to : to - reached});
      reached = to;
    }
  }
  const int64_t tailWeight =
      job.backwards ? reached - job.from : last - reached;  // a hole after the last data

  // Each chunk's match (-1: none), written by whichever thread searched it. Chunks are handed out in order,
  // so when chunk k matches, every chunk before it is taken already: the pass stops handing out more.
  std::vector<int64_t> found(chunks.size(), -1);
  PassPlan plan;
  plan.threads = threads;
  plan.chunks = static_cast<int64_t>(chunks.size());
  plan.needEnd = last > job.from ? last + len - 1 : 0;
  plan.ranges = [&](int64_t k, std::vector<ByteRange>& out) {
    out.assign(1, {chunks[k].c0, std::min(map.size, chunks[k].c1 + len - 1)});
  };
  RunPass(map, state, plan, [&](int64_t k, int) {
    found[k] = search(chunks[k].c0, chunks[k].c1);
    state.done.fetch_add(chunks[k].weight, std::memory_order_relaxed);
    return found[k] < 0;
  });
  for (int64_t f : found)
    if (f >= 0) return f;
  if (!state.cancel.load()) state.done.fetch_add(tailWeight, std::memory_order_relaxed);
  return -1;
}

}  // namespace

FindResult RunFind(const MapInfo& map, ScanState& state, const FindSpec& spec, int threads) {
  if (spec.bytes) {
    bool zeros = true;
    for (uint8_t b : spec.pattern) zeros = zeros && b == 0;
    const BytesMatcher m(map.data, spec);
    return {SearchChunks(map, state, spec, static_cast<int64_t>(spec.pattern.size()), zeros, threads,
                         [&](int64_t c0, int64_t c1) { return m.Search(c0, c1); })};
  }
  const bool zeros = spec.lo <= 0 && 0 <= spec.hi;
  int64_t out = -1;
  WithElem(spec.elem, [&](auto e) {
    out = SearchChunks(map, state, spec, ItemSize(spec.elem), zeros, threads, [&](int64_t c0, int64_t c1) {
      return SearchValue<decltype(e)::value>(map.data, spec, c0, c1);
    });
  });
  return {out};
}

}  // namespace arrayscope
