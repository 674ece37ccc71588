// TF2 control flow: If / StatelessIf → IF, While / StatelessWhile → WHILE, and the TensorList ops
// lowered to plain tensors (a list of n elements of shape E is a tensor [n, E...]), as TF's
// converter does (LowerStaticTensorListPass), so no VARIANT tensor reaches the output.
//
// The frontend imports the branch / cond / body functions as subgraphs (TFLC_ATTR_GRAPH attributes
// then_branch, else_branch, cond, body). When a row here runs, the host has already lowered them
// with the types and shapes of this node's inputs: a loop variable that was a TensorList arrives in
// the body as the tensor its Reserve / FromTensor became.
//
// Facts (CONTROL_FLOW.md §1, §2, §4; LiteRT tflite/kernels/while.cc, if.cc, schema.fbs):
//   If(cond, inputs...) → IF(cond, inputs...); the branches take all of `inputs`; TFLite needs a
//   bool condition of one element (TF takes any type: non-zero is true).
//   While(vars...) → WHILE(vars...); cond(vars) → one bool, body(vars) → vars, same types.
//   TensorListReserve(element_shape, n) → zeros [n, E]; FromTensor(t) → t; GetItem(l, i) →
//   GATHER(l, i); SetItem(l, i, x) → SELECT_V2(RANGE(n) == i, x, l) (static shapes, no dynamic
//   slicing); Stack(l) → l; Length → n; ElementShape → E; PushBack → CONCATENATION(l, x);
//   PopBack → SLICE.
#include <string>
#include <vector>

#include "common.h"
#include "lowerings.h"
#include "rnn_loop.h"

namespace tflc::lower_builtin {
namespace {

std::string DimsString(const std::vector<int64_t>& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? "," : "") + std::to_string(d[i]);
  return s + "]";
}

std::string ShapeOf(const ValueView& v) { return v.rank() < 0 ? std::string("(unknown rank)") : DimsString(v.dims()); }

// The subgraph attribute `attr` of the source node and its id.
struct Sub {
  GraphBuilder graph;
  int64_t id = 0;
};

StatusOr<Sub> SubgraphAttr(const Lowering& l, const char* attr) {
  TFLC_ASSIGN_OR_RETURN(int64_t id, l.node().GraphAttr(attr));
  TflcGraph* g = l.node().Subgraph(attr);
  if (!g) return AttrError(attr, "names no subgraph (the frontend imports it as one)");
  return Sub{GraphBuilder(l.host(), g), id};
}

// A constant of any type with one element or none: TF's truth value (non-zero / non-empty).
StatusOr<std::optional<bool>> ConstTruth(const ValueView& v) {
  if (!v.is_const()) return std::optional<bool>();
  if (v.rank() > 0 && sdk::NumElements(v.dims()) != 1) return std::optional<bool>(sdk::NumElements(v.dims()) > 0);
  if (v.type() == TFLC_TYPE_BOOL) {
    TFLC_ASSIGN_OR_RETURN(auto b, v.ConstVector<int64_t>());
    return std::optional<bool>(!b.empty() && b[0] != 0);
  }
  auto x = v.ConstVector<double>();
  if (!x.ok()) return std::optional<bool>();
  return std::optional<bool>(!x->empty() && (*x)[0] != 0);
}

// A one-element bool condition: a bool passes; another numeric type becomes NOT_EQUAL(x, 0).
StatusOr<ValueView> BoolCondition(const Lowering& l, const ValueView& c, const std::string& what) {
  if (c.rank() > 0 && sdk::NumElements(c.dims()) != 1) {
    return Unimplemented(what + " has shape " + ShapeOf(c) +
                         "; TFLite takes a condition of one element (reduce it to a scalar, e.g. tf.reduce_any)");
  }
  if (c.type() == TFLC_TYPE_BOOL) return c;
  if (c.type() != TFLC_TYPE_FLOAT32 && c.type() != TFLC_TYPE_INT32 && c.type() != TFLC_TYPE_INT64) {
    return Unimplemented(what + " has type " + TypeName(c.type()) + "; a bool, float32, int32 or int64 is needed");
  }
  TFLC_ASSIGN_OR_RETURN(ValueView zero, l.Scalar("cond_zero", c.type(), 0));
  return l.Emit1("NOT_EQUAL", "cond_bool", {c, zero});
}

Status CheckNoVariant(const ValueView& v, const std::string& what) {
  if (v.type() == TFLC_TYPE_VARIANT || v.type() == TFLC_TYPE_RESOURCE) {
    return Unimplemented(what + " is a " + TypeName(v.type()) +
                         " handle that could not be turned into a plain tensor (TensorList ops with a static "
                         "element shape are; resource variables must be frozen constants)");
  }
  return OkStatus();
}

}  // namespace

