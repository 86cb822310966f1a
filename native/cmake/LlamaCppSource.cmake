# Resolves the llama.cpp source tree for the pinned release, in this order:
#   1. LLAMA_CPP_SOURCE_DIR (CMake variable or environment variable): a local checkout, used as is;
#   2. the verified cache: ${PUNA_CACHE_DIR}/llama.cpp-<tag>-<commit>;
#   3. PUNA_LLAMA_CPP_FROM_GIT=ON: FetchContent of the release tag from GitHub (online users);
#   4. otherwise the git bundle inside the npm package node-llama-cpp@3.22.1 (`npm pack`), whose tarball and
#      bundle are checked against pinned SHA-256 sums and whose HEAD must be the pinned commit before it is
#      moved into the cache.
# A second configure finds the cache and touches neither npm nor the network.

set(PUNA_LLAMA_CPP_TAG "v0.5.0")
set(PUNA_LLAMA_CPP_COMMIT "de3ff815ea7d559ee917f063901b8986f038abc6")
set(PUNA_LLAMA_CPP_GIT_URL "https://github.com/ggml-org/llama.cpp.git")
set(PUNA_NPM_PACKAGE "node-llama-cpp@3.22.1")
set(PUNA_NPM_TARBALL "node-llama-cpp-3.22.1.tgz")
set(PUNA_NPM_TARBALL_SHA256 "a0d9dd80eacd2ab1cfe71aee57ac8a806487fd70b3d2a38fbec637752d9e5c5f")
set(PUNA_NPM_BUNDLE_SHA256 "5f5d1105d5df040738d87b8290e5d17e7362131cdcfdb0831618e0ea528b4a51")

option(PUNA_LLAMA_CPP_FROM_GIT "Fetch llama.cpp ${PUNA_LLAMA_CPP_TAG} from GitHub with FetchContent instead of npm" OFF)

if(NOT DEFINED PUNA_CACHE_DIR OR PUNA_CACHE_DIR STREQUAL "")
  if(DEFINED ENV{PUNA_CACHE_DIR} AND NOT "$ENV{PUNA_CACHE_DIR}" STREQUAL "")
    set(PUNA_CACHE_DIR "$ENV{PUNA_CACHE_DIR}")
  elseif(DEFINED ENV{XDG_CACHE_HOME} AND NOT "$ENV{XDG_CACHE_HOME}" STREQUAL "")
    set(PUNA_CACHE_DIR "$ENV{XDG_CACHE_HOME}/puna")
  else()
    set(PUNA_CACHE_DIR "$ENV{HOME}/.cache/puna")
  endif()
endif()

function(_puna_sha256_check file expected what)
  file(SHA256 "${file}" actual)
  if(NOT actual STREQUAL expected)
    message(FATAL_ERROR "puna: checksum mismatch for ${what} (${file}):\n  expected ${expected}\n  actual   ${actual}\n"
                        "Refusing to build from an unverified llama.cpp source.")
  endif()
endfunction()

