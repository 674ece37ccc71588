// tflite_convert: TensorFlow's converter command line, on tflc.
//
//   tflite_convert --keras_model_file model.h5 --output_file model.tflite
//   tflite_convert --enable_v1_converter --graph_def_file g.pb --input_arrays x --output_arrays y
//       --output_file g.tflite --post_training_quantize   (one command)
//
// The flags, their checks and their error messages are those of TensorFlow's tflite_convert
// (tensorflow/lite/python/tflite_convert.py): TF2 flags by default, TF1 flags after
// --enable_v1_converter. Each flag is mapped onto a `tflc convert` option and the conversion runs
// through the same code (cli/convert_command.h), so both commands write the same file. Flags that
// only change debugging output are accepted with a note; flags tflc cannot honour are refused,
// naming what to use instead. docs/user-guide.md ("tflite_convert") has the mapping table.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include <boost/algorithm/string.hpp>
#include <boost/program_options.hpp>

#include "cli/convert_command.h"

#ifndef TFLC_VERSION_STRING
#define TFLC_VERSION_STRING "0.0.0"
#endif

namespace po = boost::program_options;
using tflc::cli::kExitError;
using tflc::cli::kExitOk;
using tflc::cli::kExitUsage;

namespace {

const tflc::cli::Program kProgram{"tflite_convert", "see tflite_convert --help"};

int Fail(const std::string& m, int code = kExitError) { return tflc::cli::Fail(kProgram, m, code); }
int UsageError(const std::string& m) { return Fail(m + " (see tflite_convert --help)", kExitUsage); }
void Note(const std::string& m) { tflc::cli::Note(kProgram, m); }

// TF's lite.OpsSet.get_options().
const std::vector<std::string> kOpsSets = {"TFLITE_BUILTINS", "SELECT_TF_OPS", "TFLITE_BUILTINS_INT8",
                                           "EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8"};

// Flags of TF's TF1 parser that its TF2 parser does not have (graph_def_file, quantization, ...).
const std::vector<std::string> kTf1OnlyFlags = {
    "graph_def_file", "output_format", "inference_type", "inference_input_type", "input_arrays", "input_shapes",
    "output_arrays", "std_dev_values", "mean_values", "default_ranges_min", "default_ranges_max",
    "post_training_quantize", "quantize_weights", "quantize_to_float16", "drop_control_dependency",
    "reorder_across_fake_quant", "change_concat_input_ranges", "allow_custom_ops", "custom_opdefs", "target_ops",
    "experimental_select_user_tf_ops", "dump_graphviz_dir", "dump_graphviz_video", "conversion_summary_dir"};

struct Options {
  static constexpr unsigned kWidth = 100, kDescriptionWidth = 60;
  po::options_description tf2{"TensorFlow 2.X flags (the default)", kWidth, kDescriptionWidth};
  po::options_description tf1{"TensorFlow 1.X flags (after --enable_v1_converter)", kWidth, kDescriptionWidth};
  po::options_description ext{"tflc extensions", kWidth, kDescriptionWidth};
  po::options_description hidden{"Hidden"};
  po::options_description visible{kWidth, kDescriptionWidth};
  po::options_description all;

