// Small RAII and string-attribute helpers over the libhdf5 C API.
//
// Every hid_t the frontend opens lives in an H5Id, so no early return can leak a handle. libhdf5's
// own error printing is switched off while the frontend runs (ScopedH5Silence); failures are read
// back from the error stack (H5ErrorText) and put into tflc::Status messages instead.
#ifndef TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_H5_UTIL_H_
#define TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_H5_UTIL_H_

#include <hdf5.h>

#include <string>
#include <vector>

#include "tflc/sdk/status.h"

namespace tflc::keras {

// Owns one HDF5 identifier and closes it with the matching H5?close function.
class H5Id {
 public:
  using Closer = herr_t (*)(hid_t);
  H5Id() = default;
  H5Id(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  ~H5Id() { reset(); }
  H5Id(const H5Id&) = delete;
  H5Id& operator=(const H5Id&) = delete;
  H5Id(H5Id&& o) noexcept : id_(o.id_), closer_(o.closer_) { o.id_ = H5I_INVALID_HID; }
  H5Id& operator=(H5Id&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = o.id_;
      closer_ = o.closer_;
      o.id_ = H5I_INVALID_HID;
    }
    return *this;
  }

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  explicit operator bool() const { return valid(); }
  void reset() {
    if (id_ >= 0 && closer_) closer_(id_);
    id_ = H5I_INVALID_HID;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

// Switches off libhdf5's automatic error printing for the current scope and restores the previous
// handler afterwards.
class ScopedH5Silence {
 public:
  ScopedH5Silence();
  ~ScopedH5Silence();
  ScopedH5Silence(const ScopedH5Silence&) = delete;
  ScopedH5Silence& operator=(const ScopedH5Silence&) = delete;

 private:
  H5E_auto2_t old_func_ = nullptr;
  void* old_data_ = nullptr;
};

// The messages on the current thread's HDF5 error stack, innermost last, joined with "; ", and
// clears the stack. Empty when the stack is empty.
std::string H5ErrorText();

// Opens a file read-only (no file locking: model directories are often read-only mounts).
StatusOr<H5Id> OpenH5File(const std::string& path);
// Opens an in-memory HDF5 image read-only without copying it; `data` must outlive the file id and
// every object opened from it.
StatusOr<H5Id> OpenH5Image(const void* data, size_t size);

// Object helpers. Each returns an invalid H5Id when the object does not exist (no error is left on
// the HDF5 error stack).
bool H5LinkExists(hid_t loc, const std::string& path);  // every component is checked
H5Id OpenGroup(hid_t loc, const std::string& path);
H5Id OpenDataset(hid_t loc, const std::string& path);
bool IsGroup(hid_t loc, const std::string& path);
bool IsDataset(hid_t loc, const std::string& path);
// Names of the direct children of a group, in HDF5's name order.
std::vector<std::string> ChildNames(hid_t group);

bool HasAttr(hid_t obj, const std::string& name);
// A scalar (or one-element) string attribute, fixed- or variable-length; trailing NULs stripped.
StatusOr<std::string> ReadStringAttr(hid_t obj, const std::string& name);
// A string-list attribute (fixed- or variable-length strings). An empty non-string array (what
// h5py writes for an empty Python list) gives an empty list. If `name` is absent, reads the split
// form `name0`, `name1`, ... (Keras splits lists over 64 KB) and concatenates; absent entirely →
// empty list with *found = false.
StatusOr<std::vector<std::string>> ReadStringListAttr(hid_t obj, const std::string& name,
                                                      bool* found = nullptr);

}  // namespace tflc::keras

#endif  // TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_H5_UTIL_H_
