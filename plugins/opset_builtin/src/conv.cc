// CONV_2D, CONV_3D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED, BATCH_MATMUL.
// Layouts (TFLite): activations NHWC; CONV_2D / TRANSPOSE_CONV filters OHWI; DEPTHWISE_CONV_2D
// filter [1, H, W, C*M]; FULLY_CONNECTED weights [units, in]. Float reference kernels follow
// tflite/kernels/internal/reference/{conv,depthwiseconv_float,transpose_conv,fully_connected}.h.
#include <algorithm>

#include "common.h"
#include "conv_kernels.h"
#include "ops.h"

namespace tflc::opset_builtin {
namespace {

Status RequireFloat(const EvalContext& c, std::initializer_list<size_t> inputs, const char* op) {
  for (size_t i : inputs) {
    if (c.has_input(i) && c.type(i) != TFLC_TYPE_FLOAT32) {
      return Unimplemented(std::string(op) + ": the reference kernel handles FLOAT32 only (input " + std::to_string(i) +
                           " is " + TypeName(c.type(i)) + ")");
    }
  }
  return OkStatus();
}

// An optional bias of `channels` entries at input `i`.
Status CheckBias(const OpContext& c, size_t i, int64_t channels) {
  if (!c.has_input(i) || c.rank(i) < 0) return OkStatus();
  Dims b = c.dims(i);
  if (b.size() != 1 || (channels >= 0 && b[0] >= 0 && b[0] != channels)) {
    return InvalidArgument("bias (input " + std::to_string(i) + ") must have shape [" +
                           (channels < 0 ? std::string("?") : std::to_string(channels)) + "], got " + DimsToString(b));
  }
  return OkStatus();
}

struct Conv2DGeometry {
  int64_t n, ih, iw, ic, oh, ow, oc, kh, kw, kc;
  Window w;
  PadInfo pad_h, pad_w;
};

Conv2DGeometry Geometry(const EvalContext& c, const Window& w, const Dims& in, const Dims& filter, size_t out_index) {
  Conv2DGeometry g{};
  g.w = w;
  g.n = in[0]; g.ih = in[1]; g.iw = in[2]; g.ic = in[3];
  g.kh = filter[1]; g.kw = filter[2]; g.kc = filter[3];
  Dims out = c.out_dims(out_index);
  g.oh = out[1]; g.ow = out[2]; g.oc = out[3];
  g.pad_h = ConvPadding(g.ih, g.kh, w.stride_h, w.dilation_h, g.oh);
  g.pad_w = ConvPadding(g.iw, g.kw, w.stride_w, w.dilation_w, g.ow);
  return g;
}

ConvShape ShapeOf(const Conv2DGeometry& g) {
  ConvShape s;
  s.n = g.n; s.ih = g.ih; s.iw = g.iw; s.ic = g.ic;
  s.oh = g.oh; s.ow = g.ow; s.oc = g.oc;
  s.kh = g.kh; s.kw = g.kw; s.kc = g.kc;
  s.stride_h = g.w.stride_h; s.stride_w = g.w.stride_w;
  s.dilation_h = g.w.dilation_h; s.dilation_w = g.w.dilation_w;
  s.pad_top = g.pad_h.before; s.pad_left = g.pad_w.before;
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// CONV_2D: input [N,H,W,C], filter [O,KH,KW,C/groups], bias [O].

Status InferConv2D(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(2, 3));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.ExpectRank(0, 4, "input"));
  TFLC_RETURN_IF_ERROR(c.ExpectRank(1, 4, "filter"));
  TFLC_ASSIGN_OR_RETURN(Window w, ReadWindow(c, true));
  TFLC_RETURN_IF_ERROR(c.FusedActivation().status());
  Dims in = c.rank(0) == 4 ? c.dims(0) : Dims(4, kUnknownDim);
  Dims f = c.rank(1) == 4 ? c.dims(1) : Dims(4, kUnknownDim);
  if (in[3] >= 0 && f[3] > 0) {
    if (in[3] % f[3] != 0) {
      return InvalidArgument("input channels " + std::to_string(in[3]) + " are not a multiple of the filter's " +
                             std::to_string(f[3]) + " (filter is OHWI " + DimsToString(f) + ")");
    }
    const int64_t groups = in[3] / f[3];
    if (f[0] >= 0 && f[0] % groups != 0) {
      return InvalidArgument("grouped convolution with " + std::to_string(groups) + " groups needs output channels " +
                             std::to_string(f[0]) + " divisible by the group count");
    }
  }
  TFLC_RETURN_IF_ERROR(CheckBias(c, 2, f[0]));
  TFLC_ASSIGN_OR_RETURN(int64_t oh, WindowOutDim(w, true, in[1], f[1]));
  TFLC_ASSIGN_OR_RETURN(int64_t ow, WindowOutDim(w, false, in[2], f[2]));
  return c.Set(0, c.type(0), {in[0], oh, ow, f[0]});
}

Status EvalConv2D(EvalContext& c) {
  TFLC_RETURN_IF_ERROR(RequireFloat(c, {0, 1, 2}, "CONV_2D"));
  TFLC_ASSIGN_OR_RETURN(Window w, ReadWindow(c, true));
  TFLC_ASSIGN_OR_RETURN(int64_t act, c.FusedActivation());
  const Conv2DGeometry g = Geometry(c, w, c.dims(0), c.dims(1), 0);
  if (g.kc <= 0 || g.ic % g.kc != 0) {
    return InvalidArgument("CONV_2D: input channels " + std::to_string(g.ic) +
                           " are not a positive multiple of the filter's " + std::to_string(g.kc));
  }
  const float* in = c.in<float>(0);
  const float* filter = c.in<float>(1);
  const float* bias = c.has_input(2) ? c.in<float>(2) : nullptr;
  float* out = c.out<float>(0);
  // Blocked kernel; same float operations per output element as the reference loop
  // (conv_kernels.h).
  Conv2DFloat(ShapeOf(g), in, filter, bias, act, out);
  return OkStatus();
}

// ---------------------------------------------------------------------------------------------
// CONV_3D: input [N,D,H,W,C], filter [KD,KH,KW,C,O] (TF's DHWIO, kept by TFLite), bias [O].
// Options: padding, stride_d/h/w, dilation_d/h/w_factor, fused_activation_function
// (tflite/kernels/conv3d.cc; reference kernel tflite/kernels/internal/reference/conv3d.h).

namespace {

struct Conv3DWindow {
  int64_t padding = kPaddingSame;
  int64_t stride[3] = {1, 1, 1};    // d, h, w
  int64_t dilation[3] = {1, 1, 1};  // d, h, w
};

StatusOr<Conv3DWindow> ReadConv3DWindow(const OpContext& c) {
  Conv3DWindow w;
  TFLC_ASSIGN_OR_RETURN(w.padding, c.Int("padding", kPaddingSame));
  if (w.padding != kPaddingSame && w.padding != kPaddingValid) {
    return InvalidArgument("padding " + std::to_string(w.padding) + " is not a Padding value (SAME=0, VALID=1)");
  }
  static const char* const kStride[] = {"stride_d", "stride_h", "stride_w"};
  static const char* const kDilation[] = {"dilation_d_factor", "dilation_h_factor", "dilation_w_factor"};
  for (int i = 0; i < 3; ++i) {
    TFLC_ASSIGN_OR_RETURN(w.stride[i], c.Int(kStride[i], 0));
    TFLC_ASSIGN_OR_RETURN(w.dilation[i], c.Int(kDilation[i], 1));
    if (w.stride[i] <= 0) return InvalidArgument(std::string(kStride[i]) + " must be positive, got " + std::to_string(w.stride[i]));
    if (w.dilation[i] <= 0) {
      return InvalidArgument(std::string(kDilation[i]) + " must be positive, got " + std::to_string(w.dilation[i]));
    }
  }
  return w;
}

}  // namespace

Status InferConv3D(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(2, 3));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.ExpectRank(0, 5, "input"));
  TFLC_RETURN_IF_ERROR(c.ExpectRank(1, 5, "filter"));
  TFLC_ASSIGN_OR_RETURN(Conv3DWindow w, ReadConv3DWindow(c));
  TFLC_RETURN_IF_ERROR(c.FusedActivation().status());
  Dims in = c.rank(0) == 5 ? c.dims(0) : Dims(5, kUnknownDim);
  Dims f = c.rank(1) == 5 ? c.dims(1) : Dims(5, kUnknownDim);
  if (in[4] >= 0 && f[3] >= 0 && in[4] != f[3]) {
    return InvalidArgument("input channels " + std::to_string(in[4]) + " != filter input channels " +
                           std::to_string(f[3]) + " (filter is DHWIO " + DimsToString(f) + ")");
  }
  TFLC_RETURN_IF_ERROR(CheckBias(c, 2, f[4]));
  Dims out = {in[0], kUnknownDim, kUnknownDim, kUnknownDim, f[4]};
  static const char* const kAxis[] = {"depth", "height", "width"};
  for (int i = 0; i < 3; ++i) {
    if (in[i + 1] < 0 || f[i] < 0) continue;
    const int64_t effective = (f[i] - 1) * w.dilation[i] + 1;
    if (w.padding == kPaddingValid && in[i + 1] < effective) {
      return InvalidArgument(std::string("VALID padding: the ") + kAxis[i] + " window " + std::to_string(effective) +
                             " is larger than the input " + kAxis[i] + " " + std::to_string(in[i + 1]));
    }
    out[i + 1] = ConvOutSize(w.padding, in[i + 1], f[i], w.stride[i], w.dilation[i]);
  }
  return c.Set(0, c.type(0), out);
}

