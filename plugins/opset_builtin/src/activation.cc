// Activations and normalizations: RELU family, LEAKY_RELU, PRELU, ELU, LOGISTIC, TANH, GELU,
// HARD_SWISH, SOFTMAX, LOG_SOFTMAX, L2_NORMALIZATION, LOCAL_RESPONSE_NORMALIZATION.
// Float formulas follow the TFLite reference kernels (tflite/kernels/internal/reference/).
#include <algorithm>
#include <cmath>

#include "elementwise.h"
#include "ops.h"

namespace tflc::opset_builtin {
namespace {

// Applies fn(row, n) to each contiguous slice along the last axis of input 0 / output 0.
template <typename Fn>
Status ForEachLastAxisRow(EvalContext& c, const char* op, Fn&& fn) {
  if (c.type(0) != TFLC_TYPE_FLOAT32) {
    return Unimplemented(std::string(op) + ": the reference kernel handles FLOAT32 only, got " + TypeName(c.type(0)));
  }
  const Dims d = c.dims(0);
  const int64_t depth = d.empty() ? 1 : d.back();
  const int64_t total = NumElements(d);
  if (depth == 0) return OkStatus();
  const float* in = c.in<float>(0);
  float* out = c.out<float>(0);
  for (int64_t r = 0; r < total / depth; ++r) fn(in + r * depth, out + r * depth, depth);
  return OkStatus();
}

// tflite/kernels/internal/reference/logistic.h
float Logistic(float x) {
  constexpr float kCutoffUpper = 16.619047164916992188f;
  constexpr float kCutoffLower = -9.f;
  if (x > kCutoffUpper) return 1.0f;
  if (x < kCutoffLower) return std::exp(x);
  return 1.f / (1.f + std::exp(-x));
}

}  // namespace

Status EvalRelu(EvalContext& c) {
  return EvalUnaryFloat(c, "RELU", [](float x) { return x < 0.f ? 0.f : x; });
}
Status EvalRelu6(EvalContext& c) {
  return EvalUnaryFloat(c, "RELU6", [](float x) { return std::min(std::max(x, 0.f), 6.f); });
}
Status EvalReluN1To1(EvalContext& c) {
  return EvalUnaryFloat(c, "RELU_N1_TO_1", [](float x) { return std::min(std::max(x, -1.f), 1.f); });
}
Status EvalRelu0To1(EvalContext& c) {
  return EvalUnaryFloat(c, "RELU_0_TO_1", [](float x) { return std::min(std::max(x, 0.f), 1.f); });
}
Status EvalLeakyRelu(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(double alpha_d, c.Float("alpha", 0.0));
  const float alpha = static_cast<float>(alpha_d);
  return EvalUnaryFloat(c, "LEAKY_RELU", [alpha](float x) { return x > 0.f ? x : x * alpha; });
}
Status EvalElu(EvalContext& c) {
  return EvalUnaryFloat(c, "ELU", [](float x) { return x < 0.f ? std::expm1(x) : x; });
}
Status EvalLogistic(EvalContext& c) { return EvalUnaryFloat(c, "LOGISTIC", Logistic); }
Status EvalTanh(EvalContext& c) {
  return EvalUnaryFloat(c, "TANH", [](float x) { return std::tanh(x); });
}
Status EvalGelu(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(bool approximate, c.Bool("approximate", false));
  if (approximate) {
    return EvalUnaryFloat(c, "GELU", [](float x) {
      constexpr float kSqrt2OverPi = 0.7978845608028654f;
      return 0.5f * x * (1.f + std::tanh(kSqrt2OverPi * (x + 0.044715f * x * x * x)));
    });
  }
  return EvalUnaryFloat(c, "GELU", [](float x) { return 0.5f * x * std::erfc(x * -0.7071067811865476f); });
}
Status EvalHardSwish(EvalContext& c) {
  return EvalUnaryFloat(c, "HARD_SWISH", [](float x) { return x * std::min(std::max(x + 3.f, 0.f), 6.f) / 6.f; });
}

// ---- PRELU: x >= 0 ? x : alpha * x, alpha broadcast against x.
Status InferPrelu(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(2, 2));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "input"));
  TFLC_RETURN_IF_ERROR(c.Require(1, "alpha"));
  if (c.rank(0) < 0 || c.rank(1) < 0) return c.SetUnknownRank(0, c.type(0));
  TFLC_ASSIGN_OR_RETURN(Dims out, BroadcastShapes(c.dims(0), c.dims(1)));
  return c.Set(0, c.type(0), out);
}

