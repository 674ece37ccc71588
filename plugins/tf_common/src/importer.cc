#include "tf_common/importer.h"

#include <algorithm>
#include <set>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "tf_common/tensor.h"
#include "tf_common/util.h"

namespace tflc::tf {

bool IsVariableOp(const std::string& op) {
  return op == "VariableV2" || op == "Variable" || op == "VarHandleOp" || op == "VarIsInitializedOp_never";
}

namespace {

bool IsCallOp(const std::string& op) { return op == "StatefulPartitionedCall" || op == "PartitionedCall"; }

// Output arg names of common multi-output-arg ops, for graphs that carry no OpDefs.
const std::vector<std::string>* BuiltinOutputArgs(const std::string& op) {
  static const std::map<std::string, std::vector<std::string>> table = {
      {"FusedBatchNorm", {"y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2"}},
      {"FusedBatchNormV2", {"y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2"}},
      {"FusedBatchNormV3",
       {"y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2", "reserve_space_3"}},
      {"TopKV2", {"values", "indices"}},
      {"Unique", {"y", "idx"}},
      {"UniqueV2", {"y", "idx"}},
  };
  auto it = table.find(op);
  return it == table.end() ? nullptr : &it->second;
}

}  // namespace

class Flattener {
 public:
  Flattener(FlatGraph* g, const FunctionDefLibrary& lib, const OpList* ops) : g_(g) {
    for (const auto& f : lib.function()) funcs_[f.signature().name()] = &f;
    if (ops)
      for (const auto& o : ops->op()) ops_[o.name()] = &o;
    g->library_ = &lib;
    g->ops_ = ops;
  }

  Status Run(const GraphDef& gd) {
    for (const auto& n : gd.node()) TFLC_RETURN_IF_ERROR(AddNode(n, "", nullptr, nullptr, nullptr));
    return OkStatus();
  }

  // Function `name` alone: a Placeholder per argument, its body inlined under `prefix`.
  Status RunFunction(const std::string& name, const std::string& prefix) {
    auto it = funcs_.find(name);
    if (it == funcs_.end()) return NotFound("function '" + name + "' is not in the function library");
    const FunctionDef& fn = *it->second;
    std::vector<Ref> inputs;
    for (const auto& arg : fn.signature().input_arg()) {
      auto nd = std::make_unique<NodeDef>();
      nd->set_name(arg.name());
      nd->set_op("Placeholder");
      (*nd->mutable_attr())["dtype"].set_type(arg.type());
      if (auto a = fn.arg_attr().find(static_cast<uint32_t>(inputs.size())); a != fn.arg_attr().end()) {
        if (auto os = a->second.attr().find("_output_shapes"); os != a->second.attr().end())
          (*nd->mutable_attr())["_output_shapes"] = os->second;
      }
      FlatNode f;
      f.name = arg.name();
      f.def = nd.get();
      g_->owned_.push_back(std::move(nd));
      if (g_->nodes_.count(f.name)) return InvalidArgument("function '" + name + "' has two arguments named '" + f.name + "'");
      g_->nodes_.emplace(f.name, std::move(f));
      inputs.push_back(Ref{arg.name(), 0});
    }
    return Inline(prefix, name, inputs);
  }

 private:
  using ArgMap = std::map<std::string, Ref>;
  using BodyMap = std::map<std::string, const NodeDef*>;

  const OpDef* FindOpDef(const std::string& op) const {
    auto it = ops_.find(op);
    if (it != ops_.end()) return it->second;
    auto f = funcs_.find(op);
    if (f != funcs_.end()) return &f->second->signature();
    return nullptr;
  }

  static int ArgSize(const OpDef::ArgDef& arg, const NodeDef& n) {
    if (!arg.number_attr().empty()) {
      auto it = n.attr().find(arg.number_attr());
      return it == n.attr().end() ? 1 : static_cast<int>(it->second.i());
    }
    if (!arg.type_list_attr().empty()) {
      auto it = n.attr().find(arg.type_list_attr());
      return it == n.attr().end() ? 1 : it->second.list().type_size();
    }
    return 1;
  }

  // The type of each output from the OpDef, when the op's OpDef is known (a SavedModel carries
  // them); UNKNOWN where an arg's type attribute is missing. Empty when there is no OpDef.
  std::vector<TflcDataType> OutputTypes(const NodeDef& n) const {
    std::vector<TflcDataType> types;
    const OpDef* od = FindOpDef(n.op());
    if (!od || IsCallOp(n.op())) return types;
    auto attr_type = [&](const std::string& name) {
      auto it = n.attr().find(name);
      return it == n.attr().end() ? TFLC_TYPE_UNKNOWN : FromTfType(it->second.type());
    };
    for (const auto& a : od->output_arg()) {
      if (!a.type_list_attr().empty()) {
        auto it = n.attr().find(a.type_list_attr());
        if (it == n.attr().end()) {
          types.push_back(TFLC_TYPE_UNKNOWN);
          continue;
        }
        for (int t : it->second.list().type()) types.push_back(FromTfType(t));
        continue;
      }
      const TflcDataType t = a.type_attr().empty() ? FromTfType(a.type()) : attr_type(a.type_attr());
      types.insert(types.end(), static_cast<size_t>(std::max(0, ArgSize(a, n))), t);
    }
    return types;
  }

  int DeclaredOutputs(const NodeDef& n) const {
    const OpDef* od = FindOpDef(n.op());
    if (!od) return 0;
    int total = 0;
    for (const auto& a : od->output_arg()) total += ArgSize(a, n);
    return total;
  }