Status EvalConv3D(EvalContext& c) {
  TFLC_RETURN_IF_ERROR(RequireFloat(c, {0, 1, 2}, "CONV_3D"));
  TFLC_ASSIGN_OR_RETURN(Conv3DWindow w, ReadConv3DWindow(c));
  TFLC_ASSIGN_OR_RETURN(int64_t act, c.FusedActivation());
  const Dims in_d = c.dims(0), f = c.dims(1), out_d = c.out_dims(0);
  const int64_t n = in_d[0], ic = in_d[4], oc = f[4];
  const int64_t id[3] = {in_d[1], in_d[2], in_d[3]}, od[3] = {out_d[1], out_d[2], out_d[3]};
  if (f[3] != ic) return InvalidArgument("CONV_3D: input channels " + std::to_string(ic) + " != filter's " + std::to_string(f[3]));
  int64_t pad[3];
  for (int i = 0; i < 3; ++i) pad[i] = ConvPadding(id[i], f[i], w.stride[i], w.dilation[i], od[i]).before;
  const float* in = c.in<float>(0);
  const float* filter = c.in<float>(1);
  const float* bias = c.has_input(2) ? c.in<float>(2) : nullptr;
  float* out = c.out<float>(0);
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t z = 0; z < od[0]; ++z) {
      for (int64_t y = 0; y < od[1]; ++y) {
        for (int64_t x = 0; x < od[2]; ++x) {
          for (int64_t o = 0; o < oc; ++o) {
            float acc = 0.f;
            for (int64_t kz = 0; kz < f[0]; ++kz) {
              const int64_t iz = z * w.stride[0] - pad[0] + kz * w.dilation[0];
              if (iz < 0 || iz >= id[0]) continue;
              for (int64_t ky = 0; ky < f[1]; ++ky) {
                const int64_t iy = y * w.stride[1] - pad[1] + ky * w.dilation[1];
                if (iy < 0 || iy >= id[1]) continue;
                for (int64_t kx = 0; kx < f[2]; ++kx) {
                  const int64_t ix = x * w.stride[2] - pad[2] + kx * w.dilation[2];
                  if (ix < 0 || ix >= id[2]) continue;
                  const float* src = in + (((b * id[0] + iz) * id[1] + iy) * id[2] + ix) * ic;
                  const float* k = filter + ((kz * f[1] + ky) * f[2] + kx) * ic * oc + o;
                  for (int64_t ci = 0; ci < ic; ++ci) acc += src[ci] * k[ci * oc];
                }
              }
            }
            out[(((b * od[0] + z) * od[1] + y) * od[2] + x) * oc + o] = ApplyActivation(act, acc + (bias ? bias[o] : 0.f));
          }
        }
      }
    }
  }
  return OkStatus();
}