Status EvalPrelu(EvalContext& c) {
  if (c.type(0) != TFLC_TYPE_FLOAT32 || c.type(1) != TFLC_TYPE_FLOAT32) {
    return Unimplemented("PRELU: the reference kernel handles FLOAT32 only");
  }
  BroadcastBinary<float, float>(c, [](float x, float alpha) { return x >= 0.f ? x : x * alpha; });
  return OkStatus();
}

// ---- Ops over the last axis.
Status InferLastAxis(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(InferUnary(c));
  if (c.rank(0) == 0) return InvalidArgument("input must have rank >= 1, got a scalar");
  return OkStatus();
}

Status InferSoftmax(ShapeContext& c) {
  if (!c.node().HasAttr("beta")) {
    return InvalidArgument("SOFTMAX needs the attribute 'beta' (1.0 for TF Softmax); the schema default 0.0 would "
                           "make every output uniform");
  }
  return InferLastAxis(c);
}

Status EvalSoftmax(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(double beta_d, c.Float("beta", 0.0));
  const float beta = static_cast<float>(beta_d);
  return ForEachLastAxisRow(c, "SOFTMAX", [beta](const float* in, float* out, int64_t n) {
    float max = in[0];
    for (int64_t i = 1; i < n; ++i) max = std::max(max, in[i]);
    float sum = 0.f;
    for (int64_t i = 0; i < n; ++i) {
      out[i] = std::exp((in[i] - max) * beta);
      sum += out[i];
    }
    for (int64_t i = 0; i < n; ++i) out[i] /= sum;
  });
}

Status EvalLogSoftmax(EvalContext& c) {
  return ForEachLastAxisRow(c, "LOG_SOFTMAX", [](const float* in, float* out, int64_t n) {
    float max = in[0];
    for (int64_t i = 1; i < n; ++i) max = std::max(max, in[i]);
    float sum = 0.f;
    for (int64_t i = 0; i < n; ++i) sum += std::exp(in[i] - max);
    const float log_sum = std::log(sum);
    for (int64_t i = 0; i < n; ++i) out[i] = in[i] - max - log_sum;
  });
}

Status EvalL2Normalization(EvalContext& c) {
  // tflite/kernels/l2norm.cc: kEpsilon = 1e-6, norm = max(sqrt(sum x^2), epsilon).
  return ForEachLastAxisRow(c, "L2_NORMALIZATION", [](const float* in, float* out, int64_t n) {
    float sq = 0.f;
    for (int64_t i = 0; i < n; ++i) sq += in[i] * in[i];
    const float norm = std::max(std::sqrt(sq), 1e-6f);
    for (int64_t i = 0; i < n; ++i) out[i] = in[i] / norm;
  });
}

Status InferLocalResponseNorm(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(InferUnary(c));
  return c.ExpectRank(0, 4, "input");
}

Status EvalLocalResponseNorm(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(int64_t radius, c.Int("radius", 0));
  TFLC_ASSIGN_OR_RETURN(double bias, c.Float("bias", 0.0));
  TFLC_ASSIGN_OR_RETURN(double alpha, c.Float("alpha", 0.0));
  TFLC_ASSIGN_OR_RETURN(double beta, c.Float("beta", 0.0));
  return ForEachLastAxisRow(c, "LOCAL_RESPONSE_NORMALIZATION", [&](const float* in, float* out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      const int64_t lo = std::max<int64_t>(0, i - radius), hi = std::min<int64_t>(n - 1, i + radius);
      float accum = 0.f;
      for (int64_t j = lo; j <= hi; ++j) accum += in[j] * in[j];
      const float multiplier =
          std::pow(static_cast<float>(bias) + static_cast<float>(alpha) * accum, static_cast<float>(-beta));
      out[i] = in[i] * multiplier;
    }
  });
}

}  // namespace tflc::opset_builtin
