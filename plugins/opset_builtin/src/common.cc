#include "common.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tflc::opset_builtin {

std::string DimsToString(const Dims& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ",";
    s += dims[i] < 0 ? "?" : std::to_string(dims[i]);
  }
  return s + "]";
}

bool AllKnown(const Dims& dims) {
  return std::all_of(dims.begin(), dims.end(), [](int64_t d) { return d >= 0; });
}

int64_t NumElementsOrUnknown(const Dims& dims) {
  return AllKnown(dims) ? NumElements(dims) : kUnknownDim;
}

int64_t NumElements(const Dims& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

Dims Strides(const Dims& dims) {
  Dims s(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;) s[i - 1] = s[i] * dims[i];
  return s;
}

StatusOr<int64_t> NormalizeAxis(int64_t axis, int64_t rank, const char* what) {
  if (axis < -rank || axis >= rank) {
    return InvalidArgument(std::string(what) + " " + std::to_string(axis) + " is out of range for rank " +
                           std::to_string(rank) + " (valid: " + std::to_string(-rank) + ".." +
                           std::to_string(rank - 1) + ")");
  }
  return axis < 0 ? axis + rank : axis;
}

StatusOr<int64_t> MergeDim(int64_t a, int64_t b) {
  if (a < 0) return b;
  if (b < 0) return a;
  if (a != b) return InvalidArgument("dimension mismatch: " + std::to_string(a) + " vs " + std::to_string(b));
  return a;
}

// ---------------------------------------------------------------------------------------------

TflcDataType OpContext::type(size_t i) const {
  ValueView v = input(i);
  return v ? v.type() : TFLC_TYPE_UNKNOWN;
}

TflcDataType OpContext::output_type(size_t i) const {
  ValueView v = output(i);
  return v ? v.type() : TFLC_TYPE_UNKNOWN;
}

int OpContext::rank(size_t i) const {
  ValueView v = input(i);
  return v ? v.rank() : -1;
}

Dims OpContext::dims(size_t i) const {
  ValueView v = input(i);
  return v ? v.dims() : Dims{};
}

TflcQuantParams OpContext::quant(size_t i) const {
  TflcQuantParams q{};
  q.struct_size = TflcQuantParams_STRUCT_SIZE;
  ValueView v = input(i);
  if (v) host()->Value_GetQuant(v.get(), &q);
  return q;
}

TflcQuantParams OpContext::output_quant(size_t i) const {
  TflcQuantParams q{};
  q.struct_size = TflcQuantParams_STRUCT_SIZE;
  ValueView v = output(i);
  if (v) host()->Value_GetQuant(v.get(), &q);
  return q;
}

Status OpContext::ExpectInputs(size_t min, size_t max) const {
  size_t n = num_inputs();
  if (n < min || n > max) {
    std::string want = min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max);
    return InvalidArgument("expects " + want + " inputs, got " + std::to_string(n));
  }
  return OkStatus();
}

Status OpContext::ExpectOutputs(size_t n) const {
  if (num_outputs() != n) {
    return InvalidArgument("expects " + std::to_string(n) + " output" + (n == 1 ? "" : "s") + ", got " +
                           std::to_string(num_outputs()));
  }
  return OkStatus();
}

Status OpContext::Require(size_t i, const char* what) const {
  if (!has_input(i)) {
    return InvalidArgument("input " + std::to_string(i) + " (" + what + ") is required but omitted");
  }
  return OkStatus();
}

Status OpContext::ExpectRank(size_t i, int r, const char* what) const {
  TFLC_RETURN_IF_ERROR(Require(i, what));
  int have = rank(i);
  if (have >= 0 && have != r) {
    return InvalidArgument("input " + std::to_string(i) + " (" + what + ") must have rank " + std::to_string(r) +
                           ", got shape " + DimsToString(dims(i)));
  }
  return OkStatus();
}

StatusOr<std::vector<int64_t>> OpContext::Ints(std::string_view name) const {
  if (!node_.HasAttr(name)) return std::vector<int64_t>{};
  return node_.IntListAttr(name);
}

StatusOr<int64_t> OpContext::FusedActivation() const {
  TFLC_ASSIGN_OR_RETURN(int64_t act, Int("fused_activation_function", kActNone));
  if (act < kActNone || act > kActSignBit) {
    return InvalidArgument("fused_activation_function " + std::to_string(act) +
                           " is not an ActivationFunctionType (NONE=0, RELU=1, RELU_N1_TO_1=2, RELU6=3, TANH=4, "
                           "SIGN_BIT=5)");
  }
  return act;
}

StatusOr<std::optional<std::vector<int64_t>>> OpContext::ConstInts(size_t i) const {
  if (!is_const(i)) return std::optional<std::vector<int64_t>>{};
  TflcDataType t = type(i);
  if (t != TFLC_TYPE_INT32 && t != TFLC_TYPE_INT64 && t != TFLC_TYPE_INT16 && t != TFLC_TYPE_INT8 &&
      t != TFLC_TYPE_UINT8) {
    return InvalidArgument("input " + std::to_string(i) + " must be an integer tensor, got " + TypeName(t));
  }
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> v, input(i).ConstVector<int64_t>());
  return std::optional<std::vector<int64_t>>(std::move(v));
}

