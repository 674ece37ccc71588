// Blocked float convolutions; see conv_kernels.h for the exactness contract.
//
// CONV_2D: the OHWI filter is repacked once per call into blocks of NR output channels,
// [group][block][ky][kx][k][NR], so that one vector load fetches the weights of NR output channels
// for one (tap, input channel). A tile computes MR output pixels x NR output channels in
// registers: for each tap and input channel it broadcasts each pixel's input value and adds
// value * weights to that pixel's NR sums. Each lane is one output element's own sequential sum,
// in the reference order. 1x1 / stride 1 convolutions (and FULLY_CONNECTED) are a matrix product
// over the flattened pixels; other convolutions tile along each output row, pixels whose window
// is clipped by the padding one at a time with their own tap range.
//
// DEPTHWISE_CONV_2D with multiplier 1: the filter [1, kh, kw, C] is already channel-innermost, so
// lanes are channels, one pixel at a time.
//
// Vectors are GCC/Clang vector extensions (plain C++ arithmetic on `Vec<W>`); on x86-64 the
// kernels are compiled three times, for the baseline ISA (4 floats), AVX2 (8) and AVX-512 (16),
// chosen at run time. No build uses FMA: the library is compiled with -ffp-contract=off, and
// neither target("avx2") nor target("avx512f") enables FMA.
#include "conv_kernels.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <vector>

#include "common.h"

#if defined(__GNUC__)
#define TFLC_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define TFLC_ALWAYS_INLINE inline
#endif

#if defined(__GNUC__) && defined(__x86_64__)
#define TFLC_CONV_X86_DISPATCH 1
#endif