// If / StatelessIf(cond, inputs...) → IF, or the chosen branch inlined when cond is constant.
TflcStatus* LowerIf(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(Sub then_sub, SubgraphAttr(l, "then_branch"));
    TFLC_ASSIGN_OR_RETURN(Sub else_sub, SubgraphAttr(l, "else_branch"));
    TFLC_ASSIGN_OR_RETURN(ValueView cond, l.Input(0));
    std::vector<ValueView> inputs;
    for (size_t i = 1; i < l.num_inputs(); ++i) {
      TFLC_ASSIGN_OR_RETURN(ValueView v, l.Input(i));
      inputs.push_back(v);
    }
    const size_t n = l.node().num_outputs();
    for (const Sub* s : {&then_sub, &else_sub}) {
      if (s->graph.num_inputs() != inputs.size() || s->graph.num_outputs() < n) {
        return InvalidArgument("branch `" + std::string(s->graph.name()) + "` takes " +
                               std::to_string(s->graph.num_inputs()) + " inputs and returns " +
                               std::to_string(s->graph.num_outputs()) + " values; the If passes " +
                               std::to_string(inputs.size()) + " and expects " + std::to_string(n));
      }
    }
    // A constant condition picks its branch now (TF's converter folds such an If too).
    TFLC_ASSIGN_OR_RETURN(std::optional<bool> truth, ConstTruth(cond));
    if (truth) {
      const Sub& taken = *truth ? then_sub : else_sub;
      TFLC_ASSIGN_OR_RETURN(std::vector<ValueView> outs, l.builder().Inline(taken.graph, l.Name(*truth ? "then" : "else"), inputs));
      for (size_t i = 0; i < n; ++i) TFLC_RETURN_IF_ERROR(l.Replace(i, outs[i]));
      return OkStatus();
    }
    for (size_t i = 0; i < n; ++i) {
      const ValueView t = then_sub.graph.output(i), e = else_sub.graph.output(i);
      TFLC_RETURN_IF_ERROR(CheckNoVariant(t, "output " + std::to_string(i) + " of the then branch"));
      if (t.type() != e.type()) {
        return InvalidArgument("the branches return different types for output " + std::to_string(i) + ": " +
                               TypeName(t.type()) + " (then branch `" + std::string(then_sub.graph.name()) + "`) and " +
                               TypeName(e.type()) + " (else branch `" + std::string(else_sub.graph.name()) + "`)");
      }
      if (t.rank() >= 0 && e.rank() >= 0 && t.dims() != e.dims()) {
        return Unimplemented("the branches return different shapes for output " + std::to_string(i) + ": " +
                             ShapeOf(t) + " (then branch `" + std::string(then_sub.graph.name()) + "`) and " +
                             ShapeOf(e) + " (else branch `" + std::string(else_sub.graph.name()) +
                             "`). tflc writes static shapes: make both branches return the same shape "
                             "(e.g. pad or reshape the smaller result), or compute both and pick with tf.where");
      }
    }
    TFLC_ASSIGN_OR_RETURN(ValueView c, BoolCondition(l, cond, "the condition of the If"));
    std::vector<ValueView> ins{c};
    ins.insert(ins.end(), inputs.begin(), inputs.end());
    TFLC_ASSIGN_OR_RETURN(NodeView op, l.Emit("IF", "", ins, {}, n));
    TFLC_RETURN_IF_ERROR(op.SetGraph("then_subgraph_index", then_sub.id));
    TFLC_RETURN_IF_ERROR(op.SetGraph("else_subgraph_index", else_sub.id));
    for (size_t i = 0; i < n; ++i) {
      TFLC_RETURN_IF_ERROR(op.output(i).SetShape(then_sub.graph.output(i).type(), then_sub.graph.output(i).dims()));
    }
    return l.ReplaceAll(op);
  });
}

