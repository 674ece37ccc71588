// Recognition of an untagged LSTM / GRU While loop (rnn_loop.cc), used by the While row.
#ifndef TFLC_PLUGINS_LOWER_BUILTIN_SRC_RNN_LOOP_H_
#define TFLC_PLUGINS_LOWER_BUILTIN_SRC_RNN_LOOP_H_

#include <vector>

#include "common.h"

namespace tflc::lower_builtin {

// When the While node `l` (loop variables `vars`, lowered `cond` and `body` subgraphs) is an LSTM or
// GRU recurrence over a time-major input list, emits the tflc.LSTM / tflc.GRU composite, redirects
// every used output of the While and returns true; returns false (nothing emitted) otherwise.
StatusOr<bool> FuseRnnLoop(const Lowering& l, const GraphBuilder& cond, const GraphBuilder& body,
                           const std::vector<ValueView>& vars);

// The Keras RNN composite both RNN fusions emit (control_flow.cc defines these): tflc.LSTM /
// tflc.GRU (rnn.cc) with sigmoid gates and tanh, return_sequences, as a source node the host lowers
// next. `ins` = x, kernel, recurrent_kernel, bias [, initial states]; output 0 = the sequence
// (shape set here), output 2 = the final c when num_outputs is 3.
struct RnnComposite {
  bool lstm = true;
  int64_t units = 0, steps = 0, batch = 0;
  bool go_backwards = false, time_major = false, reset_after = true;
  int64_t num_initial_states = 0;
  size_t num_outputs = 1;
};
StatusOr<NodeView> EmitRnnComposite(const Lowering& l, const std::string& name, const std::vector<ValueView>& ins,
                                    const RnnComposite& c);
// The last time step of a sequence [b,t,u] (time-major [t,b,u]) as TF's StridedSlice (its row lowers
// it, as TF's converter slices the fused LSTM's output, lstm_utils.cc): [b,u].
StatusOr<ValueView> LastStep(const Lowering& l, const ValueView& seq, bool time_major, const std::string& name,
                             int64_t batch, int64_t units);

}  // namespace tflc::lower_builtin

#endif  // TFLC_PLUGINS_LOWER_BUILTIN_SRC_RNN_LOOP_H_
