// Float convolution kernels behind CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED.
//
// They run constant folding and post-training calibration, so they are on the converter's hot
// path, and golden tests depend on their exact results. Every output element is computed with
// the same sequence of float operations as the plain reference loop:
//   sum = 0.f; for ky, for kx (out-of-bounds taps skipped), for k: sum += in * w;
//   if (bias) sum += bias; out = activation(sum)
// The speed comes from doing many such sums side by side (one output channel per SIMD lane, a
// block of output pixels in registers), never from reordering one sum. The kernels are compiled
// with -ffp-contract=off (no fused multiply-add) and without -ffast-math; on x86-64, AVX2 and
// AVX-512 builds of them are selected at run time on CPUs that have them, with bit-identical
// results.
#ifndef TFLC_PLUGINS_OPSET_BUILTIN_SRC_CONV_KERNELS_H_
#define TFLC_PLUGINS_OPSET_BUILTIN_SRC_CONV_KERNELS_H_

#include <cstdint>

namespace tflc::opset_builtin {

// NHWC geometry of a convolution. CONV_2D: filter OHWI [oc, kh, kw, kc] with groups = ic / kc.
// DEPTHWISE_CONV_2D: filter [1, kh, kw, oc] with oc = ic * multiplier (kc unused).
struct ConvShape {
  int64_t n = 0, ih = 0, iw = 0, ic = 0;
  int64_t oh = 0, ow = 0, oc = 0;
  int64_t kh = 0, kw = 0, kc = 0;
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0;
};

// out [n, oh, ow, oc] = act(conv(in, filter) + bias); bias may be null. Thread-safe: scratch is
// allocated per call.
void Conv2DFloat(const ConvShape& s, const float* in, const float* filter, const float* bias, int64_t act,
                 float* out);
void DepthwiseConv2DFloat(const ConvShape& s, const float* in, const float* filter, const float* bias,
                          int64_t act, float* out);

// Tests only: the widest build the dispatchers may pick, 0 baseline (SSE), 1 AVX2, 2 AVX-512
// (the default: the best the CPU has), so every build can be checked against the reference loops.
void LimitConvKernelIsaForTesting(int max_isa);

// x[i] = ApplyActivation(act, x[i]) for i < n, with the switch outside the loop.
void ApplyActivationInPlace(int64_t act, float* x, int64_t n);

}  // namespace tflc::opset_builtin

#endif  // TFLC_PLUGINS_OPSET_BUILTIN_SRC_CONV_KERNELS_H_