// While / StatelessWhile(vars...) → WHILE(vars...). parallel_iterations, output_shapes and
// _lower_using_switch_merge are scheduling hints with no TFLite form.
TflcStatus* LowerWhile(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(Sub cond, SubgraphAttr(l, "cond"));
    TFLC_ASSIGN_OR_RETURN(Sub body, SubgraphAttr(l, "body"));
    const size_t n = l.num_inputs();
    std::vector<ValueView> vars;
    for (size_t i = 0; i < n; ++i) {
      TFLC_ASSIGN_OR_RETURN(ValueView v, l.Input(i));
      vars.push_back(v);
    }
    if (body.graph.num_inputs() != n || body.graph.num_outputs() != n || cond.graph.num_inputs() != n ||
        l.node().num_outputs() != n) {
      return InvalidArgument("has " + std::to_string(n) + " loop variables but its body `" + std::string(body.graph.name()) +
                             "` takes " + std::to_string(body.graph.num_inputs()) + " and returns " +
                             std::to_string(body.graph.num_outputs()) + ", and its cond `" +
                             std::string(cond.graph.name()) + "` takes " + std::to_string(cond.graph.num_inputs()));
    }
    if (cond.graph.num_outputs() != 1) {
      return InvalidArgument("its cond `" + std::string(cond.graph.name()) + "` returns " +
                             std::to_string(cond.graph.num_outputs()) + " values; one is needed");
    }
    for (size_t i = 0; i < n; ++i) {
      const ValueView in = vars[i], out = body.graph.output(i);
      const std::string what = "loop variable " + std::to_string(i) + " (`" + std::string(body.graph.input(i).name()) + "`)";
      TFLC_RETURN_IF_ERROR(CheckNoVariant(in, what));
      TFLC_RETURN_IF_ERROR(CheckNoVariant(out, what + " as the body returns it"));
      if (in.type() != out.type()) {
        return InvalidArgument(what + " enters as " + TypeName(in.type()) + " but the body returns " + TypeName(out.type()));
      }
      if (in.rank() >= 0 && out.rank() >= 0 && in.dims() != out.dims()) {
        return Unimplemented(what + " enters the loop with shape " + ShapeOf(in) + " but the body returns shape " +
                             ShapeOf(out) + ". tflc writes static shapes, so a loop variable must keep its shape "
                             "(a TensorList that grows with PushBack: reserve it with its final length instead)");
      }
    }
    // An LSTM / GRU recurrence (Keras 3, Keras 2 backend.rnn untagged, hand-written) becomes the
    // fused composite instead (rnn_loop.cc); anything else stays a WHILE.
    if (l.Option("fuse_rnn", "true") != "false") {
      TFLC_ASSIGN_OR_RETURN(bool fused, FuseRnnLoop(l, cond.graph, body.graph, vars));
      if (fused) return OkStatus();
    }
    // TFLite's WHILE needs a bool condition: a numeric cond result x becomes x != 0 in the cond.
    ValueView c = cond.graph.output(0);
    if (c.type() != TFLC_TYPE_BOOL) {
      if (c.rank() > 0 && sdk::NumElements(c.dims()) != 1)
        return Unimplemented("its cond returns shape " + ShapeOf(c) + "; a loop condition must have one element");
      TFLC_ASSIGN_OR_RETURN(ValueView zero, cond.graph.Const(l.Name("cond_zero"), c.type(), {}, std::vector<uint8_t>(sdk::ElementSize(c.type()), 0)));
      TFLC_ASSIGN_OR_RETURN(NodeView ne, cond.graph.Builtin("NOT_EQUAL", l.Name("cond_bool"), {c, zero}));
      TFLC_RETURN_IF_ERROR(ne.output(0).SetShape(TFLC_TYPE_BOOL, c.dims()));
      TFLC_RETURN_IF_ERROR(cond.graph.Absorb(l.host()->Graph_SetOutput(cond.graph.get(), 0, ne.output(0).get())));
    }
    TFLC_ASSIGN_OR_RETURN(NodeView op, l.Emit("WHILE", "", vars, {}, n));
    TFLC_RETURN_IF_ERROR(op.SetGraph("cond_subgraph_index", cond.id));
    TFLC_RETURN_IF_ERROR(op.SetGraph("body_subgraph_index", body.id));
    for (size_t i = 0; i < n; ++i) TFLC_RETURN_IF_ERROR(op.output(i).SetShape(vars[i].type(), vars[i].dims()));
    return l.ReplaceAll(op);
  });
}

// ---- TensorLists -------------------------------------------------------------------------------

