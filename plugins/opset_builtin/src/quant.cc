// QUANTIZE (float -> int8/uint8/int16, or requantize) and DEQUANTIZE (int8/uint8/int16/int32 or
// float16 -> float32). Per-tensor and per-axis (quantized_dimension) parameters.
#include <algorithm>
#include <cmath>
#include <limits>

#include "common.h"
#include "ops.h"

namespace tflc::opset_builtin {
namespace {

bool IsQuantizeTarget(TflcDataType t) {
  return t == TFLC_TYPE_INT8 || t == TFLC_TYPE_UINT8 || t == TFLC_TYPE_INT16;
}

// Index into the parameter arrays for element `i` of a tensor with `dims`.
struct ChannelOf {
  int64_t inner = 1, channels = 1;
  bool per_axis = false;
  ChannelOf(const Dims& dims, const TflcQuantParams& q) {
    per_axis = q.count > 1;
    if (!per_axis) return;
    channels = static_cast<int64_t>(q.count);
    for (size_t j = static_cast<size_t>(q.quantized_dimension) + 1; j < dims.size(); ++j) inner *= dims[j];
  }
  size_t operator()(int64_t i) const { return per_axis ? static_cast<size_t>((i / inner) % channels) : 0; }
};

Status CheckParams(const TflcQuantParams& q, const Dims& dims, const char* which) {
  if (q.count == 0) return InvalidArgument(std::string(which) + " has no quantization parameters");
  if (q.count > 1) {
    if (q.quantized_dimension < 0 || static_cast<size_t>(q.quantized_dimension) >= dims.size() ||
        dims[q.quantized_dimension] != static_cast<int64_t>(q.count)) {
      return InvalidArgument(std::string(which) + " has " + std::to_string(q.count) +
                             " per-axis scales that do not match dimension " + std::to_string(q.quantized_dimension) +
                             " of " + DimsToString(dims));
    }
  }
  return OkStatus();
}

template <typename Q>
Status ReadQuantized(const EvalContext& c, std::vector<float>* out) {
  const TflcQuantParams q = c.quant(0);
  const Dims d = c.dims(0);
  TFLC_RETURN_IF_ERROR(CheckParams(q, d, "the input"));
  const ChannelOf ch(d, q);
  const Q* in = c.in<Q>(0);
  out->resize(static_cast<size_t>(c.in_size(0)));
  for (size_t i = 0; i < out->size(); ++i) {
    const size_t k = ch(static_cast<int64_t>(i));
    (*out)[i] = q.scales[k] * static_cast<float>(static_cast<int64_t>(in[i]) - q.zero_points[k]);
  }
  return OkStatus();
}

// Dequantized values of input 0.
Status InputAsFloat(const EvalContext& c, std::vector<float>* out) {
  switch (c.type(0)) {
    case TFLC_TYPE_FLOAT32: {
      const float* in = c.in<float>(0);
      out->assign(in, in + c.in_size(0));
      return OkStatus();
    }
    case TFLC_TYPE_FLOAT16: {
      const uint16_t* in = c.in<uint16_t>(0);
      out->resize(static_cast<size_t>(c.in_size(0)));
      for (size_t i = 0; i < out->size(); ++i) (*out)[i] = HalfToFloat(in[i]);
      return OkStatus();
    }
    case TFLC_TYPE_INT8: return ReadQuantized<int8_t>(c, out);
    case TFLC_TYPE_UINT8: return ReadQuantized<uint8_t>(c, out);
    case TFLC_TYPE_INT16: return ReadQuantized<int16_t>(c, out);
    case TFLC_TYPE_INT32: return ReadQuantized<int32_t>(c, out);
    default: return Unimplemented("cannot dequantize " + TypeName(c.type(0)) + " data");
  }
}

template <typename Q>
Status WriteQuantized(const EvalContext& c, const std::vector<float>& values) {
  const TflcQuantParams q = c.output_quant(0);
  const Dims d = c.out_dims(0);
  TFLC_RETURN_IF_ERROR(CheckParams(q, d, "the output"));
  const ChannelOf ch(d, q);
  Q* out = c.out<Q>(0);
  constexpr auto lo = static_cast<int64_t>(std::numeric_limits<Q>::min());
  constexpr auto hi = static_cast<int64_t>(std::numeric_limits<Q>::max());
  for (size_t i = 0; i < values.size(); ++i) {
    const size_t k = ch(static_cast<int64_t>(i));
    // tflite/kernels/internal/reference/quantize.h: round half away from zero, then clamp.
    const int64_t v = static_cast<int64_t>(std::round(values[i] / q.scales[k])) + q.zero_points[k];
    out[i] = static_cast<Q>(std::clamp(v, lo, hi));
  }
  return OkStatus();
}

// The conversions TFLite's QUANTIZE kernel has (quantize.cc Prepare): float32 -> int8 / uint8 /
// int16, and requantization int8 -> int8 / uint8, uint8 -> int8 / uint8, int16 -> int8 / int16.
bool QuantizeSupports(TflcDataType in, TflcDataType out) {
  switch (in) {
    case TFLC_TYPE_FLOAT32: return IsQuantizeTarget(out);
    case TFLC_TYPE_INT8:
    case TFLC_TYPE_UINT8: return out == TFLC_TYPE_INT8 || out == TFLC_TYPE_UINT8;
    case TFLC_TYPE_INT16: return out == TFLC_TYPE_INT8 || out == TFLC_TYPE_INT16;
    default: return false;
  }
}

}  // namespace

Status InferQuantize(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(1, 1));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "input"));
  // The target type is the quantizer's choice: it sets the output value's type (and its
  // quantization parameters) with Value_SetShape / Value_SetQuant when it creates the node, and
  // this keeps it. Without one, a requantization of integer data keeps the input's type.
  const TflcDataType in = c.type(0);
  TflcDataType t = c.output_type(0);
  if (!IsQuantizeTarget(t) && in != TFLC_TYPE_FLOAT32 && IsQuantizeTarget(in)) t = in;
  if (!IsQuantizeTarget(t)) {
    return InvalidArgument("QUANTIZE output must already have type INT8, UINT8 or INT16 (set by the quantizer with "
                           "Value_SetShape), got " + TypeName(t));
  }
  if (in != TFLC_TYPE_UNKNOWN && !QuantizeSupports(in, t)) {
    return InvalidArgument("QUANTIZE from " + TypeName(in) + " to " + TypeName(t) +
                           " has no TFLite kernel (float32 -> int8/uint8/int16, int8/uint8 -> int8/uint8, "
                           "int16 -> int8/int16)");
  }
  if (c.rank(0) < 0) return c.SetUnknownRank(0, t);
  return c.Set(0, t, c.dims(0));
}

