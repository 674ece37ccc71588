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

}  // namespace tflc::lower_builtin

#endif  // TFLC_PLUGINS_LOWER_BUILTIN_SRC_RNN_LOOP_H_
