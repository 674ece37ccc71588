#include "h5_util.h"

#include <hdf5_hl.h>

#include <cstring>
#include <memory>

namespace tflc::keras {

ScopedH5Silence::ScopedH5Silence() {
  H5Eget_auto2(H5E_DEFAULT, &old_func_, &old_data_);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

ScopedH5Silence::~ScopedH5Silence() { H5Eset_auto2(H5E_DEFAULT, old_func_, old_data_); }

namespace {

herr_t CollectError(unsigned /*n*/, const H5E_error2_t* err, void* data) {
  auto* out = static_cast<std::vector<std::string>*>(data);
  if (err && err->desc && *err->desc) out->emplace_back(err->desc);
  return 0;
}

}  // namespace

std::string H5ErrorText() {
  std::vector<std::string> msgs;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, CollectError, &msgs);
  H5Eclear2(H5E_DEFAULT);
  // Outermost first (e.g. "unable to open file"), innermost last (the actual cause). Keep the first
  // and the last two, without repeats.
  std::vector<std::string> keep;
  for (size_t i = 0; i < msgs.size(); ++i) {
    if (i != 0 && i + 2 < msgs.size()) continue;
    bool dup = false;
    for (const auto& k : keep) dup = dup || k == msgs[i];
    if (!dup) keep.push_back(msgs[i]);
  }
  std::string out;
  for (const auto& k : keep) {
    if (!out.empty()) out += "; ";
    out += k;
  }
  return out;
}

StatusOr<H5Id> OpenH5File(const std::string& path) {
  H5Id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  if (!fapl) return Internal("H5Pcreate failed: " + H5ErrorText());
  // Close every object of the file when the file id is closed, so nothing can outlive it.
  H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG);
#if H5_VERSION_GE(1, 10, 7)
  H5Pset_file_locking(fapl.get(), false, true);
#endif
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get());
  if (f < 0) {
    std::string why = H5ErrorText();
    return DataLoss("cannot open the HDF5 file (" + (why.empty() ? std::string("unknown error") : why) +
                    "); the file is truncated or corrupt: save the model again with model.save()");
  }
  return H5Id(f, H5Fclose);
}

StatusOr<H5Id> OpenH5Image(const void* data, size_t size) {
  // DONT_COPY + DONT_RELEASE: HDF5 reads the caller's buffer in place and never frees it.
  hid_t f = H5LTopen_file_image(const_cast<void*>(data), size,
                                H5LT_FILE_IMAGE_DONT_COPY | H5LT_FILE_IMAGE_DONT_RELEASE);
  if (f < 0) {
    std::string why = H5ErrorText();
    return DataLoss("cannot open model.weights.h5 inside the archive (" +
                    (why.empty() ? std::string("unknown error") : why) +
                    "); the archive is truncated or corrupt: save the model again with model.save()");
  }
  return H5Id(f, H5Fclose);
}

bool H5LinkExists(hid_t loc, const std::string& path) {
  if (path.empty()) return true;
  // H5Lexists needs every intermediate component to exist: check them one by one.
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t next = path.find('/', pos);
    if (next == std::string::npos) next = path.size();
    std::string prefix = path.substr(0, next);
    if (!prefix.empty() && prefix.back() != '/') {
      htri_t e = H5Lexists(loc, prefix.c_str(), H5P_DEFAULT);
      if (e <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return false;
      }
      if (next < path.size()) {
        // An intermediate component must be a group to go further.
        H5O_info_t info;
        if (H5Oget_info_by_name(loc, prefix.c_str(), &info, H5P_DEFAULT) < 0 || info.type != H5O_TYPE_GROUP) {
          H5Eclear2(H5E_DEFAULT);
          return false;
        }
      }
    }
    pos = next + 1;
  }
  return true;
}

namespace {

H5O_type_t ObjectType(hid_t loc, const std::string& path) {
  if (!H5LinkExists(loc, path)) return H5O_TYPE_UNKNOWN;
  H5O_info_t info;
  if (H5Oget_info_by_name(loc, path.c_str(), &info, H5P_DEFAULT) < 0) {
    H5Eclear2(H5E_DEFAULT);
    return H5O_TYPE_UNKNOWN;
  }
  return info.type;
}

}  // namespace

bool IsGroup(hid_t loc, const std::string& path) { return ObjectType(loc, path) == H5O_TYPE_GROUP; }
bool IsDataset(hid_t loc, const std::string& path) { return ObjectType(loc, path) == H5O_TYPE_DATASET; }

