// Shared helpers of the builtin opset: per-call contexts over the C ABI, shape arithmetic,
// broadcasting, padding as TFLite computes it, fused activations and element-type dispatch.
//
// Every op is three plain functions over these contexts (see ops.h):
//   Status InferX(ShapeContext&)     -- sets every output's type and shape
//   Status EvalX(EvalContext&)       -- reference kernel
//   StatusOr<int> VersionX(const OpContext&)
// table.cc wraps them into the C entry points with Guard, so nothing throws across the ABI.
#ifndef TFLC_PLUGINS_OPSET_BUILTIN_SRC_COMMON_H_
#define TFLC_PLUGINS_OPSET_BUILTIN_SRC_COMMON_H_

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "tflc/abi/tflc_plugin.h"
#include "tflc/sdk/half.h"
#include "tflc/sdk/plugin.h"
#include "tflc/sdk/status.h"

namespace tflc::opset_builtin {

using Dims = std::vector<int64_t>;
using sdk::NodeView;
using sdk::ValueView;

constexpr int64_t kUnknownDim = -1;

// Schema enums, as integers (docs/ir-contract.md).
enum Padding : int64_t { kPaddingSame = 0, kPaddingValid = 1 };
enum Activation : int64_t {
  kActNone = 0,
  kActRelu = 1,
  kActReluN1To1 = 2,
  kActRelu6 = 3,
  kActTanh = 4,
  kActSignBit = 5,
};

// "[1,?,3]" (unknown dims print as '?'), "<unknown rank>" for nullopt-like callers.
std::string DimsToString(const Dims& dims);
bool AllKnown(const Dims& dims);
// Product of dims; -1 when any dim is unknown.
int64_t NumElementsOrUnknown(const Dims& dims);
int64_t NumElements(const Dims& dims);
// Row-major strides of `dims`.
Dims Strides(const Dims& dims);
// Normalizes a possibly negative axis into [0, rank); error names `what`.
StatusOr<int64_t> NormalizeAxis(int64_t axis, int64_t rank, const char* what);

// Two dims that must agree: the known one wins; error when both known and different.
StatusOr<int64_t> MergeDim(int64_t a, int64_t b);

// ---------------------------------------------------------------------------------------------
// Contexts.

// Read access to a node: inputs, outputs, attributes (with the schema's defaults).
class OpContext {
 public:
  OpContext(const TflcHostApi* host, const TflcNode* node) : node_(host, node) {}
  virtual ~OpContext() = default;

  const NodeView& node() const { return node_; }
  const TflcHostApi* host() const { return node_.host(); }
  size_t num_inputs() const { return node_.num_inputs(); }
  size_t num_outputs() const { return node_.num_outputs(); }
  bool has_input(size_t i) const { return static_cast<bool>(node_.input(i)); }
  ValueView input(size_t i) const { return node_.input(i); }
  ValueView output(size_t i) const { return node_.output(i); }

  // Type of input i; UNKNOWN when omitted or not yet known.
  TflcDataType type(size_t i) const;
  TflcDataType output_type(size_t i) const;
  // Rank of input i; -1 when unknown or omitted.
  int rank(size_t i) const;
  Dims dims(size_t i) const;
  bool is_const(size_t i) const { return has_input(i) && input(i).is_const(); }
  // Quantization of input i (count 0 = not quantized).
  TflcQuantParams quant(size_t i) const;
  TflcQuantParams output_quant(size_t i) const;
  bool per_channel(size_t i) const { return quant(i).count > 1; }

  Status ExpectInputs(size_t min, size_t max) const;
  Status ExpectOutputs(size_t n) const;
  // Input i must be present; `what` names it in the error ("filter").
  Status Require(size_t i, const char* what) const;
  // Input i must have rank r (when its rank is known).
  Status ExpectRank(size_t i, int r, const char* what) const;

  // Attributes: absent ones take the schema default `def`.
  StatusOr<int64_t> Int(std::string_view name, int64_t def = 0) const { return node_.IntAttrOr(name, def); }
  StatusOr<double> Float(std::string_view name, double def = 0) const { return node_.FloatAttrOr(name, def); }
  StatusOr<bool> Bool(std::string_view name, bool def = false) const { return node_.BoolAttrOr(name, def); }
  // An int list attribute; empty when absent.
  StatusOr<std::vector<int64_t>> Ints(std::string_view name) const;
  // fused_activation_function, validated.
  StatusOr<int64_t> FusedActivation() const;