// ---------------------------------------------------------------------------------------------
// DEPTHWISE_CONV_2D: input [N,H,W,C], filter [1,KH,KW,C*M], bias [C*M].

Status InferDepthwiseConv2D(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(2, 3));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.ExpectRank(0, 4, "input"));
  TFLC_RETURN_IF_ERROR(c.ExpectRank(1, 4, "filter"));
  TFLC_ASSIGN_OR_RETURN(Window w, ReadWindow(c, true));
  TFLC_RETURN_IF_ERROR(c.FusedActivation().status());
  TFLC_ASSIGN_OR_RETURN(int64_t multiplier, c.Int("depth_multiplier", 0));
  Dims in = c.rank(0) == 4 ? c.dims(0) : Dims(4, kUnknownDim);
  Dims f = c.rank(1) == 4 ? c.dims(1) : Dims(4, kUnknownDim);
  if (f[0] >= 0 && f[0] != 1) {
    return InvalidArgument("filter must be [1, H, W, C*M], got " + DimsToString(f));
  }
  if (in[3] > 0 && f[3] >= 0) {
    if (f[3] % in[3] != 0) {
      return InvalidArgument("filter channels " + std::to_string(f[3]) + " must be a multiple of input channels " +
                             std::to_string(in[3]));
    }
    if (multiplier > 0 && in[3] * multiplier != f[3]) {
      return InvalidArgument("depth_multiplier " + std::to_string(multiplier) + " x input channels " +
                             std::to_string(in[3]) + " != filter channels " + std::to_string(f[3]));
    }
  }
  TFLC_RETURN_IF_ERROR(CheckBias(c, 2, f[3]));
  TFLC_ASSIGN_OR_RETURN(int64_t oh, WindowOutDim(w, true, in[1], f[1]));
  TFLC_ASSIGN_OR_RETURN(int64_t ow, WindowOutDim(w, false, in[2], f[2]));
  return c.Set(0, c.type(0), {in[0], oh, ow, f[3]});
}