StatusOr<std::optional<std::vector<double>>> OpContext::ConstFloats(size_t i) const {
  if (!is_const(i)) return std::optional<std::vector<double>>{};
  TFLC_ASSIGN_OR_RETURN(std::vector<double> v, input(i).ConstVector<double>());
  return std::optional<std::vector<double>>(std::move(v));
}

// ---------------------------------------------------------------------------------------------

Status ShapeContext::Set(size_t out, TflcDataType type, const Dims& dims) const {
  if (out >= num_outputs()) {
    return Internal("shape function set output " + std::to_string(out) + " of a node with " +
                    std::to_string(num_outputs()) + " outputs");
  }
  return output(out).SetShape(type, dims);
}

Status ShapeContext::SetUnknownRank(size_t out, TflcDataType type) const {
  if (out >= num_outputs()) return Internal("shape function set a missing output");
  return output(out).SetUnknownRank(type);
}

Status ShapeContext::SetLike(size_t out, size_t in) const {
  if (rank(in) < 0) return SetUnknownRank(out, type(in));
  return Set(out, type(in), dims(in));
}

// ---------------------------------------------------------------------------------------------

StatusOr<std::vector<int64_t>> EvalContext::IntsOf(size_t i) const {
  TFLC_RETURN_IF_ERROR(RequireData(i, "integer operand"));
  const int64_t n = NumElements(dims(i));
  std::vector<int64_t> v(static_cast<size_t>(n));
  const void* d = data(i);
  switch (type(i)) {
    case TFLC_TYPE_INT32: for (int64_t k = 0; k < n; ++k) v[k] = static_cast<const int32_t*>(d)[k]; break;
    case TFLC_TYPE_INT64: for (int64_t k = 0; k < n; ++k) v[k] = static_cast<const int64_t*>(d)[k]; break;
    case TFLC_TYPE_INT16: for (int64_t k = 0; k < n; ++k) v[k] = static_cast<const int16_t*>(d)[k]; break;
    case TFLC_TYPE_INT8: for (int64_t k = 0; k < n; ++k) v[k] = static_cast<const int8_t*>(d)[k]; break;
    case TFLC_TYPE_UINT8: for (int64_t k = 0; k < n; ++k) v[k] = static_cast<const uint8_t*>(d)[k]; break;
    default:
      return InvalidArgument("input " + std::to_string(i) + " must be an integer tensor, got " + TypeName(type(i)));
  }
  return v;
}

StatusOr<double> EvalContext::ScalarOf(size_t i) const {
  TFLC_RETURN_IF_ERROR(RequireData(i, "scalar operand"));
  if (NumElements(dims(i)) < 1) return InvalidArgument("input " + std::to_string(i) + " is empty; a scalar is needed");
  const void* d = data(i);
  switch (type(i)) {
    case TFLC_TYPE_FLOAT32: return static_cast<double>(*static_cast<const float*>(d));
    case TFLC_TYPE_INT32: return static_cast<double>(*static_cast<const int32_t*>(d));
    case TFLC_TYPE_INT64: return static_cast<double>(*static_cast<const int64_t*>(d));
    case TFLC_TYPE_INT16: return static_cast<double>(*static_cast<const int16_t*>(d));
    case TFLC_TYPE_INT8: return static_cast<double>(*static_cast<const int8_t*>(d));
    case TFLC_TYPE_UINT8: case TFLC_TYPE_BOOL: return static_cast<double>(*static_cast<const uint8_t*>(d));
    default:
      return Unimplemented("input " + std::to_string(i) + " has type " + TypeName(type(i)) +
                           ", which the reference kernel cannot read as a number");
  }
}

Status EvalContext::RequireData(size_t i, const char* what) const {
  if (!data(i)) return InvalidArgument("input " + std::to_string(i) + " (" + what + ") has no data");
  return OkStatus();
}

// ---------------------------------------------------------------------------------------------

StatusOr<Dims> BroadcastShapes(const Dims& a, const Dims& b) {
  const size_t rank = std::max(a.size(), b.size());
  Dims out(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Right-aligned; missing leading dims are 1.
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    int64_t d;
    if (da == db) {
      d = da;
    } else if (da == 1) {
      d = db;
    } else if (db == 1) {
      d = da;
    } else if (da < 0) {
      d = db;  // the unknown one must be 1 or db at run time
    } else if (db < 0) {
      d = da;
    } else {
      return InvalidArgument("shapes " + DimsToString(a) + " and " + DimsToString(b) +
                             " cannot be broadcast: dimension " + std::to_string(i) + " is " + std::to_string(da) +
                             " vs " + std::to_string(db));
    }
    out[i] = d;
  }
  return out;
}