  // Constant contents of input i as integers (int32/int64/int8... input); nullopt when the input
  // is not a constant.
  StatusOr<std::optional<std::vector<int64_t>>> ConstInts(size_t i) const;
  StatusOr<std::optional<std::vector<double>>> ConstFloats(size_t i) const;

 private:
  NodeView node_;
};

// Shape inference: set every output's type and shape.
class ShapeContext : public OpContext {
 public:
  explicit ShapeContext(TflcOpShape_Args* args) : OpContext(args->host, args->node) {}
  Status Set(size_t out, TflcDataType type, const Dims& dims) const;
  Status SetUnknownRank(size_t out, TflcDataType type) const;
  // Output `out` gets input `in`'s type and shape.
  Status SetLike(size_t out, size_t in) const;
};

// Reference kernel: the node's value shapes are final; data comes from the args.
class EvalContext : public OpContext {
 public:
  explicit EvalContext(TflcOpEval_Args* args) : OpContext(args->host, args->node), args_(args) {}

  const void* data(size_t i) const { return i < args_->num_inputs ? args_->inputs[i] : nullptr; }
  template <typename T>
  const T* in(size_t i) const { return static_cast<const T*>(data(i)); }
  void* out_data(size_t i) const { return i < args_->num_outputs ? args_->outputs[i] : nullptr; }
  template <typename T>
  T* out(size_t i) const { return static_cast<T*>(out_data(i)); }
  Dims out_dims(size_t i) const { return output(i).dims(); }
  // Number of elements of input i / output i.
  int64_t in_size(size_t i) const { return NumElements(dims(i)); }
  int64_t out_size(size_t i) const { return NumElements(out_dims(i)); }

  // Contents of an integer input (int8..int64) as int64 values.
  StatusOr<std::vector<int64_t>> IntsOf(size_t i) const;
  // A scalar (or one-element) input as double, whatever its numeric type.
  StatusOr<double> ScalarOf(size_t i) const;
  // Input i must have data (present, non-NULL).
  Status RequireData(size_t i, const char* what) const;

 private:
  TflcOpEval_Args* args_;
};

// ---------------------------------------------------------------------------------------------
// Shape helpers.

// Numpy-style broadcast of two shapes (unknown dims broadcast to unknown unless the other is >1).
StatusOr<Dims> BroadcastShapes(const Dims& a, const Dims& b);

// TFLite's output size and padding (tflite/kernels/padding.h).
int64_t ConvOutSize(int64_t padding, int64_t in, int64_t filter, int64_t stride, int64_t dilation);
struct PadInfo {
  int64_t before = 0;  // top / left
  int64_t after = 0;   // bottom / right (gets the odd extra)
};
PadInfo ConvPadding(int64_t in, int64_t filter, int64_t stride, int64_t dilation, int64_t out);

// Reads padding / stride_h / stride_w / dilation attributes with validation.
struct Window {
  int64_t padding = kPaddingSame;
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
};
StatusOr<Window> ReadWindow(const OpContext& c, bool with_dilation);
// Output height (or width) of window `w` over `in` with kernel size k; unknown when in or k is;
// INVALID_ARGUMENT when a VALID window does not fit.
StatusOr<int64_t> WindowOutDim(const Window& w, bool height, int64_t in, int64_t k);

// ---------------------------------------------------------------------------------------------
// Activations.

// Applies a fused ActivationFunctionType to a float value.
float ApplyActivation(int64_t act, float x);
// Clamping range of an activation for integer data (TANH/SIGN_BIT are not clamps).
template <typename T>
void ActivationRange(int64_t act, T* lo, T* hi);
template <typename T>
T ApplyActivationT(int64_t act, T x) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(ApplyActivation(act, static_cast<float>(x)));
  } else {
    T lo, hi;
    ActivationRange<T>(act, &lo, &hi);
    return x < lo ? lo : (x > hi ? hi : x);
  }
}

// ---------------------------------------------------------------------------------------------
// Element type dispatch.

template <typename T>
struct Tag {
  using type = T;
};

bool IsQuantizedType(TflcDataType t);  // int8 / uint8 / int16 used with quantization params
std::string TypeName(TflcDataType t);