Status EvalDepthwiseConv2D(EvalContext& c) {
  TFLC_RETURN_IF_ERROR(RequireFloat(c, {0, 1, 2}, "DEPTHWISE_CONV_2D"));
  TFLC_ASSIGN_OR_RETURN(Window w, ReadWindow(c, true));
  TFLC_ASSIGN_OR_RETURN(int64_t act, c.FusedActivation());
  const Conv2DGeometry g = Geometry(c, w, c.dims(0), c.dims(1), 0);
  const int64_t multiplier = g.oc / g.ic;
  const float* in = c.in<float>(0);
  const float* filter = c.in<float>(1);
  const float* bias = c.has_input(2) ? c.in<float>(2) : nullptr;
  float* out = c.out<float>(0);
  if (multiplier <= 0) return OkStatus();
  DepthwiseConv2DFloat(ShapeOf(g), in, filter, bias, act, out);
  return OkStatus();
}

// ---------------------------------------------------------------------------------------------
// TRANSPOSE_CONV: inputs (output_shape int32[4], weights [O,KH,KW,I], input [N,H,W,I], bias [O]).

Status InferTransposeConv(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(3, 4));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.ExpectRank(0, 1, "output_shape"));
  TFLC_RETURN_IF_ERROR(c.ExpectRank(1, 4, "weights"));
  TFLC_RETURN_IF_ERROR(c.ExpectRank(2, 4, "input"));
  TFLC_ASSIGN_OR_RETURN(Window w, ReadWindow(c, false));
  TFLC_RETURN_IF_ERROR(c.FusedActivation().status());
  Dims f = c.rank(1) == 4 ? c.dims(1) : Dims(4, kUnknownDim);
  Dims in = c.rank(2) == 4 ? c.dims(2) : Dims(4, kUnknownDim);
  if (in[3] >= 0 && f[3] >= 0 && in[3] != f[3]) {
    return InvalidArgument("input channels " + std::to_string(in[3]) + " != weights input channels " +
                           std::to_string(f[3]) + " (weights are OHWI " + DimsToString(f) + ")");
  }
  TFLC_RETURN_IF_ERROR(CheckBias(c, 3, f[0]));
  TFLC_ASSIGN_OR_RETURN(auto shape, c.ConstInts(0));
  if (!shape) return c.Set(0, c.type(2), {in[0], kUnknownDim, kUnknownDim, f[0]});
  Dims out = *shape;
  if (out.size() != 4) {
    return InvalidArgument("output_shape must have 4 values, got " + DimsToString(out));
  }
  if (f[0] >= 0 && out[3] != f[0]) {
    return InvalidArgument("output_shape channels " + std::to_string(out[3]) + " != weights output channels " +
                           std::to_string(f[0]));
  }
  // The input must be what a forward convolution of the output would produce.
  for (int axis = 1; axis <= 2; ++axis) {
    const int64_t k = f[axis], stride = axis == 1 ? w.stride_h : w.stride_w;
    if (k < 0 || in[axis] < 0) continue;
    const int64_t expect = ConvOutSize(w.padding, out[axis], k, stride, 1);
    if (expect != in[axis]) {
      return InvalidArgument("output_shape " + DimsToString(out) + " is inconsistent with input " + DimsToString(in) +
                             ": a stride-" + std::to_string(stride) + " " + (w.padding == kPaddingSame ? "SAME" : "VALID") +
                             " convolution of it has " + (axis == 1 ? "height " : "width ") + std::to_string(expect));
    }
  }
  return c.Set(0, c.type(2), out);
}