namespace {

// The element shape operand as dims; -1 entries (unknown) and a scalar -1 (unknown rank) are
// resolved here or refused. A leading -1 is the batch: the one the conversion uses, which the TF
// frontend records on the node (attribute _tflc_batch: dimension 0 of the graph inputs), else 1.
// SetItem / PushBack check every element written against the result, so a wrong guess is an error,
// never wrong numbers.
StatusOr<std::vector<int64_t>> StaticElementShape(const Lowering& l, size_t input) {
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> shape, l.ConstInts(input, "element_shape"));
  TFLC_ASSIGN_OR_RETURN(int64_t batch, l.node().IntAttrOr("_tflc_batch", 1));
  const bool unknown_rank = l.OptionalInput(input).rank() == 0;  // a scalar -1
  std::vector<int64_t> dims = unknown_rank ? std::vector<int64_t>{-1} : shape;
  bool dynamic = unknown_rank;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] >= 0) continue;
    if (i == 0 && !unknown_rank) {
      dims[i] = batch > 0 ? batch : 1;  // the batch
      continue;
    }
    dynamic = true;
  }
  if (dynamic) {
    return Unimplemented(
        "the TensorList's element shape is " + (unknown_rank ? std::string("unknown (rank -1)") : DimsString(shape)) +
        "; tflc turns a TensorList into a tensor of static shape, so every element dimension but a leading batch "
        "must be known. What to do: give the list a full element shape in the model (tf.TensorArray(..., "
        "element_shape=...) or tf.ensure_shape on what is written into it), and give every input a full shape with "
        "--input_shapes (e.g. a time axis that is None)");
  }
  return dims;
}

// The list operand (input 0) as a plain tensor.
StatusOr<ValueView> ListInput(const Lowering& l) {
  TFLC_ASSIGN_OR_RETURN(ValueView list, l.Input(0));
  if (list.type() == TFLC_TYPE_VARIANT || list.rank() < 1) {
    return Unimplemented("its list (`" + std::string(list.name()) +
                         "`) is not a TensorList tflc could turn into a tensor (it comes from an op that is not "
                         "TensorListReserve / EmptyTensorList / TensorListFromTensor with a static element shape)");
  }
  return list;
}

Status CheckItem(const ValueView& list, const ValueView& item) {
  if (item.rank() < 0) return OkStatus();
  const std::vector<int64_t> dims = list.dims();
  std::vector<int64_t> element(dims.begin() + 1, dims.end());
  if (item.dims() != element || item.type() != list.type()) {
    return InvalidArgument("writes an element of shape " + ShapeOf(item) + " (" + TypeName(item.type()) +
                           ") into a list whose elements are " + DimsString(element) + " (" + TypeName(list.type()) +
                           "): the element shape of the list was taken from its TensorListReserve, a leading -1 as the "
                           "batch of the graph inputs (1 when they disagree). Give the list a full element shape in "
                           "the model (tf.TensorArray(..., element_shape=...)), or inputs whose first dimension is "
                           "the batch");
  }
  return OkStatus();
}

}  // namespace

// TensorListReserve(element_shape, num_elements) / EmptyTensorList(element_shape, max) → zeros
// [n, element_shape...] of element_dtype (EmptyTensorList: n = 0 - a list that only grows).
TflcStatus* LowerTensorListReserve(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(TflcDataType type, l.node().TypeAttr("element_dtype"));
    TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> element, StaticElementShape(l, 0));
    int64_t n = 0;
    if (l.node().op() == "TensorListReserve") {
      TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> count, l.ConstInts(1, "num_elements"));
      if (count.size() != 1 || count[0] < 0) {
        return Unimplemented("num_elements must be a known count >= 0 (got " + DimsString(count) +
                             "); a list of unknown length cannot become a static tensor");
      }
      n = count[0];
    }
    std::vector<int64_t> dims{n};
    dims.insert(dims.end(), element.begin(), element.end());
    TFLC_ASSIGN_OR_RETURN(ValueView zeros, l.Zeros("list", type, dims));
    return l.Replace(0, zeros);
  });
}

// TensorListFromTensor(tensor, element_shape) → the tensor (its rows are the elements).
TflcStatus* LowerTensorListFromTensor(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(ValueView t, l.Input(0));
    if (t.rank() < 1) return Unimplemented("its tensor has shape " + ShapeOf(t) + "; a list needs rank >= 1 and a known shape");
    return l.Replace(0, t);
  });
}

