// Ops that call subgraphs: WHILE (cond / body) and IF (then / else). The subgraphs are attributes
// of kind TFLC_ATTR_GRAPH named after the schema's option fields; the option field kind
// TFLC_OPTION_SUBGRAPH (table.cc) tells the host these ops carry subgraphs, and the exporter writes
// each as the index that subgraph gets in the output.
//
// Runtime facts (LiteRT tflite/kernels/while.cc, if.cc): WHILE has as many outputs as inputs, the
// body takes and returns all of them (loop carried), the cond takes them and returns one bool;
// IF's input 0 is a one-element bool condition and inputs 1.. go to the chosen branch, whose outputs
// are the op's. A value whose shape differs between iterations or branches is dynamic: the shape
// functions write -1 where the candidates disagree.
#include "ops.h"

namespace tflc::opset_builtin {
namespace {

// The outputs of subgraph attribute `attr` of the node: (type, rank, dims) per output.
struct SubgraphOutputs {
  std::vector<TflcDataType> types;
  std::vector<std::optional<Dims>> dims;  // nullopt = unknown rank
};

StatusOr<SubgraphOutputs> OutputsOf(const OpContext& c, const char* attr) {
  TflcGraph* g = c.node().Subgraph(attr);
  if (!g) return InvalidArgument(std::string("attribute '") + attr + "' names no subgraph");
  sdk::GraphBuilder sub(c.host(), g);
  SubgraphOutputs out;
  for (size_t i = 0; i < sub.num_outputs(); ++i) {
    ValueView v = sub.output(i);
    out.types.push_back(v.type());
    if (v.rank() < 0) {
      out.dims.emplace_back(std::nullopt);
    } else {
      out.dims.emplace_back(v.dims());
    }
  }
  return out;
}

// Where two shapes differ in a dimension, the value is dynamic there (-1); a rank mismatch makes
// the rank unknown.
std::optional<Dims> Join(const std::optional<Dims>& a, const std::optional<Dims>& b) {
  if (!a || !b || a->size() != b->size()) return std::nullopt;
  Dims d = *a;
  for (size_t i = 0; i < d.size(); ++i) {
    if (d[i] != (*b)[i]) d[i] = -1;
  }
  return d;
}

}  // namespace

Status InferWhile(ShapeContext& c) {
  TFLC_ASSIGN_OR_RETURN(SubgraphOutputs body, OutputsOf(c, "body_subgraph_index"));
  TFLC_ASSIGN_OR_RETURN(SubgraphOutputs cond, OutputsOf(c, "cond_subgraph_index"));
  const size_t n = c.num_inputs();
  if (c.num_outputs() != n || body.types.size() != n) {
    return InvalidArgument("WHILE has " + std::to_string(n) + " inputs, " + std::to_string(c.num_outputs()) +
                           " outputs and a body with " + std::to_string(body.types.size()) +
                           " outputs; all three must be equal");
  }
  if (cond.types.size() != 1 || cond.types[0] != TFLC_TYPE_BOOL) {
    return InvalidArgument("the cond subgraph of WHILE must return one bool");
  }
  for (size_t i = 0; i < n; ++i) {
    if (c.type(i) != body.types[i]) {
      return InvalidArgument("loop variable " + std::to_string(i) + " enters as " + sdk::DataTypeName(c.type(i)) +
                             " but the body returns " + sdk::DataTypeName(body.types[i]));
    }
    std::optional<Dims> in;
    if (c.rank(i) >= 0) in = c.dims(i);
    std::optional<Dims> d = Join(in, body.dims[i]);
    if (d) {
      TFLC_RETURN_IF_ERROR(c.Set(i, c.type(i), *d));
    } else {
      TFLC_RETURN_IF_ERROR(c.SetUnknownRank(i, c.type(i)));
    }
  }
  return OkStatus();
}

Status InferIf(ShapeContext& c) {
  TFLC_ASSIGN_OR_RETURN(SubgraphOutputs then_out, OutputsOf(c, "then_subgraph_index"));
  TFLC_ASSIGN_OR_RETURN(SubgraphOutputs else_out, OutputsOf(c, "else_subgraph_index"));
  if (c.num_inputs() < 1 || c.type(0) != TFLC_TYPE_BOOL) return InvalidArgument("IF needs a bool condition as input 0");
  if (then_out.types.size() != c.num_outputs() || else_out.types.size() != c.num_outputs()) {
    return InvalidArgument("IF has " + std::to_string(c.num_outputs()) + " outputs but its branches return " +
                           std::to_string(then_out.types.size()) + " and " + std::to_string(else_out.types.size()));
  }
  for (size_t i = 0; i < c.num_outputs(); ++i) {
    if (then_out.types[i] != else_out.types[i]) {
      return InvalidArgument("output " + std::to_string(i) + " of IF is " + sdk::DataTypeName(then_out.types[i]) +
                             " in the then branch but " + sdk::DataTypeName(else_out.types[i]) + " in the else branch");
    }
    std::optional<Dims> d = Join(then_out.dims[i], else_out.dims[i]);
    if (d) {
      TFLC_RETURN_IF_ERROR(c.Set(i, then_out.types[i], *d));
    } else {
      TFLC_RETURN_IF_ERROR(c.SetUnknownRank(i, then_out.types[i]));
    }
  }
  return OkStatus();
}

}  // namespace tflc::opset_builtin