  // "node:out_arg:i" inside a function body → flat index of that output of `n`.
  StatusOr<int> FlatIndex(const NodeDef& n, const std::string& arg, int i, const std::string& fn) const {
    if (IsCallOp(n.op())) return i;  // one list arg "output"
    if (const OpDef* od = FindOpDef(n.op())) {
      int base = 0;
      for (const auto& a : od->output_arg()) {
        if (a.name() == arg) return base + i;
        base += ArgSize(a, n);
      }
      return InvalidArgument("function '" + fn + "': node '" + n.name() + "' (" + n.op() + ") has no output '" +
                             arg + "'");
    }
    if (const auto* names = BuiltinOutputArgs(n.op())) {
      auto it = std::find(names->begin(), names->end(), arg);
      if (it != names->end()) return static_cast<int>(it - names->begin()) + i;
    }
    return i;  // single-output-arg ops (almost all)
  }

  // A function-body input string → a flat reference; nullopt for control inputs.
  StatusOr<std::optional<Ref>> BodyInput(const std::string& in, const std::string& prefix, const FunctionDef& fn,
                                         const ArgMap& args, const BodyMap& body) const {
    if (!in.empty() && in[0] == '^') return std::optional<Ref>();
    std::vector<std::string> parts = Split(in, ':', /*keep_empty=*/true);
    const std::string& fname = fn.signature().name();
    if (parts.size() == 1) {
      auto it = args.find(parts[0]);
      if (it != args.end()) return std::optional<Ref>(it->second);
      if (body.count(parts[0])) return std::optional<Ref>(Ref{prefix + parts[0], 0});
      return NotFound("function '" + fname + "': input '" + in + "' names no argument or node");
    }
    auto bit = body.find(parts[0]);
    if (bit == body.end()) {
      auto a = args.find(parts[0]);  // "arg:0"
      if (a != args.end() && parts.size() == 2) return std::optional<Ref>(a->second);
      return NotFound("function '" + fname + "': input '" + in + "' names no node of the function");
    }
    if (parts.size() == 2) return std::optional<Ref>(Ref{prefix + parts[0], std::atoi(parts[1].c_str())});
    TFLC_ASSIGN_OR_RETURN(int idx, FlatIndex(*bit->second, parts[1], std::atoi(parts[2].c_str()), fname));
    return std::optional<Ref>(Ref{prefix + parts[0], idx});
  }

  Status AddNode(const NodeDef& n, const std::string& prefix, const FunctionDef* fn, const ArgMap* args,
                 const BodyMap* body) {
    const std::string name = prefix + n.name();
    std::vector<Ref> inputs;
    for (const auto& in : n.input()) {
      if (fn) {
        TFLC_ASSIGN_OR_RETURN(std::optional<Ref> r, BodyInput(in, prefix, *fn, *args, *body));
        if (r) inputs.push_back(*r);
      } else {
        TensorName t = ParseTensorName(in);
        if (t.index >= 0) inputs.push_back(Ref{t.node, t.index});
      }
    }
    if (g_->nodes_.count(name) || g_->call_outputs_.count(name))
      return InvalidArgument("two nodes are named '" + name + "'");
    std::string callee;
    if (IsCallOp(n.op())) {
      auto it = n.attr().find("f");
      if (it != n.attr().end()) callee = it->second.func().name();
    } else if (funcs_.count(n.op())) {
      callee = n.op();
    }
    if (!callee.empty() && !KeptCall(callee)) return Inline(name, callee, inputs);
    FlatNode f;
    if (!callee.empty()) {
      f.callee = callee;
      f.declared_outputs = funcs_.at(callee)->signature().output_arg_size();
    }
    f.name = name;
    f.def = &n;
    f.inputs = std::move(inputs);
    if (f.callee.empty()) {
      f.declared_outputs = DeclaredOutputs(n);
      f.output_types = OutputTypes(n);
    }
    g_->nodes_.emplace(name, std::move(f));
    return OkStatus();
  }

  // A Keras RNN layer function (api_implements "lstm_<uuid>" / "gru_<uuid>", Keras 2): kept as one
  // call so the lowering can fuse it (CONTROL_FLOW.md §1.4, §3).
  bool KeptCall(const std::string& fname) const {
    auto it = funcs_.find(fname);
    if (it == funcs_.end()) return false;
    auto a = it->second->attr().find("api_implements");
    if (a == it->second->attr().end()) return false;
    const std::string& tag = a->second.s();
    return tag.rfind("lstm_", 0) == 0 || tag.rfind("gru_", 0) == 0;
  }

