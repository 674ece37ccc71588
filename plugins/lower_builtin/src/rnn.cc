// Recurrent composites.
//
// tflc.LSTM → UNIDIRECTIONAL_SEQUENCE_LSTM (the fused kernel: sigmoid gates, tanh or relu cell
//   activation), or — for activations the fused kernel cannot express (hard_sigmoid gates,
//   linear cell activation, ...) — an unrolled graph of builtin ops over the static time steps.
// tflc.GRU → unrolled over the static time steps (TFLite has no GRU builtin).
// tflc.SimpleRNN → unrolled over the static time steps: FULLY_CONNECTED (input, with bias) +
//   FULLY_CONNECTED (recurrent) + ADD + activation per step. TFLite's RNN /
//   UNIDIRECTIONAL_SEQUENCE_RNN builtins are not used: TF's own converter never emits them for a
//   Keras SimpleRNN (it keeps a WHILE loop, tensorflow/tensorflow#56767, #58854), so runtimes and
//   delegates exercise them little, and they have no go_backwards, initial state or final-state
//   output; unrolled builtins run in every runtime (LiteRT, the 2023 tfjs-tflite WASM build).
//
// Every composite has optional outputs after the sequence/last output (Keras return_state):
//   output 1 = the final h, output 2 (LSTM) = the final c. Attribute `num_initial_states` (default 0)
//   says that inputs 4.. are Keras `initial_state` tensors [batch, units] (h, then c for LSTM); the
//   bias (input 3) is then always present. The fused LSTM has no final-c output and no initial-state
//   input (its states are variable tensors), so those cases are unrolled.
//
// Keras semantics (gate order i, f, c, o for LSTM; z, r, h for GRU; zero initial state):
//   LSTM: i = σ(x·Wi + h·Ui + bi), f = σ(…), c̃ = act(…), o = σ(…);
//         c' = f·c + i·c̃;  h' = o·act(c')
//   GRU (reset_after = false): z = σ(x·Wz + bz + h·Uz), r = σ(x·Wr + br + h·Ur),
//         h̃ = act(x·Wh + bh + (r·h)·Uh)
//   GRU (reset_after = true, bias [2, 3u] = input bias, recurrent bias):
//         z = σ(x·Wz + bzi + h·Uz + bzr), r = …, h̃ = act(x·Wh + bhi + r·(h·Uh + bhr))
//   h' = z·h + (1 − z)·h̃  (computed as h̃ + z·(h − h̃))
// Weights: Keras kernel [in, k·u] → TRANSPOSE → [k·u, in] (FULLY_CONNECTED layout), then SPLIT per gate
// where needed. All of that folds into constants.
#include <string>
#include <vector>

#include "common.h"
#include "lowerings.h"