// TensorListGetItem(list, index, element_shape) → GATHER(list, index) on axis 0.
TflcStatus* LowerTensorListGetItem(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(ValueView list, ListInput(l));
    TFLC_ASSIGN_OR_RETURN(ValueView index, l.Int32Input(1, "index"));
    TFLC_ASSIGN_OR_RETURN(ValueView item, l.Emit1("GATHER", "", {list, index}, {{"axis", int64_t{0}}, {"batch_dims", int64_t{0}}}));
    return l.Replace(0, item);
  });
}

// TensorListSetItem(list, index, item) → SELECT_V2(RESHAPE(RANGE(n) == index, [n,1,...]),
// EXPAND_DIMS(item, 0), list): static shapes throughout (the range is a constant).
TflcStatus* LowerTensorListSetItem(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(ValueView list, ListInput(l));
    TFLC_ASSIGN_OR_RETURN(ValueView index, l.Int32Input(1, "index"));
    TFLC_ASSIGN_OR_RETURN(ValueView item, l.Input(2));
    TFLC_ASSIGN_OR_RETURN(bool resize, l.node().BoolAttrOr("resize_if_index_out_of_bounds", false));
    if (resize) {
      return UnsupportedAttr("resize_if_index_out_of_bounds", "true", "false (a list that grows cannot be a static tensor)");
    }
    TFLC_RETURN_IF_ERROR(CheckItem(list, item));
    const std::vector<int64_t> dims = list.dims();
    const int64_t n = dims[0];
    std::vector<int32_t> range(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) range[static_cast<size_t>(i)] = static_cast<int32_t>(i);
    TFLC_ASSIGN_OR_RETURN(ValueView positions, l.ConstInt32("positions", {n}, range));
    TFLC_ASSIGN_OR_RETURN(ValueView hit, l.Emit1("EQUAL", "hit", {positions, index}));
    std::vector<int64_t> mask_dims(dims.size(), 1);
    mask_dims[0] = n;
    TFLC_ASSIGN_OR_RETURN(ValueView mask, l.Reshape(hit, mask_dims, "mask"));
    std::vector<int64_t> item_dims{1};
    item_dims.insert(item_dims.end(), dims.begin() + 1, dims.end());
    TFLC_ASSIGN_OR_RETURN(ValueView row, l.Reshape(item, item_dims, "item"));
    TFLC_ASSIGN_OR_RETURN(ValueView out, l.Emit1("SELECT_V2", "", {mask, row, list}));
    TFLC_RETURN_IF_ERROR(out.SetShape(list.type(), dims));
    return l.Replace(0, out);
  });
}

// TensorListStack(list, element_shape) → the list tensor.
TflcStatus* LowerTensorListStack(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(ValueView list, ListInput(l));
    TFLC_ASSIGN_OR_RETURN(int64_t num, l.node().IntAttrOr("num_elements", -1));
    if (num >= 0 && num != list.dims()[0]) {
      return InvalidArgument("stacks num_elements = " + std::to_string(num) + " but the list has " +
                             std::to_string(list.dims()[0]));
    }
    return l.Replace(0, list);
  });
}

// TensorListLength(list) → the constant n; TensorListElementShape(list) → the constant shape.
TflcStatus* LowerTensorListLength(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(ValueView list, ListInput(l));
    TFLC_ASSIGN_OR_RETURN(ValueView n, l.ConstInt32("length", {}, {static_cast<int32_t>(list.dims()[0])}));
    return l.Replace(0, n);
  });
}

TflcStatus* LowerTensorListElementShape(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(ValueView list, ListInput(l));
    TFLC_ASSIGN_OR_RETURN(TflcDataType type, l.node().TypeAttr("shape_type"));
    const std::vector<int64_t> dims = list.dims();
    std::vector<int64_t> element(dims.begin() + 1, dims.end());
    const int64_t rank = static_cast<int64_t>(element.size());
    ValueView shape;
    if (type == TFLC_TYPE_INT64) {
      TFLC_ASSIGN_OR_RETURN(shape, l.builder().Const(l.Name("element_shape"), TFLC_TYPE_INT64, {rank}, element));
    } else {
      TFLC_ASSIGN_OR_RETURN(shape, l.ConstInt32Vector("element_shape", element));
    }
    return l.Replace(0, shape);
  });
}