  Status Inline(const std::string& call, const std::string& fname, const std::vector<Ref>& inputs) {
    auto found = std::find(stack_.begin(), stack_.end(), fname);
    if (found != stack_.end()) {
      std::string chain;
      for (auto it = found; it != stack_.end(); ++it) chain += "'" + *it + "' → ";
      return InvalidArgument("function '" + fname + "' calls itself (" + chain + "'" + fname +
                             "', at node '" + call + "'): recursive functions cannot be inlined");
    }
    auto fit = funcs_.find(fname);
    if (fit == funcs_.end())
      return NotFound("node '" + call + "' calls function '" + fname + "', which is not in the function library");
    const FunctionDef& fn = *fit->second;
    if (static_cast<int>(inputs.size()) < fn.signature().input_arg_size())
      return InvalidArgument("node '" + call + "' passes " + std::to_string(inputs.size()) + " inputs to '" + fname +
                             "', which takes " + std::to_string(fn.signature().input_arg_size()));
    ArgMap args;
    for (int i = 0; i < fn.signature().input_arg_size(); ++i) args[fn.signature().input_arg(i).name()] = inputs[i];
    BodyMap body;
    for (const auto& nd : fn.node_def()) body[nd.name()] = &nd;
    if (stack_.size() > 64) return InvalidArgument("function calls are nested more than 64 deep at '" + call + "'");
    stack_.push_back(fname);
    const std::string prefix = call + "/";
    // The call's outputs (recorded first so a body node named like the call is still a clash).
    std::vector<Ref> outs;
    for (const auto& oa : fn.signature().output_arg()) {
      auto r = fn.ret().find(oa.name());
      if (r == fn.ret().end())
        return InvalidArgument("function '" + fname + "' has no return value for output '" + oa.name() + "'");
      TFLC_ASSIGN_OR_RETURN(std::optional<Ref> ref, BodyInput(r->second, prefix, fn, args, body));
      if (!ref) return InvalidArgument("function '" + fname + "' returns a control edge");
      outs.push_back(*ref);
    }
    g_->call_outputs_[call] = outs;
    for (const auto& nd : fn.node_def()) TFLC_RETURN_IF_ERROR(AddNode(nd, prefix, &fn, &args, &body));
    stack_.pop_back();
    return OkStatus();
  }

  FlatGraph* g_;
  std::map<std::string, const FunctionDef*> funcs_;
  std::map<std::string, const OpDef*> ops_;
  std::vector<std::string> stack_;
};

StatusOr<std::unique_ptr<FlatGraph>> FlatGraph::Build(const GraphDef& graph, const OpList* ops) {
  auto g = std::make_unique<FlatGraph>();
  Flattener f(g.get(), graph.library(), ops);
  TFLC_RETURN_IF_ERROR(f.Run(graph));
  return g;
}

StatusOr<std::unique_ptr<FlatGraph>> FlatGraph::BuildFunction(const FunctionDefLibrary& library, const OpList* ops,
                                                             const std::string& name, const std::string& prefix) {
  auto g = std::make_unique<FlatGraph>();
  Flattener f(g.get(), library, ops);
  TFLC_RETURN_IF_ERROR(f.RunFunction(name, prefix));
  return g;
}

const FunctionDef* FlatGraph::Function(const std::string& name) const {
  if (!library_) return nullptr;
  for (const auto& f : library_->function())
    if (f.signature().name() == name) return &f;
  return nullptr;
}

const FlatNode* FlatGraph::Find(const std::string& name) const {
  auto it = nodes_.find(name);
  return it == nodes_.end() ? nullptr : &it->second;
}

bool FlatGraph::Exists(const std::string& name) const { return nodes_.count(name) || call_outputs_.count(name); }

StatusOr<Ref> FlatGraph::Resolve(const Ref& r) const {
  Ref cur = r;
  for (int hops = 0; hops < 100000; ++hops) {
    auto c = call_outputs_.find(cur.node);
    if (c == call_outputs_.end()) {
      if (!nodes_.count(cur.node)) return NotFound("tensor '" + cur.node + ":" + std::to_string(cur.index) +
                                                   "' names no node of the graph");
      return cur;
    }
    if (cur.index < 0 || cur.index >= static_cast<int>(c->second.size()))
      return InvalidArgument("'" + cur.node + "' has " + std::to_string(c->second.size()) + " outputs; output " +
                             std::to_string(cur.index) + " does not exist");
    cur = c->second[cur.index];
  }
  return InvalidArgument("function outputs of '" + r.node + "' refer to each other in a cycle");
}

std::vector<std::string> FlatGraph::Names() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : nodes_) out.push_back(k);
  for (const auto& [k, v] : call_outputs_) out.push_back(k);
  return out;
}

bool ToTflcAttr(const AttrValue& a, TflcAttrValue* out, AttrStorage* keep) {
  *out = TflcAttrValue{};
  out->struct_size = TflcAttrValue_STRUCT_SIZE;
  switch (a.value_case()) {
    case AttrValue::kS:
      keep->strs = {a.s()};
      out->kind = TFLC_ATTR_STRING;
      out->s = sdk::Sv(keep->strs[0]);
      return true;
    case AttrValue::kI: out->kind = TFLC_ATTR_INT; out->i = a.i(); return true;
    case AttrValue::kF: out->kind = TFLC_ATTR_FLOAT; out->f = a.f(); return true;
    case AttrValue::kB: out->kind = TFLC_ATTR_BOOL; out->i = a.b() ? 1 : 0; return true;
    case AttrValue::kType: out->kind = TFLC_ATTR_TYPE; out->i = FromTfType(a.type()); return true;
    case AttrValue::kShape: {
      Shape s = FromShapeProto(a.shape());
      keep->ints = s.dims;
      out->kind = TFLC_ATTR_SHAPE;
      out->ints = keep->ints.data();
      out->count = keep->ints.size();
      out->i = s.unknown_rank ? 1 : 0;
      return true;
    }
    case AttrValue::kFunc:
      keep->strs = {a.func().name()};
      out->kind = TFLC_ATTR_STRING;
      out->s = sdk::Sv(keep->strs[0]);
      return true;
    case AttrValue::kList: {
      const auto& l = a.list();
      if (l.s_size() > 0) {
        keep->strs.assign(l.s().begin(), l.s().end());
        for (const auto& s : keep->strs) keep->views.push_back(sdk::Sv(s));
        out->kind = TFLC_ATTR_STRING_LIST;
        out->strings = keep->views.data();
        out->count = keep->views.size();
      } else if (l.f_size() > 0) {
        keep->floats.assign(l.f().begin(), l.f().end());
        out->kind = TFLC_ATTR_FLOAT_LIST;
        out->floats = keep->floats.data();
        out->count = keep->floats.size();
      } else if (l.type_size() > 0) {
        for (int t : l.type()) keep->ints.push_back(FromTfType(t));
        out->kind = TFLC_ATTR_TYPE_LIST;
        out->ints = keep->ints.data();
        out->count = keep->ints.size();
      } else if (l.b_size() > 0) {
        for (bool b : l.b()) keep->ints.push_back(b ? 1 : 0);
        out->kind = TFLC_ATTR_INT_LIST;
        out->ints = keep->ints.data();
        out->count = keep->ints.size();
      } else if (l.shape_size() > 0 || l.tensor_size() > 0 || l.func_size() > 0) {
        return false;
      } else {
        keep->ints.assign(l.i().begin(), l.i().end());
        out->kind = TFLC_ATTR_INT_LIST;
        out->ints = keep->ints.data();
        out->count = keep->ints.size();
      }
      return true;
    }
    default: return false;
  }
}