namespace tflc::opset_builtin {
namespace {

// Vec<W>: W floats. GCC / Clang vector extensions: plain C++ arithmetic, one instruction per
// operation on a target with W-float registers.
#if defined(__GNUC__)
template <int W>
struct VecOf {
  typedef float type __attribute__((vector_size(W * sizeof(float))));
  typedef float unaligned __attribute__((vector_size(W * sizeof(float)), aligned(alignof(float)), may_alias));
};
template <int W>
using Vec = typename VecOf<W>::type;
// Unaligned, alias-safe loads and stores: one vector move each.
template <int W>
TFLC_ALWAYS_INLINE void Load(Vec<W>* v, const float* p) {
  *v = *reinterpret_cast<const typename VecOf<W>::unaligned*>(p);
}
template <int W>
TFLC_ALWAYS_INLINE void Store(float* p, const Vec<W>* v) {
  *reinterpret_cast<typename VecOf<W>::unaligned*>(p) = *v;
}
#else
// Portable stand-in: the same per-lane operations, left to the compiler's auto-vectorizer.
template <int W>
struct PortableVec {
  float v[W];
  PortableVec& operator+=(const PortableVec& o) {
    for (int i = 0; i < W; ++i) v[i] += o.v[i];
    return *this;
  }
  PortableVec& operator+=(float s) {
    for (int i = 0; i < W; ++i) v[i] += s;
    return *this;
  }
  friend PortableVec operator*(float s, const PortableVec& w) {
    PortableVec r;
    for (int i = 0; i < W; ++i) r.v[i] = s * w.v[i];
    return r;
  }
  friend PortableVec operator*(const PortableVec& a, float s) {
    PortableVec r;
    for (int i = 0; i < W; ++i) r.v[i] = a.v[i] * s;
    return r;
  }
  friend PortableVec operator*(const PortableVec& a, const PortableVec& w) {
    PortableVec r;
    for (int i = 0; i < W; ++i) r.v[i] = a.v[i] * w.v[i];
    return r;
  }
};
template <int W>
using Vec = PortableVec<W>;
template <int W>
TFLC_ALWAYS_INLINE void Load(Vec<W>* v, const float* p) { std::memcpy(v, p, sizeof(Vec<W>)); }
template <int W>
TFLC_ALWAYS_INLINE void Store(float* p, const Vec<W>* v) { std::memcpy(p, v, sizeof(Vec<W>)); }
#endif
template <int W>
TFLC_ALWAYS_INLINE void Zero(Vec<W>* v) { *v = Vec<W>{}; }

// The clamping activations (RELU, RELU_N1_TO_1, RELU6) are applied to the sums in registers,
// lane by lane with ApplyActivation's expressions; TANH and SIGN_BIT go through
// ApplyActivationInPlace over each finished output row.
TFLC_ALWAYS_INLINE bool InRegisters(int64_t act) {
  return act == kActRelu || act == kActReluN1To1 || act == kActRelu6;
}

template <int W>
TFLC_ALWAYS_INLINE void Clamp(int64_t act, Vec<W>* v) {
  if (!InRegisters(act)) return;
  float lo = act == kActReluN1To1 ? -1.f : 0.f;
  float hi = act == kActRelu6 ? 6.f : 1.f;
#if defined(__GNUC__)
  // x < lo ? lo : (x > hi ? hi : x) == max(lo, min(hi, x)) lane by lane, with the SSE operand
  // order: min(a, b) = a < b ? a : b and max(a, b) = a > b ? a : b return b (x) for NaN and for
  // -0 vs +0, as the reference does. Written so, GCC emits one minps / maxps for each -- unless
  // it sees a constant bound, then it compares and blends (3x the instructions): the empty asm
  // hides the values.
#if defined(__x86_64__)
  __asm__("" : "+x"(lo), "+x"(hi));
#endif
  Vec<W> x = *v;
  if (act != kActRelu) {
    const Vec<W> vhi = Vec<W>{} + hi;
    x = vhi < x ? vhi : x;
  }
  const Vec<W> vlo = Vec<W>{} + lo;
  *v = vlo > x ? vlo : x;
#else
  for (float& x : v->v) x = x < lo ? lo : (act == kActRelu ? x : (x > hi ? hi : x));
#endif
}

// [lo, hi): the taps t < k whose input coordinate start + t * dilation lies in [0, size).
TFLC_ALWAYS_INLINE void TapRange(int64_t start, int64_t k, int64_t dilation, int64_t size, int64_t* lo, int64_t* hi) {
  int64_t t = 0;
  while (t < k && start + t * dilation < 0) ++t;
  int64_t e = t;
  while (e < k && start + e * dilation < size) ++e;
  *lo = t;
  *hi = e;
}

// ---------------------------------------------------------------------------------------------
// CONV_2D tiles.

// Output columns ox .. ox + m - 1 of a row taken together: m pixels (up to `max_run`) whose
// windows all lie inside the input horizontally (taps [0, kw)), or one pixel whose window is
// clipped, with its tap range [kx_lo, kx_hi).
struct PixelRun {
  int64_t ox, m, kx_lo, kx_hi;
};
std::vector<PixelRun> PixelRuns(const ConvShape& s, int64_t max_run) {
  std::vector<PixelRun> runs;
  for (int64_t ox = 0; ox < s.ow;) {
    int64_t lo, hi;
    TapRange(ox * s.stride_w - s.pad_left, s.kw, s.dilation_w, s.iw, &lo, &hi);
    int64_t m = 1;
    if (lo == 0 && hi == s.kw) {
      while (m < max_run && ox + m < s.ow) {
        int64_t lo2, hi2;
        TapRange((ox + m) * s.stride_w - s.pad_left, s.kw, s.dilation_w, s.iw, &lo2, &hi2);
        if (lo2 != 0 || hi2 != s.kw) break;
        ++m;
      }
    }
    runs.push_back({ox, m, lo, hi});
    ox += m;
  }
  return runs;
}

struct Tile {
  int64_t nky = 0, nkx = 0, kc = 0;  // taps and input channels summed, in this order
  int64_t in_ky = 0, in_kx = 0;      // input element offset from one tap row / column to the next
  int64_t w_ky = 0, w_kx = 0;        // packed filter offset likewise
};

// o[p][0..nr) = (bias +) sum over taps and k of a[p][tap + k] * w[tap][k][0..nr), for p < m.
// Pointers for p >= m repeat a valid pixel: the tile always computes MR pixels.
template <int W, int NV, int MR>
TFLC_ALWAYS_INLINE void ConvTile(const Tile& t, const float* const* a, const float* w, const float* bias,
                                 int64_t act, float* const* o, int m, int64_t nr) {
  constexpr int kNr = NV * W;
  Vec<W> acc[MR][NV];
  for (int p = 0; p < MR; ++p) {
    for (int v = 0; v < NV; ++v) Zero<W>(&acc[p][v]);
  }
  for (int64_t ky = 0; ky < t.nky; ++ky) {
    for (int64_t kx = 0; kx < t.nkx; ++kx) {
      const int64_t off = ky * t.in_ky + kx * t.in_kx;
      const float* ap[MR];
      for (int p = 0; p < MR; ++p) ap[p] = a[p] + off;
      const float* wp = w + ky * t.w_ky + kx * t.w_kx;
      for (int64_t k = 0; k < t.kc; ++k, wp += kNr) {
        Vec<W> wv[NV];
        for (int v = 0; v < NV; ++v) Load<W>(&wv[v], wp + v * W);
#pragma GCC unroll 16
        for (int p = 0; p < MR; ++p) {
          const float x = ap[p][k];
#pragma GCC unroll 4
          for (int v = 0; v < NV; ++v) acc[p][v] += x * wv[v];
        }
      }
    }
  }
  if (bias) {
    Vec<W> bv[NV];
    for (int v = 0; v < NV; ++v) Load<W>(&bv[v], bias + v * W);
#pragma GCC unroll 16
    for (int p = 0; p < MR; ++p) {
      for (int v = 0; v < NV; ++v) acc[p][v] += bv[v];
    }
  }
#pragma GCC unroll 16
  for (int p = 0; p < MR; ++p) {
    for (int v = 0; v < NV; ++v) Clamp<W>(act, &acc[p][v]);
  }
#pragma GCC unroll 16
  for (int p = 0; p < MR; ++p) {
    if (p >= m) continue;  // (no early exit: acc stays in registers)
    if (nr == kNr) {
      for (int v = 0; v < NV; ++v) Store<W>(o[p] + v * W, &acc[p][v]);
    } else {
      float tmp[kNr];
      for (int v = 0; v < NV; ++v) Store<W>(tmp + v * W, &acc[p][v]);
      std::memcpy(o[p], tmp, static_cast<size_t>(nr) * sizeof(float));
    }
  }
}

// The filter and bias regrouped for tiles of NR output channels (zero-padded lanes).
struct PackedConv {
  int64_t groups = 1, oc_per_group = 0, blocks = 0, block_size = 0;
  const float* filter = nullptr;  // [group][block][ky][kx][k][NR]
  const float* bias = nullptr;    // [group][block][NR]; null without bias
};

// Packing scratch: reused by the calls of one thread (calibration repacks every filter for every
// sample); a buffer above kKeepFloats is freed after the call.
constexpr size_t kKeepFloats = size_t{1} << 20;

class PackBuffer {
 public:
  explicit PackBuffer(size_t n) : v_(Local()) {
    if (v_.size() < n) v_.resize(n);
  }
  ~PackBuffer() {
    if (v_.size() > kKeepFloats) std::vector<float>().swap(v_);
  }
  float* data() { return v_.data(); }