// TensorListPushBack(list, item) → CONCATENATION(list, EXPAND_DIMS(item)) (outside loops: a list
// that grows inside a loop changes shape, which the WHILE lowering refuses).
TflcStatus* LowerTensorListPushBack(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(ValueView list, ListInput(l));
    TFLC_ASSIGN_OR_RETURN(ValueView item, l.Input(1));
    TFLC_RETURN_IF_ERROR(CheckItem(list, item));
    std::vector<int64_t> dims = list.dims();
    std::vector<int64_t> item_dims{1};
    item_dims.insert(item_dims.end(), dims.begin() + 1, dims.end());
    TFLC_ASSIGN_OR_RETURN(ValueView row, l.Reshape(item, item_dims, "item"));
    TFLC_ASSIGN_OR_RETURN(ValueView out, l.Emit1("CONCATENATION", "", {list, row},
                                                 {{"axis", int64_t{0}}, {"fused_activation_function", kActNone}}));
    dims[0] += 1;
    TFLC_RETURN_IF_ERROR(out.SetShape(list.type(), dims));
    return l.Replace(0, out);
  });
}

// TensorListPopBack(list, element_shape) → (SLICE of the first n-1 elements, the last element).
TflcStatus* LowerTensorListPopBack(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(ValueView list, ListInput(l));
    std::vector<int64_t> dims = list.dims();
    if (dims[0] < 1) return InvalidArgument("pops from a list that is empty here");
    std::vector<int64_t> zeros(dims.size(), 0), rest = dims, last_begin(dims.size(), 0), last_size = dims;
    rest[0] = dims[0] - 1;
    last_begin[0] = dims[0] - 1;
    last_size[0] = 1;
    TFLC_ASSIGN_OR_RETURN(ValueView b0, l.ConstInt32Vector("rest_begin", zeros));
    TFLC_ASSIGN_OR_RETURN(ValueView s0, l.ConstInt32Vector("rest_size", rest));
    TFLC_ASSIGN_OR_RETURN(ValueView head, l.Emit1("SLICE", "rest", {list, b0, s0}));
    TFLC_ASSIGN_OR_RETURN(ValueView b1, l.ConstInt32Vector("last_begin", last_begin));
    TFLC_ASSIGN_OR_RETURN(ValueView s1, l.ConstInt32Vector("last_size", last_size));
    TFLC_ASSIGN_OR_RETURN(ValueView tail, l.Emit1("SLICE", "last_row", {list, b1, s1}));
    std::vector<int64_t> element(dims.begin() + 1, dims.end());
    TFLC_ASSIGN_OR_RETURN(ValueView item, l.Reshape(tail, element, "last"));
    TFLC_RETURN_IF_ERROR(l.Replace(0, head));
    return l.Replace(1, item);
  });
}

}  // namespace tflc::lower_builtin

// ---- calls ---------------------------------------------------------------------------------------