namespace {

class Importer {
 public:
  Importer(const FlatGraph& g, const ImportSpec& spec, const VariableResolver& vars, const sdk::GraphBuilder& gb)
      : g_(g), spec_(spec), vars_(vars), gb_(gb) {}

  Status Run() {
    // Requested inputs and outputs must exist.
    for (const auto& in : spec_.inputs) {
      TensorName t = ParseTensorName(in.tensor);
      if (!g_.Find(t.node))
        return NotFound("input array '" + in.tensor + "' is not a node of the graph" + SuggestClose(t.node, g_.Names()));
      listed_inputs_[t.node] = &in;
    }
    std::vector<Ref> roots;
    for (const auto& out : spec_.outputs) {
      TensorName t = ParseTensorName(out.tensor);
      if (!g_.Exists(t.node))
        return NotFound("output array '" + out.tensor + "' is not a node of the graph" +
                        SuggestClose(t.node, g_.Names()));
      TFLC_ASSIGN_OR_RETURN(Ref r, g_.Resolve(Ref{t.node, t.index}));
      roots.push_back(r);
    }
    TFLC_RETURN_IF_ERROR(Order(roots));
    for (const std::string& name : order_) {
      const FlatNode* fn = g_.Find(name);
      if (fn && fn->def && IsControlFlowV1(fn->def->op())) return ControlFlowV1Error(*fn);
    }
    // Outputs used per node (source nodes get max(declared, used) outputs).
    for (const std::string& name : order_)
      for (const Ref& r : deps_[name]) used_[r.node] = std::max(used_[r.node], r.index + 1);
    for (const Ref& r : roots) used_[r.node] = std::max(used_[r.node], r.index + 1);
    // A subgraph's inputs are its function's arguments, all of them, in signature order (a branch
    // may ignore some: the IF still passes them).
    if (spec_.subgraph) {
      for (const auto& in : spec_.inputs) {
        const std::string node = ParseTensorName(in.tensor).node;
        TFLC_RETURN_IF_ERROR(Emit(*g_.Find(node)));
      }
    }
    for (const std::string& name : order_) {
      if (spec_.subgraph && values_.count(name)) continue;
      TFLC_RETURN_IF_ERROR(Emit(*g_.Find(name)));
    }
    for (size_t i = 0; i < spec_.outputs.size(); ++i) {
      TFLC_ASSIGN_OR_RETURN(sdk::ValueView v, Get(roots[i]));
      // A subgraph returning its argument unchanged returns the input, not the constant bound to it.
      if (auto in = input_values_.find(roots[i].node); in != input_values_.end() && roots[i].index == 0) v = in->second;
      std::string sig = spec_.outputs[i].signature_name.empty() ? spec_.outputs[i].tensor : spec_.outputs[i].signature_name;
      TFLC_RETURN_IF_ERROR(gb_.Output(v, sig));
    }
    return OkStatus();
  }

 private:
  StatusOr<std::vector<Ref>> Deps(const FlatNode& n) {
    const std::string& op = n.def->op();
    std::vector<Ref> out;
    if (listed_inputs_.count(n.name) || op == "Placeholder" || op == "Const" || IsVariableOp(op)) return out;
    size_t count = n.inputs.size();
    if (op == "PlaceholderWithDefault") count = std::min<size_t>(count, 1);
    for (size_t i = 0; i < count; ++i) {
      TFLC_ASSIGN_OR_RETURN(Ref r, g_.Resolve(n.inputs[i]));
      out.push_back(r);
    }
    return out;
  }

  // TF1 control flow (tf.cond / tf.while_loop built without control flow v2): TFLite has no form
  // for it, as TensorFlow's converter says too; the graph must be exported again with v2.
  static bool IsControlFlowV1(const std::string& op) {
    static const char* const kOps[] = {"Switch", "RefSwitch", "Merge", "RefMerge", "Enter", "RefEnter", "Exit",
                                       "RefExit", "NextIteration", "RefNextIteration", "LoopCond"};
    for (const char* k : kOps)
      if (op == k) return true;
    return false;
  }

