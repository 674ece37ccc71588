// Shared helpers for the TF → TFLite builtin lowerings.
//
// A lowering callback wraps its body in Run(args, fn): `fn` gets a Lowering, which knows the
// source node and emits builtin nodes named after it ("conv/Conv2D", "conv/Conv2D/filter_transpose"),
// constants, and the final output redirection. Attribute helpers read TF attributes with errors
// that name the attribute; Guard names the node.
#ifndef TFLC_PLUGINS_LOWER_BUILTIN_SRC_COMMON_H_
#define TFLC_PLUGINS_LOWER_BUILTIN_SRC_COMMON_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "tflc/abi/tflc_plugin.h"
#include "tflc/sdk/plugin.h"
#include "tflc/sdk/status.h"

namespace tflc::lower_builtin {

using sdk::GraphBuilder;
using sdk::NodeView;
using sdk::ValueView;

// Enum values of the TFLite schema, written into builtin attributes as integers.
enum Padding : int64_t { kPaddingSame = 0, kPaddingValid = 1 };
enum Activation : int64_t {
  kActNone = 0,
  kActRelu = 1,
  kActReluN1To1 = 2,
  kActRelu6 = 3,
  kActTanh = 4,
};
enum MirrorPadMode : int64_t { kMirrorReflect = 0, kMirrorSymmetric = 1 };

// One attribute of an emitted builtin node (schema option field name → value).
struct Attr {
  enum Kind { kInt, kBool, kFloat, kIntList };
  Attr(std::string_view n, int v) : name(n), kind(kInt), i(v) {}
  Attr(std::string_view n, int64_t v) : name(n), kind(kInt), i(v) {}
  Attr(std::string_view n, bool v) : name(n), kind(kBool), i(v ? 1 : 0) {}
  Attr(std::string_view n, double v) : name(n), kind(kFloat), f(v) {}
  Attr(std::string_view n, float v) : name(n), kind(kFloat), f(v) {}
  Attr(std::string_view n, std::vector<int64_t> v) : name(n), kind(kIntList), list(std::move(v)) {}

  std::string_view name;
  Kind kind;
  int64_t i = 0;
  double f = 0;
  std::vector<int64_t> list;
};
using Attrs = std::vector<Attr>;

// Spatial parameters of a NHWC conv / pool, read from TF attributes.
struct Window2D {
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t padding = kPaddingValid;      // SAME / VALID (EXPLICIT becomes VALID + a PAD op)
  std::vector<int64_t> explicit_pads;   // 8 values (NHWC, [before, after] per dim) or empty
};

class Lowering {
 public:
  explicit Lowering(TflcLowerNode_Args* args)
      : args_(args), node_(args->host, args->node), builder_(args->host, args->graph) {}

  const TflcHostApi* host() const { return args_->host; }
  const NodeView& node() const { return node_; }
  const GraphBuilder& builder() const { return builder_; }
  const void* user_data() const { return args_->user_data; }
  // Conversion option `key` (e.g. "fuse_rnn"); `def` when it is not set.
  std::string Option(std::string_view key, std::string_view def) const {
    std::string v;
    return args_->options && sdk::GetOption(args_->host, args_->options, key, &v) ? v : std::string(def);
  }

  // "<node name>" for an empty suffix, else "<node name>/<suffix>".
  std::string Name(std::string_view suffix) const;

  // ---- inputs -------------------------------------------------------------------------------
  size_t num_inputs() const { return node_.num_inputs(); }
  // Input i; an error naming the input when it is missing or omitted.
  StatusOr<ValueView> Input(size_t i) const;
  // Input i (an omitted or absent input gives a null ValueView).
  ValueView OptionalInput(size_t i) const { return node_.input(i); }
  // Constant contents of input i as int64 (error unless it is an integer constant).
  StatusOr<std::vector<int64_t>> ConstInts(size_t i, std::string_view what) const;
  // Input i as an INT32 tensor: returned as is when INT32 or of unknown type, else a CAST to INT32
  // (folded later when the value is constant).
  StatusOr<ValueView> Int32Input(size_t i, std::string_view suffix) const;