H5Id OpenGroup(hid_t loc, const std::string& path) {
  if (!IsGroup(loc, path)) return H5Id();
  hid_t g = H5Gopen2(loc, path.c_str(), H5P_DEFAULT);
  if (g < 0) {
    H5Eclear2(H5E_DEFAULT);
    return H5Id();
  }
  return H5Id(g, H5Gclose);
}

H5Id OpenDataset(hid_t loc, const std::string& path) {
  if (!IsDataset(loc, path)) return H5Id();
  hid_t d = H5Dopen2(loc, path.c_str(), H5P_DEFAULT);
  if (d < 0) {
    H5Eclear2(H5E_DEFAULT);
    return H5Id();
  }
  return H5Id(d, H5Dclose);
}

namespace {

herr_t CollectName(hid_t /*group*/, const char* name, const H5L_info_t* /*info*/, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

}  // namespace

std::vector<std::string> ChildNames(hid_t group) {
  std::vector<std::string> names;
  hsize_t idx = 0;
  if (H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &idx, CollectName, &names) < 0) H5Eclear2(H5E_DEFAULT);
  return names;
}

bool HasAttr(hid_t obj, const std::string& name) {
  htri_t e = H5Aexists(obj, name.c_str());
  if (e < 0) H5Eclear2(H5E_DEFAULT);
  return e > 0;
}

namespace {

std::string StripNuls(const char* p, size_t n) {
  size_t len = 0;
  while (len < n && p[len] != '\0') ++len;
  return std::string(p, len);
}

// Reads every element of a string attribute.
StatusOr<std::vector<std::string>> ReadStrings(hid_t attr, const std::string& name) {
  H5Id type(H5Aget_type(attr), H5Tclose);
  H5Id space(H5Aget_space(attr), H5Sclose);
  if (!type || !space) return DataLoss("cannot read attribute '" + name + "': " + H5ErrorText());
  hssize_t n = H5Sget_simple_extent_npoints(space.get());
  if (n < 0) return DataLoss("cannot read attribute '" + name + "': " + H5ErrorText());
  std::vector<std::string> out;
  if (H5Tget_class(type.get()) != H5T_STRING) {
    if (n == 0) return out;  // h5py writes an empty Python list as an empty float64 array
    return InvalidArgument("attribute '" + name + "' is not a string");
  }
  if (n == 0) return out;
  htri_t vlen = H5Tis_variable_str(type.get());
  if (vlen < 0) return DataLoss("cannot read attribute '" + name + "': " + H5ErrorText());
  if (vlen > 0) {
    H5Id mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
    std::vector<char*> ptrs(static_cast<size_t>(n), nullptr);
    if (H5Aread(attr, mem.get(), ptrs.data()) < 0)
      return DataLoss("cannot read attribute '" + name + "': " + H5ErrorText());
    for (char* p : ptrs) out.emplace_back(p ? p : "");
    H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
    return out;
  }
  size_t size = H5Tget_size(type.get());
  if (size == 0) return DataLoss("attribute '" + name + "' has a zero-size string type");
  std::vector<char> buf(size * static_cast<size_t>(n));
  if (H5Aread(attr, type.get(), buf.data()) < 0)
    return DataLoss("cannot read attribute '" + name + "': " + H5ErrorText());
  for (hssize_t i = 0; i < n; ++i) out.push_back(StripNuls(buf.data() + static_cast<size_t>(i) * size, size));
  return out;
}

StatusOr<std::vector<std::string>> ReadAttrStrings(hid_t obj, const std::string& name) {
  H5Id attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
  if (!attr) return NotFound("cannot open attribute '" + name + "': " + H5ErrorText());
  return ReadStrings(attr.get(), name);
}

}  // namespace

StatusOr<std::string> ReadStringAttr(hid_t obj, const std::string& name) {
  TFLC_ASSIGN_OR_RETURN(auto v, ReadAttrStrings(obj, name));
  if (v.size() != 1) return InvalidArgument("attribute '" + name + "' is not a single string");
  return v[0];
}

StatusOr<std::vector<std::string>> ReadStringListAttr(hid_t obj, const std::string& name, bool* found) {
  if (found) *found = true;
  if (HasAttr(obj, name)) return ReadAttrStrings(obj, name);
  std::vector<std::string> all;
  int i = 0;
  for (; HasAttr(obj, name + std::to_string(i)); ++i) {
    TFLC_ASSIGN_OR_RETURN(auto part, ReadAttrStrings(obj, name + std::to_string(i)));
    all.insert(all.end(), part.begin(), part.end());
  }
  if (i == 0 && found) *found = false;
  return all;
}

}  // namespace tflc::keras