function(_puna_from_npm cache_dir)
  find_program(PUNA_NPM npm)
  find_program(PUNA_GIT git)
  if(NOT PUNA_NPM OR NOT PUNA_GIT)
    message(FATAL_ERROR "puna: llama.cpp ${PUNA_LLAMA_CPP_TAG} is not cached at ${cache_dir} and npm/git are missing.\n"
                        "Install npm and git, or set LLAMA_CPP_SOURCE_DIR to a llama.cpp ${PUNA_LLAMA_CPP_TAG} checkout, "
                        "or configure with -DPUNA_LLAMA_CPP_FROM_GIT=ON.")
  endif()
  string(RANDOM LENGTH 8 nonce)
  set(work "${cache_dir}.partial-${nonce}")
  file(REMOVE_RECURSE "${work}")
  file(MAKE_DIRECTORY "${work}")
  message(STATUS "puna: fetching ${PUNA_NPM_PACKAGE} from the npm registry (llama.cpp ${PUNA_LLAMA_CPP_TAG} git bundle)")
  execute_process(COMMAND "${PUNA_NPM}" pack "${PUNA_NPM_PACKAGE}" --silent
                  WORKING_DIRECTORY "${work}" RESULT_VARIABLE rc OUTPUT_QUIET)
  if(NOT rc EQUAL 0 OR NOT EXISTS "${work}/${PUNA_NPM_TARBALL}")
    file(REMOVE_RECURSE "${work}")
    message(FATAL_ERROR "puna: `npm pack ${PUNA_NPM_PACKAGE}` failed (exit ${rc}); is the npm registry reachable?")
  endif()
  _puna_sha256_check("${work}/${PUNA_NPM_TARBALL}" "${PUNA_NPM_TARBALL_SHA256}" "${PUNA_NPM_TARBALL}")
  file(ARCHIVE_EXTRACT INPUT "${work}/${PUNA_NPM_TARBALL}" DESTINATION "${work}/npm"
       PATTERNS package/llama/gitRelease.bundle package/llama/llama.cpp.info.json)
  set(bundle "${work}/npm/package/llama/gitRelease.bundle")
  _puna_sha256_check("${bundle}" "${PUNA_NPM_BUNDLE_SHA256}" "gitRelease.bundle")
  file(READ "${work}/npm/package/llama/llama.cpp.info.json" info)
  string(JSON tag GET "${info}" tag)
  if(NOT tag STREQUAL PUNA_LLAMA_CPP_TAG)
    message(FATAL_ERROR "puna: ${PUNA_NPM_PACKAGE} carries llama.cpp ${tag}, expected ${PUNA_LLAMA_CPP_TAG}")
  endif()
  execute_process(COMMAND "${PUNA_GIT}" clone --quiet "${bundle}" "${work}/src" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "puna: git clone of the llama.cpp bundle failed (exit ${rc})")
  endif()
  execute_process(COMMAND "${PUNA_GIT}" -C "${work}/src" rev-parse HEAD OUTPUT_VARIABLE head OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT head STREQUAL PUNA_LLAMA_CPP_COMMIT)
    message(FATAL_ERROR "puna: the bundle's HEAD is ${head}, expected ${PUNA_LLAMA_CPP_COMMIT}")
  endif()
  file(WRITE "${work}/src/.puna-verified" "${PUNA_LLAMA_CPP_TAG} ${PUNA_LLAMA_CPP_COMMIT}\n")
  # rename is atomic on one file system: a concurrent or interrupted build never sees a half-filled cache.
  file(RENAME "${work}/src" "${cache_dir}" RESULT rename_rc)
  file(REMOVE_RECURSE "${work}")
  if(NOT EXISTS "${cache_dir}/.puna-verified")
    message(FATAL_ERROR "puna: could not move the verified llama.cpp source into ${cache_dir}: ${rename_rc}")
  endif()
endfunction()

function(puna_resolve_llama_cpp_source out_var)
  if(NOT LLAMA_CPP_SOURCE_DIR AND DEFINED ENV{LLAMA_CPP_SOURCE_DIR})
    set(LLAMA_CPP_SOURCE_DIR "$ENV{LLAMA_CPP_SOURCE_DIR}")
  endif()
  if(LLAMA_CPP_SOURCE_DIR)
    get_filename_component(dir "${LLAMA_CPP_SOURCE_DIR}" ABSOLUTE)
    if(NOT EXISTS "${dir}/include/llama.h")
      message(FATAL_ERROR "puna: LLAMA_CPP_SOURCE_DIR=${dir} does not look like a llama.cpp checkout (no include/llama.h)")
    endif()
    message(STATUS "puna: using LLAMA_CPP_SOURCE_DIR=${dir} (not verified against ${PUNA_LLAMA_CPP_TAG}; "
                   "the bindings' layout and symbol tests will report any ABI difference)")
    set(${out_var} "${dir}" PARENT_SCOPE)
    return()
  endif()

  set(cache_dir "${PUNA_CACHE_DIR}/llama.cpp-${PUNA_LLAMA_CPP_TAG}-${PUNA_LLAMA_CPP_COMMIT}")
  if(EXISTS "${cache_dir}/.puna-verified")
    message(STATUS "puna: llama.cpp ${PUNA_LLAMA_CPP_TAG} from cache ${cache_dir}")
    set(${out_var} "${cache_dir}" PARENT_SCOPE)
    return()
  endif()

  file(MAKE_DIRECTORY "${PUNA_CACHE_DIR}")
  if(PUNA_LLAMA_CPP_FROM_GIT)
    include(FetchContent)
    FetchContent_Populate(puna_llama_cpp
      GIT_REPOSITORY "${PUNA_LLAMA_CPP_GIT_URL}"
      GIT_TAG "${PUNA_LLAMA_CPP_TAG}"
      GIT_SHALLOW TRUE
      SOURCE_DIR "${cache_dir}.git-src"
      QUIET)
    file(WRITE "${cache_dir}.git-src/.puna-verified" "${PUNA_LLAMA_CPP_TAG} (git tag)\n")
    file(RENAME "${cache_dir}.git-src" "${cache_dir}")
  else()
    _puna_from_npm("${cache_dir}")
  endif()
  set(${out_var} "${cache_dir}" PARENT_SCOPE)
endfunction()
