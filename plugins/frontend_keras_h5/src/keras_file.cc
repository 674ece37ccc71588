#include "keras_file.h"

#include <sys/stat.h>
#include <zip.h>

#include <cstdio>
#include <cstring>
#include <fstream>

namespace tflc::keras {

namespace {

constexpr unsigned char kHdf5Magic[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

bool ReadAt(std::ifstream& in, uint64_t offset, unsigned char* buf, size_t n) {
  in.clear();
  in.seekg(static_cast<std::streamoff>(offset));
  if (!in) return false;
  in.read(reinterpret_cast<char*>(buf), static_cast<std::streamsize>(n));
  return static_cast<size_t>(in.gcount()) == n;
}

// libzip archive opened read-only; discarded (never written) on destruction.
class ZipArchive {
 public:
  ~ZipArchive() {
    if (z_) zip_discard(z_);
  }
  // Returns an empty string on success, else libzip's reason.
  std::string Open(const std::string& path) {
    int err = 0;
    z_ = zip_open(path.c_str(), ZIP_RDONLY, &err);
    if (z_) return "";
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    std::string msg = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    return msg;
  }
  bool Has(const char* name) const { return z_ && zip_name_locate(z_, name, 0) >= 0; }
  // Reads a member completely into `out`.
  Status Read(const char* name, std::vector<unsigned char>* out) const {
    zip_int64_t idx = zip_name_locate(z_, name, 0);
    if (idx < 0) return NotFound(std::string("the archive has no ") + name);
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(z_, static_cast<zip_uint64_t>(idx), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
      return DataLoss(std::string("cannot read ") + name + " in the archive: " + zip_strerror(z_));
    out->assign(static_cast<size_t>(st.size), 0);
    zip_file_t* f = zip_fopen_index(z_, static_cast<zip_uint64_t>(idx), 0);
    if (!f) return DataLoss(std::string("cannot read ") + name + " in the archive: " + zip_strerror(z_));
    size_t done = 0;
    while (done < out->size()) {
      zip_int64_t n = zip_fread(f, out->data() + done, out->size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    std::string why = done == out->size() ? "" : zip_file_strerror(f);
    zip_fclose(f);
    if (done != out->size())
      return DataLoss(std::string("cannot read ") + name + " in the archive (" + why +
                      "); the archive is truncated or corrupt");
    return OkStatus();
  }

 private:
  zip_t* z_ = nullptr;
};

int MajorVersion(const std::string& v) {
  int major = 0;
  size_t i = 0;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9') major = major * 10 + (v[i++] - '0');
  return i == 0 ? -1 : major;
}

StatusOr<nlohmann::json> ParseJson(const std::string& text, const std::string& what) {
  try {
    return nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    return InvalidArgument(what + " is not valid JSON (" + e.what() + "); the file is corrupt: save the model again with model.save()");
  }
}

Status CheckModelConfig(const nlohmann::json& config, const std::string& what) {
  // Keras <= 2.2.2 wrote a Sequential config as the bare layer list.
  if (!config.is_object() || !config.contains("class_name") || !config["class_name"].is_string() ||
      !config.contains("config") || !(config["config"].is_object() || config["config"].is_array()))
    return InvalidArgument(what + " is not a Keras model config (expected {\"class_name\": ..., \"config\": {...}})");
  return OkStatus();
}

Status OpenHdf5(KerasFile* kf) {
  TFLC_ASSIGN_OR_RETURN(kf->file, OpenH5File(kf->path));
  hid_t root = kf->file.get();
  if (!HasAttr(root, "model_config")) {
    bool has_layers = false;
    (void)ReadStringListAttr(root, "layer_names", &has_layers);
    if (has_layers)
      return FailedPrecondition(
          "no model_config attribute: this looks like a weights-only file written by save_weights(); "
          "save the whole model with model.save()");
    return InvalidArgument(
        "no model_config attribute: this HDF5 file is not a Keras model; save the whole model with "
        "model.save(\"model.h5\") or model.save(\"model.keras\")");
  }
  TFLC_ASSIGN_OR_RETURN(std::string text, ReadStringAttr(root, "model_config"));
  TFLC_ASSIGN_OR_RETURN(kf->config, ParseJson(text, "the model_config attribute"));
  TFLC_RETURN_IF_ERROR(CheckModelConfig(kf->config, "the model_config attribute"));
  if (HasAttr(root, "keras_version")) {
    TFLC_ASSIGN_OR_RETURN(kf->keras_version, ReadStringAttr(root, "keras_version"));
  } else {
    kf->keras_version = "1";
  }
  kf->weights_root = OpenGroup(root, "model_weights");
  if (!kf->weights_root)
    return InvalidArgument("no /model_weights group: the file holds a model config but no weights; "
                           "save the whole model with model.save()");
  if (kf->keras_version == "1" && HasAttr(kf->weights_root.get(), "keras_version")) {
    TFLC_ASSIGN_OR_RETURN(kf->keras_version, ReadStringAttr(kf->weights_root.get(), "keras_version"));
  }
  return OkStatus();
}

Status OpenZip(KerasFile* kf) {
  ZipArchive zip;
  std::string err = zip.Open(kf->path);
  if (!err.empty())
    return DataLoss("cannot read the zip archive (" + err + "); the file is truncated or corrupt");
  if (!zip.Has("config.json"))
    return InvalidArgument("the zip archive has no config.json: it is not a Keras .keras model");
  if (!zip.Has("model.weights.h5"))
    return Unimplemented("the .keras archive has no model.weights.h5 (sharded or .npz weights are not "
                         "supported); save the model with model.save(\"model.keras\")");
  std::vector<unsigned char> bytes;
  TFLC_RETURN_IF_ERROR(zip.Read("config.json", &bytes));
  TFLC_ASSIGN_OR_RETURN(kf->config, ParseJson(std::string(bytes.begin(), bytes.end()), "config.json"));
  TFLC_RETURN_IF_ERROR(CheckModelConfig(kf->config, "config.json"));
  kf->keras_version = "3";
  if (zip.Has("metadata.json")) {
    TFLC_RETURN_IF_ERROR(zip.Read("metadata.json", &bytes));
    try {
      auto meta = nlohmann::json::parse(std::string(bytes.begin(), bytes.end()));
      if (meta.is_object() && meta.contains("keras_version") && meta["keras_version"].is_string())
        kf->keras_version = meta["keras_version"].get<std::string>();
    } catch (const std::exception&) {
      // metadata.json is informational; a broken one does not stop the conversion.
    }
  }
  TFLC_RETURN_IF_ERROR(zip.Read("model.weights.h5", &kf->image));
  TFLC_ASSIGN_OR_RETURN(kf->file, OpenH5Image(kf->image.data(), kf->image.size()));
  kf->weights_root = OpenGroup(kf->file.get(), "/");
  if (!kf->weights_root) return DataLoss("cannot open the root group of model.weights.h5: " + H5ErrorText());
  return OkStatus();
}

}  // namespace

FileKind SniffFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return FileKind::kNone;
  in.seekg(0, std::ios::end);
  const uint64_t size = static_cast<uint64_t>(in.tellg());
  unsigned char buf[8];
  if (size < 8 || !ReadAt(in, 0, buf, 8)) return FileKind::kNone;
  if (buf[0] == 'P' && buf[1] == 'K' && buf[2] == 3 && buf[3] == 4) return FileKind::kKerasZip;
  // The HDF5 superblock is at 0 or after a user block of 512, 1024, 2048, ... bytes.
  for (uint64_t off = 0; off + 8 <= size; off = off == 0 ? 512 : off * 2) {
    if (off != 0 && !ReadAt(in, off, buf, 8)) break;
    if (std::memcmp(buf, kHdf5Magic, 8) == 0) return FileKind::kHdf5;
  }
  return FileKind::kNone;
}

int ProbeConfidence(const std::string& path) {
  switch (SniffFile(path)) {
    case FileKind::kHdf5:
      return 90;
    case FileKind::kKerasZip: {
      ZipArchive zip;
      if (!zip.Open(path).empty()) return 0;
      return zip.Has("config.json") && zip.Has("model.weights.h5") ? 90 : 0;
    }
    case FileKind::kNone:
      break;
  }
  return 0;
}

StatusOr<std::unique_ptr<KerasFile>> OpenKerasFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return NotFound("the file does not exist; give the path of a Keras model saved with model.save() (.h5 or .keras)");
  if (S_ISDIR(st.st_mode))
    return InvalidArgument("is a directory; the keras frontend reads one .h5 or .keras file "
                           "(for a SavedModel directory use --input_format=saved_model)");
  if (st.st_size == 0) return InvalidArgument("the file is empty (0 bytes); it is not a Keras model");
  {
    std::ifstream probe(path, std::ios::binary);
    if (!probe) return FailedPrecondition("cannot open the file for reading (check its permissions)");
  }

  auto kf = std::make_unique<KerasFile>();
  kf->path = path;
  kf->kind = SniffFile(path);
  switch (kf->kind) {
    case FileKind::kHdf5:
      TFLC_RETURN_IF_ERROR(OpenHdf5(kf.get()));
      break;
    case FileKind::kKerasZip:
      TFLC_RETURN_IF_ERROR(OpenZip(kf.get()));
      break;
    case FileKind::kNone:
      return InvalidArgument("not a Keras model: the file is neither HDF5 (.h5) nor a .keras zip archive; "
                             "save the model with model.save(\"model.h5\") or model.save(\"model.keras\")");
  }
  int major = MajorVersion(kf->keras_version);
  if (major < 0) major = kf->config.contains("module") ? 3 : 2;
  kf->keras_major = major;
  return kf;
}

}  // namespace tflc::keras
