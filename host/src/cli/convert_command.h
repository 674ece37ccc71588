// The convert command shared by the two command-line front ends: `tflc convert` and
// `tflite_convert` (TensorFlow's flag set). Each front end parses its own flags into
// ConvertSettings, in tflc convert's terms; RunConvert does the rest, so the same settings give
// the same file whichever front end was used.
#ifndef TFLC_HOST_CLI_CONVERT_COMMAND_H_
#define TFLC_HOST_CLI_CONVERT_COMMAND_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace tflc::cli {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

// How a front end names itself in messages.
struct Program {
  std::string name;        // message prefix: "tflc", "tflite_convert"
  std::string help_hint;   // appended to usage errors: "see tflc convert --help"
};

// Prints "<name>: warning: ..." / "<name>: error: ..." / "<name>: note: ..." on stderr.
void Warn(const Program& program, const std::string& message);
void Note(const Program& program, const std::string& message);
int Fail(const Program& program, const std::string& message, int exit_code = kExitError);

// What to convert and how, keyed by `tflc convert`'s flag names.
struct ConvertSettings {
  std::string output_file;
  // Exactly one of these three is set.
  std::string keras_model_file;
  std::string saved_model_dir;
  std::string graph_def_file;
  // Converter options by tflc convert flag name: "input_arrays", "output_arrays", "input_shapes",
  // "saved_model_tag_set", "saved_model_signature_key", "target_spec.supported_ops",
  // "target_spec.supported_types", "optimizations", "representative_dataset",
  // "inference_input_type", "inference_output_type", "bias_correction".
  std::map<std::string, std::string> options;
  bool allow_custom_ops = false;
  bool enable_select_tf_ops = false;  // also implied by SELECT_TF_OPS in target_spec.supported_ops
  bool exclude_conversion_metadata = false;
  std::string experimental_quantizer;  // empty = choose from the options
  std::optional<uint64_t> large_model_threshold_bytes;
  std::vector<std::string> plugin_dirs;  // --plugin_dir, searched first
};

// Loads the plugins, converts and writes settings.output_file, reports what was written (and the
// Select TF / custom ops used). Returns the process exit status; on failure nothing is written.
int RunConvert(const Program& program, const ConvertSettings& settings);

// --plugin_dir, accepted by every command of both front ends.
boost::program_options::options_description PluginDirOptions();
std::vector<std::string> PluginDirs(const boost::program_options::variables_map& vm);

}  // namespace tflc::cli

#endif  // TFLC_HOST_CLI_CONVERT_COMMAND_H_