  Status ControlFlowV1Error(const FlatNode& n) const {
    return Unimplemented(
        "the graph uses TensorFlow 1 control flow: node '" + n.name + "' (op " + n.def->op() +
        "; Switch / Merge / Enter / Exit / NextIteration / LoopCond nodes come from tf.cond or "
        "tf.while_loop built with control flow v1), which TFLite cannot represent. What to do: export the "
        "model again with control flow v2 - in TF 2.x save it with tf.saved_model.save (tf.function graphs use "
        "v2); in TF1 code call tf.compat.v1.enable_control_flow_v2() before building the graph - and convert "
        "the new file");
  }

  // Post-order DFS from the roots; a back edge is a cycle (named in the error).
  Status Order(const std::vector<Ref>& roots) {
    enum Color { kWhite, kGray, kBlack };
    std::map<std::string, Color> color;
    struct Frame {
      std::string name;
      size_t next = 0;
    };
    for (const Ref& root : roots) {
      if (color[root.node] == kBlack) continue;
      std::vector<Frame> stack;
      stack.push_back({root.node});
      color[root.node] = kGray;
      while (!stack.empty()) {
        Frame& f = stack.back();
        if (f.next == 0 && !deps_.count(f.name)) {
          TFLC_ASSIGN_OR_RETURN(deps_[f.name], Deps(*g_.Find(f.name)));
        }
        const std::vector<Ref>& d = deps_[f.name];
        if (f.next < d.size()) {
          const std::string& next = d[f.next++].node;
          Color c = color[next];
          if (c == kGray) {
            // A TF1 while loop is a cycle through NextIteration: say what it is.
            for (const Frame& s : stack) {
              const FlatNode* fn = g_.Find(s.name);
              if (fn && fn->def && IsControlFlowV1(fn->def->op())) return ControlFlowV1Error(*fn);
            }
            std::string cycle;
            bool in = false;
            for (const Frame& s : stack) {
              if (s.name == next) in = true;
              if (in) cycle += "'" + s.name + "' → ";
            }
            return InvalidArgument("the graph has a cycle: " + cycle + "'" + next +
                                   "' (only acyclic graphs can be converted; control flow v1 loops are not supported)");
          }
          if (c == kWhite) {
            color[next] = kGray;
            stack.push_back({next});
          }
          continue;
        }
        color[f.name] = kBlack;
        order_.push_back(f.name);
        stack.pop_back();
      }
    }
    return OkStatus();
  }

  StatusOr<sdk::ValueView> Get(const Ref& r) {
    auto it = values_.find(r.node);
    if (it == values_.end()) return Internal("value of '" + r.node + "' used before it was emitted");
    if (r.index < 0 || r.index >= static_cast<int>(it->second.size()) || !it->second[r.index])
      return InvalidArgument("node '" + r.node + "' has no output " + std::to_string(r.index));
    return it->second[r.index];
  }

  static int AttrType(const NodeDef& d, const char* key) {
    auto it = d.attr().find(key);
    return it == d.attr().end() ? 0 : it->second.type();
  }

  Status EmitInput(const FlatNode& n, const ImportInput* in) {
    const NodeDef& d = *n.def;
    int tf_type = AttrType(d, "dtype");
    if (!tf_type) tf_type = AttrType(d, "T");
    TflcDataType type = FromTfType(tf_type);
    if (spec_.subgraph) return EmitSubgraphInput(n, in, type);
    if (type == TFLC_TYPE_UNKNOWN || type == TFLC_TYPE_RESOURCE || type == TFLC_TYPE_VARIANT)
      return InvalidArgument("input '" + n.name + "' has type " + TfTypeName(tf_type) +
                             ", which cannot be a TFLite input");
    std::vector<int64_t> dims;
    if (in && in->shape) {
      dims = *in->shape;
    } else {
      Shape s;
      s.unknown_rank = true;
      auto it = d.attr().find("shape");
      if (it != d.attr().end() && it->second.has_shape()) s = FromShapeProto(it->second.shape());
      auto os = d.attr().find("_output_shapes");
      if (s.unknown_rank && os != d.attr().end() && os->second.list().shape_size() > 0)
        s = FromShapeProto(os->second.list().shape(0));
      if (s.unknown_rank && !spec_.unknown_rank_is_scalar)
        return InvalidArgument("input '" + n.name + "' has an unknown shape: give it with " + spec_.shape_option +
                               " (e.g. " + spec_.shape_option + "=1,224,224,3)");
      dims = s.dims;
    }
    // An unknown batch becomes 1, kept as -1 in the input's shape_signature (TF's converter does both).
    std::vector<int64_t> declared;
    if (!dims.empty() && dims[0] < 0) {
      declared = dims;
      dims[0] = 1;
    }
    // Any other unknown dimension (an RNN's time axis, an image size) must be given: tflc writes
    // static shapes.
    for (size_t k = 1; k < dims.size(); ++k) {
      if (dims[k] >= 0) continue;
      std::string shape, example;
      for (size_t j = 0; j < dims.size(); ++j) {
        const int64_t d = declared.empty() ? dims[j] : declared[j];
        shape += (j ? "," : "") + (d < 0 ? std::string("?") : std::to_string(d));
        example += (j ? "," : "") + (j == 0 && dims[j] == 1 && !declared.empty() ? std::string("1")
                                      : dims[j] < 0 ? std::string("N") : std::to_string(dims[j]));
      }
      return InvalidArgument("input '" + n.name + "' has shape [" + shape + "]: dimension " + std::to_string(k) +
                             " is unknown (e.g. a time axis of any length). tflc writes static shapes: give the "
                             "sizes to convert for with " + spec_.shape_option + " (e.g. " + spec_.shape_option +
                             "=" + example + " with N the size you need)");
    }
    std::string sig = in && !in->signature_name.empty() ? in->signature_name : n.name;
    std::string tensor_name = in ? in->tensor : n.name;
    TFLC_ASSIGN_OR_RETURN(sdk::ValueView v, gb_.Input(tensor_name, type, dims, sig, declared));
    values_[n.name] = {v};
    return OkStatus();
  }

