// Header-only C++ helpers for writing tflc plugins on top of the C ABI.
//
//   - Guard: runs plugin code, converting tflc::Status and any exception into a host TflcStatus*.
//   - NodeView / ValueView / GraphBuilder: typed accessors over the opaque handles.
//   - Row / Op / NewPluginApi / TFLC_PLUGIN_ENTRY: building the plugin's static tables.
//
// Nothing here crosses the ABI: everything is inline and compiled into the plugin.
#ifndef TFLC_SDK_PLUGIN_H_
#define TFLC_SDK_PLUGIN_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "tflc/abi/tflc_host_api.h"
#include "tflc/abi/tflc_plugin.h"
#include "tflc/abi/tflc_types.h"
#include "tflc/sdk/status.h"

namespace tflc::sdk {

inline TflcStringView Sv(std::string_view s) { return TflcStringView{s.data(), s.size()}; }
inline std::string_view Str(TflcStringView s) { return std::string_view(s.data ? s.data : "", s.size); }

// Bytes per element; 0 for types without a fixed size (string, resource, variant, int4).
inline size_t ElementSize(TflcDataType type) {
  switch (type) {
    case TFLC_TYPE_FLOAT32: case TFLC_TYPE_INT32: case TFLC_TYPE_UINT32: return 4;
    case TFLC_TYPE_FLOAT16: case TFLC_TYPE_INT16: case TFLC_TYPE_UINT16: case TFLC_TYPE_BFLOAT16: return 2;
    case TFLC_TYPE_UINT8: case TFLC_TYPE_INT8: case TFLC_TYPE_BOOL: return 1;
    case TFLC_TYPE_INT64: case TFLC_TYPE_UINT64: case TFLC_TYPE_FLOAT64: case TFLC_TYPE_COMPLEX64: return 8;
    case TFLC_TYPE_COMPLEX128: return 16;
    default: return 0;
  }
}

inline const char* DataTypeName(TflcDataType type) {
  switch (type) {
    case TFLC_TYPE_FLOAT32: return "FLOAT32";
    case TFLC_TYPE_FLOAT16: return "FLOAT16";
    case TFLC_TYPE_INT32: return "INT32";
    case TFLC_TYPE_UINT8: return "UINT8";
    case TFLC_TYPE_INT64: return "INT64";
    case TFLC_TYPE_STRING: return "STRING";
    case TFLC_TYPE_BOOL: return "BOOL";
    case TFLC_TYPE_INT16: return "INT16";
    case TFLC_TYPE_COMPLEX64: return "COMPLEX64";
    case TFLC_TYPE_INT8: return "INT8";
    case TFLC_TYPE_FLOAT64: return "FLOAT64";
    case TFLC_TYPE_COMPLEX128: return "COMPLEX128";
    case TFLC_TYPE_UINT64: return "UINT64";
    case TFLC_TYPE_RESOURCE: return "RESOURCE";
    case TFLC_TYPE_VARIANT: return "VARIANT";
    case TFLC_TYPE_UINT32: return "UINT32";
    case TFLC_TYPE_UINT16: return "UINT16";
    case TFLC_TYPE_INT4: return "INT4";
    case TFLC_TYPE_BFLOAT16: return "BFLOAT16";
    default: return "UNKNOWN";
  }
}

inline int64_t NumElements(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

// Converts a C++ status into a host status (NULL for OK). `node` is named in the message.
inline TflcStatus* ToC(const TflcHostApi* host, const Status& s, const TflcNode* node = nullptr) {
  if (s.ok()) return nullptr;
  return host->Status_Create(s.code(), Sv(s.message()), node);
}

// Runs `fn` (returning tflc::Status) so that nothing escapes the plugin: a thrown exception
// becomes an INTERNAL status. Use it around every plugin entry point.
template <typename Fn>
TflcStatus* Guard(const TflcHostApi* host, const TflcNode* node, Fn&& fn) noexcept {
  try {
    return ToC(host, fn(), node);
  } catch (const std::exception& e) {
    return ToC(host, Internal(std::string("plugin threw an exception: ") + e.what()), node);
  } catch (...) {
    return ToC(host, Internal("plugin threw an unknown exception"), node);
  }
}
template <typename Fn>
TflcStatus* Guard(const TflcHostApi* host, Fn&& fn) noexcept {
  return Guard(host, nullptr, std::forward<Fn>(fn));
}

// ----------------------------------------------------------------------------------------------
class NodeView;

class ValueView {
 public:
  ValueView() = default;
  ValueView(const TflcHostApi* host, TflcValue* v) : host_(host), v_(v) {}

  explicit operator bool() const { return v_ != nullptr; }
  TflcValue* get() const { return v_; }
  const TflcHostApi* host() const { return host_; }

  std::string_view name() const { return Str(host_->Value_Name(v_)); }
  TflcDataType type() const { return host_->Value_Type(v_); }
  int32_t rank() const { return host_->Value_Rank(v_); }
  bool has_shape() const { return rank() >= 0; }
  std::vector<int64_t> dims() const {
    int32_t r = rank();
    if (r <= 0) return {};
    const int64_t* d = host_->Value_Dims(v_);
    return std::vector<int64_t>(d, d + r);
  }
  int64_t dim(int i) const {  // negative i counts from the end; -1 when unknown or out of range
    int32_t r = rank();
    if (i < 0) i += r;
    if (r <= 0 || i < 0 || i >= r) return -1;
    return host_->Value_Dims(v_)[i];
  }
  bool fully_defined() const {
    if (rank() < 0) return false;
    for (int64_t d : dims()) if (d < 0) return false;
    return true;
  }
  int64_t num_elements() const { return NumElements(dims()); }

  bool is_const() const {
    const void* d; size_t n;
    return host_->Value_ConstData(v_, &d, &n) != 0;
  }
  const void* data() const {
    const void* d = nullptr; size_t n = 0;
    host_->Value_ConstData(v_, &d, &n);
    return d;
  }
  size_t byte_size() const {
    const void* d = nullptr; size_t n = 0;
    host_->Value_ConstData(v_, &d, &n);
    return n;
  }
  template <typename T>
  const T* data_as() const { return static_cast<const T*>(data()); }
  // Constant contents as a vector (converted from int32/int64 or float32/float64 when T differs).
  template <typename T>
  StatusOr<std::vector<T>> ConstVector() const;

  size_t num_consumers() const { return host_->Value_NumConsumers(v_); }
  bool is_graph_output() const { return host_->Value_IsGraphOutput(v_) != 0; }
  NodeView producer(size_t* output_index = nullptr) const;

  Status SetShape(TflcDataType type, const std::vector<int64_t>& dims) const {
    TflcStatus* s = host_->Value_SetShape(v_, type, dims.data(), static_cast<int32_t>(dims.size()));
    return Absorb(s);
  }
  Status SetUnknownRank(TflcDataType type) const {
    return Absorb(host_->Value_SetShape(v_, type, nullptr, -1));
  }
  Status ReplaceAllUsesWith(const ValueView& to) const {
    return Absorb(host_->Value_ReplaceAllUsesWith(v_, to.v_));
  }

  // ---- quantization (ABI v1.1; on an older host: no range, and SetQuant fails) ----
  struct Quant {
    std::vector<float> scales;
    std::vector<int64_t> zero_points;
    int32_t quantized_dimension = 0;
    bool empty() const { return scales.empty(); }
  };
  Quant quant() const {
    TflcQuantParams p{};
    p.struct_size = TflcQuantParams_STRUCT_SIZE;
    host_->Value_GetQuant(v_, &p);
    Quant q;
    if (p.count) {
      q.scales.assign(p.scales, p.scales + p.count);
      q.zero_points.assign(p.zero_points, p.zero_points + p.count);
      q.quantized_dimension = p.quantized_dimension;
    }
    return q;
  }
  Status SetQuant(const Quant& q) const {
    if (q.scales.size() != q.zero_points.size()) return Status(TFLC_CODE_INVALID_ARGUMENT, "SetQuant: scales and zero points differ in count");
    TflcQuantParams p{};
    p.struct_size = TflcQuantParams_STRUCT_SIZE;
    p.scales = q.scales.data();
    p.zero_points = q.zero_points.data();
    p.count = q.scales.size();
    p.quantized_dimension = q.quantized_dimension;
    return Absorb(host_->Value_SetQuant(v_, &p));
  }
  Status SetQuant(float scale, int64_t zero_point) const { return SetQuant(Quant{{scale}, {zero_point}, 0}); }
  // The calibrated range (Value_GetRange): true and *min / *max when the value was observed.
  bool Range(float* min, float* max) const {
    if (!TFLC_HAS_FIELD(host_, TflcHostApi, Value_GetRange) || !host_->Value_GetRange) return false;
    return host_->Value_GetRange(v_, min, max) != 0;
  }
  // The calibrated mean of each channel (last dimension; Value_GetChannelMeans, ABI 1.2): empty
  // when the host recorded none for this value (or predates 1.2).
  std::vector<float> ChannelMeans() const {
    if (!TFLC_HAS_FIELD(host_, TflcHostApi, Value_GetChannelMeans) || !host_->Value_GetChannelMeans) return {};
    std::vector<float> m(static_cast<size_t>(std::max<int64_t>(0, host_->Value_GetChannelMeans(v_, nullptr, 0))));
    if (!m.empty()) host_->Value_GetChannelMeans(v_, m.data(), static_cast<int64_t>(m.size()));
    return m;
  }

  // Takes ownership of a host status and turns it into a tflc::Status.
  Status Absorb(TflcStatus* s) const {
    if (!s) return OkStatus();
    Status r(host_->Status_Code(s), std::string(Str(host_->Status_Message(s))));
    host_->Status_Destroy(s);
    return r;
  }

 private:
  const TflcHostApi* host_ = nullptr;
  TflcValue* v_ = nullptr;
};

class NodeView {
 public:
  NodeView() = default;
  NodeView(const TflcHostApi* host, TflcNode* n) : host_(host), n_(n) {}
  NodeView(const TflcHostApi* host, const TflcNode* n) : host_(host), n_(const_cast<TflcNode*>(n)) {}

  explicit operator bool() const { return n_ != nullptr; }
  TflcNode* get() const { return n_; }
  const TflcHostApi* host() const { return host_; }

  TflcOpDomain domain() const { return host_->Node_Domain(n_); }
  std::string_view op() const { return Str(host_->Node_Op(n_)); }
  std::string_view name() const { return Str(host_->Node_Name(n_)); }
  size_t num_inputs() const { return host_->Node_NumInputs(n_); }
  ValueView input(size_t i) const {
    return i < num_inputs() ? ValueView(host_, host_->Node_Input(n_, i)) : ValueView(host_, nullptr);
  }
  size_t num_outputs() const { return host_->Node_NumOutputs(n_); }
  ValueView output(size_t i) const { return ValueView(host_, host_->Node_Output(n_, i)); }

  bool HasAttr(std::string_view name) const {
    TflcAttrValue v{}; v.struct_size = sizeof v;
    return host_->Node_GetAttr(n_, Sv(name), &v) != 0;
  }
  // Raw access; returns false if absent.
  bool GetAttr(std::string_view name, TflcAttrValue* v) const {
    *v = TflcAttrValue{}; v->struct_size = sizeof *v;
    return host_->Node_GetAttr(n_, Sv(name), v) != 0;
  }

  StatusOr<int64_t> IntAttr(std::string_view name) const {
    TflcAttrValue v;
    if (!GetAttr(name, &v)) return Missing(name);
    if (v.kind == TFLC_ATTR_INT || v.kind == TFLC_ATTR_BOOL || v.kind == TFLC_ATTR_TYPE) return v.i;
    if (v.kind == TFLC_ATTR_FLOAT) return static_cast<int64_t>(v.f);
    return WrongKind(name, "an int");
  }
  StatusOr<double> FloatAttr(std::string_view name) const {
    TflcAttrValue v;
    if (!GetAttr(name, &v)) return Missing(name);
    if (v.kind == TFLC_ATTR_FLOAT) return v.f;
    if (v.kind == TFLC_ATTR_INT) return static_cast<double>(v.i);
    return WrongKind(name, "a float");
  }
  StatusOr<bool> BoolAttr(std::string_view name) const {
    TflcAttrValue v;
    if (!GetAttr(name, &v)) return Missing(name);
    if (v.kind == TFLC_ATTR_BOOL || v.kind == TFLC_ATTR_INT) return v.i != 0;
    return WrongKind(name, "a bool");
  }
  StatusOr<std::string> StringAttr(std::string_view name) const {
    TflcAttrValue v;
    if (!GetAttr(name, &v)) return Missing(name);
    if (v.kind == TFLC_ATTR_STRING) return std::string(Str(v.s));
    return WrongKind(name, "a string");
  }
  StatusOr<TflcDataType> TypeAttr(std::string_view name) const {
    TflcAttrValue v;
    if (!GetAttr(name, &v)) return Missing(name);
    if (v.kind == TFLC_ATTR_TYPE || v.kind == TFLC_ATTR_INT) return static_cast<TflcDataType>(v.i);
    return WrongKind(name, "a type");
  }
  StatusOr<std::vector<int64_t>> IntListAttr(std::string_view name) const {
    TflcAttrValue v;
    if (!GetAttr(name, &v)) return Missing(name);
    if (v.kind == TFLC_ATTR_INT_LIST || v.kind == TFLC_ATTR_SHAPE || v.kind == TFLC_ATTR_TYPE_LIST)
      return std::vector<int64_t>(v.ints, v.ints + v.count);
    return WrongKind(name, "an int list");
  }
  StatusOr<std::vector<double>> FloatListAttr(std::string_view name) const {
    TflcAttrValue v;
    if (!GetAttr(name, &v)) return Missing(name);
    if (v.kind == TFLC_ATTR_FLOAT_LIST) return std::vector<double>(v.floats, v.floats + v.count);
    return WrongKind(name, "a float list");
  }
  StatusOr<std::vector<std::string>> StringListAttr(std::string_view name) const {
    TflcAttrValue v;
    if (!GetAttr(name, &v)) return Missing(name);
    if (v.kind != TFLC_ATTR_STRING_LIST) return WrongKind(name, "a string list");
    std::vector<std::string> out;
    for (size_t i = 0; i < v.count; ++i) out.emplace_back(Str(v.strings[i]));
    return out;
  }

  // Defaults when absent (a present attribute of the wrong kind is still an error).
  StatusOr<int64_t> IntAttrOr(std::string_view n, int64_t d) const { return HasAttr(n) ? IntAttr(n) : StatusOr<int64_t>(d); }
  StatusOr<double> FloatAttrOr(std::string_view n, double d) const { return HasAttr(n) ? FloatAttr(n) : StatusOr<double>(d); }
  StatusOr<bool> BoolAttrOr(std::string_view n, bool d) const { return HasAttr(n) ? BoolAttr(n) : StatusOr<bool>(d); }
  StatusOr<std::string> StringAttrOr(std::string_view n, std::string d) const { return HasAttr(n) ? StringAttr(n) : StatusOr<std::string>(std::move(d)); }

  Status SetInt(std::string_view name, int64_t i) const { return Set(name, TFLC_ATTR_INT, [&](TflcAttrValue& v) { v.i = i; }); }
  Status SetBool(std::string_view name, bool b) const { return Set(name, TFLC_ATTR_BOOL, [&](TflcAttrValue& v) { v.i = b ? 1 : 0; }); }
  Status SetFloat(std::string_view name, double f) const { return Set(name, TFLC_ATTR_FLOAT, [&](TflcAttrValue& v) { v.f = f; }); }
  Status SetType(std::string_view name, TflcDataType t) const { return Set(name, TFLC_ATTR_TYPE, [&](TflcAttrValue& v) { v.i = t; }); }
  Status SetString(std::string_view name, std::string_view s) const { return Set(name, TFLC_ATTR_STRING, [&](TflcAttrValue& v) { v.s = Sv(s); }); }
  Status SetIntList(std::string_view name, const std::vector<int64_t>& l) const {
    return Set(name, TFLC_ATTR_INT_LIST, [&](TflcAttrValue& v) { v.ints = l.data(); v.count = l.size(); });
  }
  Status SetFloatList(std::string_view name, const std::vector<double>& l) const {
    return Set(name, TFLC_ATTR_FLOAT_LIST, [&](TflcAttrValue& v) { v.floats = l.data(); v.count = l.size(); });
  }
  Status SetStringList(std::string_view name, const std::vector<std::string>& l) const {
    std::vector<TflcStringView> views;
    for (const auto& s : l) views.push_back(Sv(s));
    return Set(name, TFLC_ATTR_STRING_LIST, [&](TflcAttrValue& v) { v.strings = views.data(); v.count = views.size(); });
  }
  // ABI 1.3: a subgraph the node calls (TFLC_ATTR_GRAPH): its id.
  StatusOr<int64_t> GraphAttr(std::string_view name) const {
    TflcAttrValue v;
    if (!GetAttr(name, &v)) return Missing(name);
    if (v.kind == TFLC_ATTR_GRAPH) return v.i;
    return WrongKind(name, "a subgraph");
  }
  Status SetGraph(std::string_view name, int64_t subgraph_id) const {
    return Set(name, TFLC_ATTR_GRAPH, [&](TflcAttrValue& v) { v.i = subgraph_id; });
  }
  // The subgraph attribute `name` names (TFLC_ATTR_GRAPH), or NULL (absent, or a host before 1.3).
  TflcGraph* Subgraph(std::string_view name) const {
    if (!TFLC_HAS_FIELD(host_, TflcHostApi, Node_Subgraph) || !host_->Node_Subgraph) return nullptr;
    return host_->Node_Subgraph(n_, Sv(name));
  }
  Status SetShapeAttr(std::string_view name, const std::vector<int64_t>& dims, bool unknown_rank = false) const {
    return Set(name, TFLC_ATTR_SHAPE, [&](TflcAttrValue& v) { v.ints = dims.data(); v.count = dims.size(); v.i = unknown_rank; });
  }
  Status SetAttr(std::string_view name, const TflcAttrValue& v) const {
    return ValueView(host_, nullptr).Absorb(host_->Node_SetAttr(n_, Sv(name), &v));
  }
  std::vector<std::string> AttrNames() const {
    std::vector<std::string> out;
    for (size_t i = 0, n = host_->Node_NumAttrs(n_); i < n; ++i) out.emplace_back(Str(host_->Node_AttrName(n_, i)));
    return out;
  }

  // "node `name` (Op): message" style errors are produced by the host when the node is passed to
  // Status_Create; Guard(host, node, ...) does that. These build the message part.
  Status Error(TflcStatusCode code, const std::string& message) const { return Status(code, message); }

  // ---- ABI v1.1 ----
  Status SetInput(size_t i, const ValueView& v) const {
    if (!TFLC_HAS_FIELD(host_, TflcHostApi, Node_SetInput) || !host_->Node_SetInput) {
      return Status(TFLC_CODE_UNIMPLEMENTED, "the host is older than ABI v1.1 (no Node_SetInput)");
    }
    return ValueView(host_, nullptr).Absorb(host_->Node_SetInput(n_, i, v.get()));
  }
  // ---- ABI v1.3 ----
  // Runs the shape function of the opset entry defining this node's op (any domain: a source-domain
  // entry gives a source op such as "keras.TransformerBlock" its output shapes before lowering).
  // NOT_FOUND when no loaded opset defines the op, UNIMPLEMENTED on a host before 1.3.
  Status InferShape() const {
    if (!TFLC_HAS_FIELD(host_, TflcHostApi, Node_InferShape) || !host_->Node_InferShape) {
      return Status(TFLC_CODE_UNIMPLEMENTED, "the host is older than ABI v1.3 (no Node_InferShape)");
    }
    return ValueView(host_, nullptr).Absorb(host_->Node_InferShape(n_));
  }
  // The opset entry defining this node's op, or NULL (unknown op or a host older than v1.1).
  const TflcOpsetEntry* opset_entry() const {
    if (!TFLC_HAS_FIELD(host_, TflcHostApi, Node_OpsetEntry) || !host_->Node_OpsetEntry) return nullptr;
    return host_->Node_OpsetEntry(n_);
  }
  // The entry's quantization facts, or NULL (an op no integer or hybrid kernel exists for).
  const TflcOpQuantSpec* quant_spec() const {
    const TflcOpsetEntry* e = opset_entry();
    if (!e || !TFLC_HAS_FIELD(e, TflcOpsetEntry, quant)) return nullptr;
    return e->quant;
  }

 private:
  template <typename F>
  Status Set(std::string_view name, TflcAttrKind kind, F&& fill) const {
    TflcAttrValue v{};
    v.struct_size = sizeof v;
    v.kind = kind;
    fill(v);
    return SetAttr(name, v);
  }
  Status Missing(std::string_view name) const {
    return InvalidArgument("missing attribute '" + std::string(name) + "'");
  }
  Status WrongKind(std::string_view name, const char* want) const {
    return InvalidArgument("attribute '" + std::string(name) + "' is not " + want);
  }

  const TflcHostApi* host_ = nullptr;
  TflcNode* n_ = nullptr;
};

inline NodeView ValueView::producer(size_t* output_index) const {
  size_t idx = 0;
  TflcNode* n = host_->Value_Producer(v_, &idx);
  if (output_index) *output_index = idx;
  return NodeView(host_, n);
}

template <typename T>
StatusOr<std::vector<T>> ValueView::ConstVector() const {
  const void* d = nullptr; size_t n = 0;
  if (!host_->Value_ConstData(v_, &d, &n))
    return InvalidArgument("tensor '" + std::string(name()) + "' must be a constant");
  std::vector<T> out;
  switch (type()) {
    case TFLC_TYPE_INT32: { auto* p = static_cast<const int32_t*>(d); out.assign(p, p + n / 4); break; }
    case TFLC_TYPE_INT64: { auto* p = static_cast<const int64_t*>(d); out.assign(p, p + n / 8); break; }
    case TFLC_TYPE_FLOAT32: { auto* p = static_cast<const float*>(d); out.assign(p, p + n / 4); break; }
    case TFLC_TYPE_FLOAT64: { auto* p = static_cast<const double*>(d); out.assign(p, p + n / 8); break; }
    case TFLC_TYPE_INT8: { auto* p = static_cast<const int8_t*>(d); out.assign(p, p + n); break; }
    case TFLC_TYPE_UINT8: case TFLC_TYPE_BOOL: { auto* p = static_cast<const uint8_t*>(d); out.assign(p, p + n); break; }
    case TFLC_TYPE_INT16: { auto* p = static_cast<const int16_t*>(d); out.assign(p, p + n / 2); break; }
    default:
      return InvalidArgument("tensor '" + std::string(name()) + "' has type " + DataTypeName(type()) +
                             ", which cannot be read as numbers here");
  }
  return out;
}

// A graph being built (frontends) or rewritten (lowerings, quantizers).
class GraphBuilder {
 public:
  GraphBuilder(const TflcHostApi* host, TflcGraph* g) : host_(host), g_(g) {}
  const TflcHostApi* host() const { return host_; }
  TflcGraph* get() const { return g_; }

  // `signature_dims` (ABI 1.3): the declared shape when it differs from `dims` (-1 = open, e.g. an
  // unknown batch written as 1 in `dims`); empty = same as dims.
  StatusOr<ValueView> Input(std::string_view name, TflcDataType type, const std::vector<int64_t>& dims,
                            std::string_view signature_name = {},
                            const std::vector<int64_t>& signature_dims = {}) const {
    TflcGraph_AddInput_Args a{};
    a.struct_size = TflcGraph_AddInput_Args_STRUCT_SIZE;
    a.graph = g_; a.name = Sv(name); a.signature_name = Sv(signature_name);
    a.type = type; a.dims = dims.data(); a.rank = static_cast<int32_t>(dims.size());
    if (!signature_dims.empty()) {
      if (signature_dims.size() != dims.size()) return InvalidArgument("Input: signature_dims rank differs from dims");
      a.signature_dims = signature_dims.data();
    }
    TFLC_RETURN_IF_ERROR(Absorb(host_->Graph_AddInput(&a)));
    return ValueView(host_, a.value);
  }
  // A variable tensor (zero-initialized state, e.g. LSTM output_state / cell_state).
  StatusOr<ValueView> Variable(std::string_view name, TflcDataType type, const std::vector<int64_t>& dims) const {
    TflcGraph_AddInput_Args a{};
    a.struct_size = TflcGraph_AddInput_Args_STRUCT_SIZE;
    a.graph = g_; a.name = Sv(name); a.type = type; a.dims = dims.data();
    a.rank = static_cast<int32_t>(dims.size());
    TFLC_RETURN_IF_ERROR(Absorb(host_->Graph_AddVariable(&a)));
    return ValueView(host_, a.value);
  }
  Status Output(const ValueView& v, std::string_view signature_name) const {
    return Absorb(host_->Graph_AddOutput(g_, v.get(), Sv(signature_name)));
  }

  // A constant copied from `data` (size bytes).
  StatusOr<ValueView> Const(std::string_view name, TflcDataType type, const std::vector<int64_t>& dims,
                            const void* data, size_t size) const {
    TflcGraph_AddConst_Args a{};
    a.struct_size = TflcGraph_AddConst_Args_STRUCT_SIZE;
    a.graph = g_; a.name = Sv(name); a.type = type; a.dims = dims.data();
    a.rank = static_cast<int32_t>(dims.size()); a.data = data; a.size = size;
    TFLC_RETURN_IF_ERROR(Absorb(host_->Graph_AddConst(&a)));
    return ValueView(host_, a.value);
  }
  template <typename T>
  StatusOr<ValueView> Const(std::string_view name, TflcDataType type, const std::vector<int64_t>& dims,
                            const std::vector<T>& values) const {
    return Const(name, type, dims, values.data(), values.size() * sizeof(T));
  }
  StatusOr<ValueView> ConstFloat(std::string_view name, const std::vector<int64_t>& dims, const std::vector<float>& v) const {
    return Const(name, TFLC_TYPE_FLOAT32, dims, v);
  }
  StatusOr<ValueView> ConstInt32(std::string_view name, const std::vector<int64_t>& dims, const std::vector<int32_t>& v) const {
    return Const(name, TFLC_TYPE_INT32, dims, v);
  }

  // A constant that is bytes [offset, offset + size) of `path`, memory-mapped by the host (no copy).
  StatusOr<ValueView> FileConst(std::string_view name, TflcDataType type, const std::vector<int64_t>& dims,
                                std::string_view path, uint64_t offset, size_t size) const {
    TflcGraph_AddConst_Args a{};
    a.struct_size = TflcGraph_AddConst_Args_STRUCT_SIZE;
    a.graph = g_; a.name = Sv(name); a.type = type; a.dims = dims.data();
    a.rank = static_cast<int32_t>(dims.size()); a.data = nullptr; a.size = size;
    a.file_path = Sv(path); a.file_offset = offset;
    TFLC_RETURN_IF_ERROR(Absorb(host_->Graph_AddConst(&a)));
    return ValueView(host_, a.value);
  }

  // A constant whose bytes the caller writes into *data (host-owned) before returning to the host.
  StatusOr<ValueView> NewConst(std::string_view name, TflcDataType type, const std::vector<int64_t>& dims,
                               size_t size, void** data) const {
    TflcGraph_AddConst_Args a{};
    a.struct_size = TflcGraph_AddConst_Args_STRUCT_SIZE;
    a.graph = g_; a.name = Sv(name); a.type = type; a.dims = dims.data();
    a.rank = static_cast<int32_t>(dims.size()); a.data = nullptr; a.size = size;
    TFLC_RETURN_IF_ERROR(Absorb(host_->Graph_AddConst(&a)));
    *data = a.mutable_data;
    return ValueView(host_, a.value);
  }

  StatusOr<NodeView> AddNode(TflcOpDomain domain, std::string_view op, std::string_view name,
                             const std::vector<ValueView>& inputs, size_t num_outputs = 1) const {
    std::vector<TflcValue*> in;
    in.reserve(inputs.size());
    for (const auto& v : inputs) in.push_back(v.get());
    TflcGraph_AddNode_Args a{};
    a.struct_size = TflcGraph_AddNode_Args_STRUCT_SIZE;
    a.graph = g_; a.domain = domain; a.op = Sv(op); a.name = Sv(name);
    a.inputs = in.data(); a.num_inputs = in.size(); a.num_outputs = num_outputs;
    TFLC_RETURN_IF_ERROR(Absorb(host_->Graph_AddNode(&a)));
    return NodeView(host_, a.node);
  }
  // Shorthands.
  StatusOr<NodeView> Source(std::string_view op, std::string_view name, const std::vector<ValueView>& inputs,
                            size_t num_outputs = 1) const {
    return AddNode(TFLC_DOMAIN_SOURCE, op, name, inputs, num_outputs);
  }
  StatusOr<NodeView> Builtin(std::string_view op, std::string_view name, const std::vector<ValueView>& inputs,
                             size_t num_outputs = 1) const {
    return AddNode(TFLC_DOMAIN_BUILTIN, op, name, inputs, num_outputs);
  }

  // ---- ABI 1.3: subgraphs ----
  bool has_subgraphs() const { return TFLC_HAS_FIELD(host_, TflcHostApi, Graph_Name) && host_->Graph_Name; }
  // A new subgraph of the model (a function body); *id is what a TFLC_ATTR_GRAPH attribute holds.
  StatusOr<GraphBuilder> AddSubgraph(std::string_view name, int64_t* id) const {
    if (!has_subgraphs()) return Status(TFLC_CODE_UNIMPLEMENTED, "the host is older than ABI v1.3 (no subgraphs)");
    TflcGraph* g = host_->Graph_AddSubgraph(g_, Sv(name), id);
    if (!g) return Status(TFLC_CODE_INTERNAL, "Graph_AddSubgraph failed");
    return GraphBuilder(host_, g);
  }
  std::string_view name() const { return has_subgraphs() ? Str(host_->Graph_Name(g_)) : std::string_view(); }
  // A constant of this graph sharing the data of `c` (a constant of another graph of the model).
  StatusOr<ValueView> ShareConst(const ValueView& c, std::string_view name = {}) const {
    if (!has_subgraphs()) return Status(TFLC_CODE_UNIMPLEMENTED, "the host is older than ABI v1.3 (no subgraphs)");
    TflcValue* v = host_->Graph_ShareConst(g_, c.get(), Sv(name));
    if (!v) return InvalidArgument("tensor '" + std::string(c.name()) + "' is not a constant of this model");
    return ValueView(host_, v);
  }
  // Copies subgraph `sub` into this graph on `inputs`; returns the values of its outputs.
  StatusOr<std::vector<ValueView>> Inline(const GraphBuilder& sub, std::string_view prefix,
                                          const std::vector<ValueView>& inputs) const {
    if (!has_subgraphs()) return Status(TFLC_CODE_UNIMPLEMENTED, "the host is older than ABI v1.3 (no subgraphs)");
    std::vector<TflcValue*> in;
    for (const auto& v : inputs) in.push_back(v.get());
    std::vector<TflcValue*> out(sub.num_outputs(), nullptr);
    TFLC_RETURN_IF_ERROR(Absorb(host_->Graph_Inline(g_, sub.get(), Sv(prefix), in.data(), in.size(), out.data(), out.size())));
    std::vector<ValueView> r;
    for (TflcValue* v : out) r.emplace_back(host_, v);
    return r;
  }

  // ABI 1.3: runs this graph once with the opsets' reference kernels (an Evaluate kernel of an op
  // that calls subgraphs). inputs[i] / outputs[k]: data of graph input i / output k, laid out as
  // that value's type and shape. During calibration the host records the graph's ranges.
  bool can_run() const { return TFLC_HAS_FIELD(host_, TflcHostApi, Graph_Run) && host_->Graph_Run; }
  Status Run(const std::vector<const void*>& inputs, const std::vector<void*>& outputs) const {
    if (!can_run()) return Status(TFLC_CODE_UNIMPLEMENTED, "the host cannot run subgraphs (no Graph_Run)");
    TflcGraph_Run_Args a{};
    a.struct_size = TflcGraph_Run_Args_STRUCT_SIZE;
    a.graph = g_;
    a.inputs = inputs.data();
    a.num_inputs = inputs.size();
    a.outputs = outputs.data();
    a.num_outputs = outputs.size();
    return Absorb(host_->Graph_Run(&a));
  }
  // ABI 1.3: a subgraph (a function body nodes call), not an entry graph (false on older hosts).
  bool is_subgraph() const {
    return TFLC_HAS_FIELD(host_, TflcHostApi, Graph_IsSubgraph) && host_->Graph_IsSubgraph && host_->Graph_IsSubgraph(g_) != 0;
  }

  size_t num_nodes() const { return host_->Graph_NumNodes(g_); }
  NodeView node(size_t i) const { return NodeView(host_, host_->Graph_Node(g_, i)); }
  size_t num_inputs() const { return host_->Graph_NumInputs(g_); }
  ValueView input(size_t i) const { return ValueView(host_, host_->Graph_Input(g_, i)); }
  size_t num_outputs() const { return host_->Graph_NumOutputs(g_); }
  ValueView output(size_t i) const { return ValueView(host_, host_->Graph_Output(g_, i)); }
  // ABI v1.1: output i is now `v` (its signature name stays).
  Status SetOutput(size_t i, const ValueView& v) const {
    if (!TFLC_HAS_FIELD(host_, TflcHostApi, Graph_SetOutput) || !host_->Graph_SetOutput) {
      return Status(TFLC_CODE_UNIMPLEMENTED, "the host is older than ABI v1.1 (no Graph_SetOutput)");
    }
    return Absorb(host_->Graph_SetOutput(g_, i, v.get()));
  }

  Status Absorb(TflcStatus* s) const { return ValueView(host_, nullptr).Absorb(s); }

 private:
  const TflcHostApi* host_;
  TflcGraph* g_;
};

// Reads an option set by the user (CLI flag or API attribute), e.g. "saved_model_tag_set".
inline bool GetOption(const TflcHostApi* host, const TflcOptions* options, std::string_view key,
                      std::string* value) {
  TflcStringView v{};
  if (!options || !host->Options_Get(options, Sv(key), &v)) return false;
  *value = std::string(Str(v));
  return true;
}

// A comma list option value ("TFLITE_BUILTINS,SELECT_TF_OPS") as a list of TF enum names: upper
// case, blanks dropped, a Python qualifier dropped ("tf.float16" -> "FLOAT16",
// "tf.lite.Optimize.DEFAULT" -> "DEFAULT"), empty items skipped.
inline std::vector<std::string> OptionList(std::string_view value) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find(',', start);
    if (end == std::string_view::npos) end = value.size();
    std::string item;
    for (char c : value.substr(start, end - start)) {
      if (c == '.') item.clear();  // keep what follows the last qualifier
      else if (c != ' ' && c != '\t') item += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

// ----------------------------------------------------------------------------------------------
// Table helpers.

// A lowering row (see TflcLoweringEntry).
constexpr TflcLoweringEntry Row(const char* source_op, TflcTarget target, const char* target_op,
                                int32_t min_version, int32_t max_version, int32_t priority,
                                TflcStatus* (*lower)(TflcLowerNode_Args*),
                                TflcStatus* (*match)(TflcLowerNode_Args*) = nullptr,
                                const char* note = nullptr, void* user_data = nullptr) {
  return TflcLoweringEntry{TflcLoweringEntry_STRUCT_SIZE, source_op, target, target_op, min_version,
                           max_version, priority, match, lower, user_data, note};
}

// An option field (see TflcOptionField).
constexpr TflcOptionField Field(const char* attr, int32_t slot, TflcOptionKind kind, double default_value = 0) {
  return TflcOptionField{TflcOptionField_STRUCT_SIZE, attr, slot, kind, default_value};
}

inline TflcPluginApi NewPluginApi(const char* name, const char* version, const char* description) {
  TflcPluginApi api{};
  api.struct_size = TflcPluginApi_STRUCT_SIZE;
  api.abi_major = TFLC_ABI_VERSION_MAJOR;
  api.abi_minor = TFLC_ABI_VERSION_MINOR;
  api.name = name;
  api.version = version;
  api.description = description;
  api.frontend_stride = sizeof(TflcFrontend);
  api.lowering_stride = sizeof(TflcLoweringEntry);
  api.op_stride = sizeof(TflcOpsetEntry);
  api.quantizer_stride = sizeof(TflcQuantizer);
  return api;
}
template <size_t N>
void SetFrontends(TflcPluginApi& api, const TflcFrontend (&a)[N]) { api.frontends = a; api.num_frontends = N; }
template <size_t N>
void SetLowerings(TflcPluginApi& api, const TflcLoweringEntry (&a)[N]) { api.lowerings = a; api.num_lowerings = N; }
inline void SetLowerings(TflcPluginApi& api, const TflcLoweringEntry* a, size_t n) { api.lowerings = a; api.num_lowerings = n; }
template <size_t N>
void SetOps(TflcPluginApi& api, const TflcOpsetEntry (&a)[N]) { api.ops = a; api.num_ops = N; }
inline void SetOps(TflcPluginApi& api, const TflcOpsetEntry* a, size_t n) { api.ops = a; api.num_ops = n; }
template <size_t N>
void SetQuantizers(TflcPluginApi& api, const TflcQuantizer (&a)[N]) { api.quantizers = a; api.num_quantizers = N; }

// The default negotiation: accept the host when it speaks our major version.
inline const TflcPluginApi* Negotiate(const TflcPluginQuery_Args* args, const TflcPluginApi* api) {
  if (!args || args->host_abi_major != TFLC_ABI_VERSION_MAJOR) return nullptr;
  return api;
}

}  // namespace tflc::sdk

// Defines the plugin library's one exported symbol, forwarding to the plugin's own query function
// (which has a unique name, so unit tests can link several plugins and register each with FakeHost).
// Put it alone in the plugin's entry.cc:   TFLC_PLUGIN_ENTRY(TflcLowerBuiltin_Query)
#define TFLC_PLUGIN_ENTRY(query_fn)                                                                \
  extern "C" TFLC_EXPORT const TflcPluginApi* TflcPlugin_Query(const TflcPluginQuery_Args* args) { \
    return query_fn(args);                                                                         \
  }

#endif  // TFLC_SDK_PLUGIN_H_
