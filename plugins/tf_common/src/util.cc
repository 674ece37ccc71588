#include "tf_common/util.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/message.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <cstdlib>

namespace tflc::tf {

bool ParseTextProto(const std::string& text, google::protobuf::Message* m) {
  google::protobuf::TextFormat::Parser parser;
  parser.AllowUnknownField(true);
  struct Quiet : google::protobuf::io::ErrorCollector {
    void AddError(int, int, const std::string&) override {}
  } quiet;
  parser.RecordErrorsTo(&quiet);
  return parser.ParseFromString(text, m);
}

std::vector<std::string> Split(std::string_view s, char sep, bool keep_empty) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view piece = s.substr(start, end - start);
    while (!piece.empty() && (piece.front() == ' ' || piece.front() == '\t')) piece.remove_prefix(1);
    while (!piece.empty() && (piece.back() == ' ' || piece.back() == '\t')) piece.remove_suffix(1);
    if (keep_empty || !piece.empty()) out.emplace_back(piece);
    start = end + 1;
  }
  return out;
}

TensorName ParseTensorName(std::string_view s) {
  TensorName t;
  if (!s.empty() && s.front() == '^') {
    t.node = std::string(s.substr(1));
    t.index = -1;
    return t;
  }
  size_t colon = s.rfind(':');
  if (colon != std::string_view::npos && colon + 1 < s.size()) {
    std::string_view digits = s.substr(colon + 1);
    if (std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      t.node = std::string(s.substr(0, colon));
      t.index = std::atoi(std::string(digits).c_str());
      return t;
    }
  }
  t.node = std::string(s);
  return t;
}

StatusOr<std::vector<std::vector<int64_t>>> ParseInputShapes(std::string_view s) {
  std::vector<std::vector<int64_t>> shapes;
  for (const std::string& piece : Split(s, ':', /*keep_empty=*/true)) {
    std::vector<int64_t> dims;
    for (const std::string& d : Split(piece, ',')) {
      char* end = nullptr;
      long long v = std::strtoll(d.c_str(), &end, 10);
      if (end == d.c_str() || *end != '\0' || v < -1)
        return InvalidArgument("--input_shapes: '" + d + "' in '" + std::string(s) +
                               "' is not a dimension (expected e.g. 1,224,224,3:1,10)");
      dims.push_back(v);
    }
    shapes.push_back(std::move(dims));
  }
  return shapes;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string SuggestClose(std::string_view name, const std::vector<std::string>& candidates) {
  const size_t limit = std::max<size_t>(2, name.size() / 3);
  std::vector<std::pair<size_t, std::string>> scored;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(name, c);
    bool prefix = !name.empty() && (c.rfind(std::string(name), 0) == 0 || name.rfind(c, 0) == 0);
    if (d <= limit || prefix) scored.emplace_back(prefix ? std::min(d, limit) : d, c);
  }
  if (scored.empty()) return "";
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> best;
  for (size_t i = 0; i < scored.size() && i < 5; ++i) best.push_back(scored[i].second);
  return " (did you mean " + QuotedList(best) + "?)";
}

std::string QuotedList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "'" : ", '") + s + "'";
  return out;
}

}  // namespace tflc::tf
