#include "engine/io/atomic_file.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "../../test_paths.hpp"

namespace fs = std::filesystem;
using clustersim::io::LockedTemporary;
using clustersim::io::remove_dead_temporaries;

TEST_CASE("remove_dead_temporaries removes unlocked temporaries of its target only", "[unit]") {
  const fs::path dir = clustersim::test::fresh_scratch("atomic-leftovers");
  const fs::path target = dir / "out.h5";
  for (const char* name : {"out.h5", "out.h5.tmp-123", "out.h5.tmp-999999999", "other.h5.tmp-5", "out.h5.tmpx"})
    std::ofstream(dir / name) << "x";
  remove_dead_temporaries(target);
  CHECK(fs::exists(target));
  CHECK_FALSE(fs::exists(dir / "out.h5.tmp-123"));
  CHECK_FALSE(fs::exists(dir / "out.h5.tmp-999999999"));
  CHECK(fs::exists(dir / "other.h5.tmp-5"));
  CHECK(fs::exists(dir / "out.h5.tmpx"));
  remove_dead_temporaries(dir / "missing-dir" / "out.h5");  // never throws
  fs::remove_all(dir);
}

TEST_CASE("a live writer's temporary survives remove_dead_temporaries, a SIGKILLed one does not", "[unit]") {
  const fs::path dir = clustersim::test::fresh_scratch("atomic-kill");
  const fs::path target = dir / "out.h5";
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // A writer that holds its temporary file until it is killed.
    LockedTemporary temporary(target);
    const char byte = 1;
    if (::write(ready[1], &byte, 1) != 1) ::_exit(1);
    for (;;) ::pause();
  }
  char byte = 0;
  REQUIRE(::read(ready[0], &byte, 1) == 1);
  const fs::path child_temporary = dir / ("out.h5.tmp-" + std::to_string(child));
  REQUIRE(fs::exists(child_temporary));

  // The same process's own live writer of the same target is left alone too.
  {
    LockedTemporary mine(target);
    remove_dead_temporaries(target);
    CHECK(fs::exists(child_temporary));
    CHECK(fs::exists(mine.path()));
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(WIFSIGNALED(status));
  CHECK(fs::exists(child_temporary));  // SIGKILL leaves it behind ...
  remove_dead_temporaries(target);
  CHECK_FALSE(fs::exists(child_temporary));  // ... and the next writer removes it
  ::close(ready[0]);
  ::close(ready[1]);
  fs::remove_all(dir);
}

TEST_CASE("LockedTemporary renames on commit and removes the file otherwise", "[unit]") {
  const fs::path dir = clustersim::test::fresh_scratch("atomic-commit");
  const fs::path target = dir / "out.h5";
  fs::path path;
  {
    LockedTemporary temporary(target);
    path = temporary.path();
    CHECK(path == dir / ("out.h5.tmp-" + std::to_string(::getpid())));
    CHECK(fs::exists(path));
  }
  CHECK_FALSE(fs::exists(path));
  CHECK_FALSE(fs::exists(target));
  {
    LockedTemporary temporary(target);
    std::ofstream(temporary.path()) << "complete";
    temporary.commit();
  }
  CHECK_FALSE(fs::exists(path));
  REQUIRE(fs::exists(target));
  std::string text;
  std::ifstream(target) >> text;
  CHECK(text == "complete");
  CHECK_THROWS_WITH(LockedTemporary(dir / "no" / "out.h5"),
                    Catch::Contains("cannot create temporary file '" + (dir / "no" / "out.h5").string() + ".tmp-"));
  fs::remove_all(dir);
}