  Options() {
    tf2.add_options()
        ("help,h", "show this help message and exit")
        ("output_file", po::value<std::string>(), "Full filepath of the output file (required).")
        ("saved_model_dir", po::value<std::string>(),
         "Full path of the directory containing the SavedModel. [= tflc convert --saved_model_dir]")
        ("keras_model_file", po::value<std::string>(),
         "Full filepath of the HDF5 (.h5) or .keras file containing the Keras model. "
         "[= tflc convert --keras_model_file]")
        ("saved_model_tag_set", po::value<std::string>(),
         "Comma-separated set of tags identifying the MetaGraphDef within the SavedModel; all must be present "
         "(default \"serve\").")
        ("saved_model_signature_key", po::value<std::string>(),
         "Key identifying the SignatureDef with the inputs and outputs (default serving_default); TF2 takes a "
         "comma list, one subgraph per signature.")
        ("enable_v1_converter", po::bool_switch(), "Enable the TensorFlow 1.X converter and its flags (below).")
        ("experimental_new_converter", po::value<std::string>()->implicit_value("true"),
         "Experimental: use the MLIR-based converter instead of TOCO (default true). tflc is its own converter: "
         "true is accepted with a note, false is refused.")
        ("experimental_new_quantizer", po::value<std::string>()->implicit_value("true"),
         "Experimental: use the MLIR-based quantizer. Accepted with a note; tflc uses its quantizer plugins.");
    tf1.add_options()
        ("graph_def_file", po::value<std::string>(),
         "Full filepath of the file containing the frozen TensorFlow GraphDef (.pb or .pbtxt); needs "
         "--input_arrays and --output_arrays.")
        ("output_format", po::value<std::string>(),
         "Output file format: TFLITE or GRAPHVIZ_DOT. tflc writes TFLITE only (use `tflc inspect` for a text dump).")
        ("inference_type", po::value<std::string>(),
         "Target data type of real-number arrays in the output file: FLOAT (default), INT8 or UINT8. tflc "
         "converts FLOAT only (quantize with --post_training_quantize or tflc convert --representative_dataset).")
        ("inference_input_type", po::value<std::string>(),
         "Target data type of real-number input arrays, allowing a different input type for quantized models: "
         "FLOAT, INT8 or UINT8. tflc accepts FLOAT only here.")
        ("input_arrays", po::value<std::string>(), "Names of the input arrays, comma-separated.")
        ("input_shapes", po::value<std::string>(),
         "Shapes corresponding to --input_arrays, colon-separated, e.g. 1,224,224,3:1,10.")
        ("output_arrays", po::value<std::string>(), "Names of the output arrays, comma-separated.")
        ("std_dev_values", po::value<std::string>(),
         "Standard deviation of the training data for each input tensor, comma-separated floats; for quantized "
         "input tensors (no effect with FLOAT inference types).")
        ("mean_values", po::value<std::string>(),
         "Mean of the training data for each input tensor, comma-separated floats; for quantized input tensors "
         "(no effect with FLOAT inference types).")
        ("default_ranges_min", po::value<std::string>(),
         "Default min of the range of arrays without one, for \"dummy quantization\" experiments (no effect with "
         "FLOAT inference types).")
        ("default_ranges_max", po::value<std::string>(),
         "Default max of the range of arrays without one, for \"dummy quantization\" experiments (no effect with "
         "FLOAT inference types).")
        ("post_training_quantize", po::bool_switch(),
         "Quantize the weights of the converted float model: smaller model, faster, less accurate. "
         "[= tflc convert --optimizations DEFAULT]")
        ("quantize_to_float16", po::bool_switch(),
         "With --post_training_quantize, quantize the weights to float16 instead of int8. "
         "[= tflc convert --target_spec.supported_types float16]")
        ("drop_control_dependency", po::bool_switch(),
         "Drop control dependencies silently (TFLite has none). tflc always does; accepted with a note.")
        ("reorder_across_fake_quant", po::bool_switch(),
         "Reorder FakeQuant nodes in unexpected locations (TOCO graph transformations). Accepted with a note; "
         "no effect.")
        ("change_concat_input_ranges", po::value<std::string>(),
         "TRUE or FALSE: let the min/max ranges of concat inputs and outputs overlap in quantized models (TOCO). "
         "Accepted with a note; no effect.")
        ("allow_custom_ops", po::bool_switch(),
         "Allow custom ops: an op nothing else lowers becomes a custom op, whose kernel the app registers with "
         "a custom resolver. [= tflc convert --allow_custom_ops]")
        ("custom_opdefs", po::value<std::string>(),
         "OpDefs of the custom ops in the GraphDef, comma-separated; needs --allow_custom_ops. tflc needs no "
         "OpDefs: accepted with a note.")
        ("target_ops", po::value<std::string>(),
         "Set of OpsSet options, comma-separated: TFLITE_BUILTINS, SELECT_TF_OPS, TFLITE_BUILTINS_INT8, "
         "EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8 (default TFLITE_BUILTINS). "
         "[= tflc convert --target_spec.supported_ops]")
        ("experimental_select_user_tf_ops", po::value<std::string>(),
         "User-defined TF ops to emit as Select TF ops, comma-separated; needs SELECT_TF_OPS. Refused: tflc emits "
         "Select TF ops for TensorFlow's Flex allowlist only.")
        ("dump_graphviz_dir", po::value<std::string>(),
         "Folder to dump GraphViz .dot files of the graph at stages of the conversion. Accepted with a note; "
         "nothing is dumped.")
        ("dump_graphviz_video", po::bool_switch(),
         "Dump the graph after every graph transformation (needs --dump_graphviz_dir). Accepted with a note.")
        ("conversion_summary_dir", po::value<std::string>(),
         "Folder for the conversion logs (GraphViz, HTML report, protos). Accepted with a note; nothing is written.");
    ext.add_options()
        ("version", "print the tflc version and exit");
    ext.add(tflc::cli::PluginDirOptions());
    hidden.add_options()("quantize_weights", po::bool_switch(), "deprecated alias of --post_training_quantize");
    visible.add(tf2).add(tf1).add(ext);
    all.add(visible).add(hidden);
  }
};

bool Given(const po::variables_map& vm, const std::string& name) {
  return vm.count(name) && !vm[name].defaulted();
}

std::string Str(const po::variables_map& vm, const std::string& name) {
  return vm.count(name) ? vm[name].as<std::string>() : std::string();
}

std::vector<std::string> Split(const std::string& s, const char* sep) {
  std::vector<std::string> parts;
  boost::split(parts, s, boost::is_any_of(sep));
  return parts;
}

// TF's _ParseBooleanFlag: the flag alone means true; =true / =false in any case.
bool ParseBool(const std::string& flag, const std::string& value, bool* out) {
  std::string v = boost::to_lower_copy(value);
  if (v == "true") { *out = true; return true; }
  if (v == "false") { *out = false; return true; }
  Fail("Invalid argument to --" + flag + ". Must use flag alone, or specify true/false.", kExitUsage);
  return false;
}

// TF's _parse_inference_type: the dtype's name ("float32", "int8", "uint8").
bool ParseInferenceType(const std::string& flag, const std::string& value, std::string* out) {
  const std::string v = boost::to_upper_copy(value);
  if (v == "FLOAT") *out = "float32";
  else if (v == "INT8") *out = "int8";
  else if (v == "UINT8" || v == "QUANTIZED_UINT8") *out = "uint8";
  else {
    Fail("Unsupported value for `" + flag + "` flag. Expected FLOAT, INT8, UINT8, or QUANTIZED_UINT8 instead got " +
         v + ".");
    return false;
  }
  return true;
}

bool ParseFloat(const std::string& flag, const std::string& value) {
  char* end = nullptr;
  std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0') {
    Fail("argument --" + flag + ": invalid float value: '" + value + "'", kExitUsage);
    return false;
  }
  return true;
}

