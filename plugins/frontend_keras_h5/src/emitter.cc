#include "emitter.h"

namespace tflc::keras {

std::string Emitter::UniqueName(const std::string& scope, const std::string& base) {
  std::string stem = scope.empty() ? base : scope + "/" + base;
  std::string name = stem;
  for (int k = 1; names_.count(name); ++k) name = stem + "_" + std::to_string(k);
  names_.insert(name);
  return name;
}

Status Emitter::SetAttr(const NodeView& node, const Attr& a) {
  TflcAttrValue v{};
  v.struct_size = TflcAttrValue_STRUCT_SIZE;
  v.kind = a.kind;
  v.i = a.i;
  v.f = a.f;
  v.s = sdk::Sv(a.s);
  v.ints = a.ints.data();
  v.floats = a.floats.data();
  std::vector<TflcStringView> strs;
  for (const std::string& e : a.strs) strs.push_back(sdk::Sv(e));
  v.strings = strs.data();
  v.count = a.kind == TFLC_ATTR_INT_LIST     ? a.ints.size()
            : a.kind == TFLC_ATTR_FLOAT_LIST ? a.floats.size()
            : a.kind == TFLC_ATTR_STRING_LIST ? a.strs.size()
                                              : 0;
  return node.SetAttr(a.name, v);
}

StatusOr<NodeView> Emitter::Node(const std::string& scope, const std::string& op, const std::vector<ValueView>& inputs,
                                 const std::vector<Attr>& attrs, size_t num_outputs, const std::string& name_hint) {
  std::string base = name_hint;
  if (base.empty()) base = op.rfind("tflc.", 0) == 0 ? op.substr(5) : op;
  std::string name = UniqueName(scope, base);
  TFLC_ASSIGN_OR_RETURN(NodeView node, g_.Source(op, name, inputs, num_outputs));
  for (const Attr& a : attrs) {
    Status s = SetAttr(node, a);
    if (!s.ok()) return s.WithContext("node '" + name + "' (" + op + "): attribute '" + a.name + "'");
  }
  return node;
}

StatusOr<ValueView> Emitter::Op(const std::string& scope, const std::string& op, const std::vector<ValueView>& inputs,
                                const std::vector<Attr>& attrs, const std::string& name_hint) {
  TFLC_ASSIGN_OR_RETURN(NodeView node, Node(scope, op, inputs, attrs, 1, name_hint));
  return node.output(0);
}

StatusOr<ValueView> Emitter::ConstI32(const std::string& scope, const std::string& base, const Shape& dims,
                                      const std::vector<int32_t>& values) {
  return g_.ConstInt32(UniqueName(scope, base), dims, values);
}

StatusOr<ValueView> Emitter::ConstF32(const std::string& scope, const std::string& base, const Shape& dims,
                                      const std::vector<float>& values) {
  return g_.ConstFloat(UniqueName(scope, base), dims, values);
}

StatusOr<ValueView> Emitter::NewConst(const std::string& name, TflcDataType type, const Shape& dims, size_t bytes,
                                      void** data) {
  return g_.NewConst(UniqueName("", name), type, dims, bytes, data);
}

StatusOr<ValueView> Emitter::FileConst(const std::string& name, TflcDataType type, const Shape& dims,
                                       const std::string& path, uint64_t offset, size_t bytes) {
  return g_.FileConst(UniqueName("", name), type, dims, path, offset, bytes);
}

}  // namespace tflc::keras
