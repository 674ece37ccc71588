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
//
// The reference kernels (calibration, Interpret) run the subgraphs through the host's Graph_Run:
// WHILE runs cond on the loop variables, then body while cond returns true, feeding body's outputs
// back in; IF runs the branch its condition picks. The host never folds them.
#include <algorithm>
#include <cstring>
#include <utility>

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

size_t BytesOf(const ValueView& v) {
  int64_t n = 1;
  for (int64_t d : v.dims()) n *= d;
  return static_cast<size_t>(std::max<int64_t>(n, 0)) * sdk::ElementSize(v.type());
}

// The subgraph of `attr`, checked to be runnable with `n` inputs whose types and sizes are those
// of `values` (the node's inputs from `first`).
StatusOr<sdk::GraphBuilder> Runnable(const EvalContext& c, const char* attr, size_t first) {
  TflcGraph* g = c.node().Subgraph(attr);
  if (!g) return InvalidArgument(std::string("attribute '") + attr + "' names no subgraph");
  sdk::GraphBuilder sub(c.host(), g);
  if (!sub.can_run()) return Unimplemented("the host cannot run subgraphs (ABI older than 1.3)");
  const size_t n = c.num_inputs() - first;
  if (sub.num_inputs() != n) {
    return InvalidArgument("subgraph `" + std::string(sub.name()) + "` takes " + std::to_string(sub.num_inputs()) +
                           " inputs, the node passes " + std::to_string(n));
  }
  for (size_t i = 0; i < n; ++i) {
    ValueView in = sub.input(i);
    if (in.type() != c.type(first + i) || in.rank() < 0 || BytesOf(in) != BytesOf(c.input(first + i))) {
      return FailedPrecondition("input " + std::to_string(i) + " of subgraph `" + std::string(sub.name()) +
                                "` does not have the type and size of the value the node passes");
    }
  }
  return sub;
}

}  // namespace

Status EvalWhile(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(sdk::GraphBuilder cond, Runnable(c, "cond_subgraph_index", 0));
  TFLC_ASSIGN_OR_RETURN(sdk::GraphBuilder body, Runnable(c, "body_subgraph_index", 0));
  const size_t n = c.num_inputs();
  if (c.num_outputs() != n || body.num_outputs() != n || cond.num_outputs() != 1) {
    return InvalidArgument("WHILE needs as many outputs as inputs, a body returning them and a cond returning one bool");
  }
  // Loop variables keep their type and size (a variable whose shape changes has no static shape
  // and is never evaluated).
  std::vector<std::vector<uint8_t>> cur(n), next(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t bytes = BytesOf(c.input(i));
    if (BytesOf(body.output(i)) != bytes || BytesOf(c.output(i)) != bytes || body.output(i).type() != c.type(i)) {
      return FailedPrecondition("loop variable " + std::to_string(i) + " changes type or size in the body (subgraph `" +
                                std::string(body.name()) + "`) or has no known shape there");
    }
    cur[i].assign(std::max<size_t>(bytes, 1), 0);
    if (bytes) std::memcpy(cur[i].data(), c.data(i), bytes);
    next[i].assign(std::max<size_t>(bytes, 1), 0);
  }
  ValueView keep_going = cond.output(0);
  if (keep_going.type() != TFLC_TYPE_BOOL || BytesOf(keep_going) != 1) {
    return InvalidArgument("the cond subgraph of WHILE must return one bool");
  }
  std::vector<const void*> in(n);
  std::vector<void*> out(n);
  for (;;) {
    for (size_t i = 0; i < n; ++i) in[i] = cur[i].data();
    uint8_t go = 0;
    TFLC_RETURN_IF_ERROR(cond.Run(in, {&go}));
    if (!go) break;
    for (size_t i = 0; i < n; ++i) out[i] = next[i].data();
    TFLC_RETURN_IF_ERROR(body.Run(in, out));
    std::swap(cur, next);
  }
  for (size_t i = 0; i < n; ++i) {
    const size_t bytes = BytesOf(c.output(i));
    if (bytes) std::memcpy(c.out_data(i), cur[i].data(), bytes);
  }
  return OkStatus();
}

Status EvalIf(EvalContext& c) {
  if (c.num_inputs() < 1 || c.type(0) != TFLC_TYPE_BOOL || c.in_size(0) < 1) {
    return InvalidArgument("IF needs a bool condition as input 0");
  }
  const bool pick_then = c.in<uint8_t>(0)[0] != 0;
  TFLC_ASSIGN_OR_RETURN(sdk::GraphBuilder branch, Runnable(c, pick_then ? "then_subgraph_index" : "else_subgraph_index", 1));
  if (branch.num_outputs() != c.num_outputs()) {
    return InvalidArgument("IF has " + std::to_string(c.num_outputs()) + " outputs, its branch returns " +
                           std::to_string(branch.num_outputs()));
  }
  std::vector<const void*> in;
  for (size_t i = 1; i < c.num_inputs(); ++i) in.push_back(c.data(i));
  std::vector<void*> out;
  std::vector<std::vector<uint8_t>> empty;  // buffers for zero-size outputs
  for (size_t k = 0; k < c.num_outputs(); ++k) {
    if (BytesOf(branch.output(k)) != BytesOf(c.output(k)) || branch.output(k).type() != c.output_type(k)) {
      return FailedPrecondition("output " + std::to_string(k) + " of the branch taken (subgraph `" + std::string(branch.name()) +
                                "`) does not have the IF output's type and size");
    }
    if (c.out_data(k)) {
      out.push_back(c.out_data(k));
    } else {
      empty.emplace_back(1, 0);
      out.push_back(empty.back().data());
    }
  }
  for (size_t i = 0; i < in.size(); ++i) {
    if (!in[i]) return InvalidArgument("input " + std::to_string(i + 1) + " of IF has no data");
  }
  return branch.Run(in, out);
}

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