// argparse's `choices` after type=str.upper.
bool CheckChoice(const std::string& flag, const std::string& value, const std::vector<std::string>& choices) {
  const std::string v = boost::to_upper_copy(value);
  for (const auto& c : choices) {
    if (v == c) return true;
  }
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "'" : ", '") + c + "'";
  Fail("argument --" + flag + ": invalid choice: '" + v + "' (choose from " + list + ")", kExitUsage);
  return false;
}

// Flags TF's parsers do not know. TF's TF1 check names the successor of a few TOCO-era flags; tflc
// refuses every unknown flag (TensorFlow ignores the rest, which hides typos).
int UnknownFlags(const std::vector<std::string>& unknown) {
  static const std::vector<std::pair<std::string, std::string>> kRenamed = {
      {"--input_file", "--graph_def_file"}, {"--savedmodel_directory", "--saved_model_dir"},
      {"--std_value", "--std_dev_values"}, {"--batch_size", "--input_shapes"},
      {"--dump_graphviz", "--dump_graphviz_dir"}};
  std::string hints, list;
  for (const auto& flag : unknown) {
    list += (list.empty() ? "" : " ") + flag;
    for (const auto& [old_flag, new_flag] : kRenamed) {
      if (boost::starts_with(flag, old_flag)) hints += "; use " + new_flag + " instead of " + old_flag;
    }
  }
  if (!hints.empty()) return Fail("unrecognized arguments: " + list + hints);
  return UsageError("unrecognized arguments: " + list);
}

