// Emitting source-graph ops (TF raw op names, TF attributes) and constants through the host.
#ifndef TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_EMITTER_H_
#define TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_EMITTER_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "tflc/sdk/plugin.h"
#include "tflc/sdk/status.h"

namespace tflc::keras {

using sdk::NodeView;
using sdk::ValueView;
using Shape = std::vector<int64_t>;

// One TF attribute. Built with the factories (a plain constructor from const char* would silently
// pick the bool alternative of a variant).
struct Attr {
  std::string name;
  TflcAttrKind kind = TFLC_ATTR_NONE;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<std::string> strs;

  static Attr Int(std::string n, int64_t v) { Attr a; a.name = std::move(n); a.kind = TFLC_ATTR_INT; a.i = v; return a; }
  static Attr Float(std::string n, double v) { Attr a; a.name = std::move(n); a.kind = TFLC_ATTR_FLOAT; a.f = v; return a; }
  static Attr Bool(std::string n, bool v) { Attr a; a.name = std::move(n); a.kind = TFLC_ATTR_BOOL; a.i = v ? 1 : 0; return a; }
  static Attr Str(std::string n, std::string v) { Attr a; a.name = std::move(n); a.kind = TFLC_ATTR_STRING; a.s = std::move(v); return a; }
  static Attr Type(std::string n, TflcDataType t) { Attr a; a.name = std::move(n); a.kind = TFLC_ATTR_TYPE; a.i = t; return a; }
  static Attr Ints(std::string n, std::vector<int64_t> v) { Attr a; a.name = std::move(n); a.kind = TFLC_ATTR_INT_LIST; a.ints = std::move(v); return a; }
  static Attr Floats(std::string n, std::vector<double> v) { Attr a; a.name = std::move(n); a.kind = TFLC_ATTR_FLOAT_LIST; a.floats = std::move(v); return a; }
  static Attr Strs(std::string n, std::vector<std::string> v) { Attr a; a.name = std::move(n); a.kind = TFLC_ATTR_STRING_LIST; a.strs = std::move(v); return a; }
  // The usual `T` attribute.
  static Attr T(TflcDataType t = TFLC_TYPE_FLOAT32) { return Type("T", t); }
};

class Emitter {
 public:
  explicit Emitter(const sdk::GraphBuilder& graph) : g_(graph) {}

  const sdk::GraphBuilder& graph() const { return g_; }

  // "<scope>/<base>", made unique across the graph with TF's "_1", "_2" suffixes.
  std::string UniqueName(const std::string& scope, const std::string& base);

  // A source node named "<scope>/<name_hint or op without the tflc. prefix>".
  StatusOr<NodeView> Node(const std::string& scope, const std::string& op, const std::vector<ValueView>& inputs,
                          const std::vector<Attr>& attrs, size_t num_outputs = 1, const std::string& name_hint = "");
  // Same, returning output 0.
  StatusOr<ValueView> Op(const std::string& scope, const std::string& op, const std::vector<ValueView>& inputs,
                         const std::vector<Attr>& attrs, const std::string& name_hint = "");

  // Constants (copied by the host).
  StatusOr<ValueView> ConstI32(const std::string& scope, const std::string& base, const Shape& dims,
                               const std::vector<int32_t>& values);
  StatusOr<ValueView> ConstF32(const std::string& scope, const std::string& base, const Shape& dims,
                               const std::vector<float>& values);
  StatusOr<ValueView> ScalarF32(const std::string& scope, const std::string& base, float v) {
    return ConstF32(scope, base, {}, {v});
  }
  StatusOr<ValueView> ScalarI32(const std::string& scope, const std::string& base, int32_t v) {
    return ConstI32(scope, base, {}, {v});
  }
  // A constant whose bytes the caller writes into *data (host-owned, no copy).
  StatusOr<ValueView> NewConst(const std::string& name, TflcDataType type, const Shape& dims, size_t bytes,
                               void** data);
  // A constant that is bytes [offset, offset + bytes) of `path`, mapped by the host (no copy).
  StatusOr<ValueView> FileConst(const std::string& name, TflcDataType type, const Shape& dims, const std::string& path,
                                uint64_t offset, size_t bytes);

 private:
  Status SetAttr(const NodeView& node, const Attr& a);

  sdk::GraphBuilder g_;
  std::set<std::string> names_;
};

}  // namespace tflc::keras

#endif  // TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_EMITTER_H_