Status EvalTransposeConv(EvalContext& c) {
  TFLC_RETURN_IF_ERROR(RequireFloat(c, {1, 2, 3}, "TRANSPOSE_CONV"));
  TFLC_ASSIGN_OR_RETURN(Window w, ReadWindow(c, false));
  TFLC_ASSIGN_OR_RETURN(int64_t act, c.FusedActivation());
  const Dims f = c.dims(1), in = c.dims(2), out_d = c.out_dims(0);
  const int64_t n = in[0], ih = in[1], iw = in[2], ic = in[3];
  const int64_t oc = f[0], kh = f[1], kw = f[2];
  const int64_t oh = out_d[1], ow = out_d[2];
  // Padding as tflite/kernels/transpose_conv.cc computes it: from the output size.
  const int64_t pad_h = ConvPadding(oh, kh, w.stride_h, 1, ConvOutSize(w.padding, oh, kh, w.stride_h, 1)).before;
  const int64_t pad_w = ConvPadding(ow, kw, w.stride_w, 1, ConvOutSize(w.padding, ow, kw, w.stride_w, 1)).before;
  const float* filter = c.in<float>(1);
  const float* input = c.in<float>(2);
  const float* bias = c.has_input(3) ? c.in<float>(3) : nullptr;
  float* out = c.out<float>(0);
  std::fill(out, out + NumElements(out_d), 0.f);
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t iy = 0; iy < ih; ++iy) {
      for (int64_t ix = 0; ix < iw; ++ix) {
        for (int64_t ci = 0; ci < ic; ++ci) {
          const float v = input[((b * ih + iy) * iw + ix) * ic + ci];
          for (int64_t ky = 0; ky < kh; ++ky) {
            const int64_t oy = iy * w.stride_h - pad_h + ky;
            if (oy < 0 || oy >= oh) continue;
            for (int64_t kx = 0; kx < kw; ++kx) {
              const int64_t ox = ix * w.stride_w - pad_w + kx;
              if (ox < 0 || ox >= ow) continue;
              for (int64_t co = 0; co < oc; ++co) {
                out[((b * oh + oy) * ow + ox) * oc + co] += v * filter[((co * kh + ky) * kw + kx) * ic + ci];
              }
            }
          }
        }
      }
    }
  }
  const int64_t total = NumElements(out_d);
  for (int64_t i = 0; i < total; ++i) out[i] = ApplyActivation(act, out[i] + (bias ? bias[i % oc] : 0.f));
  return OkStatus();
}

