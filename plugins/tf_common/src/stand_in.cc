#include "tf_common/stand_in.h"

#include <algorithm>
#include <map>
#include <set>

#include "graph.pb.h"
#include "tf_common/importer.h"
#include "tf_common/tensor.h"

namespace tflc::tf {
namespace {

// Output types of ops whose outputs are not all of type T (TF op definitions, array_ops.cc,
// math_ops.cc, ...): per output, an attribute naming the type or a fixed type.
struct OutputRule {
  const char* attr;   // or nullptr
  TflcDataType fixed;
};
const std::map<std::string, std::vector<OutputRule>, std::less<>>& OutputRules() {
  static const auto* rules = new std::map<std::string, std::vector<OutputRule>, std::less<>>{
      {"ArgMax", {{"output_type", TFLC_TYPE_INT64}}},
      {"ArgMin", {{"output_type", TFLC_TYPE_INT64}}},
      {"Bucketize", {{nullptr, TFLC_TYPE_INT32}}},
      {"ComplexAbs", {{"Tout", TFLC_TYPE_FLOAT32}}},
      {"InTopKV2", {{nullptr, TFLC_TYPE_BOOL}}},
      {"IsFinite", {{nullptr, TFLC_TYPE_BOOL}}},
      {"IsInf", {{nullptr, TFLC_TYPE_BOOL}}},
      {"IsNan", {{nullptr, TFLC_TYPE_BOOL}}},
      {"NonMaxSuppressionV3", {{nullptr, TFLC_TYPE_INT32}}},
      {"NonMaxSuppressionV4", {{nullptr, TFLC_TYPE_INT32}, {nullptr, TFLC_TYPE_INT32}}},
      {"Rank", {{nullptr, TFLC_TYPE_INT32}}},
      {"RegexFullMatch", {{nullptr, TFLC_TYPE_BOOL}}},
      {"Shape", {{"out_type", TFLC_TYPE_INT32}}},
      {"Size", {{"out_type", TFLC_TYPE_INT32}}},
      {"StringLength", {{nullptr, TFLC_TYPE_INT32}}},
      {"StringToHashBucketFast", {{nullptr, TFLC_TYPE_INT64}}},
      {"StringToNumber", {{"out_type", TFLC_TYPE_FLOAT32}}},
      {"TopKV2", {{"T", TFLC_TYPE_UNKNOWN}, {nullptr, TFLC_TYPE_INT32}}},
      {"Unique", {{"T", TFLC_TYPE_UNKNOWN}, {"out_idx", TFLC_TYPE_INT32}}},
      {"UniqueV2", {{"T", TFLC_TYPE_UNKNOWN}, {"out_idx", TFLC_TYPE_INT32}}},
      {"Where", {{nullptr, TFLC_TYPE_INT64}}},
  };
  return *rules;
}

TflcDataType TypeAttr(const sdk::NodeView& n, const char* name) {
  TflcAttrValue v;
  if (!n.GetAttr(name, &v) || v.kind != TFLC_ATTR_TYPE) return TFLC_TYPE_UNKNOWN;
  return static_cast<TflcDataType>(v.i);
}

int ToTfType(TflcDataType t) {
  switch (t) {
    case TFLC_TYPE_FLOAT32: return DT_FLOAT;
    case TFLC_TYPE_FLOAT64: return DT_DOUBLE;
    case TFLC_TYPE_INT32: return DT_INT32;
    case TFLC_TYPE_UINT8: return DT_UINT8;
    case TFLC_TYPE_INT16: return DT_INT16;
    case TFLC_TYPE_INT8: return DT_INT8;
    case TFLC_TYPE_STRING: return DT_STRING;
    case TFLC_TYPE_COMPLEX64: return DT_COMPLEX64;
    case TFLC_TYPE_INT64: return DT_INT64;
    case TFLC_TYPE_BOOL: return DT_BOOL;
    case TFLC_TYPE_BFLOAT16: return DT_BFLOAT16;
    case TFLC_TYPE_UINT16: return DT_UINT16;
    case TFLC_TYPE_COMPLEX128: return DT_COMPLEX128;
    case TFLC_TYPE_FLOAT16: return DT_HALF;
    case TFLC_TYPE_RESOURCE: return DT_RESOURCE;
    case TFLC_TYPE_VARIANT: return DT_VARIANT;
    case TFLC_TYPE_UINT32: return DT_UINT32;
    case TFLC_TYPE_UINT64: return DT_UINT64;
    case TFLC_TYPE_INT4: return DT_INT4;
    default: return DT_INVALID;
  }
}

// A tflc attribute back as a TF AttrValue (the inverse of ToTflcAttr).
AttrValue ToTfAttr(const TflcAttrValue& v) {
  AttrValue a;
  switch (v.kind) {
    case TFLC_ATTR_INT: a.set_i(v.i); break;
    case TFLC_ATTR_FLOAT: a.set_f(static_cast<float>(v.f)); break;
    case TFLC_ATTR_BOOL: a.set_b(v.i != 0); break;
    case TFLC_ATTR_STRING: a.set_s(std::string(sdk::Str(v.s))); break;
    case TFLC_ATTR_TYPE: a.set_type(static_cast<DataType>(ToTfType(static_cast<TflcDataType>(v.i)))); break;
    case TFLC_ATTR_INT_LIST: {
      auto* l = a.mutable_list();
      for (size_t k = 0; k < v.count; ++k) l->add_i(v.ints[k]);
      break;
    }
    case TFLC_ATTR_FLOAT_LIST: {
      auto* l = a.mutable_list();
      for (size_t k = 0; k < v.count; ++k) l->add_f(static_cast<float>(v.floats[k]));
      break;
    }
    case TFLC_ATTR_STRING_LIST: {
      auto* l = a.mutable_list();
      for (size_t k = 0; k < v.count; ++k) l->add_s(std::string(sdk::Str(v.strings[k])));
      break;
    }
    case TFLC_ATTR_TYPE_LIST: {
      auto* l = a.mutable_list();
      for (size_t k = 0; k < v.count; ++k)
        l->add_type(static_cast<DataType>(ToTfType(static_cast<TflcDataType>(v.ints[k]))));
      break;
    }
    case TFLC_ATTR_SHAPE: {
      auto* s = a.mutable_shape();
      if (v.i) {
        s->set_unknown_rank(true);
      } else {
        for (size_t k = 0; k < v.count; ++k) s->add_dim()->set_size(v.ints[k]);
      }
      break;
    }
    default: break;
  }
  return a;
}

}  // namespace

TflcDataType InferOutputType(const sdk::NodeView& src, size_t index) {
  const auto& rules = OutputRules();
  if (auto it = rules.find(src.op()); it != rules.end()) {
    if (index >= it->second.size()) return TFLC_TYPE_UNKNOWN;
    const OutputRule& r = it->second[index];
    if (r.attr) {
      TflcDataType t = TypeAttr(src, r.attr);
      if (t != TFLC_TYPE_UNKNOWN) return t;
    }
    return r.fixed;
  }
  for (const char* attr : {"out_type", "Tout", "output_type", "DstT", "dtype", "T"}) {
    TflcDataType t = TypeAttr(src, attr);
    if (t != TFLC_TYPE_UNKNOWN) return t;
  }
  for (size_t i = 0; i < src.num_inputs(); ++i) {
    if (src.input(i)) return src.input(i).type();
  }
  return TFLC_TYPE_UNKNOWN;
}

bool SameShapeAsInput0(std::string_view op) {
  static const auto* ops = new std::set<std::string, std::less<>>{
      "Abs", "Acos", "Acosh", "Angle", "Asin", "Asinh", "Atan", "Atanh", "Ceil", "CheckNumerics",
      "CheckNumericsV2", "ClipByValue", "Conj", "Cos", "Cosh", "Cumprod", "Cumsum", "CumulativeLogsumexp",
      "Digamma", "Elu", "Erf", "Erfc", "Exp", "Expm1", "Floor", "Imag", "Inv", "Invert", "IsFinite", "IsInf",
      "IsNan", "LeakyRelu", "Lgamma", "Log", "Log1p", "LogSoftmax", "LogicalNot", "MatrixBandPart", "Neg",
      "OnesLike", "PopulationCount", "Real", "Reciprocal", "Relu", "Relu6", "ReverseV2", "Rint", "Roll", "Round",
      "Rsqrt", "Selu", "Sigmoid", "Sign", "Sin", "Sinh", "Softmax", "Softplus", "Softsign", "Sqrt", "Square",
      "StopGradient", "Tan", "Tanh", "ZerosLike"};
  return ops->count(op) != 0;
}

StatusOr<sdk::NodeView> EmitStandIn(const sdk::GraphBuilder& graph, const sdk::NodeView& src,
                                    std::string_view custom_code) {
  std::vector<sdk::ValueView> inputs;
  for (size_t i = 0; i < src.num_inputs(); ++i) {
    if (src.input(i)) inputs.push_back(src.input(i));
  }
  TFLC_ASSIGN_OR_RETURN(sdk::NodeView node,
                        graph.AddNode(TFLC_DOMAIN_CUSTOM, custom_code, src.name(), inputs, src.num_outputs()));
  for (size_t i = 0; i < src.num_outputs(); ++i) {
    const sdk::ValueView from = src.output(i);
    TflcDataType type = from.type();
    if (type == TFLC_TYPE_UNKNOWN) type = InferOutputType(src, i);
    if (type == TFLC_TYPE_UNKNOWN) {
      return InvalidArgument("cannot tell the type of output " + std::to_string(i) + " of this " +
                             std::string(src.op()) +
                             " node (no OpDef, no type attribute, no input); convert a SavedModel, whose OpDefs "
                             "state it, or lower the op with a plugin");
    }
    if (from.has_shape()) {
      TFLC_RETURN_IF_ERROR(node.output(i).SetShape(type, from.dims()));
    } else if (!inputs.empty() && inputs[0].has_shape() && SameShapeAsInput0(src.op())) {
      TFLC_RETURN_IF_ERROR(node.output(i).SetShape(type, inputs[0].dims()));
    } else {
      TFLC_RETURN_IF_ERROR(node.output(i).SetUnknownRank(type));
    }
    TFLC_RETURN_IF_ERROR(from.ReplaceAllUsesWith(node.output(i)));
  }
  return node;
}

StatusOr<std::string> SourceNodeDef(const sdk::NodeView& src) {
  TflcAttrValue v;
  if (src.GetAttr(kNodeDefAttr, &v) && v.kind == TFLC_ATTR_STRING) return std::string(sdk::Str(v.s));
  NodeDef def;
  def.set_name(std::string(src.name()));
  def.set_op(std::string(src.op()));
  for (size_t i = 0; i < src.num_inputs(); ++i) {
    if (src.input(i)) def.add_input(std::string(src.input(i).name()));
  }
  for (const std::string& key : src.AttrNames()) {
    if (key.empty() || key[0] == '_') continue;
    if (src.GetAttr(key, &v)) (*def.mutable_attr())[key] = ToTfAttr(v);
  }
  return SerializeNodeDef(def);
}

}  // namespace tflc::tf
