#include "keras_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
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

uint32_t Le32(const unsigned char* p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24); }
uint16_t Le16(const unsigned char* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint64_t Le64(const unsigned char* p) { return Le32(p) | (static_cast<uint64_t>(Le32(p + 4)) << 32); }

// Where the data of a STORED (uncompressed) zip member starts in the archive, from the central
// directory and the member's local header (zip APPNOTE 4.3; ZIP64 sizes and offsets in extra field
// 0x0001). -1 when the member is compressed, encrypted, absent, or the archive is not understood
// (the caller then reads the member through libzip). *size gets the member's size.
int64_t StoredMemberOffset(const std::string& path, const std::string& name, uint64_t* size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return -1;
  in.seekg(0, std::ios::end);
  const uint64_t file_size = static_cast<uint64_t>(in.tellg());
  const uint64_t tail = std::min<uint64_t>(file_size, 65535 + 22);
  std::vector<unsigned char> buf(tail);
  if (!ReadAt(in, file_size - tail, buf.data(), tail)) return -1;
  int64_t eocd = -1;
  for (int64_t i = static_cast<int64_t>(tail) - 22; i >= 0; --i) {
    if (Le32(&buf[static_cast<size_t>(i)]) == 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) return -1;
  const unsigned char* e = &buf[static_cast<size_t>(eocd)];
  uint64_t cd_size = Le32(e + 12), cd_offset = Le32(e + 16);
  uint64_t entries = Le16(e + 10);
  if (cd_offset == 0xFFFFFFFFu || entries == 0xFFFF) {  // ZIP64: the locator sits right before the EOCD
    const uint64_t loc = file_size - tail + static_cast<uint64_t>(eocd) - 20;
    unsigned char l[20], z[56];
    if (eocd < 20 || !ReadAt(in, loc, l, 20) || Le32(l) != 0x07064b50 || !ReadAt(in, Le64(l + 8), z, 56) ||
        Le32(z) != 0x06064b50)
      return -1;
    entries = Le64(z + 32);
    cd_size = Le64(z + 40);
    cd_offset = Le64(z + 48);
  }
  if (cd_offset + cd_size > file_size || cd_size > (64u << 20)) return -1;
  std::vector<unsigned char> cd(static_cast<size_t>(cd_size));
  if (!ReadAt(in, cd_offset, cd.data(), cd.size())) return -1;
  size_t p = 0;
  for (uint64_t k = 0; k < entries && p + 46 <= cd.size(); ++k) {
    const unsigned char* c = &cd[p];
    if (Le32(c) != 0x02014b50) return -1;
    const uint16_t flags = Le16(c + 8), method = Le16(c + 10);
    uint64_t csize = Le32(c + 20), usize = Le32(c + 24), lho = Le32(c + 42);
    const size_t nlen = Le16(c + 28), xlen = Le16(c + 30), clen = Le16(c + 32);
    if (p + 46 + nlen + xlen + clen > cd.size()) return -1;
    const std::string member(reinterpret_cast<const char*>(c + 46), nlen);
    if (member == name) {
      // ZIP64 extra: the 0xFFFFFFFF fields, in the order usize, csize, offset.
      for (size_t x = 0; x + 4 <= xlen;) {
        const unsigned char* f = c + 46 + nlen + x;
        const uint16_t id = Le16(f), len = Le16(f + 2);
        if (id == 0x0001) {
          size_t q = 4;
          if (usize == 0xFFFFFFFFu && q + 8 <= 4u + len) { usize = Le64(f + q); q += 8; }
          if (csize == 0xFFFFFFFFu && q + 8 <= 4u + len) { csize = Le64(f + q); q += 8; }
          if (lho == 0xFFFFFFFFu && q + 8 <= 4u + len) { lho = Le64(f + q); q += 8; }
        }
        x += 4u + len;
      }
      if (method != 0 || (flags & 1) || csize != usize) return -1;
      unsigned char lh[30];
      if (!ReadAt(in, lho, lh, 30) || Le32(lh) != 0x04034b50) return -1;
      const uint64_t data = lho + 30 + Le16(lh + 26) + Le16(lh + 28);
      if (data + usize > file_size) return -1;
      *size = usize;
      return static_cast<int64_t>(data);
    }
    p += 46 + nlen + xlen + clen;
  }
  return -1;
}

// Maps bytes [offset, offset + size) of `path` read-only; the pointer is at `offset`.
std::shared_ptr<void> MapRange(const std::string& path, uint64_t offset, uint64_t size, const void** data) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t start = offset / page * page;
  const size_t len = static_cast<size_t>(offset - start + size);
  void* m = ::mmap(nullptr, len, PROT_READ, MAP_PRIVATE, fd, static_cast<off_t>(start));
  ::close(fd);
  if (m == MAP_FAILED) return nullptr;
  *data = static_cast<const unsigned char*>(m) + (offset - start);
  return std::shared_ptr<void>(m, [len](void* p) { ::munmap(p, len); });
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
  // Keras stores model.weights.h5 uncompressed: map it in place (weights are then mapped from the
  // archive like a legacy .h5's, never copied); a compressed member is read into memory.
  uint64_t member_size = 0;
  const int64_t member_offset = StoredMemberOffset(kf->path, "model.weights.h5", &member_size);
  const void* mapped = nullptr;
  if (member_offset >= 0 && member_size > 0)
    kf->mapping = MapRange(kf->path, static_cast<uint64_t>(member_offset), member_size, &mapped);
  if (kf->mapping) {
    kf->image_offset = member_offset;
    TFLC_ASSIGN_OR_RETURN(kf->file, OpenH5Image(mapped, static_cast<size_t>(member_size)));
  } else {
    TFLC_RETURN_IF_ERROR(zip.Read("model.weights.h5", &kf->image));
    TFLC_ASSIGN_OR_RETURN(kf->file, OpenH5Image(kf->image.data(), kf->image.size()));
  }
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