// Calls f(Tag<T>{}) for T matching `type` among float, int32, int64 (the types the arithmetic
// kernels support). Other types: UNIMPLEMENTED (the host then skips folding).
template <typename F>
Status DispatchArith(TflcDataType type, const char* op, F&& f) {
  switch (type) {
    case TFLC_TYPE_FLOAT32: return f(Tag<float>{});
    case TFLC_TYPE_INT32: return f(Tag<int32_t>{});
    case TFLC_TYPE_INT64: return f(Tag<int64_t>{});
    default:
      return Unimplemented(std::string(op) + ": the reference kernel does not handle " + TypeName(type) +
                           " data");
  }
}
// float, int32, int64, int8, uint8, int16, bool (raw values: comparisons, selects, reductions of
// raw integers).
template <typename F>
Status DispatchAll(TflcDataType type, const char* op, F&& f) {
  switch (type) {
    case TFLC_TYPE_FLOAT32: return f(Tag<float>{});
    case TFLC_TYPE_INT32: return f(Tag<int32_t>{});
    case TFLC_TYPE_INT64: return f(Tag<int64_t>{});
    case TFLC_TYPE_INT8: return f(Tag<int8_t>{});
    case TFLC_TYPE_UINT8: return f(Tag<uint8_t>{});
    case TFLC_TYPE_INT16: return f(Tag<int16_t>{});
    case TFLC_TYPE_BOOL: return f(Tag<bool>{});
    default:
      return Unimplemented(std::string(op) + ": the reference kernel does not handle " + TypeName(type) +
                           " data");
  }
}

// IEEE half <-> float (round to nearest even).
using sdk::FloatToHalf;
using sdk::HalfToFloat;

// Element size in bytes for data-movement kernels; UNIMPLEMENTED for variable-size types.
StatusOr<size_t> ElementBytes(TflcDataType type, std::string_view op);

// ---------------------------------------------------------------------------------------------
// Broadcast iteration: calls f(out_index, offset_0, ..., offset_{N-1}) for every output element,
// where offset_k is the element offset into input k (whose dims are right-aligned with `out`).
template <size_t N, typename F>
void ForEachBroadcast(const Dims& out, const Dims (&ins)[N], F&& f) {
  const size_t rank = out.size();
  std::vector<int64_t> stride[N];
  for (size_t k = 0; k < N; ++k) {
    stride[k].assign(rank, 0);
    const Dims& d = ins[k];
    const size_t shift = rank - d.size();
    int64_t s = 1;
    for (size_t j = d.size(); j-- > 0;) {
      stride[k][j + shift] = d[j] == 1 ? 0 : s;
      s *= d[j];
    }
  }
  const int64_t total = NumElements(out);
  if (total == 0) return;
  std::vector<int64_t> idx(rank, 0);
  int64_t off[N] = {};
  for (int64_t i = 0; i < total; ++i) {
    static_assert(N >= 1 && N <= 3, "ForEachBroadcast handles 1 to 3 inputs");
    if constexpr (N == 1) {
      f(i, off[0]);
    } else if constexpr (N == 2) {
      f(i, off[0], off[1]);
    } else {
      f(i, off[0], off[1], off[2]);
    }
    // Increment the multi-index, carrying offsets along.
    for (size_t j = rank; j-- > 0;) {
      if (++idx[j] < out[j]) {
        for (size_t k = 0; k < N; ++k) off[k] += stride[k][j];
        break;
      }
      for (size_t k = 0; k < N; ++k) off[k] -= stride[k][j] * (out[j] - 1);
      idx[j] = 0;
    }
  }
}

// Copies elements of `bytes` size: out[o] = in[src[o]] (src[o] < 0: leave out[o] untouched).
inline void GatherBytes(const void* in, void* out, size_t bytes, const std::vector<int64_t>& src) {
  const auto* i8 = static_cast<const uint8_t*>(in);
  auto* o8 = static_cast<uint8_t*>(out);
  for (size_t o = 0; o < src.size(); ++o) {
    if (src[o] >= 0) std::memcpy(o8 + o * bytes, i8 + src[o] * bytes, bytes);
  }
}

// Iterates a multi-index over `dims` in row-major order: f(linear, idx).
template <typename F>
void ForEachIndex(const Dims& dims, F&& f) {
  const int64_t total = NumElements(dims);
  std::vector<int64_t> idx(dims.size(), 0);
  for (int64_t i = 0; i < total; ++i) {
    f(i, idx);
    for (size_t j = dims.size(); j-- > 0;) {
      if (++idx[j] < dims[j]) break;
      idx[j] = 0;
    }
  }
}

}  // namespace tflc::opset_builtin

#endif  // TFLC_PLUGINS_OPSET_BUILTIN_SRC_COMMON_H_
