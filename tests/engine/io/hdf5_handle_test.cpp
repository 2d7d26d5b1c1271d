#include "engine/io/hdf5_handle.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <utility>

using clustersim::io::hdf5::check;
using clustersim::io::hdf5::Handle;
using clustersim::io::hdf5::own;
using clustersim::io::hdf5::QuietErrors;

TEST_CASE("a Handle closes its id when it goes, when moved from and when reset", "[unit]") {
  hid_t id = H5I_INVALID_HID;
  {
    Handle plist = own(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "creating a property list");
    id = plist.get();
    CHECK(H5Iis_valid(id) > 0);
    Handle moved = std::move(plist);
    CHECK_FALSE(plist.valid());
    CHECK(moved.get() == id);
    CHECK(H5Iis_valid(id) > 0);
  }
  CHECK(H5Iis_valid(id) <= 0);

  Handle a = own(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "a");
  const hid_t first = a.get();
  a = own(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "b");  // assignment closes the old id
  CHECK(H5Iis_valid(first) <= 0);
  CHECK(a.close() >= 0);
  CHECK_FALSE(a.valid());
  CHECK(a.close() == 0);  // closing twice is harmless
}

TEST_CASE("own and check throw what we were doing plus HDF5's reason", "[unit]") {
  QuietErrors quiet;
  CHECK_THROWS_WITH(own(H5Fopen("/nonexistent/x.h5", H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose,
                        [] { return std::string("opening x.h5"); }),
                    Catch::StartsWith("opening x.h5: "));
  CHECK_THROWS_AS(check(H5Pclose(H5I_INVALID_HID), "closing nothing"), std::runtime_error);
  CHECK(check(herr_t{0}, "fine") == 0);
}

TEST_CASE("QuietErrors restores HDF5's error printing", "[unit]") {
  H5E_auto2_t before = nullptr;
  void* data = nullptr;
  H5Eget_auto2(H5E_DEFAULT, &before, &data);
  {
    QuietErrors quiet;
    H5E_auto2_t during = nullptr;
    H5Eget_auto2(H5E_DEFAULT, &during, &data);
    CHECK(during == nullptr);
  }
  H5E_auto2_t after = nullptr;
  H5Eget_auto2(H5E_DEFAULT, &after, &data);
  CHECK(after == before);
}