namespace tflc::lower_builtin {
namespace {

bool AllZero(const ValueView& v) {
  if (!v.is_const()) return false;
  auto x = v.ConstVector<double>();
  if (!x.ok()) return false;
  for (double d : *x)
    if (d != 0) return false;
  return true;
}

// A Keras 2 RNN layer function (api_implements "lstm_*" / "gru_*"; CONTROL_FLOW.md §1.4):
//   LSTM (inputs, init_h, init_c, kernel, recurrent_kernel, bias) → (last, outputs, h, c, runtime)
//   GRU  (inputs, init_h, kernel, recurrent_kernel, bias)         → (last, outputs, h, runtime)
// becomes the Keras frontend's composite (tflc.LSTM → UNIDIRECTIONAL_SEQUENCE_LSTM; tflc.GRU), whose
// semantics are the layer's: gates i,f,c,o / z,r,h with sigmoid and tanh (the only activations
// Keras tags). `outputs` is [b,t,u] with return_sequences, else [b,1,u] (Keras sizes its output list
// 1): read from the function's lowered result. Returns false (not fused) for a masked call or
// weights that are not constants; the caller inlines the function then.
StatusOr<bool> FuseKerasRnn(const Lowering& l, const GraphBuilder& fn, bool lstm) {
  const size_t states = lstm ? 2 : 1;
  const size_t num_args = 4 + states;
  if (l.num_inputs() != num_args || fn.num_outputs() != num_args - 1) return false;  // e.g. a mask argument
  std::vector<ValueView> in;
  for (size_t i = 0; i < num_args; ++i) in.push_back(l.OptionalInput(i));
  const ValueView x = in[0];
  const ValueView kernel = in[1 + states], recurrent = in[2 + states], bias = in[3 + states];
  if (x.rank() != 3 || !kernel.is_const() || !recurrent.is_const() || !bias.is_const() || recurrent.rank() != 2) return false;
  TFLC_ASSIGN_OR_RETURN(bool time_major, l.node().BoolAttrOr("time_major", false));
  TFLC_ASSIGN_OR_RETURN(bool go_backwards, l.node().BoolAttrOr("go_backwards", false));
  const int64_t units = recurrent.dims()[0];
  const int64_t steps = x.dims()[time_major ? 0 : 1];
  const ValueView seq_result = fn.output(1);
  const bool return_sequences = !(seq_result.rank() == 3 && seq_result.dims()[time_major ? 0 : 1] == 1 && steps != 1);
  // Zero initial states are the composite's default; others are passed (the composite unrolls).
  bool zero_states = true;
  for (size_t s = 0; s < states; ++s) zero_states = zero_states && AllZero(in[1 + s]);
  const ValueView final_c = lstm ? l.node().output(3) : ValueView();
  const bool need_c = lstm && final_c.num_consumers() > 0;
  std::vector<ValueView> ins{x, kernel, recurrent, bias};
  if (!zero_states) ins.insert(ins.end(), in.begin() + 1, in.begin() + 1 + static_cast<std::ptrdiff_t>(states));
  const size_t outs = need_c ? 3 : 1;
  const int64_t batch = x.dims()[time_major ? 1 : 0];
  RnnComposite spec;
  spec.lstm = lstm;
  spec.units = units;
  spec.steps = steps;
  spec.batch = batch;
  spec.go_backwards = go_backwards;
  spec.time_major = time_major;
  spec.reset_after = bias.rank() == 2;
  spec.num_initial_states = zero_states ? 0 : static_cast<int64_t>(states);
  spec.num_outputs = outs;
  TFLC_ASSIGN_OR_RETURN(NodeView rnn, EmitRnnComposite(l, l.Name(lstm ? "lstm" : "gru"), ins, spec));
  const ValueView seq = rnn.output(0);
  TFLC_ASSIGN_OR_RETURN(ValueView last, LastStep(l, seq, time_major, "last", batch, units));
  TFLC_RETURN_IF_ERROR(l.Replace(0, last));
  if (return_sequences) {
    TFLC_RETURN_IF_ERROR(l.Replace(1, seq));
  } else {
    TFLC_ASSIGN_OR_RETURN(ValueView one, l.Reshape(last, time_major ? std::vector<int64_t>{1, batch, units}
                                                                      : std::vector<int64_t>{batch, 1, units}, "outputs"));
    TFLC_RETURN_IF_ERROR(l.Replace(1, one));
  }
  TFLC_RETURN_IF_ERROR(l.Replace(2, last));
  if (need_c) TFLC_RETURN_IF_ERROR(l.Replace(3, rnn.output(2)));
  // `runtime`: Keras' marker of the implementation that ran (1 = CPU).
  if (l.node().output(num_args - 2).num_consumers() > 0) {
    TFLC_ASSIGN_OR_RETURN(ValueView runtime, l.ScalarFloat("runtime", 1.0f));
    TFLC_RETURN_IF_ERROR(l.Replace(num_args - 2, runtime));
  }
  return true;
}

}  // namespace

StatusOr<NodeView> EmitRnnComposite(const Lowering& l, const std::string& name, const std::vector<ValueView>& ins,
                                    const RnnComposite& c) {
  TFLC_ASSIGN_OR_RETURN(NodeView rnn, l.builder().Source(c.lstm ? "tflc.LSTM" : "tflc.GRU", name, ins, c.num_outputs));
  TFLC_RETURN_IF_ERROR(rnn.SetInt("units", c.units));
  TFLC_RETURN_IF_ERROR(rnn.SetString("activation", "tanh"));
  TFLC_RETURN_IF_ERROR(rnn.SetString("recurrent_activation", "sigmoid"));
  TFLC_RETURN_IF_ERROR(rnn.SetBool("return_sequences", true));
  TFLC_RETURN_IF_ERROR(rnn.SetBool("go_backwards", c.go_backwards));
  TFLC_RETURN_IF_ERROR(rnn.SetBool("time_major", c.time_major));
  if (!c.lstm) TFLC_RETURN_IF_ERROR(rnn.SetBool("reset_after", c.reset_after));
  if (c.num_initial_states > 0) TFLC_RETURN_IF_ERROR(rnn.SetInt("num_initial_states", c.num_initial_states));
  const TflcDataType type = ins[0].type();
  TFLC_RETURN_IF_ERROR(rnn.output(0).SetShape(type, c.time_major ? std::vector<int64_t>{c.steps, c.batch, c.units}
                                                                  : std::vector<int64_t>{c.batch, c.steps, c.units}));
  if (c.num_outputs == 3) TFLC_RETURN_IF_ERROR(rnn.output(2).SetShape(type, {c.batch, c.units}));
  return rnn;
}

StatusOr<ValueView> LastStep(const Lowering& l, const ValueView& seq, bool time_major, const std::string& name,
                             int64_t batch, int64_t units) {
  TFLC_ASSIGN_OR_RETURN(ValueView begin, l.ConstInt32Vector(name + "/begin", time_major ? std::vector<int64_t>{-1, 0, 0}
                                                                                        : std::vector<int64_t>{0, -1, 0}));
  TFLC_ASSIGN_OR_RETURN(ValueView end, l.ConstInt32Vector(name + "/end", {0, 0, 0}));
  TFLC_ASSIGN_OR_RETURN(ValueView strides, l.ConstInt32Vector(name + "/strides", {1, 1, 1}));
  TFLC_ASSIGN_OR_RETURN(NodeView s, l.builder().Source("StridedSlice", l.Name(name), {seq, begin, end, strides}));
  TFLC_RETURN_IF_ERROR(s.SetInt("begin_mask", time_major ? 6 : 5));
  TFLC_RETURN_IF_ERROR(s.SetInt("end_mask", time_major ? 6 : 5));
  TFLC_RETURN_IF_ERROR(s.SetInt("shrink_axis_mask", time_major ? 1 : 2));
  TFLC_RETURN_IF_ERROR(s.SetInt("ellipsis_mask", 0));
  TFLC_RETURN_IF_ERROR(s.SetInt("new_axis_mask", 0));
  TFLC_RETURN_IF_ERROR(s.SetType("T", seq.type()));
  TFLC_RETURN_IF_ERROR(s.SetType("Index", TFLC_TYPE_INT32));
  TFLC_RETURN_IF_ERROR(s.output(0).SetShape(seq.type(), {batch, units}));
  return s.output(0);
}

// PartitionedCall / StatefulPartitionedCall kept by the frontend (a Keras 2 RNN layer function,
// subgraph `f`): fused into the RNN composite when it matches, else the function inlined.
TflcStatus* LowerCall(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(int64_t id, l.node().GraphAttr("f"));
    (void)id;
    TflcGraph* g = l.node().Subgraph("f");
    if (!g) return AttrError("f", "names no subgraph");
    GraphBuilder fn(l.host(), g);
    TFLC_ASSIGN_OR_RETURN(std::string api, l.node().StringAttrOr("api_implements", ""));
    // --experimental_fuse_rnn=false keeps the layer's loop (a WHILE): tests check that form too.
    if ((api.rfind("lstm_", 0) == 0 || api.rfind("gru_", 0) == 0) && l.Option("fuse_rnn", "true") != "false") {
      TFLC_ASSIGN_OR_RETURN(bool fused, FuseKerasRnn(l, fn, api.rfind("lstm_", 0) == 0));
      if (fused) return OkStatus();
    }
    std::vector<ValueView> ins;
    for (size_t i = 0; i < l.num_inputs(); ++i) ins.push_back(l.OptionalInput(i));
    if (fn.num_inputs() != ins.size()) {
      return InvalidArgument("passes " + std::to_string(ins.size()) + " values to function `" + std::string(fn.name()) +
                             "`, which takes " + std::to_string(fn.num_inputs()));
    }
    TFLC_ASSIGN_OR_RETURN(std::vector<ValueView> outs, l.builder().Inline(fn, l.Name(""), ins));
    for (size_t i = 0; i < l.node().num_outputs() && i < outs.size(); ++i) TFLC_RETURN_IF_ERROR(l.Replace(i, outs[i]));
    return OkStatus();
  });
}

}  // namespace tflc::lower_builtin
