// Small helpers shared by the TensorFlow frontends: option parsing, tensor names, close-name hints.
#ifndef TFLC_PLUGINS_TF_COMMON_UTIL_H_
#define TFLC_PLUGINS_TF_COMMON_UTIL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tflc/sdk/status.h"

namespace google::protobuf {
class Message;
}

namespace tflc::tf {

// Parses a text-format proto into `m`, ignoring unknown fields and without the parser's stderr
// logging (callers turn a failure into their own message). False when it does not parse.
bool ParseTextProto(const std::string& text, google::protobuf::Message* m);

// Splits on `sep`, trimming blanks; empty pieces are kept only when `keep_empty`.
std::vector<std::string> Split(std::string_view s, char sep, bool keep_empty = false);

// "node:3" → {"node", 3}; "node" → {"node", 0}; "^node" → {"node", -1} (a control input).
struct TensorName {
  std::string node;
  int index = 0;
};
TensorName ParseTensorName(std::string_view s);

// `--input_shapes` (tflite_convert syntax): "1,224,224,3:1,10" → one shape per input, in order.
// An empty piece is a scalar. Dims must be integers (-1 = unknown).
StatusOr<std::vector<std::vector<int64_t>>> ParseInputShapes(std::string_view s);

// Levenshtein distance.
size_t EditDistance(std::string_view a, std::string_view b);
// " (did you mean 'a', 'b'?)" for the candidates closest to `name`, or "" when none is close.
std::string SuggestClose(std::string_view name, const std::vector<std::string>& candidates);

// Comma-joined, each quoted: 'a', 'b'.
std::string QuotedList(const std::vector<std::string>& items);

}  // namespace tflc::tf

#endif  // TFLC_PLUGINS_TF_COMMON_UTIL_H_