  // An argument of a function imported as a subgraph: its shape is the caller's when known (the
  // host gives it the caller's final shape when it lowers the call anyway); any type, including
  // TensorList handles. A constant argument the call keeps unchanged is used inside as that
  // constant (shared with the caller, not copied): weights captured by a loop body stay constants.
  Status EmitSubgraphInput(const FlatNode& n, const ImportInput* in, TflcDataType type) {
    TflcGraph_AddInput_Args a{};
    a.struct_size = TflcGraph_AddInput_Args_STRUCT_SIZE;
    a.graph = gb_.get();
    a.name = sdk::Sv(n.name);
    a.type = type;
    a.rank = -1;
    if (in && in->shape) {
      a.dims = in->shape->data();
      a.rank = static_cast<int32_t>(in->shape->size());
    }
    TFLC_RETURN_IF_ERROR(gb_.Absorb(gb_.host()->Graph_AddInput(&a)));
    sdk::ValueView v(gb_.host(), a.value);
    input_values_[n.name] = v;
    auto bound = spec_.bound_consts.find(n.name);
    if (bound != spec_.bound_consts.end()) {
      TFLC_ASSIGN_OR_RETURN(sdk::ValueView c, gb_.ShareConst(bound->second, n.name + "/captured"));
      values_[n.name] = {c};
    } else {
      values_[n.name] = {v};
    }
    return OkStatus();
  }

  static bool IsWhileOp(const std::string& op) { return op == "While" || op == "StatelessWhile"; }
  static bool IsIfOp(const std::string& op) { return op == "If" || op == "StatelessIf"; }

  // Whether body output i of a While is its argument i unchanged (directly or through Identity):
  // while_v2 passes captured weights and trip counts through the loop that way.
  static bool PassesThrough(const FunctionDef& body, int i) {
    if (i >= body.signature().output_arg_size() || i >= body.signature().input_arg_size()) return false;
    auto r = body.ret().find(body.signature().output_arg(i).name());
    if (r == body.ret().end()) return false;
    const std::string& arg = body.signature().input_arg(i).name();
    std::string ref = r->second;
    for (int hops = 0; hops < 8; ++hops) {
      std::vector<std::string> parts = Split(ref, ':', /*keep_empty=*/true);
      if (parts[0] == arg) return parts.size() == 1 || (parts.size() == 2 && parts[1] == "0");
      const NodeDef* nd = nullptr;
      for (const auto& x : body.node_def())
        if (x.name() == parts[0]) nd = &x;
      if (!nd || nd->op() != "Identity" || nd->input_size() < 1) return false;
      ref = nd->input(0);
    }
    return false;
  }

  // Imports library function `fname` (attribute `attr` of control-flow node `n`) as a subgraph
  // that `n` calls with `args`; `invariant[i]`: argument i keeps its value through the call, so a
  // constant there is sunk into the subgraph. Returns the subgraph's id.
  StatusOr<int64_t> ImportSubgraph(const FlatNode& n, const std::string& attr, const std::string& fname,
                                   const std::vector<sdk::ValueView>& args, const std::vector<bool>& invariant) {
    const FunctionDef* fn = g_.Function(fname);
    if (!g_.library() || !fn) {
      return NotFound("node '" + n.name + "' (" + n.def->op() + ") calls function '" + fname + "' as its " + attr +
                      ", which is not in the function library");
    }
    if (fn->signature().input_arg_size() != static_cast<int>(args.size())) {
      return InvalidArgument("node '" + n.name + "' (" + n.def->op() + ") passes " + std::to_string(args.size()) +
                             " values to its " + attr + " '" + fname + "', which takes " +
                             std::to_string(fn->signature().input_arg_size()));
    }
    if (depth_ > 32) return InvalidArgument("control flow is nested more than 32 deep at node '" + n.name + "'");
    const std::string prefix = n.name + "/" + attr;
    TFLC_ASSIGN_OR_RETURN(auto flat, FlatGraph::BuildFunction(*g_.library(), g_.ops(), fname, prefix));
    int64_t id = 0;
    TFLC_ASSIGN_OR_RETURN(sdk::GraphBuilder sub, gb_.AddSubgraph(fname, &id));
    ImportSpec spec;
    spec.subgraph = true;
    spec.inputs_listed = true;
    for (int i = 0; i < fn->signature().input_arg_size(); ++i) {
      ImportInput in;
      in.tensor = fn->signature().input_arg(i).name();
      if (args[i].rank() >= 0) in.shape = args[i].dims();
      spec.inputs.push_back(in);
      if (invariant[static_cast<size_t>(i)] && args[i].is_const()) spec.bound_consts[in.tensor] = args[i];
    }
    for (int k = 0; k < fn->signature().output_arg_size(); ++k) {
      spec.outputs.push_back(ImportOutput{prefix + ":" + std::to_string(k), fn->signature().output_arg(k).name()});
    }
    Importer imp(*flat, spec, vars_, sub);
    imp.depth_ = depth_ + 1;
    TFLC_RETURN_IF_ERROR(imp.Run().WithContext("function '" + fname + "' (the " + attr + " of node '" + n.name + "')"));
    return id;
  }