 private:
  static std::vector<float>& Local() {
    thread_local std::vector<float> v;
    return v;
  }
  std::vector<float>& v_;
};

// Fills `buf` (at least PackedSize floats) and returns the views into it.
size_t PackedSize(const ConvShape& s, int64_t nr, bool bias) {
  const int64_t groups = s.ic / s.kc, ocpg = s.oc / groups, blocks = (ocpg + nr - 1) / nr;
  return static_cast<size_t>(groups * blocks * (s.kh * s.kw * s.kc * nr + (bias ? nr : 0)));
}

PackedConv Pack(const ConvShape& s, const float* filter, const float* bias, int64_t nr, float* buf) {
  PackedConv pk;
  pk.groups = s.ic / s.kc;
  pk.oc_per_group = s.oc / pk.groups;
  pk.blocks = (pk.oc_per_group + nr - 1) / nr;
  const int64_t tk_count = s.kh * s.kw * s.kc;  // floats per output channel: [tap][k]
  pk.block_size = tk_count * nr;
  float* packed_filter = buf;
  float* packed_bias = buf + pk.groups * pk.blocks * pk.block_size;
  for (int64_t g = 0; g < pk.groups; ++g) {
    for (int64_t b = 0; b < pk.blocks; ++b) {
      float* dst = packed_filter + (g * pk.blocks + b) * pk.block_size;
      const int64_t oc0 = g * pk.oc_per_group + b * nr;
      const int64_t lanes = std::min(nr, pk.oc_per_group - b * nr);
      const float* src = filter + oc0 * tk_count;
      for (int64_t tk = 0; tk < tk_count; ++tk, dst += nr) {
        int64_t l = 0;
        for (; l < lanes; ++l) dst[l] = src[l * tk_count + tk];
        for (; l < nr; ++l) dst[l] = 0.f;
      }
      if (bias) {
        float* bd = packed_bias + (g * pk.blocks + b) * nr;
        int64_t l = 0;
        for (; l < lanes; ++l) bd[l] = bias[oc0 + l];
        for (; l < nr; ++l) bd[l] = 0.f;
      }
    }
  }
  pk.filter = packed_filter;
  pk.bias = bias ? packed_bias : nullptr;
  return pk;
}

// A 1x1 / stride 1 convolution: a matrix product over the flattened pixels.
TFLC_ALWAYS_INLINE bool IsPointwise(const ConvShape& s) {
  return s.kh == 1 && s.kw == 1 && s.stride_h == 1 && s.stride_w == 1 && s.pad_top == 0 && s.pad_left == 0 &&
         s.oh == s.ih && s.ow == s.iw;
}

// 1x1 convolutions with at least 4x more output channels than pixels (late layers, whose
// filters are the largest): the lanes are PV * W pixels instead of output channels, so the
// smaller operand, the input, is the one regrouped ([pixel block][k][pixel]); the OHWI filter rows
// are read in place, J output channels at a time. Each lane is still one output element's
// sequential sum. (With fewer channels the scattered stores cost more than packing the filter.)
template <int W, int PV, int J>
TFLC_ALWAYS_INLINE void PointwisePixelLanes(const ConvShape& s, const float* in, const float* filter,
                                            const float* bias, int64_t act, float* out) {
  constexpr int kPx = PV * W;
  const int64_t pixels = s.n * s.oh * s.ow, depth = s.kc, oc = s.oc;
  const int64_t blocks = (pixels + kPx - 1) / kPx;
  PackBuffer buf(static_cast<size_t>(blocks * depth * kPx));
  float* tin = buf.data();
  for (int64_t blk = 0; blk < blocks; ++blk) {
    float* dst = tin + blk * depth * kPx;
    for (int64_t i = 0; i < kPx; ++i) {
      const int64_t pixel = blk * kPx + i;
      if (pixel < pixels) {
        const float* src = in + pixel * depth;
        for (int64_t k = 0; k < depth; ++k) dst[k * kPx + i] = src[k];
      } else {
        for (int64_t k = 0; k < depth; ++k) dst[k * kPx + i] = 0.f;
      }
    }
  }
  for (int64_t blk = 0; blk < blocks; ++blk) {
    const float* tb = tin + blk * depth * kPx;
    for (int64_t oc0 = 0; oc0 < oc; oc0 += J) {
      const int jm = static_cast<int>(std::min<int64_t>(J, oc - oc0));
      const float* w[J];
      for (int j = 0; j < J; ++j) w[j] = filter + (oc0 + std::min(j, jm - 1)) * depth;
      Vec<W> acc[J][PV];
      for (int j = 0; j < J; ++j) {
        for (int v = 0; v < PV; ++v) Zero<W>(&acc[j][v]);
      }
      for (int64_t k = 0; k < depth; ++k) {
        Vec<W> x[PV];
        for (int v = 0; v < PV; ++v) Load<W>(&x[v], tb + k * kPx + v * W);
#pragma GCC unroll 16
        for (int j = 0; j < J; ++j) {
          const float wk = w[j][k];
          for (int v = 0; v < PV; ++v) acc[j][v] += x[v] * wk;
        }
      }
      for (int j = 0; j < jm; ++j) {
        for (int v = 0; v < PV; ++v) {
          if (bias) acc[j][v] += bias[oc0 + j];  // a scalar operand is splat, not added to 0
          Clamp<W>(act, &acc[j][v]);
          float tmp[W];
          Store<W>(tmp, &acc[j][v]);
          for (int i = 0; i < W; ++i) {
            const int64_t pixel = blk * kPx + v * W + i;
            if (pixel < pixels) out[pixel * oc + oc0 + j] = tmp[i];
          }
        }
      }
    }
  }
  if (!InRegisters(act)) ApplyActivationInPlace(act, out, pixels * oc);
}

// Pixels per chunk of the 1x1 path: the chunk's outputs stay in cache for the activation pass.
constexpr int64_t kPointwiseChunk = 96;

template <int W, int NV, int MR>
TFLC_ALWAYS_INLINE void Conv2DBlocked(const ConvShape& s, const float* in, const PackedConv& pk, int64_t act,
                                      float* out) {
  constexpr int kNr = NV * W;
  const float* bias = pk.bias;
  const float* a[MR];
  float* o[MR];
  if (IsPointwise(s)) {
    // out[pixel][oc] = sum_k in[pixel][k] * w[oc][k] over all pixels of all images.
    Tile t;
    t.nky = t.nkx = 1;
    t.kc = s.kc;
    const int64_t total = s.n * s.oh * s.ow;
    for (int64_t p0 = 0; p0 < total; p0 += kPointwiseChunk) {
      const int64_t chunk = std::min(kPointwiseChunk, total - p0);
      for (int64_t g = 0; g < pk.groups; ++g) {
        for (int64_t b = 0; b < pk.blocks; ++b) {
          const float* w = pk.filter + (g * pk.blocks + b) * pk.block_size;
          const float* bb = bias ? bias + (g * pk.blocks + b) * kNr : nullptr;
          const int64_t oc0 = g * pk.oc_per_group + b * kNr;
          const int64_t nr = std::min<int64_t>(kNr, pk.oc_per_group - b * kNr);
          for (int64_t q = 0; q < chunk; q += MR) {
            const int m = static_cast<int>(std::min<int64_t>(MR, chunk - q));
            for (int p = 0; p < MR; ++p) {
              const int64_t pixel = p0 + q + std::min(p, m - 1);
              a[p] = in + pixel * s.ic + g * s.kc;
              o[p] = out + pixel * s.oc + oc0;
            }
            ConvTile<W, NV, MR>(t, a, w, bb, act, o, m, nr);
          }
        }
      }
      if (!InRegisters(act)) ApplyActivationInPlace(act, out + p0 * s.oc, chunk * s.oc);
    }
    return;
  }

  // Per output row: runs of up to MR pixels whose whole window is inside the input share a tile;
  // a pixel whose window is clipped horizontally gets a tile of its own with its tap range.
  const std::vector<PixelRun> runs = PixelRuns(s, MR);
  Tile t;
  t.kc = s.kc;
  t.in_ky = s.dilation_h * s.iw * s.ic;
  t.in_kx = s.dilation_w * s.ic;
  t.w_ky = s.kw * s.kc * kNr;
  t.w_kx = s.kc * kNr;
  for (int64_t n = 0; n < s.n; ++n) {
    for (int64_t oy = 0; oy < s.oh; ++oy) {
      const int64_t iy0 = oy * s.stride_h - s.pad_top;
      int64_t ky_lo, ky_hi;
      TapRange(iy0, s.kh, s.dilation_h, s.ih, &ky_lo, &ky_hi);
      float* out_row = out + (n * s.oh + oy) * s.ow * s.oc;
      for (int64_t g = 0; g < pk.groups; ++g) {
        for (int64_t b = 0; b < pk.blocks; ++b) {
          const float* wb = pk.filter + (g * pk.blocks + b) * pk.block_size;
          const float* bb = bias ? bias + (g * pk.blocks + b) * kNr : nullptr;
          const int64_t oc0 = g * pk.oc_per_group + b * kNr;
          const int64_t nr = std::min<int64_t>(kNr, pk.oc_per_group - b * kNr);
          for (const PixelRun& r : runs) {
            t.nky = ky_hi - ky_lo;
            t.nkx = r.kx_hi - r.kx_lo;
            const float* w = wb + ky_lo * t.w_ky + r.kx_lo * t.w_kx;
            const bool empty = t.nky <= 0 || t.nkx <= 0;
            for (int p = 0; p < MR; ++p) {
              const int64_t ox = r.ox + std::min<int64_t>(p, r.m - 1);
              const int64_t iy = iy0 + ky_lo * s.dilation_h;
              const int64_t ix = ox * s.stride_w - s.pad_left + r.kx_lo * s.dilation_w;
              a[p] = empty ? in : in + ((n * s.ih + iy) * s.iw + ix) * s.ic + g * s.kc;
              o[p] = out_row + ox * s.oc + oc0;
            }
            if (r.m == 1 && MR > 1) {
              ConvTile<W, NV, 1>(t, a, w, bb, act, o, 1, nr);
            } else {
              ConvTile<W, NV, MR>(t, a, w, bb, act, o, static_cast<int>(r.m), nr);
            }
          }
        }
      }
      if (!InRegisters(act)) ApplyActivationInPlace(act, out_row, s.ow * s.oc);
    }
  }
}

// One vector of output channels per tile row (and more pixels), or two.
template <int W, int kMrWide, int kMrNarrow, int kPv, int kJ>
TFLC_ALWAYS_INLINE void Conv2DDispatch(const ConvShape& s, const float* in, const float* filter, const float* bias,
                                       int64_t act, float* out) {
  const int64_t pixels = s.n * s.oh * s.ow;
  if (s.kc == s.ic && IsPointwise(s) && pixels >= kPv * W && pixels * 4 < s.oc) {
    PointwisePixelLanes<W, kPv, kJ>(s, in, filter, bias, act, out);
    return;
  }
  const int64_t oc_per_group = s.oc / (s.ic / s.kc);
  // Two vectors of output channels per tile unless one wastes fewer lanes (24 channels: 3 x 8
  // rather than 2 x 16 with 8 idle).
  const int64_t padded1 = (oc_per_group + W - 1) / W * W, padded2 = (oc_per_group + 2 * W - 1) / (2 * W) * (2 * W);
  const int64_t nr = padded1 < padded2 ? W : 2 * W;
  PackBuffer buf(PackedSize(s, nr, bias != nullptr));
  const PackedConv pk = Pack(s, filter, bias, nr, buf.data());
  if (nr == W) {
    Conv2DBlocked<W, 1, kMrNarrow>(s, in, pk, act, out);
  } else {
    Conv2DBlocked<W, 2, kMrWide>(s, in, pk, act, out);
  }
}

// ---------------------------------------------------------------------------------------------
// DEPTHWISE_CONV_2D, multiplier 1.

// Up to R consecutive output pixels of one row sharing their tap range [ky_lo, ky_lo + nky) x
// [kx_lo, kx_lo + nkx): `in0` is pixel 0's input at tap (ky_lo, kx_lo), `f0` the filter there,
// `pstride` the input distance between neighbouring pixels. Lanes are channels; the R pixels are
// independent sums in flight, sharing each filter load.
template <int W, int R>
TFLC_ALWAYS_INLINE void DepthwiseTile(const ConvShape& s, const float* in0, int64_t pstride, int m, const float* f0,
                                      const float* bias, int64_t act, float* o0, int64_t nky, int64_t nkx) {
  const int64_t C = s.oc;
  const int64_t in_ky = s.dilation_h * s.iw * C, in_kx = s.dilation_w * C;
  const int64_t f_ky = s.kw * C;
  int64_t off[R];
  for (int r = 0; r < R; ++r) off[r] = std::min(r, m - 1) * pstride;
  int64_t c = 0;
  for (; c + W <= C; c += W) {
    Vec<W> acc[R];
    for (int r = 0; r < R; ++r) Zero<W>(&acc[r]);
    for (int64_t ky = 0; ky < nky; ++ky) {
      for (int64_t kx = 0; kx < nkx; ++kx) {
        Vec<W> f;
        Load<W>(&f, f0 + ky * f_ky + kx * C + c);
        const float* ip = in0 + ky * in_ky + kx * in_kx + c;
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r) {
          Vec<W> x;
          Load<W>(&x, ip + off[r]);
          acc[r] += x * f;
        }
      }
    }
    if (bias) {
      Vec<W> b;
      Load<W>(&b, bias + c);
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) acc[r] += b;
    }
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      Clamp<W>(act, &acc[r]);
      if (r < m) Store<W>(o0 + r * C + c, &acc[r]);  // (no early exit: acc stays in registers)
    }
  }
  for (; c < C; ++c) {  // channels past the last full vector
    for (int r = 0; r < m; ++r) {
      float sum = 0.f;
      for (int64_t ky = 0; ky < nky; ++ky) {
        for (int64_t kx = 0; kx < nkx; ++kx) {
          sum += in0[off[r] + ky * in_ky + kx * in_kx + c] * f0[ky * f_ky + kx * C + c];
        }
      }
      if (bias) sum += bias[c];
      o0[r * C + c] = InRegisters(act) ? ApplyActivation(act, sum) : sum;
    }
  }
}