Status EvalQuantize(EvalContext& c) {
  std::vector<float> values;
  TFLC_RETURN_IF_ERROR(InputAsFloat(c, &values));
  switch (c.output_type(0)) {
    case TFLC_TYPE_INT8: return WriteQuantized<int8_t>(c, values);
    case TFLC_TYPE_UINT8: return WriteQuantized<uint8_t>(c, values);
    case TFLC_TYPE_INT16: return WriteQuantized<int16_t>(c, values);
    default: return Unimplemented("QUANTIZE to " + TypeName(c.output_type(0)));
  }
}

Status InferDequantize(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(1, 1));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "input"));
  const TflcDataType in = c.type(0);
  if (in != TFLC_TYPE_UNKNOWN && !IsQuantizeTarget(in) && in != TFLC_TYPE_FLOAT16 && in != TFLC_TYPE_INT32 &&
      in != TFLC_TYPE_INT4) {
    return InvalidArgument("DEQUANTIZE input must be INT8, UINT8, INT16, INT32, INT4 or FLOAT16, got " + TypeName(in));
  }
  if (c.rank(0) < 0) return c.SetUnknownRank(0, TFLC_TYPE_FLOAT32);
  return c.Set(0, TFLC_TYPE_FLOAT32, c.dims(0));
}

Status EvalDequantize(EvalContext& c) {
  std::vector<float> values;
  TFLC_RETURN_IF_ERROR(InputAsFloat(c, &values));
  std::copy(values.begin(), values.end(), c.out<float>(0));
  return OkStatus();
}

}  // namespace tflc::opset_builtin