namespace tflc::lower_builtin {
namespace {

struct RnnConfig {
  int64_t units = 0;
  std::string activation = "tanh";
  std::string recurrent_activation = "sigmoid";
  bool return_sequences = false;
  bool go_backwards = false;
  bool time_major = false;
  bool reset_after = true;  // GRU only
  int64_t num_initial_states = 0;
  int time_axis = 1;
  int64_t batch = 1;
  int64_t steps = -1;       // -1 = unknown
  int64_t input_size = -1;
};

bool KnownActivation(const std::string& a) {
  return a == "tanh" || a == "sigmoid" || a == "hard_sigmoid" || a == "relu" || a == "linear";
}

StatusOr<RnnConfig> ReadConfig(const Lowering& l, int gates) {
  const NodeView& node = l.node();
  RnnConfig c;
  TFLC_ASSIGN_OR_RETURN(c.units, node.IntAttrOr("units", -1));
  TFLC_ASSIGN_OR_RETURN(c.activation, node.StringAttrOr("activation", "tanh"));
  TFLC_ASSIGN_OR_RETURN(c.recurrent_activation, node.StringAttrOr("recurrent_activation", "sigmoid"));
  TFLC_ASSIGN_OR_RETURN(c.return_sequences, node.BoolAttrOr("return_sequences", false));
  TFLC_ASSIGN_OR_RETURN(c.go_backwards, node.BoolAttrOr("go_backwards", false));
  TFLC_ASSIGN_OR_RETURN(c.time_major, node.BoolAttrOr("time_major", false));
  TFLC_ASSIGN_OR_RETURN(c.reset_after, node.BoolAttrOr("reset_after", true));
  TFLC_ASSIGN_OR_RETURN(c.num_initial_states, node.IntAttrOr("num_initial_states", 0));
  if (c.num_initial_states < 0 || c.num_initial_states > (gates == 4 ? 2 : 1)) {
    return AttrError("num_initial_states", "must be 0.." + std::to_string(gates == 4 ? 2 : 1));
  }
  if (c.num_initial_states > 0 && node.num_inputs() != static_cast<size_t>(4 + c.num_initial_states)) {
    return InvalidArgument("with num_initial_states = " + std::to_string(c.num_initial_states) + " the node needs " +
                           std::to_string(4 + c.num_initial_states) + " inputs (x, kernel, recurrent_kernel, bias, "
                           "states), it has " + std::to_string(node.num_inputs()));
  }
  if (c.activation.empty()) c.activation = "linear";
  if (c.recurrent_activation.empty()) c.recurrent_activation = "linear";
  if (!KnownActivation(c.activation)) {
    return UnsupportedAttr("activation", "\"" + c.activation + "\"", "tanh, sigmoid, hard_sigmoid, relu, linear");
  }
  if (!KnownActivation(c.recurrent_activation)) {
    return UnsupportedAttr("recurrent_activation", "\"" + c.recurrent_activation + "\"",
                           "tanh, sigmoid, hard_sigmoid, relu, linear");
  }
  c.time_axis = c.time_major ? 0 : 1;

  TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
  TFLC_ASSIGN_OR_RETURN(ValueView kernel, l.Input(1));
  TFLC_ASSIGN_OR_RETURN(ValueView recurrent, l.Input(2));
  if (recurrent.rank() == 2 && recurrent.dim(0) > 0) {
    if (c.units < 0) c.units = recurrent.dim(0);
    if (recurrent.dim(0) != c.units || (recurrent.dim(1) > 0 && recurrent.dim(1) != gates * c.units)) {
      return InvalidArgument("recurrent_kernel (input 2) must be [units, " + std::to_string(gates) +
                             "·units] with units = " + std::to_string(c.units));
    }
  }
  if (c.units <= 0) return AttrError("units", "is missing and cannot be taken from recurrent_kernel's shape");
  if (kernel.rank() == 2) {
    c.input_size = kernel.dim(0);
    if (kernel.dim(1) > 0 && kernel.dim(1) != gates * c.units) {
      return InvalidArgument("kernel (input 1) must be [input_size, " + std::to_string(gates) + "·units]");
    }
  }
  if (x.rank() >= 0 && x.rank() != 3) {
    return InvalidArgument("x (input 0) must be 3-D [batch, time, features], got rank " + std::to_string(x.rank()));
  }
  if (x.rank() == 3) {
    int64_t b = x.dim(c.time_major ? 1 : 0);
    if (b > 0) c.batch = b;  // else: the contract's batch 1
    c.steps = x.dim(c.time_axis);
  }
  return c;
}

// Keras activation `name` applied to x (identity for "linear").
StatusOr<ValueView> Activate(const Lowering& l, const std::string& name, const ValueView& x,
                             const std::string& suffix) {
  if (name == "tanh") return l.Unary("TANH", x, suffix);
  if (name == "sigmoid") return l.Unary("LOGISTIC", x, suffix);
  if (name == "relu") return l.Unary("RELU", x, suffix);
  if (name == "linear") return x;
  if (name == "hard_sigmoid") {
    // Keras 2 / tf.keras: clip(0.2·x + 0.5, 0, 1).
    TFLC_ASSIGN_OR_RETURN(ValueView slope, l.ScalarFloat(suffix + "/slope", 0.2f));
    TFLC_ASSIGN_OR_RETURN(ValueView half, l.ScalarFloat(suffix + "/offset", 0.5f));
    TFLC_ASSIGN_OR_RETURN(ValueView one, l.ScalarFloat(suffix + "/one", 1.0f));
    TFLC_ASSIGN_OR_RETURN(ValueView zero, l.ScalarFloat(suffix + "/zero", 0.0f));
    TFLC_ASSIGN_OR_RETURN(ValueView a, l.Binary("MUL", x, slope, suffix + "/mul"));
    TFLC_ASSIGN_OR_RETURN(ValueView b, l.Binary("ADD", a, half, suffix + "/add"));
    TFLC_ASSIGN_OR_RETURN(ValueView c, l.Binary("MINIMUM", b, one, suffix + "/min"));
    return l.Binary("MAXIMUM", c, zero, suffix);
  }
  return Internal("unknown activation " + name);
}

// SPLIT(axis, x) into n equal parts.
StatusOr<std::vector<ValueView>> Split(const Lowering& l, const ValueView& x, int axis, int n,
                                       const std::string& suffix) {
  TFLC_ASSIGN_OR_RETURN(ValueView a, l.Scalar(suffix + "/axis", TFLC_TYPE_INT32, axis));
  TFLC_ASSIGN_OR_RETURN(NodeView node, l.Emit("SPLIT", suffix, {a, x}, {{"num_splits", n}}, n));
  std::vector<ValueView> parts;
  for (int i = 0; i < n; ++i) parts.push_back(node.output(i));
  return parts;
}

StatusOr<ValueView> FullyConnected(const Lowering& l, const ValueView& x, const ValueView& w, const ValueView& b,
                                   const std::string& suffix) {
  return l.Emit1("FULLY_CONNECTED", suffix, {x, w, b},
                 {{"fused_activation_function", static_cast<int64_t>(kActNone)}, {"keep_num_dims", false}});
}

// Output `k` of the source node as `v`. When output 0 is `v` too and both are graph outputs, output
// k gets its own tensor (a RESHAPE to the same shape): LiteRT miscomputes a subgraph that lists
// one tensor as two outputs (seen with LiteRT.js 2.5.3; the 2023 runtime was right).
Status ReplaceDistinct(const Lowering& l, size_t k, const ValueView& v, const ValueView& output0) {
  const ValueView out = l.node().output(k);
  if (v.get() == output0.get() && l.node().output(0).is_graph_output() && out.is_graph_output() &&
      out.fully_defined()) {
    TFLC_ASSIGN_OR_RETURN(ValueView copy, l.Reshape(v, out.dims(), "state_" + std::to_string(k)));
    return l.Replace(k, copy);
  }
  return l.Replace(k, v);
}

// The sequence output [batch, time, u] (or [time, batch, u]) from per-step states, or the last one;
// then the return_state outputs: 1 = final h, 2 = final c (LSTM, `final_c`).
Status FinishUnrolled(const Lowering& l, const RnnConfig& c, const std::vector<ValueView>& states,
                      const ValueView& final_c = ValueView()) {
  ValueView y = states.back();
  if (c.return_sequences) {
    TFLC_ASSIGN_OR_RETURN(y, l.Emit1("PACK", "", states,
                                     {{"values_count", static_cast<int64_t>(states.size())},
                                      {"axis", static_cast<int64_t>(c.time_axis)}}));
  }
  const size_t n = l.node().num_outputs();
  if (n > 1) TFLC_RETURN_IF_ERROR(ReplaceDistinct(l, 1, states.back(), y));
  TFLC_RETURN_IF_ERROR(l.Replace(0, y));
  if (n > 2) {
    if (!final_c) return InvalidArgument("only tflc.LSTM has a third output (the final cell state)");
    TFLC_RETURN_IF_ERROR(l.Replace(2, final_c));
  }
  return OkStatus();
}

// The initial state k: input 4 + k when the node has initial states, else zeros [batch, units].
StatusOr<ValueView> InitialState(const Lowering& l, const RnnConfig& c, int k, const std::string& name) {
  if (k < c.num_initial_states) return l.Input(4 + static_cast<size_t>(k));
  return l.Zeros(name, TFLC_TYPE_FLOAT32, {c.batch, c.units});
}

// True when output i of the source node is read (by a node or as a graph output).
bool OutputUsed(const Lowering& l, size_t i) {
  if (l.node().num_outputs() <= i) return false;
  ValueView v = l.node().output(i);
  return v && (v.num_consumers() > 0 || v.is_graph_output());
}

// The time steps of x, in processing order (reversed for go_backwards).
StatusOr<std::vector<ValueView>> TimeSteps(const Lowering& l, const RnnConfig& c, const ValueView& x) {
  if (c.steps <= 0) {
    return Unimplemented("unrolling needs a static number of time steps; the shape of x (input 0) is " +
                         std::string(x.rank() < 0 ? "unknown" : "dynamic in time") +
                         ": give the model input's time length with --input_shapes (e.g. --input_shapes=1,20,6 "
                         "for 20 steps of 6 features)");
  }
  TFLC_ASSIGN_OR_RETURN(NodeView unpack, l.Emit("UNPACK", "steps", {x},
                                                {{"num", c.steps}, {"axis", static_cast<int64_t>(c.time_axis)}},
                                                static_cast<size_t>(c.steps)));
  std::vector<ValueView> steps;
  for (int64_t t = 0; t < c.steps; ++t) steps.push_back(unpack.output(static_cast<size_t>(t)));
  if (c.go_backwards) std::vector<ValueView>(steps.rbegin(), steps.rend()).swap(steps);
  return steps;
}

// ---------------------------------------------------------------------------------------------
// LSTM

bool FusedLstmSupports(const RnnConfig& c) {
  return c.recurrent_activation == "sigmoid" && (c.activation == "tanh" || c.activation == "relu");
}

Status LowerLstmFused(const Lowering& l, const RnnConfig& c) {
  TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
  TFLC_ASSIGN_OR_RETURN(ValueView kernel, l.Input(1));
  TFLC_ASSIGN_OR_RETURN(ValueView recurrent, l.Input(2));
  ValueView bias = l.OptionalInput(3);
  const TflcDataType ftype = TFLC_TYPE_FLOAT32;

  if (c.go_backwards) {
    TFLC_ASSIGN_OR_RETURN(ValueView axis, l.ConstInt32Vector("reverse/axis", {c.time_axis}));
    TFLC_ASSIGN_OR_RETURN(x, l.Emit1("REVERSE_V2", "reverse", {x, axis}));
  }
  // [in, 4u] → [4u, in] → 4 × [u, in] (gate order i, f, c, o); same for the recurrent kernel.
  TFLC_ASSIGN_OR_RETURN(ValueView kt, l.Transpose(kernel, {1, 0}, "kernel_transpose"));
  TFLC_ASSIGN_OR_RETURN(std::vector<ValueView> w, Split(l, kt, 0, 4, "kernel_split"));
  TFLC_ASSIGN_OR_RETURN(ValueView rt, l.Transpose(recurrent, {1, 0}, "recurrent_kernel_transpose"));
  TFLC_ASSIGN_OR_RETURN(std::vector<ValueView> r, Split(l, rt, 0, 4, "recurrent_kernel_split"));
  std::vector<ValueView> b;
  if (bias) {
    TFLC_ASSIGN_OR_RETURN(b, Split(l, bias, 0, 4, "bias_split"));
  } else {
    static const char* const kGate[] = {"input_gate_bias", "forget_gate_bias", "cell_gate_bias",
                                        "output_gate_bias"};
    for (const char* g : kGate) {
      TFLC_ASSIGN_OR_RETURN(ValueView z, l.Zeros(g, ftype, {c.units}));
      b.push_back(z);
    }
  }
  // The states [batch, units]: variable tensors (is_variable, zero at start), which the TFLite
  // kernel updates in place, as TF's converter emits them.
  TFLC_ASSIGN_OR_RETURN(ValueView output_state, l.Variable("output_state", ftype, {c.batch, c.units}));
  TFLC_ASSIGN_OR_RETURN(ValueView cell_state, l.Variable("cell_state", ftype, {c.batch, c.units}));

  const ValueView none;
  std::vector<ValueView> inputs = {
      x,                                   // 0 input
      w[0], w[1], w[2], w[3],              // 1-4 input_to_{input,forget,cell,output}_weights
      r[0], r[1], r[2], r[3],              // 5-8 recurrent_to_{input,forget,cell,output}_weights
      none, none, none,                    // 9-11 cell_to_{input,forget,output}_weights (peepholes)
      b[0], b[1], b[2], b[3],              // 12-15 {input,forget,cell,output}_gate_bias
      none, none,                          // 16-17 projection weights / bias
      output_state, cell_state,            // 18-19 states
      none, none, none, none,              // 20-23 layer-norm coefficients
  };
  const int64_t act = c.activation == "tanh" ? kActTanh : kActRelu;
  TFLC_ASSIGN_OR_RETURN(ValueView seq, l.Emit1("UNIDIRECTIONAL_SEQUENCE_LSTM", "", inputs,
                                               {{"fused_activation_function", act},
                                                {"cell_clip", 0.0},
                                                {"proj_clip", 0.0},
                                                {"time_major", c.time_major},
                                                {"asymmetric_quantize_inputs", false}}));
  if (c.return_sequences && l.node().num_outputs() < 2) return l.Replace(0, seq);
  // The last step: y[:, -1, :] (batch major) or y[-1] (time major), shrinking the time axis.
  const int64_t t = c.time_axis;
  std::vector<int64_t> begin = {0, 0, 0};
  begin[t] = -1;
  TFLC_ASSIGN_OR_RETURN(ValueView bv, l.ConstInt32Vector("last_step/begin", begin));
  TFLC_ASSIGN_OR_RETURN(ValueView ev, l.ConstInt32Vector("last_step/end", {0, 0, 0}));
  TFLC_ASSIGN_OR_RETURN(ValueView sv, l.ConstInt32Vector("last_step/strides", {1, 1, 1}));
  const int64_t keep_mask = 0b111 & ~(int64_t{1} << t);
  TFLC_ASSIGN_OR_RETURN(ValueView last, l.Emit1("STRIDED_SLICE", "last_step", {seq, bv, ev, sv},
                                                {{"begin_mask", keep_mask},
                                                 {"end_mask", keep_mask},
                                                 {"ellipsis_mask", int64_t{0}},
                                                 {"new_axis_mask", int64_t{0}},
                                                 {"shrink_axis_mask", int64_t{1} << t},
                                                 {"offset", false}}));
  const ValueView y = c.return_sequences ? seq : last;
  if (l.node().num_outputs() > 1) TFLC_RETURN_IF_ERROR(ReplaceDistinct(l, 1, last, y));  // return_state h
  TFLC_RETURN_IF_ERROR(l.Replace(0, y));
  return OkStatus();
}

Status LowerLstmUnrolled(const Lowering& l, const RnnConfig& c) {
  TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
  TFLC_ASSIGN_OR_RETURN(ValueView kernel, l.Input(1));
  TFLC_ASSIGN_OR_RETURN(ValueView recurrent, l.Input(2));
  ValueView bias = l.OptionalInput(3);
  TFLC_ASSIGN_OR_RETURN(std::vector<ValueView> steps, TimeSteps(l, c, x));
  TFLC_ASSIGN_OR_RETURN(ValueView kt, l.Transpose(kernel, {1, 0}, "kernel_transpose"));
  TFLC_ASSIGN_OR_RETURN(ValueView rt, l.Transpose(recurrent, {1, 0}, "recurrent_kernel_transpose"));
  TFLC_ASSIGN_OR_RETURN(ValueView h, InitialState(l, c, 0, "initial_h"));
  TFLC_ASSIGN_OR_RETURN(ValueView cell, InitialState(l, c, 1, "initial_c"));
  std::vector<ValueView> outputs;
  for (size_t s = 0; s < steps.size(); ++s) {
    const std::string p = "step" + std::to_string(s);
    TFLC_ASSIGN_OR_RETURN(ValueView xw, FullyConnected(l, steps[s], kt, bias, p + "/input_matmul"));
    TFLC_ASSIGN_OR_RETURN(ValueView hw, FullyConnected(l, h, rt, ValueView(), p + "/recurrent_matmul"));
    TFLC_ASSIGN_OR_RETURN(ValueView gates, l.Binary("ADD", xw, hw, p + "/gates"));
    TFLC_ASSIGN_OR_RETURN(std::vector<ValueView> g, Split(l, gates, 1, 4, p + "/gate_split"));
    TFLC_ASSIGN_OR_RETURN(ValueView i, Activate(l, c.recurrent_activation, g[0], p + "/i"));
    TFLC_ASSIGN_OR_RETURN(ValueView f, Activate(l, c.recurrent_activation, g[1], p + "/f"));
    TFLC_ASSIGN_OR_RETURN(ValueView cc, Activate(l, c.activation, g[2], p + "/c_candidate"));
    TFLC_ASSIGN_OR_RETURN(ValueView o, Activate(l, c.recurrent_activation, g[3], p + "/o"));
    TFLC_ASSIGN_OR_RETURN(ValueView fc, l.Binary("MUL", f, cell, p + "/forget"));
    TFLC_ASSIGN_OR_RETURN(ValueView ic, l.Binary("MUL", i, cc, p + "/update"));
    TFLC_ASSIGN_OR_RETURN(cell, l.Binary("ADD", fc, ic, p + "/c"));
    TFLC_ASSIGN_OR_RETURN(ValueView ac, Activate(l, c.activation, cell, p + "/c_activation"));
    TFLC_ASSIGN_OR_RETURN(h, l.Binary("MUL", o, ac, p + "/h"));
    outputs.push_back(h);
  }
  return FinishUnrolled(l, c, outputs, cell);
}

}  // namespace

// tflc.LSTM(x, kernel, recurrent_kernel[, bias]) → UNIDIRECTIONAL_SEQUENCE_LSTM (+ STRIDED_SLICE
// for the last step, REVERSE_V2 for go_backwards), or unrolled builtins for other activations.
TflcStatus* LowerLSTM(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(RnnConfig c, ReadConfig(l, 4));
    // The fused op starts from zero states and gives no final cell state.
    if (FusedLstmSupports(c) && c.num_initial_states == 0 && !OutputUsed(l, 2)) return LowerLstmFused(l, c);
    return LowerLstmUnrolled(l, c);
  });
}