// ---------------------------------------------------------------------------------------------
// FULLY_CONNECTED: input [..., in] (flattened to [-1, in]), weights [units, in], bias [units].

Status InferFullyConnected(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(2, 3));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "input"));
  TFLC_RETURN_IF_ERROR(c.ExpectRank(1, 2, "weights"));
  TFLC_RETURN_IF_ERROR(c.FusedActivation().status());
  TFLC_ASSIGN_OR_RETURN(bool keep_num_dims, c.Bool("keep_num_dims", false));
  Dims wt = c.rank(1) == 2 ? c.dims(1) : Dims(2, kUnknownDim);
  const int64_t units = wt[0], depth = wt[1];
  TFLC_RETURN_IF_ERROR(CheckBias(c, 2, units));
  const TflcDataType t = c.type(0);
  if (c.rank(0) < 0) {
    if (keep_num_dims) return c.SetUnknownRank(0, t);
    return c.Set(0, t, {kUnknownDim, units});
  }
  Dims in = c.dims(0);
  if (in.empty()) return InvalidArgument("input must have rank >= 1, got a scalar");
  if (keep_num_dims) {
    if (in.back() >= 0 && depth >= 0 && in.back() != depth) {
      return InvalidArgument("keep_num_dims needs the input's last dimension " + std::to_string(in.back()) +
                             " to equal the weights' input size " + std::to_string(depth) + " (weights [units, in] = " +
                             DimsToString(wt) + ")");
    }
    in.back() = units;
    return c.Set(0, t, in);
  }
  int64_t batch = kUnknownDim;
  const int64_t total = NumElementsOrUnknown(in);
  if (total >= 0 && depth > 0) {
    if (total % depth != 0) {
      return InvalidArgument("input " + DimsToString(in) + " has " + std::to_string(total) +
                             " elements, not a multiple of the weights' input size " + std::to_string(depth) +
                             " (weights [units, in] = " + DimsToString(wt) + ")");
    }
    batch = total / depth;
  } else if (depth > 0 && in.back() == depth) {
    // [..., depth] with unknown leading dims: batch = product of the leading dims.
    Dims lead(in.begin(), in.end() - 1);
    batch = NumElementsOrUnknown(lead);
  }
  return c.Set(0, t, {batch, units});
}

Status EvalFullyConnected(EvalContext& c) {
  TFLC_RETURN_IF_ERROR(RequireFloat(c, {0, 1, 2}, "FULLY_CONNECTED"));
  TFLC_ASSIGN_OR_RETURN(int64_t format, c.Int("weights_format", 0));
  if (format != 0) return Unimplemented("FULLY_CONNECTED: shuffled weights are not supported by the reference kernel");
  TFLC_ASSIGN_OR_RETURN(int64_t act, c.FusedActivation());
  const Dims wt = c.dims(1);
  const int64_t units = wt[0], depth = wt[1];
  const int64_t batch = depth == 0 ? 0 : c.in_size(0) / depth;
  const float* in = c.in<float>(0);
  const float* weights = c.in<float>(1);
  const float* bias = c.has_input(2) ? c.in<float>(2) : nullptr;
  float* out = c.out<float>(0);
  // A 1x1 convolution of `batch` pixels: the same sums, through the blocked kernel.
  ConvShape s;
  s.n = batch; s.ih = s.iw = s.oh = s.ow = 1;
  s.ic = s.kc = depth; s.oc = units;
  s.kh = s.kw = 1;
  if (batch == 0) return OkStatus();  // depth 0 gives batch 0
  Conv2DFloat(s, in, weights, bias, act, out);
  return OkStatus();
}