template <int W, int R>
TFLC_ALWAYS_INLINE void DepthwiseImpl(const ConvShape& s, const float* in, const float* filter, const float* bias,
                                      int64_t act, float* out) {
  const int64_t C = s.oc;
  // The same runs for every output row: up to R pixels whose window is not clipped horizontally,
  // or one clipped pixel with its own tap range.
  const std::vector<PixelRun> runs = PixelRuns(s, R);
  for (int64_t n = 0; n < s.n; ++n) {
    for (int64_t oy = 0; oy < s.oh; ++oy) {
      const int64_t iy0 = oy * s.stride_h - s.pad_top;
      int64_t ky_lo, ky_hi;
      TapRange(iy0, s.kh, s.dilation_h, s.ih, &ky_lo, &ky_hi);
      float* out_row = out + (n * s.oh + oy) * s.ow * C;
      for (const PixelRun& r : runs) {
        const int64_t nky = std::max<int64_t>(0, ky_hi - ky_lo), nkx = std::max<int64_t>(0, r.kx_hi - r.kx_lo);
        const float* in0 =
            nky == 0 || nkx == 0
                ? in
                : in + ((n * s.ih + iy0 + ky_lo * s.dilation_h) * s.iw + r.ox * s.stride_w - s.pad_left +
                        r.kx_lo * s.dilation_w) * C;
        const float* f0 = filter + (ky_lo * s.kw + r.kx_lo) * C;
        if (r.m == 1) {
          DepthwiseTile<W, 1>(s, in0, 0, 1, f0, bias, act, out_row + r.ox * C, nky, nkx);
        } else {
          DepthwiseTile<W, R>(s, in0, s.stride_w * C, static_cast<int>(r.m), f0, bias, act, out_row + r.ox * C, nky,
                              nkx);
        }
      }
      if (!InRegisters(act)) ApplyActivationInPlace(act, out_row, s.ow * C);
    }
  }
}