// tflc.GRU(x, kernel, recurrent_kernel[, bias]) → unrolled FULLY_CONNECTED / SPLIT / LOGISTIC /
// TANH / MUL / ADD / SUB per time step (+ PACK for return_sequences).
TflcStatus* LowerGRU(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(RnnConfig c, ReadConfig(l, 3));
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView kernel, l.Input(1));
    TFLC_ASSIGN_OR_RETURN(ValueView recurrent, l.Input(2));
    ValueView bias = l.OptionalInput(3);

    // Biases: [3u] (input side only) or [2, 3u] (input bias, recurrent bias; reset_after).
    ValueView input_bias, recurrent_bias;
    if (bias) {
      const int32_t rank = bias.rank();
      if (rank == 2) {
        if (!c.reset_after) {
          return InvalidArgument("bias (input 3) is [2, 3·units], which needs reset_after=true");
        }
        TFLC_ASSIGN_OR_RETURN(NodeView un, l.Emit("UNPACK", "bias_unpack", {bias},
                                                  {{"num", int64_t{2}}, {"axis", int64_t{0}}}, 2));
        input_bias = un.output(0);
        recurrent_bias = un.output(1);
      } else if (rank == 1) {
        input_bias = bias;
      } else {
        return InvalidArgument("bias (input 3) must be [3·units] or [2, 3·units]; its shape is " +
                               std::string(rank < 0 ? "unknown" : "of rank " + std::to_string(rank)));
      }
    }

    TFLC_ASSIGN_OR_RETURN(std::vector<ValueView> steps, TimeSteps(l, c, x));
    TFLC_ASSIGN_OR_RETURN(ValueView kt, l.Transpose(kernel, {1, 0}, "kernel_transpose"));        // [3u, in]
    TFLC_ASSIGN_OR_RETURN(ValueView rt, l.Transpose(recurrent, {1, 0}, "recurrent_kernel_transpose"));  // [3u, u]
    ValueView r_zr, r_h;  // reset_after = false: [2u, u] for z and r, [u, u] for the candidate
    if (!c.reset_after) {
      TFLC_ASSIGN_OR_RETURN(ValueView sizes, l.ConstInt32Vector("recurrent_kernel_split/sizes",
                                                                {2 * c.units, c.units}));
      TFLC_ASSIGN_OR_RETURN(ValueView axis, l.Scalar("recurrent_kernel_split/axis", TFLC_TYPE_INT32, 0));
      TFLC_ASSIGN_OR_RETURN(NodeView sv, l.Emit("SPLIT_V", "recurrent_kernel_split", {rt, sizes, axis},
                                                {{"num_splits", int64_t{2}}}, 2));
      r_zr = sv.output(0);
      r_h = sv.output(1);
    }
    TFLC_ASSIGN_OR_RETURN(ValueView h, InitialState(l, c, 0, "initial_h"));
    std::vector<ValueView> outputs;
    for (size_t s = 0; s < steps.size(); ++s) {
      const std::string p = "step" + std::to_string(s);
      TFLC_ASSIGN_OR_RETURN(ValueView mx, FullyConnected(l, steps[s], kt, input_bias, p + "/input_matmul"));
      TFLC_ASSIGN_OR_RETURN(std::vector<ValueView> xg, Split(l, mx, 1, 3, p + "/input_split"));
      ValueView z_in, r_in, candidate_in;
      if (c.reset_after) {
        TFLC_ASSIGN_OR_RETURN(ValueView mh, FullyConnected(l, h, rt, recurrent_bias, p + "/recurrent_matmul"));
        TFLC_ASSIGN_OR_RETURN(std::vector<ValueView> hg, Split(l, mh, 1, 3, p + "/recurrent_split"));
        TFLC_ASSIGN_OR_RETURN(z_in, l.Binary("ADD", xg[0], hg[0], p + "/z_in"));
        TFLC_ASSIGN_OR_RETURN(r_in, l.Binary("ADD", xg[1], hg[1], p + "/r_in"));
        TFLC_ASSIGN_OR_RETURN(ValueView r, Activate(l, c.recurrent_activation, r_in, p + "/r"));
        TFLC_ASSIGN_OR_RETURN(ValueView rh, l.Binary("MUL", r, hg[2], p + "/reset"));
        TFLC_ASSIGN_OR_RETURN(candidate_in, l.Binary("ADD", xg[2], rh, p + "/candidate_in"));
      } else {
        TFLC_ASSIGN_OR_RETURN(ValueView mh, FullyConnected(l, h, r_zr, ValueView(), p + "/recurrent_matmul"));
        TFLC_ASSIGN_OR_RETURN(std::vector<ValueView> hg, Split(l, mh, 1, 2, p + "/recurrent_split"));
        TFLC_ASSIGN_OR_RETURN(z_in, l.Binary("ADD", xg[0], hg[0], p + "/z_in"));
        TFLC_ASSIGN_OR_RETURN(r_in, l.Binary("ADD", xg[1], hg[1], p + "/r_in"));
        TFLC_ASSIGN_OR_RETURN(ValueView r, Activate(l, c.recurrent_activation, r_in, p + "/r"));
        TFLC_ASSIGN_OR_RETURN(ValueView rh, l.Binary("MUL", r, h, p + "/reset"));
        TFLC_ASSIGN_OR_RETURN(ValueView rhu, FullyConnected(l, rh, r_h, ValueView(), p + "/candidate_matmul"));
        TFLC_ASSIGN_OR_RETURN(candidate_in, l.Binary("ADD", xg[2], rhu, p + "/candidate_in"));
      }
      TFLC_ASSIGN_OR_RETURN(ValueView z, Activate(l, c.recurrent_activation, z_in, p + "/z"));
      TFLC_ASSIGN_OR_RETURN(ValueView candidate, Activate(l, c.activation, candidate_in, p + "/candidate"));
      TFLC_ASSIGN_OR_RETURN(ValueView diff, l.Binary("SUB", h, candidate, p + "/h_minus_candidate"));
      TFLC_ASSIGN_OR_RETURN(ValueView zd, l.Binary("MUL", z, diff, p + "/keep"));
      TFLC_ASSIGN_OR_RETURN(h, l.Binary("ADD", candidate, zd, p + "/h"));
      outputs.push_back(h);
    }
    return FinishUnrolled(l, c, outputs);
  });
}