  // ---- TF attributes -----------------------------------------------------------------------
  // Errors unless data_format (when present) is one of `allowed` (NHWC by default).
  Status RequireDataFormat(std::string_view default_format = "NHWC") const;
  // strides / dilations / padding (+ explicit_paddings) of a 2-D NHWC conv or pool.
  StatusOr<Window2D> ReadWindow2D(bool allow_explicit, bool has_dilations) const;
  // A 4-element [1, h, w, 1] list attribute → {h, w}.
  StatusOr<std::pair<int64_t, int64_t>> ReadHW(std::string_view attr, bool required,
                                              int64_t default_value) const;

  // ---- emission ----------------------------------------------------------------------------
  StatusOr<NodeView> Emit(std::string_view op, std::string_view suffix,
                          const std::vector<ValueView>& inputs, const Attrs& attrs = {},
                          size_t num_outputs = 1) const;
  // Emit() returning output 0.
  StatusOr<ValueView> Emit1(std::string_view op, std::string_view suffix,
                            const std::vector<ValueView>& inputs, const Attrs& attrs = {}) const;

  StatusOr<ValueView> ConstInt32(std::string_view suffix, const std::vector<int64_t>& dims,
                                 const std::vector<int32_t>& values) const;
  StatusOr<ValueView> ConstInt32Vector(std::string_view suffix, const std::vector<int64_t>& values) const;
  StatusOr<ValueView> ConstFloat(std::string_view suffix, const std::vector<int64_t>& dims,
                                 const std::vector<float>& values) const;
  StatusOr<ValueView> ScalarFloat(std::string_view suffix, float value) const;
  // A scalar of `type` (FLOAT32, INT32 or INT64) holding `value`.
  StatusOr<ValueView> Scalar(std::string_view suffix, TflcDataType type, double value) const;
  StatusOr<ValueView> Zeros(std::string_view suffix, TflcDataType type,
                            const std::vector<int64_t>& dims) const;
  // A variable tensor (TFLite is_variable: zero at start, updated in place by a stateful op).
  StatusOr<ValueView> Variable(std::string_view suffix, TflcDataType type,
                               const std::vector<int64_t>& dims) const;

  // Common small ops.
  StatusOr<ValueView> Transpose(const ValueView& x, const std::vector<int64_t>& perm,
                                std::string_view suffix) const;
  StatusOr<ValueView> Reshape(const ValueView& x, const std::vector<int64_t>& shape,
                              std::string_view suffix) const;
  StatusOr<ValueView> Binary(std::string_view op, const ValueView& a, const ValueView& b,
                             std::string_view suffix) const;  // sets fused_activation_function
  StatusOr<ValueView> Unary(std::string_view op, const ValueView& x, std::string_view suffix) const;

  // ---- results -----------------------------------------------------------------------------
  // Redirects every use of the source node's output `index` to `value`.
  Status Replace(size_t index, const ValueView& value) const;
  // Redirects outputs 0..n-1 of the source node to outputs 0..n-1 of `n`.
  Status ReplaceAll(const NodeView& n) const;

  Status SetAttrs(const NodeView& n, const Attrs& attrs) const;

 private:
  TflcLowerNode_Args* args_;
  NodeView node_;
  GraphBuilder builder_;
};

// Runs a lowering body under Guard, so errors name the source node and no exception escapes.
template <typename Fn>
TflcStatus* Run(TflcLowerNode_Args* args, Fn&& fn) noexcept {
  return sdk::Guard(args->host, args->node, [&]() -> Status {
    Lowering l(args);
    return fn(l);
  });
}

// Error helpers whose messages name the attribute or input.
Status AttrError(std::string_view attr, const std::string& problem);
Status UnsupportedAttr(std::string_view attr, const std::string& value, const std::string& supported);

// TflcDataType name for messages.
inline std::string TypeName(TflcDataType t) { return sdk::DataTypeName(t); }

}  // namespace tflc::lower_builtin

#endif  // TFLC_PLUGINS_LOWER_BUILTIN_SRC_COMMON_H_