  // While / If: their functions become subgraphs, named by TFLC_ATTR_GRAPH attributes.
  Status ImportControlFlow(const FlatNode& n, const std::vector<sdk::ValueView>& ins, const sdk::NodeView& node) {
    const NodeDef& d = *n.def;
    auto func = [&](const char* key) -> StatusOr<std::string> {
      auto it = d.attr().find(key);
      if (it == d.attr().end() || it->second.func().name().empty())
        return InvalidArgument("node '" + n.name + "' (" + d.op() + ") has no function attribute '" + key + "'");
      return it->second.func().name();
    };
    if (IsWhileOp(d.op())) {
      TFLC_ASSIGN_OR_RETURN(std::string cond, func("cond"));
      TFLC_ASSIGN_OR_RETURN(std::string body, func("body"));
      const FunctionDef* b = g_.Function(body);
      std::vector<bool> invariant(ins.size(), false);
      for (size_t i = 0; b && i < ins.size(); ++i) invariant[i] = PassesThrough(*b, static_cast<int>(i));
      TFLC_ASSIGN_OR_RETURN(int64_t cond_id, ImportSubgraph(n, "cond", cond, ins, invariant));
      TFLC_ASSIGN_OR_RETURN(int64_t body_id, ImportSubgraph(n, "body", body, ins, invariant));
      TFLC_RETURN_IF_ERROR(node.SetGraph("cond", cond_id));
      return node.SetGraph("body", body_id);
    }
    TFLC_ASSIGN_OR_RETURN(std::string then_fn, func("then_branch"));
    TFLC_ASSIGN_OR_RETURN(std::string else_fn, func("else_branch"));
    if (ins.empty()) return InvalidArgument("node '" + n.name + "' (" + d.op() + ") has no condition input");
    std::vector<sdk::ValueView> args(ins.begin() + 1, ins.end());
    std::vector<bool> invariant(args.size(), true);
    TFLC_ASSIGN_OR_RETURN(int64_t then_id, ImportSubgraph(n, "then_branch", then_fn, args, invariant));
    TFLC_ASSIGN_OR_RETURN(int64_t else_id, ImportSubgraph(n, "else_branch", else_fn, args, invariant));
    TFLC_RETURN_IF_ERROR(node.SetGraph("then_branch", then_id));
    return node.SetGraph("else_branch", else_id);
  }

  // A kept call (a Keras RNN layer function): the function becomes subgraph `f`, and its tags
  // (api_implements, time_major, go_backwards) attributes of the call, for the fusing lowering.
  Status ImportCall(const FlatNode& n, const std::vector<sdk::ValueView>& ins, const sdk::NodeView& node) {
    const FunctionDef* fn = g_.Function(n.callee);
    if (!fn) return NotFound("function '" + n.callee + "' called by node '" + n.name + "' is not in the library");
    TFLC_ASSIGN_OR_RETURN(int64_t id, ImportSubgraph(n, "f", n.callee, ins, std::vector<bool>(ins.size(), true)));
    TFLC_RETURN_IF_ERROR(node.SetGraph("f", id));
    for (const char* key : {"api_implements", "api_preferred_device", "time_major", "go_backwards"}) {
      auto it = fn->attr().find(key);
      if (it == fn->attr().end()) continue;
      AttrStorage keep;
      TflcAttrValue a;
      if (ToTflcAttr(it->second, &a, &keep)) TFLC_RETURN_IF_ERROR(node.SetAttr(key, a));
    }
    return OkStatus();
  }