// Any multiplier: the reference loop, with the activation applied per output row.
void DepthwiseGeneric(const ConvShape& s, const float* in, const float* filter, const float* bias, int64_t act,
                      float* out) {
  const int64_t multiplier = s.oc / s.ic;
  for (int64_t b = 0; b < s.n; ++b) {
    for (int64_t oy = 0; oy < s.oh; ++oy) {
      float* out_row = out + (b * s.oh + oy) * s.ow * s.oc;
      for (int64_t ox = 0; ox < s.ow; ++ox) {
        for (int64_t oc = 0; oc < s.oc; ++oc) {
          const int64_t ic = oc / multiplier;
          float sum = 0.f;
          for (int64_t ky = 0; ky < s.kh; ++ky) {
            const int64_t iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
            if (iy < 0 || iy >= s.ih) continue;
            for (int64_t kx = 0; kx < s.kw; ++kx) {
              const int64_t ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
              if (ix < 0 || ix >= s.iw) continue;
              sum += in[((b * s.ih + iy) * s.iw + ix) * s.ic + ic] * filter[(ky * s.kw + kx) * s.oc + oc];
            }
          }
          if (bias) sum += bias[oc];
          out_row[ox * s.oc + oc] = sum;
        }
      }
      ApplyActivationInPlace(act, out_row, s.ow * s.oc);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// ISA variants: W-float vectors, 4 (SSE, every x86-64; also the portable build), 8 (AVX2) and
// 16 (AVX-512). The tile sizes keep the accumulators, the weights, a broadcast input and a
// product in the vector registers (16 below AVX-512, 32 with it) and the pixel pointers in
// general registers: a spilled accumulator costs a store-to-load round trip per multiply-add.
// All variants do the same float operations per output element, so they give the same bits.

#if defined(TFLC_CONV_X86_DISPATCH)
__attribute__((target("avx2"))) void Conv2DAvx2(const ConvShape& s, const float* in, const float* filter,
                                                const float* bias, int64_t act, float* out) {
  Conv2DDispatch<8, 5, 8, 2, 5>(s, in, filter, bias, act, out);
}
__attribute__((target("avx2"))) void DepthwiseAvx2(const ConvShape& s, const float* in, const float* filter,
                                                   const float* bias, int64_t act, float* out) {
  DepthwiseImpl<8, 8>(s, in, filter, bias, act, out);
}
__attribute__((target("avx512f"))) void Conv2DAvx512(const ConvShape& s, const float* in, const float* filter,
                                                     const float* bias, int64_t act, float* out) {
  Conv2DDispatch<16, 8, 12, 1, 12>(s, in, filter, bias, act, out);
}
__attribute__((target("avx512f"))) void DepthwiseAvx512(const ConvShape& s, const float* in, const float* filter,
                                                        const float* bias, int64_t act, float* out) {
  DepthwiseImpl<16, 8>(s, in, filter, bias, act, out);
}
#endif

std::atomic<int> isa_limit{2};

// 0: baseline, 1: AVX2, 2: AVX-512 (the best this CPU has, within the testing limit).
int Isa() {
#if defined(TFLC_CONV_X86_DISPATCH)
  static const int best = __builtin_cpu_supports("avx512f") ? 2 : __builtin_cpu_supports("avx2") ? 1 : 0;
  return std::min(best, isa_limit.load(std::memory_order_relaxed));
#else
  return 0;
#endif
}

}  // namespace

void Conv2DFloat(const ConvShape& s, const float* in, const float* filter, const float* bias, int64_t act,
                 float* out) {
  if (s.n * s.oh * s.ow * s.oc == 0) return;
#if defined(TFLC_CONV_X86_DISPATCH)
  const int isa = Isa();
  // Groups of up to 8 output channels would leave half of a 16-float vector idle.
  if (isa == 2 && s.oc / (s.ic / s.kc) > 8) return Conv2DAvx512(s, in, filter, bias, act, out);
  if (isa >= 1) return Conv2DAvx2(s, in, filter, bias, act, out);
#endif
  Conv2DDispatch<4, 5, 8, 2, 5>(s, in, filter, bias, act, out);
}

void DepthwiseConv2DFloat(const ConvShape& s, const float* in, const float* filter, const float* bias, int64_t act,
                          float* out) {
  if (s.n * s.oh * s.ow * s.oc == 0) return;
  if (s.oc != s.ic) return DepthwiseGeneric(s, in, filter, bias, act, out);
#if defined(TFLC_CONV_X86_DISPATCH)
  const int isa = Isa();
  if (isa == 2 && s.oc >= 16) return DepthwiseAvx512(s, in, filter, bias, act, out);
  if (isa >= 1) return DepthwiseAvx2(s, in, filter, bias, act, out);
#endif
  DepthwiseImpl<4, 8>(s, in, filter, bias, act, out);
}

void LimitConvKernelIsaForTesting(int max_isa) { isa_limit = max_isa; }

void ApplyActivationInPlace(int64_t act, float* x, int64_t n) {
  // Each case is ApplyActivation's expression for that activation.
  switch (act) {
    case kActRelu:
      for (int64_t i = 0; i < n; ++i) x[i] = x[i] < 0.f ? 0.f : x[i];
      break;
    case kActReluN1To1:
      for (int64_t i = 0; i < n; ++i) x[i] = x[i] < -1.f ? -1.f : (x[i] > 1.f ? 1.f : x[i]);
      break;
    case kActRelu6:
      for (int64_t i = 0; i < n; ++i) x[i] = x[i] < 0.f ? 0.f : (x[i] > 6.f ? 6.f : x[i]);
      break;
    case kActTanh:
      for (int64_t i = 0; i < n; ++i) x[i] = std::tanh(x[i]);
      break;
    case kActSignBit:
      for (int64_t i = 0; i < n; ++i) x[i] = std::signbit(x[i]) ? 1.f : 0.f;
      break;
    default:
      break;
  }
}

}  // namespace tflc::opset_builtin