int64_t ConvOutSize(int64_t padding, int64_t in, int64_t filter, int64_t stride, int64_t dilation) {
  if (in < 0) return kUnknownDim;
  const int64_t effective = (filter - 1) * dilation + 1;
  if (padding == kPaddingSame) return (in + stride - 1) / stride;
  return (in + stride - effective) / stride;
}

PadInfo ConvPadding(int64_t in, int64_t filter, int64_t stride, int64_t dilation, int64_t out) {
  const int64_t effective = (filter - 1) * dilation + 1;
  int64_t total = (out - 1) * stride + effective - in;
  if (total < 0) total = 0;
  return PadInfo{total / 2, total / 2 + total % 2};
}

// Output height/width of a convolution window; unknown when the input or kernel size is.
StatusOr<int64_t> WindowOutDim(const Window& w, bool height, int64_t in, int64_t k) {
  if (in < 0 || k < 0) return kUnknownDim;
  const int64_t stride = height ? w.stride_h : w.stride_w;
  const int64_t dilation = height ? w.dilation_h : w.dilation_w;
  const int64_t effective = (k - 1) * dilation + 1;
  if (w.padding == kPaddingValid && in < effective) {
    return InvalidArgument(std::string("VALID padding: the ") + (height ? "height" : "width") + " window " +
                           std::to_string(effective) + " (kernel " + std::to_string(k) + ", dilation " +
                           std::to_string(dilation) + ") is larger than the input " + (height ? "height " : "width ") +
                           std::to_string(in));
  }
  return ConvOutSize(w.padding, in, k, stride, dilation);
}

StatusOr<Window> ReadWindow(const OpContext& c, bool with_dilation) {
  Window w;
  TFLC_ASSIGN_OR_RETURN(w.padding, c.Int("padding", kPaddingSame));
  if (w.padding != kPaddingSame && w.padding != kPaddingValid) {
    return InvalidArgument("padding " + std::to_string(w.padding) + " is not a Padding value (SAME=0, VALID=1)");
  }
  TFLC_ASSIGN_OR_RETURN(w.stride_h, c.Int("stride_h", 0));
  TFLC_ASSIGN_OR_RETURN(w.stride_w, c.Int("stride_w", 0));
  if (w.stride_h <= 0 || w.stride_w <= 0) {
    return InvalidArgument("stride_h and stride_w must be positive, got " + std::to_string(w.stride_h) + " and " +
                           std::to_string(w.stride_w));
  }
  if (with_dilation) {
    TFLC_ASSIGN_OR_RETURN(w.dilation_h, c.Int("dilation_h_factor", 1));
    TFLC_ASSIGN_OR_RETURN(w.dilation_w, c.Int("dilation_w_factor", 1));
    if (w.dilation_h <= 0 || w.dilation_w <= 0) {
      return InvalidArgument("dilation_h_factor and dilation_w_factor must be positive, got " +
                             std::to_string(w.dilation_h) + " and " + std::to_string(w.dilation_w));
    }
  }
  return w;
}

// ---------------------------------------------------------------------------------------------

float ApplyActivation(int64_t act, float x) {
  switch (act) {
    case kActRelu: return x < 0.f ? 0.f : x;
    case kActReluN1To1: return x < -1.f ? -1.f : (x > 1.f ? 1.f : x);
    case kActRelu6: return x < 0.f ? 0.f : (x > 6.f ? 6.f : x);
    case kActTanh: return std::tanh(x);
    case kActSignBit: return std::signbit(x) ? 1.f : 0.f;
    default: return x;
  }
}

template <typename T>
void ActivationRange(int64_t act, T* lo, T* hi) {
  *lo = std::numeric_limits<T>::lowest();
  *hi = std::numeric_limits<T>::max();
  switch (act) {
    case kActRelu: *lo = 0; break;
    case kActReluN1To1: *lo = static_cast<T>(-1); *hi = 1; break;
    case kActRelu6: *lo = 0; *hi = 6; break;
    default: break;
  }
}
template void ActivationRange<int32_t>(int64_t, int32_t*, int32_t*);
template void ActivationRange<int64_t>(int64_t, int64_t*, int64_t*);
template void ActivationRange<int16_t>(int64_t, int16_t*, int16_t*);
template void ActivationRange<int8_t>(int64_t, int8_t*, int8_t*);
template void ActivationRange<uint8_t>(int64_t, uint8_t*, uint8_t*);

// ---------------------------------------------------------------------------------------------

bool IsQuantizedType(TflcDataType t) {
  return t == TFLC_TYPE_INT8 || t == TFLC_TYPE_UINT8 || t == TFLC_TYPE_INT16;
}

std::string TypeName(TflcDataType t) {
  if (t == TFLC_TYPE_UNKNOWN) return "an unknown type";
  return sdk::DataTypeName(t);
}

StatusOr<size_t> ElementBytes(TflcDataType type, std::string_view op) {
  size_t n = sdk::ElementSize(type);
  if (n == 0) {
    return Unimplemented(std::string(op) + ": the reference kernel does not move " + TypeName(type) + " data");
  }
  return n;
}


}  // namespace tflc::opset_builtin