// tflc.SimpleRNN(x, kernel, recurrent_kernel[, bias[, h0]]) → unrolled per time step:
// h = act(FULLY_CONNECTED(x_t, kernelᵀ, bias) + FULLY_CONNECTED(h, recurrent_kernelᵀ)) (+ PACK).
TflcStatus* LowerSimpleRNN(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(RnnConfig c, ReadConfig(l, 1));
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView kernel, l.Input(1));
    TFLC_ASSIGN_OR_RETURN(ValueView recurrent, l.Input(2));
    ValueView bias = l.OptionalInput(3);
    if (bias && bias.rank() >= 0 && bias.rank() != 1) {
      return InvalidArgument("bias (input 3) must be [units]");
    }
    TFLC_ASSIGN_OR_RETURN(std::vector<ValueView> steps, TimeSteps(l, c, x));
    TFLC_ASSIGN_OR_RETURN(ValueView kt, l.Transpose(kernel, {1, 0}, "kernel_transpose"));        // [u, in]
    TFLC_ASSIGN_OR_RETURN(ValueView rt, l.Transpose(recurrent, {1, 0}, "recurrent_kernel_transpose"));  // [u, u]
    TFLC_ASSIGN_OR_RETURN(ValueView h, InitialState(l, c, 0, "initial_h"));
    std::vector<ValueView> outputs;
    for (size_t s = 0; s < steps.size(); ++s) {
      const std::string p = "step" + std::to_string(s);
      TFLC_ASSIGN_OR_RETURN(ValueView xw, FullyConnected(l, steps[s], kt, bias, p + "/input_matmul"));
      TFLC_ASSIGN_OR_RETURN(ValueView hw, FullyConnected(l, h, rt, ValueView(), p + "/recurrent_matmul"));
      TFLC_ASSIGN_OR_RETURN(ValueView sum, l.Binary("ADD", xw, hw, p + "/pre_activation"));
      TFLC_ASSIGN_OR_RETURN(h, Activate(l, c.activation, sum, p + "/h"));
      outputs.push_back(h);
    }
    return FinishUnrolled(l, c, outputs);
  });
}

}  // namespace tflc::lower_builtin