int Run(const std::vector<std::string>& args) {
  Options opts;
  po::variables_map vm;
  std::vector<std::string> unknown;
  try {
    po::parsed_options parsed = po::command_line_parser(args).options(opts.all).allow_unregistered().run();
    unknown = po::collect_unrecognized(parsed.options, po::include_positional);
    po::store(parsed, vm);
    if (vm.count("help")) {
      std::cout << "usage: tflite_convert --output_file OUTPUT_FILE (--saved_model_dir D | --keras_model_file F)\n"
                   "       tflite_convert --enable_v1_converter --output_file OUTPUT_FILE\n"
                   "                      (--graph_def_file G | --saved_model_dir D | --keras_model_file F) [TF1 flags]\n\n"
                   "Command line tool to run the TensorFlow Lite converter: TensorFlow's tflite_convert flags on "
                   "tflc.\nThe file written is the one `tflc convert` writes with the options in [brackets].\n\n"
                << opts.visible << "\n";
      return kExitOk;
    }
    if (vm.count("version")) {
      std::cout << "tflite_convert (tflc " TFLC_VERSION_STRING ")\n";
      return kExitOk;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    return UsageError(e.what());
  }

  const bool v1 = vm["enable_v1_converter"].as<bool>();
  // argparse: the required flag, then the mutually exclusive input group.
  if (!Given(vm, "output_file")) return UsageError("the following arguments are required: --output_file");
  const std::vector<std::string> input_flags =
      v1 ? std::vector<std::string>{"graph_def_file", "saved_model_dir", "keras_model_file"}
         : std::vector<std::string>{"saved_model_dir", "keras_model_file"};
  std::string first_input;
  for (const auto& f : input_flags) {
    if (!Given(vm, f)) continue;
    if (!first_input.empty()) return UsageError("argument --" + f + ": not allowed with argument --" + first_input);
    first_input = f;
  }
  if (!unknown.empty()) return UnknownFlags(unknown);

  if (!v1) {
    // TF's _check_tf2_flags; TF1 flags are unknown to the TF2 parser.
    if (first_input.empty()) {
      return Fail(std::string("one of the arguments --saved_model_dir --keras_model_file is required") +
                  (Given(vm, "graph_def_file") ? " (--graph_def_file is a TensorFlow 1.X flag: add --enable_v1_converter)"
                                               : ""));
    }
    std::string tf1;
    for (const auto& f : kTf1OnlyFlags) {
      if (Given(vm, f)) tf1 += (tf1.empty() ? "--" : " --") + f;
    }
    if (!tf1.empty()) {
      return UsageError("unrecognized arguments: " + tf1 +
                        " (TensorFlow 1.X converter flags: add --enable_v1_converter to use them)");
    }
  } else if (first_input.empty()) {
    return UsageError("one of the arguments --graph_def_file --saved_model_dir --keras_model_file is required");
  }

  // argparse value checks (type=float, choices).
  for (const char* f : {"default_ranges_min", "default_ranges_max"}) {
    if (Given(vm, f) && !ParseFloat(f, Str(vm, f))) return kExitUsage;
  }
  if (Given(vm, "output_format") && !CheckChoice("output_format", Str(vm, "output_format"), {"TFLITE", "GRAPHVIZ_DOT"})) {
    return kExitUsage;
  }
  if (Given(vm, "change_concat_input_ranges") &&
      !CheckChoice("change_concat_input_ranges", Str(vm, "change_concat_input_ranges"), {"TRUE", "FALSE"})) {
    return kExitUsage;
  }
  bool new_converter = true, new_quantizer = true;
  if (Given(vm, "experimental_new_converter") &&
      !ParseBool("experimental_new_converter", Str(vm, "experimental_new_converter"), &new_converter)) {
    return kExitUsage;
  }
  if (Given(vm, "experimental_new_quantizer") &&
      !ParseBool("experimental_new_quantizer", Str(vm, "experimental_new_quantizer"), &new_quantizer)) {
    return kExitUsage;
  }
  const bool post_training_quantize = vm["post_training_quantize"].as<bool>() || vm["quantize_weights"].as<bool>();

  // TF's _check_tf1_flags, in its order and with its messages.
  if (v1) {
    if (Given(vm, "graph_def_file") && (!Given(vm, "input_arrays") || !Given(vm, "output_arrays"))) {
      return Fail("--input_arrays and --output_arrays are required with --graph_def_file");
    }
    if (Given(vm, "input_shapes")) {
      if (!Given(vm, "input_arrays")) return Fail("--input_shapes must be used with --input_arrays");
      if (Split(Str(vm, "input_shapes"), ":").size() != Split(Str(vm, "input_arrays"), ",").size()) {
        return Fail("--input_shapes and --input_arrays must have the same number of items");
      }
    }
    if (Given(vm, "std_dev_values") || Given(vm, "mean_values")) {
      if (Given(vm, "std_dev_values") != Given(vm, "mean_values")) {
        return Fail("--std_dev_values and --mean_values must be used together");
      }
      if (Split(Str(vm, "std_dev_values"), ",").size() != Split(Str(vm, "mean_values"), ",").size()) {
        return Fail("--std_dev_values, --mean_values must have the same number of items");
      }
    }
    if (Given(vm, "default_ranges_min") != Given(vm, "default_ranges_max")) {
      return Fail("--default_ranges_min and --default_ranges_max must be used together");
    }
    if (vm["dump_graphviz_video"].as<bool>() && !Given(vm, "dump_graphviz_dir")) {
      return Fail("--dump_graphviz_video must be used with --dump_graphviz_dir");
    }
    if (Given(vm, "custom_opdefs") && !new_converter) {
      return Fail("--custom_opdefs must be used with --experimental_new_converter");
    }
    if (Given(vm, "custom_opdefs") && !vm["allow_custom_ops"].as<bool>()) {
      return Fail("--custom_opdefs must be used with --allow_custom_ops");
    }
    if (Given(vm, "experimental_select_user_tf_ops") && !new_converter) {
      return Fail("--experimental_select_user_tf_ops must be used with --experimental_new_converter");
    }
  }

  // TF's _convert_tf1_model: the values.
  std::string inference_type = "float32", inference_input_type;
  if (Given(vm, "inference_type") && !ParseInferenceType("inference_type", Str(vm, "inference_type"), &inference_type)) {
    return kExitError;
  }
  if (Given(vm, "inference_input_type") &&
      !ParseInferenceType("inference_input_type", Str(vm, "inference_input_type"), &inference_input_type)) {
    return kExitError;
  }
  if (Given(vm, "mean_values") && Given(vm, "input_arrays") &&
      Split(Str(vm, "input_arrays"), ",").size() != Split(Str(vm, "mean_values"), ",").size()) {
    return Fail("Mismatching --input_arrays, --std_dev_values, and --mean_values. The flags must have the same number "
                "of items. The current input arrays are '" + Str(vm, "input_arrays") +
                "'. --input_arrays must be present when specifying --std_dev_values and --mean_values with multiple "
                "input tensors in order to map between names and values.");
  }
  std::set<std::string> ops_sets;
  if (Given(vm, "target_ops")) {
    for (const auto& option : Split(Str(vm, "target_ops"), ",")) {
      if (std::find(kOpsSets.begin(), kOpsSets.end(), option) == kOpsSets.end()) {
        return Fail("Invalid value for --target_ops. Options: " + boost::join(kOpsSets, ","));
      }
      ops_sets.insert(option);
    }
  }
  if (Given(vm, "experimental_select_user_tf_ops") && !ops_sets.count("SELECT_TF_OPS")) {
    return Fail("--experimental_select_user_tf_ops can only be set if --target_ops contains SELECT_TF_OPS.");
  }
  if (post_training_quantize && inference_type != "float32") {
    Note("--post_training_quantize quantizes a graph of inference_type FLOAT. Overriding inference_type to FLOAT.");
    inference_type = "float32";
  }

  // What tflc cannot honour.
  if (!new_converter) {
    return Fail("--experimental_new_converter=false asks for TOCO, TensorFlow's old converter, which tflc does not "
                "reproduce: drop the flag (tflc's conversion corresponds to the new converter)");
  }
  if (boost::to_upper_copy(Str(vm, "output_format")) == "GRAPHVIZ_DOT") {
    return Fail("--output_format GRAPHVIZ_DOT is not supported: tflc writes TFLite files only; convert with "
                "--output_format TFLITE (the default) and print the result with `tflc inspect OUTPUT_FILE`");
  }
  if (inference_type != "float32") {
    return Fail("--inference_type " + boost::to_upper_copy(Str(vm, "inference_type")) +
                " converts a quantization-aware (FakeQuant) graph with the ranges it records, which tflc does not "
                "do; for an integer model use `tflc convert --optimizations DEFAULT --representative_dataset D "
                "[--inference_input_type int8|uint8 --inference_output_type int8|uint8]` (calibrated post-training "
                "quantization), or --post_training_quantize here for int8 weights");
  }
  if (!inference_input_type.empty() && inference_input_type != "float32") {
    return Fail("--inference_input_type " + boost::to_upper_copy(Str(vm, "inference_input_type")) +
                " (quantized input with --mean_values/--std_dev_values) needs a quantized --inference_type, which "
                "tflc does not convert; after full-integer quantization `tflc convert --optimizations DEFAULT "
                "--representative_dataset D --inference_input_type " + inference_input_type +
                "` gives the model " + inference_input_type + " inputs");
  }
  if (Given(vm, "experimental_select_user_tf_ops")) {
    return Fail("--experimental_select_user_tf_ops is not supported: tflc emits Select TF ops only for ops in "
                "TensorFlow's Flex allowlist; emit the others with --allow_custom_ops (custom ops), or lower them "
                "with a plugin (docs/writing-a-plugin.md)");
  }

  // Accepted; what they ask for needs nothing from tflc, or only changes debugging output.
  if (Given(vm, "experimental_new_converter")) {
    Note("--experimental_new_converter: accepted; tflc is a converter of its own, corresponding to the new one");
  }
  if (Given(vm, "experimental_new_quantizer")) {
    Note("--experimental_new_quantizer: accepted and ignored; tflc quantizes with its quantizer plugins");
  }
  if (Given(vm, "mean_values")) {
    Note("--mean_values/--std_dev_values: no effect with FLOAT inference types (as in TensorFlow); ignored");
  }
  if (Given(vm, "default_ranges_min")) {
    Note("--default_ranges_min/--default_ranges_max: no effect with --inference_type FLOAT (as in TensorFlow); "
         "ignored");
  }
  if (vm["drop_control_dependency"].as<bool>()) {
    Note("--drop_control_dependency: accepted; tflc always drops control dependencies (TFLite has none)");
  }
  if (vm["reorder_across_fake_quant"].as<bool>()) {
    Note("--reorder_across_fake_quant: accepted and ignored (a TOCO graph transformation)");
  }
  if (Given(vm, "change_concat_input_ranges")) {
    Note("--change_concat_input_ranges: accepted and ignored (a TOCO option for quantized graphs)");
  }
  if (Given(vm, "custom_opdefs")) {
    Note("--custom_opdefs: accepted and ignored; tflc emits custom ops (--allow_custom_ops) without registered OpDefs");
  }
  if (Given(vm, "dump_graphviz_dir")) {
    Note("--dump_graphviz_dir" + std::string(vm["dump_graphviz_video"].as<bool>() ? "/--dump_graphviz_video" : "") +
         ": accepted and ignored; tflc writes no GraphViz dumps (use `tflc inspect OUTPUT_FILE`)");
  }
  if (Given(vm, "conversion_summary_dir")) {
    Note("--conversion_summary_dir: accepted and ignored; tflc writes no conversion summary");
  }

  // The mapping onto tflc convert's options.
  tflc::cli::ConvertSettings settings;
  settings.output_file = Str(vm, "output_file");
  settings.keras_model_file = Str(vm, "keras_model_file");
  settings.saved_model_dir = Str(vm, "saved_model_dir");
  settings.graph_def_file = Str(vm, "graph_def_file");
  for (const char* key : {"input_arrays", "output_arrays", "input_shapes", "saved_model_tag_set",
                          "saved_model_signature_key"}) {
    if (Given(vm, key)) settings.options[key] = Str(vm, key);
  }
  if (Given(vm, "target_ops")) settings.options["target_spec.supported_ops"] = Str(vm, "target_ops");
  if (post_training_quantize) settings.options["optimizations"] = "DEFAULT";
  if (vm["quantize_to_float16"].as<bool>()) {
    if (post_training_quantize) {
      settings.options["target_spec.supported_types"] = "float16";
    } else {
      Note("--quantize_to_float16 will only take effect with the --post_training_quantize flag enabled.");
    }
  }
  settings.allow_custom_ops = vm["allow_custom_ops"].as<bool>();
  settings.plugin_dirs = tflc::cli::PluginDirs(vm);
  return tflc::cli::RunConvert(kProgram, settings);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    return Fail(std::string("internal error: ") + e.what());
  }
}