// ---------------------------------------------------------------------------------------------
// BATCH_MATMUL: x [..., M, K] (adj_x: [..., K, M]), y [..., K, N] (adj_y: [..., N, K]).

Status InferBatchMatMul(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(2, 2));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "x"));
  TFLC_RETURN_IF_ERROR(c.Require(1, "y"));
  TFLC_ASSIGN_OR_RETURN(bool adj_x, c.Bool("adj_x", false));
  TFLC_ASSIGN_OR_RETURN(bool adj_y, c.Bool("adj_y", false));
  const TflcDataType t = c.type(0);
  if (c.rank(0) < 0 || c.rank(1) < 0) return c.SetUnknownRank(0, t);
  Dims x = c.dims(0), y = c.dims(1);
  if (x.size() < 2 || y.size() < 2) {
    return InvalidArgument("x and y must have rank >= 2, got " + DimsToString(x) + " and " + DimsToString(y));
  }
  const int64_t m = adj_x ? x[x.size() - 1] : x[x.size() - 2];
  const int64_t kx = adj_x ? x[x.size() - 2] : x[x.size() - 1];
  const int64_t ky = adj_y ? y[y.size() - 1] : y[y.size() - 2];
  const int64_t n = adj_y ? y[y.size() - 2] : y[y.size() - 1];
  if (kx >= 0 && ky >= 0 && kx != ky) {
    return InvalidArgument("contracting dimensions differ: x " + DimsToString(x) + (adj_x ? " (adj_x)" : "") + " has " +
                           std::to_string(kx) + ", y " + DimsToString(y) + (adj_y ? " (adj_y)" : "") + " has " +
                           std::to_string(ky));
  }
  TFLC_ASSIGN_OR_RETURN(Dims batch, BroadcastShapes(Dims(x.begin(), x.end() - 2), Dims(y.begin(), y.end() - 2)));
  batch.push_back(m);
  batch.push_back(n);
  return c.Set(0, t, batch);
}

Status EvalBatchMatMul(EvalContext& c) {
  TFLC_RETURN_IF_ERROR(RequireFloat(c, {0, 1}, "BATCH_MATMUL"));
  TFLC_ASSIGN_OR_RETURN(bool adj_x, c.Bool("adj_x", false));
  TFLC_ASSIGN_OR_RETURN(bool adj_y, c.Bool("adj_y", false));
  const Dims x = c.dims(0), y = c.dims(1), out_d = c.out_dims(0);
  const int64_t m = out_d[out_d.size() - 2], n = out_d[out_d.size() - 1];
  const int64_t k = adj_x ? x[x.size() - 2] : x[x.size() - 1];
  const Dims out_batch(out_d.begin(), out_d.end() - 2);
  const Dims ins[2] = {Dims(x.begin(), x.end() - 2), Dims(y.begin(), y.end() - 2)};
  const float* xp = c.in<float>(0);
  const float* yp = c.in<float>(1);
  float* o = c.out<float>(0);
  const int64_t xs = m * k, ys = k * n;
  auto mul = [&](int64_t ob, int64_t bx, int64_t by) {
    const float* a = xp + bx * xs;
    const float* b = yp + by * ys;
    float* r = o + ob * m * n;
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        float sum = 0.f;
        for (int64_t q = 0; q < k; ++q) {
          const float av = adj_x ? a[q * m + i] : a[i * k + q];
          const float bv = adj_y ? b[j * k + q] : b[q * n + j];
          sum += av * bv;
        }
        r[i * n + j] = sum;
      }
    }
  };
  if (out_batch.empty()) {
    mul(0, 0, 0);
  } else {
    ForEachBroadcast(out_batch, ins, mul);
  }
  return OkStatus();
}

}  // namespace tflc::opset_builtin