  Status Emit(const FlatNode& n) {
    const NodeDef& d = *n.def;
    const std::string& op = d.op();
    auto listed = listed_inputs_.find(n.name);
    if (listed != listed_inputs_.end()) return EmitInput(n, listed->second);
    if (op == "Placeholder") {
      if (spec_.inputs_listed)
        return InvalidArgument("placeholder '" + n.name +
                               "' is needed to compute the outputs but is not one of the inputs (add it to "
                               "--input_arrays)");
      return EmitInput(n, nullptr);
    }
    if (op == "PlaceholderWithDefault") {
      TFLC_ASSIGN_OR_RETURN(sdk::ValueView v, Get(deps_[n.name].at(0)));
      values_[n.name] = {v};
      return OkStatus();
    }
    if (op == "Const") {
      auto it = d.attr().find("value");
      if (it == d.attr().end() || !it->second.has_tensor())
        return InvalidArgument("Const node '" + n.name + "' has no 'value' tensor");
      auto t = DecodeTensor(it->second.tensor());
      if (!t.ok()) return t.status().WithContext("Const node '" + n.name + "'");
      TFLC_ASSIGN_OR_RETURN(sdk::ValueView v, gb_.Const(n.name, t->type, t->dims, t->bytes.data(), t->bytes.size()));
      values_[n.name] = {v};
      return OkStatus();
    }
    if (IsVariableOp(op)) {
      auto v = vars_ ? vars_(n, gb_) : StatusOr<sdk::ValueView>(FailedPrecondition("no checkpoint"));
      if (!v.ok())
        return v.status().WithContext("variable '" + n.name + "' (" + op + ")");
      values_[n.name] = {*v};
      return OkStatus();
    }
    const std::vector<Ref>& deps = deps_[n.name];
    // Reading a (frozen) variable is its constant; an Identity of a variable too.
    if ((op == "ReadVariableOp" || op == "Identity") && !deps.empty()) {
      const FlatNode* src = g_.Find(deps[0].node);
      if (op == "ReadVariableOp" || (src && IsVariableOp(src->def->op()))) {
        TFLC_ASSIGN_OR_RETURN(sdk::ValueView v, Get(deps[0]));
        values_[n.name] = {v};
        return OkStatus();
      }
    }
    std::vector<sdk::ValueView> ins;
    for (const Ref& r : deps) {
      TFLC_ASSIGN_OR_RETURN(sdk::ValueView v, Get(r));
      ins.push_back(v);
    }
    size_t num_outputs = static_cast<size_t>(std::max({1, n.declared_outputs, used_[n.name]}));
    if (IsWhileOp(op)) num_outputs = ins.size();  // every loop variable
    if (IsIfOp(op)) {
      auto t = d.attr().find("Tout");
      if (t != d.attr().end()) num_outputs = static_cast<size_t>(t->second.list().type_size());
    }
    const std::string source_op = n.callee.empty() || IsCallOp(op) ? op : std::string("PartitionedCall");
    TFLC_ASSIGN_OR_RETURN(sdk::NodeView node, gb_.Source(source_op, n.name, ins, num_outputs));
    std::vector<std::string> keys;
    for (const auto& [k, v] : d.attr()) keys.push_back(k);
    std::sort(keys.begin(), keys.end());
    for (const std::string& k : keys) {
      if (k.empty() || k[0] == '_') continue;  // internal attrs (_output_shapes, _class, ...)
      AttrStorage keep;
      TflcAttrValue a;
      if (!ToTflcAttr(d.attr().at(k), &a, &keep)) continue;
      TFLC_RETURN_IF_ERROR(node.SetAttr(k, a).WithContext("node '" + n.name + "' attribute '" + k + "'"));
    }
    TFLC_RETURN_IF_ERROR(AttachNodeDef(n, node));
    if (IsWhileOp(op) || IsIfOp(op)) TFLC_RETURN_IF_ERROR(ImportControlFlow(n, ins, node));
    if (!n.callee.empty()) TFLC_RETURN_IF_ERROR(ImportCall(n, ins, node));
    std::vector<sdk::ValueView> outs;
    for (size_t i = 0; i < num_outputs; ++i) outs.push_back(node.output(i));
    TFLC_RETURN_IF_ERROR(DeclareOutputs(n, outs));
    values_[n.name] = outs;
    return OkStatus();
  }

  // The source NodeDef, serialized, as attribute `_tf_node_def`: Select TF ops carry it into the
  // .tflite. A node of the GraphDef is kept as it is (serialized with attributes in key order); a
  // node inlined from a function gets its flat name and flat data inputs ("call/node:1"), since the
  // function-body names mean nothing outside the function.
  Status AttachNodeDef(const FlatNode& n, const sdk::NodeView& node) const {
    std::string bytes;
    if (n.name == n.def->name()) {
      bytes = SerializeNodeDef(*n.def);
    } else {
      NodeDef copy = *n.def;
      copy.set_name(n.name);
      copy.clear_input();
      for (const Ref& r : n.inputs) copy.add_input(r.index == 0 ? r.node : r.node + ":" + std::to_string(r.index));
      bytes = SerializeNodeDef(copy);
    }
    return node.SetString(kNodeDefAttr, bytes).WithContext("node '" + n.name + "'");
  }

  // Output types (OpDef) and shapes (`_output_shapes`) the graph states, for lowerings that cannot
  // derive them (Select TF and custom ops); builtin lowerings recompute them.
  Status DeclareOutputs(const FlatNode& n, const std::vector<sdk::ValueView>& outs) const {
    const AttrValue* shapes = nullptr;
    if (auto it = n.def->attr().find("_output_shapes"); it != n.def->attr().end()) shapes = &it->second;
    for (size_t i = 0; i < outs.size(); ++i) {
      const TflcDataType type = i < n.output_types.size() ? n.output_types[i] : TFLC_TYPE_UNKNOWN;
      if (shapes && static_cast<int>(i) < shapes->list().shape_size()) {
        const TensorShapeProto& sp = shapes->list().shape(static_cast<int>(i));
        if (!sp.unknown_rank()) {
          std::vector<int64_t> dims;
          for (const auto& d : sp.dim()) dims.push_back(d.size() < 0 ? -1 : d.size());
          TFLC_RETURN_IF_ERROR(outs[i].SetShape(type, dims));
          continue;
        }
      }
      if (type != TFLC_TYPE_UNKNOWN) TFLC_RETURN_IF_ERROR(outs[i].SetUnknownRank(type));
    }
    return OkStatus();
  }

  const FlatGraph& g_;
  const ImportSpec& spec_;
  const VariableResolver& vars_;
  const sdk::GraphBuilder& gb_;
  std::map<std::string, const ImportInput*> listed_inputs_;
  std::map<std::string, std::vector<Ref>> deps_;
  std::map<std::string, int> used_;
  std::vector<std::string> order_;
  std::map<std::string, std::vector<sdk::ValueView>> values_;
  std::map<std::string, sdk::ValueView> input_values_;  // subgraph inputs (EmitSubgraphInput)
  int depth_ = 0;                                       // nesting of subgraph imports
};

}  // namespace

Status ImportGraph(const FlatGraph& graph, const ImportSpec& spec, const VariableResolver& variables,
                   const sdk::GraphBuilder& gb) {
  if (spec.outputs.empty()) return InvalidArgument("no output arrays to convert");
  Importer imp(graph, spec, variables, gb);
  return imp.Run();
}

std::string SerializeNodeDef(const NodeDef& def) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    def.SerializeToCodedStream(&coded);
  }  // `coded` trims `bytes` to what was written when it goes
  return bytes;
}

}  // namespace tflc::tf
